"""Playwright actions on a JupyterLab page: launch Chromium, open a page that leaves a screenshot, open and run
a notebook, read a canvas widget, run a cell, record a response time."""

from __future__ import annotations

import re
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
#: Screenshots and timings.txt of the browser tests (git-ignored).
ARTIFACTS = Path(__file__).resolve().parents[2] / ".artifacts" / "browser"

# The pixels a <canvas> shows (as a PNG data URL) and their SHA-256.
_CANVAS_DIGEST_JS = """async (sel) => {
    const canvas = document.querySelector(sel);
    const bytes = new TextEncoder().encode(canvas.toDataURL('image/png'));
    const digest = await crypto.subtle.digest('SHA-256', bytes);
    return Array.from(new Uint8Array(digest)).map(b => b.toString(16).padStart(2, '0')).join('');
}"""

# RGB of the canvas pixel at CSS offset (x, y) from its top-left corner.
_CANVAS_PIXEL_JS = """([sel, x, y]) => {
    const canvas = document.querySelector(sel), scale = canvas.width / canvas.getBoundingClientRect().width;
    const d = canvas.getContext('2d').getImageData(Math.round(x * scale), Math.round(y * scale), 1, 1).data;
    return [d[0], d[1], d[2]];
}"""


@contextmanager
def launch_chromium():
    """Headless Chromium (the Debian package's, never a downloaded one), closed afterwards."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def artifact_page(browser, screenshot_name):
    """A 1400 x 1100 page; its last state, pass or fail, is saved to ARTIFACTS/screenshot_name for a human."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    try:
        yield page
    finally:
        page.screenshot(path=str(ARTIFACTS / screenshot_name), full_page=True)
        page.close()


def record_timing(line):
    """Print a measured response time and append it, dated, to ARTIFACTS/timings.txt (never asserted)."""
    print("\n" + line)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with open(ARTIFACTS / "timings.txt", "a") as f:
        f.write(time.strftime("%Y-%m-%d %H:%M:%S ") + line + "\n")


def open_and_run_all(page, lab, notebook_name, timeout_ms=180_000):
    """Open ``notebook_name`` in Lab, wait for its kernel to be idle, then Run > Run All Cells."""
    page.goto(lab.url(f"lab/tree/{notebook_name}"))
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=timeout_ms)
    lab.wait_for_idle_kernel(notebook_name, timeout=timeout_ms / 1000)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()


def wait_for_widget(page, lab, selector, timeout_ms=180_000, settle_ms=300):
    """Wait until the widget element at ``selector`` has rendered, scroll it into view and give it ``settle_ms`` for
    its first draw; if it never renders, fail with the cell outputs and the tail of Lab's log."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    try:
        page.wait_for_selector(selector, timeout=timeout_ms)
    except PlaywrightTimeout:
        outputs = page.locator(".jp-OutputArea").all_inner_texts()
        pytest.fail(f"widget {selector} never rendered. Cell outputs: {outputs!r}. If an output reads the widget's "
                    f"repr (e.g. 'KNNDemo(...)') or 'Loading widget...', a widget extension (ipywidgets, anywidget) "
                    f"is not active.\nLab log tail:\n{lab.log()}")
    page.locator(selector).scroll_into_view_if_needed()
    if settle_ms:
        page.wait_for_timeout(settle_ms)


def canvas_digest(page, selector):
    """SHA-256 of the pixels the <canvas> at ``selector`` shows."""
    return page.evaluate(_CANVAS_DIGEST_JS, selector)


def canvas_pixel(page, selector, x, y):
    """``[r, g, b]`` at CSS pixel ``(x, y)`` of the canvas."""
    return page.evaluate(_CANVAS_PIXEL_JS, [selector, x, y])


def wait_for_new_canvas(page, selector, old_digest, timeout_s=60.0, poll_s=0.01):
    """Wait until the canvas shows other pixels than ``old_digest``; return (digest, seconds waited)."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout_s:
        digest = canvas_digest(page, selector)
        if digest != old_digest:
            return digest, time.perf_counter() - t0
        page.wait_for_timeout(poll_s * 1000)
    raise TimeoutError(f"the canvas {selector} did not change within {timeout_s:.0f} s")


def _box_in_view(page, selector):
    """The element's bounding box once it is scrolled into view (mouse events at page coordinates
    outside the viewport reach nothing; reading state through new cells scrolls the notebook away)."""
    page.locator(selector).scroll_into_view_if_needed()
    return page.locator(selector).bounding_box()


def drag(page, selector, start, end, steps=12):
    """Press the mouse at CSS offset ``start`` of the element, move to ``end`` in ``steps`` moves, release."""
    box = _box_in_view(page, selector)
    page.mouse.move(box["x"] + start[0], box["y"] + start[1])
    page.mouse.down()
    for i in range(1, steps + 1):
        f = i / steps
        page.mouse.move(box["x"] + start[0] + f * (end[0] - start[0]), box["y"] + start[1] + f * (end[1] - start[1]))
        page.wait_for_timeout(20)
    page.mouse.up()


def click_at(page, selector, at):
    """Click at CSS offset ``at`` of the element."""
    box = _box_in_view(page, selector)
    page.mouse.click(box["x"] + at[0], box["y"] + at[1])


def run_new_cell(page, code, marker, timeout_ms=60_000):
    """Append a code cell to the open notebook, run it, and return the text of its output.

    ``code`` must print ``marker`` so the output can be told apart from other cells'.
    """
    page.locator(".jp-Notebook .jp-Cell .jp-InputPrompt").last.click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")        # command mode: insert a cell below
    page.keyboard.press("Enter")    # edit it
    page.keyboard.insert_text(code)
    page.keyboard.press("Shift+Enter")
    out = page.locator(".jp-OutputArea-output", has_text=marker).last
    out.wait_for(timeout=timeout_ms)
    return out.inner_text()
