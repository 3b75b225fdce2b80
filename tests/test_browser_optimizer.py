"""The optimizer playground in a real JupyterLab, driven through headless Chromium.

A throw-away Lab (tests/browser/lab_server.py) serves a COPY of
solutions/demos/optimizer_demo.ipynb; Playwright runs it, waits for the
contour canvas, picks another surface in the dropdown and clicks on the plot
to move the start, and checks after each that the canvas the browser shows
changed and that the kernel says so in the status line. Response times are
printed and appended to .artifacts/browser/timings.txt, never asserted.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser.lab_server import LabServer, require_extensions
from browser.page_actions import (CHROMIUM, artifact_page, canvas_digest, click_at, launch_chromium, open_and_run_all,
                                  record_timing, wait_for_new_canvas)

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "solutions" / "demos" / "optimizer_demo.ipynb"
CANVAS = ".cs231n-optim-figure canvas"
PLOT_PX, TOP_PX = 420, 20  # PlaneView(width=420, height=440): a 420 px square under a 20 px title

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.timeout(400),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is absent (Debian package: chromium)"),
]


def test_optimizer_demo_surface_and_start_change_the_figure(tmp_path):
    require_extensions("@jupyter-widgets/jupyterlab-manager", "anywidget")
    with LabServer([DEMO], tmp_path) as lab, launch_chromium() as browser, \
            artifact_page(browser, "optimizer_last.png") as page:
        open_and_run_all(page, lab, DEMO.name)
        page.wait_for_selector(CANVAS, timeout=180_000)
        page.locator(CANVAS).scroll_into_view_if_needed()
        page.wait_for_timeout(300)  # the first draw
        status = page.locator(".cs231n-optim-status")
        assert "start (-1.800, 0.600)" in status.inner_text()
        first = canvas_digest(page, CANVAS)

        # a control: the surface dropdown
        page.locator(".cs231n-optim-surface select").select_option(label="saddle point")
        after_surface, surface_s = wait_for_new_canvas(page, CANVAS, first)
        page.wait_for_function("() => document.querySelector('.cs231n-optim-status').innerText"
                               ".includes('start (-1.800, 0.001)')", timeout=30_000)

        # the plot: a click at data (1, -1) moves the start there
        click_at(page, CANVAS, ((1 + 2) / 4 * PLOT_PX, TOP_PX + (2 - (-1)) / 4 * PLOT_PX))
        _, click_s = wait_for_new_canvas(page, CANVAS, after_surface)
        page.wait_for_function("() => /start \\(1\\.0\\d\\d, -1\\.0\\d\\d\\)|start \\(0\\.99\\d, -0\\.99\\d\\)/"
                               ".test(document.querySelector('.cs231n-optim-status').innerText)", timeout=30_000)
        kernel = re.search(r"updated in \d+ ms", status.inner_text()).group(0)
        record_timing(f"optimizer demo, control -> new canvas in the browser: surface {surface_s * 1e3:.0f} ms, "
                      f"click on the plot {click_s * 1e3:.0f} ms; kernel says: {kernel}")
