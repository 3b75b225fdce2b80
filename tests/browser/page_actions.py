"""Playwright actions on a JupyterLab page: open and run a notebook, read a widget image."""

from __future__ import annotations

import re
import time

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]

# The bytes behind an <img> (ipywidgets 8 serves them as a blob: URL) and their SHA-256.
_IMAGE_DIGEST_JS = """async (sel) => {
    const img = document.querySelector(sel);
    const bytes = await (await fetch(img.src)).arrayBuffer();
    const digest = await crypto.subtle.digest('SHA-256', bytes);
    return {src: img.src, size: bytes.byteLength,
            sha256: Array.from(new Uint8Array(digest)).map(b => b.toString(16).padStart(2, '0')).join('')};
}"""

_IMAGE_REPLACED_JS = """([sel, old]) => {
    const img = document.querySelector(sel);
    return img !== null && img.src && img.src !== old && img.complete && img.naturalWidth > 0;
}"""


def open_and_run_all(page, lab, notebook_name, timeout_ms=180_000):
    """Open ``notebook_name`` in Lab, wait for its kernel to be idle, then Run > Run All Cells."""
    page.goto(lab.url(f"lab/tree/{notebook_name}"))
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=timeout_ms)
    lab.wait_for_idle_kernel(notebook_name, timeout=timeout_ms / 1000)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()


def image_digest(page, selector):
    """``{'src', 'size', 'sha256'}`` of the image the browser is showing at ``selector``."""
    return page.evaluate(_IMAGE_DIGEST_JS, selector)


def wait_for_new_image(page, selector, old_src, timeout_ms=60_000):
    """Wait until the <img> at ``selector`` shows a new, loaded source; return (digest, seconds waited)."""
    t0 = time.perf_counter()
    page.wait_for_function(_IMAGE_REPLACED_JS, arg=[selector, old_src], timeout=timeout_ms)
    return image_digest(page, selector), time.perf_counter() - t0
