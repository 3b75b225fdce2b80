"""The computational-graph and weight-initialisation demos in a real JupyterLab, driven through headless Chromium.

One throw-away Lab serves COPIES of both notebooks; for each, Playwright runs all cells, waits for the
widget's SVG picture, works one real control (a slider key press; a toggle button click) and checks that
the picture the browser shows changes as it should. Response times are printed and appended to
.artifacts/browser/timings.txt, never asserted; screenshots go to .artifacts/browser/.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from browser.lab_server import LabServer, require_extensions
from browser.page_actions import (ARTIFACTS, CHROMIUM, artifact_page, launch_chromium, open_and_run_all,
                                  record_timing, wait_for_widget)

REPO = Path(__file__).resolve().parent.parent
DEMOS = REPO / "solutions" / "demos"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.timeout(300),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is absent (Debian package: chromium)"),
]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    require_extensions("@jupyter-widgets/jupyterlab-manager")
    with LabServer([DEMOS / "computational_graph_demo.ipynb", DEMOS / "weight_init_demo.ipynb"],
                   tmp_path_factory.mktemp("lab")) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as b:
        yield b


@pytest.fixture
def page(browser, request):
    with artifact_page(browser, f"{request.node.name}_last.png") as pg:
        yield pg


def _wait_for_svg(page, lab, selector):
    wait_for_widget(page, lab, selector, timeout_ms=120_000, settle_ms=0)
    return page.locator(selector).inner_html()


def _wait_for_new_svg(page, selector, old, timeout_s=30.0):
    """Wait until the SVG at ``selector`` differs from ``old``; return (new markup, seconds waited)."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout_s:
        new = page.locator(selector).inner_html()
        if new != old:
            return new, time.perf_counter() - t0
        page.wait_for_timeout(10)
    raise TimeoutError(f"the picture {selector} did not change within {timeout_s:.0f} s")


GRAPH_SVG = ".cs231n-graph-figure svg"


def test_graph_demo_slider_changes_values_and_gradients(lab, page):
    open_and_run_all(page, lab, "computational_graph_demo.ipynb")
    first = _wait_for_svg(page, lab, GRAPH_SVG)
    assert "-12.00" in first  # f = (x + y) z with the lecture's x = -2, y = 5, z = -4
    page.locator(".cs231n-graph-demo").screenshot(path=str(ARTIFACTS / "graph_1_initial.png"))

    # z: focus the third slider's handle and press the right arrow (noUiSlider's keyboard control), -4 -> -3.9
    page.locator(".cs231n-graph-inputs .noUi-handle").nth(2).focus()
    page.keyboard.press("ArrowRight")
    after, seconds = _wait_for_new_svg(page, GRAPH_SVG, first)
    page.wait_for_function("() => document.querySelector('.cs231n-graph-figure svg').innerHTML.includes('-11.70')")
    after = page.locator(GRAPH_SVG).inner_html()
    assert "-3.90" in after and "-11.70" in after, "the new z did not reach the forward values"  # f = 3 * -3.9
    grads = re.findall(r'class="cs231n-graph-grad"[^>]*>([^<]+)<', after)
    assert grads[:2] == ["-3.90", "-3.90"], grads  # add distributes upstream z to x and y
    page.locator(".cs231n-graph-demo").screenshot(path=str(ARTIFACTS / "graph_2_z_moved.png"))
    record_timing(f"computational graph demo: slider key -> new SVG in the browser {seconds * 1e3:.0f} ms; "
                  f"kernel says: {page.locator('.cs231n-graph-status').inner_text()}")


INIT_SVG = ".cs231n-init-figure svg"


def test_init_demo_relu_button_redraws_the_histograms(lab, page):
    open_and_run_all(page, lab, "weight_init_demo.ipynb")
    first = _wait_for_svg(page, lab, INIT_SVG)
    assert first.count("cs231n-init-panel") == 6 and "cs231n-init-clipped" not in first
    page.locator(".cs231n-init-demo").screenshot(path=str(ARTIFACTS / "init_1_initial.png"))

    page.locator(".cs231n-init-nonlinearity button", has_text=re.compile(r"^\s*ReLU\s*$")).click()
    after, seconds = _wait_for_new_svg(page, INIT_SVG, first)
    assert after.count("cs231n-init-clipped") == 6, "ReLU's spike at zero is not marked in every panel"
    assert "ReLU zeroes half" in page.locator(".cs231n-init-explain").inner_text()
    page.locator(".cs231n-init-demo").screenshot(path=str(ARTIFACTS / "init_2_relu.png"))
    kernel = re.search(r"updated in \d+ ms", page.locator(".cs231n-init-status").inner_text()).group(0)
    record_timing(f"weight init demo: ReLU button -> new SVG in the browser {seconds * 1e3:.0f} ms; "
                  f"kernel says: {kernel}")
