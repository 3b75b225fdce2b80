"""The convolution explorer and the receptive-field view in a real JupyterLab, driven through headless Chromium.

One throw-away Lab (tests/browser/lab_server.py) serves COPIES of both notebooks; for each, Playwright runs all
cells and waits for the widget's canvas. Convolution: a click on the "blur" button of the filter bank must
redraw the filtered image's canvas and name the filter in the status line, and a key press on the window-step
slider must move the window (the SVG and the status line). Receptive field: a click on the top-left unit of
the last layer must redraw the input's canvas (the paths to that unit) and the status line must name the unit.
Response times are printed and appended to .artifacts/browser/timings.txt, never asserted.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from browser.lab_server import LabServer, require_extensions
from browser.page_actions import (ARTIFACTS, CHROMIUM, artifact_page, canvas_digest, click_at, launch_chromium,
                                  open_and_run_all, record_timing, wait_for_new_canvas, wait_for_widget)

REPO = Path(__file__).resolve().parent.parent
DEMOS = REPO / "solutions" / "demos"
CONV, RF = "convolution_demo.ipynb", "receptive_field_demo.ipynb"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.timeout(300),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is absent (Debian package: chromium)"),
]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    require_extensions("@jupyter-widgets/jupyterlab-manager", "anywidget")
    with LabServer([DEMOS / CONV, DEMOS / RF], tmp_path_factory.mktemp("lab")) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as b:
        yield b


@pytest.fixture
def page(browser, request):
    with artifact_page(browser, f"{request.node.name}_last.png") as pg:
        yield pg


def _wait_for_text(page, selector, pattern, timeout_s=30.0):
    """Wait until the element's text matches ``pattern``; return (text, seconds waited)."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout_s:
        text = page.locator(selector).inner_text()
        if re.search(pattern, text):
            return text, time.perf_counter() - t0
        page.wait_for_timeout(10)
    raise TimeoutError(f"{selector} never matched {pattern!r}; it says {page.locator(selector).inner_text()!r}")


def _kernel_ms(text):
    return re.search(r"updated in \d+ ms", text).group(0)


CONV_CANVAS, CONV_STATUS = ".cs231n-conv-filtered-view canvas", ".cs231n-conv-status"


def test_convolution_demo_filter_bank_and_window_step(lab, page):
    open_and_run_all(page, lab, CONV)
    wait_for_widget(page, lab, CONV_CANVAS)
    status = page.locator(CONV_STATUS).inner_text()
    assert "output 3 x 3" in status and "window 1 of 9" in status and "Sobel x" in status, status
    assert page.locator(".cs231n-conv-figure .cs231n-conv-tap").count() == 2 * 9
    first = canvas_digest(page, CONV_CANVAS)

    page.locator(".cs231n-conv-filter button", has_text=re.compile(r"^\s*blur")).click()
    _, canvas_s = wait_for_new_canvas(page, CONV_CANVAS, first)
    status, _ = _wait_for_text(page, CONV_STATUS, r"filter bank: blur \(box 3x3\)")
    page.locator(".cs231n-conv-demo").screenshot(path=str(ARTIFACTS / "conv_1_blur.png"))
    blur_kernel = _kernel_ms(status)

    svg = page.locator(".cs231n-conv-figure svg").inner_html()
    page.locator(".cs231n-conv-step .noUi-handle").focus()
    page.keyboard.press("ArrowRight")
    status, step_s = _wait_for_text(page, CONV_STATUS, r"window 2 of 9: output cell \(row 0, col 1\)")
    assert page.locator(".cs231n-conv-figure svg").inner_html() != svg, "the window did not move in the picture"
    record_timing(f"convolution demo, control -> browser: blur button -> new canvas {canvas_s * 1e3:.0f} ms "
                  f"(kernel says {blur_kernel}); window step key -> new status {step_s * 1e3:.0f} ms "
                  f"(kernel says {_kernel_ms(status)})")


RF_INPUT, RF_OUTPUT, RF_STATUS = ".cs231n-rf-input-view canvas", ".cs231n-rf-output-view canvas", ".cs231n-rf-status"
VIEW_PX, TOP_PX = 360, 20  # PlaneView(width=360, height=380): a 360 px square under a 20 px title


def test_receptive_field_demo_click_on_a_unit(lab, page):
    open_and_run_all(page, lab, RF)
    wait_for_widget(page, lab, RF_INPUT)
    status = page.locator(RF_STATUS).inner_text()
    assert "unit (row 4, col 4) of 8x8" in status and "theoretical receptive field 16x16" in status, status
    first = canvas_digest(page, RF_INPUT)

    unit_px = VIEW_PX / 8  # the VGG-style preset on 32x32 ends in 8x8 units
    click_at(page, RF_OUTPUT, (unit_px / 2, TOP_PX + unit_px / 2))
    _, canvas_s = wait_for_new_canvas(page, RF_INPUT, first)
    status, _ = _wait_for_text(page, RF_STATUS, r"unit \(row 0, col 0\) of 8x8")
    assert "partly in the padding" in status
    page.locator(".cs231n-rf-demo").screenshot(path=str(ARTIFACTS / "rf_1_corner.png"))
    record_timing(f"receptive field demo: click on a unit -> new input canvas in the browser {canvas_s * 1e3:.0f} ms; "
                  f"kernel says: {_kernel_ms(status)}")
