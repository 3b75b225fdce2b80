"""The demo widgets in a real JupyterLab, driven through headless Chromium.

A throw-away Lab serves COPIES of solutions/demos/*.ipynb; Playwright opens a
notebook, runs all cells, waits for the widget, works its real controls and
checks that the figure the browser shows changes after each. Screenshots go to
.artifacts/browser/. Response times (control -> new image in the browser) are
printed, never asserted.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser.lab_server import LabServer, widgets_extension_enabled
from browser.page_actions import (CHROMIUM, CHROMIUM_ARGS, image_digest, open_and_run_all,
                                  wait_for_new_image)

REPO = Path(__file__).resolve().parent.parent
DEMOS = REPO / "solutions" / "demos"
ARTIFACTS = REPO / ".artifacts" / "browser"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.timeout(600),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is absent (Debian package: chromium)"),
]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    ok, listing = widgets_extension_enabled()
    assert ok, f"the ipywidgets JupyterLab extension is not enabled; `jupyter labextension list` says:\n{listing}"
    with LabServer([DEMOS / "knn_demo.ipynb", DEMOS / "linear_classifier_demo.ipynb"],
                   tmp_path_factory.mktemp("lab")) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser, request):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg = browser.new_page(viewport={"width": 1400, "height": 1100})
    try:
        yield pg
    finally:  # the last state of the page, pass or fail, for a human to look at
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}_last.png"), full_page=True)
        pg.close()


def _wait_for_widget(page, lab, selector, timeout_ms=180_000):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    try:
        page.wait_for_selector(f"{selector}[src]", timeout=timeout_ms)
    except PlaywrightTimeout:
        outputs = page.locator(".jp-OutputArea").all_inner_texts()
        pytest.fail(f"widget {selector} never rendered. Cell outputs: {outputs!r}. If the output reads "
                    f"'KNNDemo(...)' or 'Loading widget...', the ipywidgets extension is not active.\n"
                    f"Lab log tail:\n{lab.log()}")


def _shot(page, selector, name):
    page.locator(selector).scroll_into_view_if_needed()
    page.locator(selector).screenshot(path=str(ARTIFACTS / name))


def test_knn_demo_controls_change_the_figure(lab, page):
    fig = "img.cs231n-knn-figure"
    open_and_run_all(page, lab, "knn_demo.ipynb")
    _wait_for_widget(page, lab, fig)
    first = image_digest(page, fig)
    assert first["size"] > 1000
    _shot(page, ".cs231n-knn-demo", "knn_1_initial.png")

    # K: focus the slider handle and press the right arrow (noUiSlider's keyboard control), 1 -> 2
    page.locator(".cs231n-knn-k .noUi-handle").focus()
    page.keyboard.press("ArrowRight")
    after_k, k_seconds = wait_for_new_image(page, fig, first["src"])
    assert page.locator(".cs231n-knn-k .widget-readout").inner_text().strip() == "2"
    assert after_k["sha256"] != first["sha256"], "changing K did not change the figure"
    _shot(page, ".cs231n-knn-demo", "knn_2_k2.png")

    # metric: click the L1 toggle button
    page.locator(".cs231n-knn-metric button", has_text=re.compile(r"^\s*L1\s*$")).click()
    after_metric, metric_seconds = wait_for_new_image(page, fig, after_k["src"])
    assert after_metric["sha256"] not in (first["sha256"], after_k["sha256"]), "changing the metric did not change the figure"
    assert "L1" in page.locator(".cs231n-knn-metric button.mod-active").inner_text()
    _shot(page, ".cs231n-knn-demo", "knn_3_l1.png")
    print(f"\nkNN demo, control -> new figure in the browser: K {k_seconds * 1e3:.0f} ms, "
          f"metric {metric_seconds * 1e3:.0f} ms; kernel says: {page.locator('.cs231n-knn-status').inner_text()}")


def test_linear_demo_single_update_changes_the_figure(lab, page):
    fig = "img.cs231n-linear-figure"
    open_and_run_all(page, lab, "linear_classifier_demo.ipynb")
    _wait_for_widget(page, lab, fig)
    first = image_digest(page, fig)
    assert "iteration 0" in page.locator(".cs231n-linear-status").inner_text()
    _shot(page, ".cs231n-linear-demo", "linear_1_initial.png")

    page.locator(".cs231n-linear-update").click()
    after, seconds = wait_for_new_image(page, fig, first["src"])
    assert after["sha256"] != first["sha256"], "a gradient step did not change the figure"
    page.wait_for_function("() => document.querySelector('.cs231n-linear-status').innerText.includes('iteration 1')")
    _shot(page, ".cs231n-linear-demo", "linear_2_step.png")
    print(f"\nlinear demo, single update -> new figure in the browser: {seconds * 1e3:.0f} ms")

    # run: the browser-side Play clock keeps stepping until stop is pressed
    page.locator(".cs231n-linear-run").click()
    page.wait_for_function(_ITERATION_JS + " >= 5", timeout=60_000)
    page.locator(".cs231n-linear-run").click()  # stop
    page.wait_for_function("() => !document.querySelector('.cs231n-linear-run').classList.contains('mod-active')")
    # ticks already on their way may still land; then the count must settle and stay put
    readings = [page.evaluate(_ITERATION_JS)]
    for _ in range(20):
        page.wait_for_timeout(1000)
        readings.append(page.evaluate(_ITERATION_JS))
        if readings[-1] == readings[-2]:
            break
    assert readings[-1] == readings[-2], f"stop did not stop the updates: iterations {readings}"
    _shot(page, ".cs231n-linear-demo", "linear_3_after_run.png")


_ITERATION_JS = ("() => parseInt(document.querySelector('.cs231n-linear-status').innerText"
                 ".match(/iteration (\\d+)/)[1])")
