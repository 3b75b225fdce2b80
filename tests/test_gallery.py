"""`make gallery`: Voilà serves every demo notebook as an app page, widgets shown, code hidden.

The server is started exactly as the Makefile does (``python -m grading.tool.gallery``), on a free port,
with its config dir under tmp; the tree must list every notebook of solutions/demos/, a rendered demo must
carry a widget and none of its code cells' source. One Chromium check sees the widget's canvas drawn.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from browser.lab_server import free_port
from browser.page_actions import ARTIFACTS, CHROMIUM, launch_chromium

REPO = Path(__file__).resolve().parent.parent
DEMOS = REPO / "solutions" / "demos"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
PAGE = "optimizer_demo.ipynb"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


def _get(url, timeout=60):
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return resp.read().decode()


@pytest.fixture(scope="module")
def gallery(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("gallery")
    port, log = free_port(), open(tmp / "voila.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "grading.tool.gallery", "--port", str(port),
                             "--config-dir", str(tmp / "jupyter")], cwd=REPO, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the gallery exited with {proc.returncode}:\n{(tmp / 'voila.log').read_text()}")
            try:
                _get(base + "/", timeout=5)
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail(f"the gallery did not answer in 60 s:\n{(tmp / 'voila.log').read_text()}")
                time.sleep(0.3)
        yield base
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # Voilà shuts its kernels down (SIGINT may be ignored: xdist, `&`)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # any kernel left behind (the group is the server's own)
        except ProcessLookupError:
            pass
        log.close()


def test_tree_lists_every_demo_notebook(gallery):
    tree = _get(gallery + "/")
    links = set(re.findall(r'href="/voila/render/([^"?]+\.ipynb)', tree))
    want = {p.name for p in DEMOS.glob("*.ipynb")}
    assert {"knn_demo.ipynb", "linear_classifier_demo.ipynb", PAGE} <= want
    assert links == want, f"tree links {sorted(links)}, demos {sorted(want)}"


def test_a_demo_renders_its_widget_and_no_code(gallery):
    t0 = time.perf_counter()
    page = _get(f"{gallery}/voila/render/{PAGE}", timeout=120)
    print(f"\ngallery: {PAGE} rendered (kernel started, notebook run) in {time.perf_counter() - t0:.1f} s")
    assert WIDGET_MIME in page, "no widget in the rendered page"
    assert "Optimizers racing on a 2-D loss" in page   # the Markdown is shown
    nb = nbformat.read(DEMOS / PAGE, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            for line in filter(None, (l.strip() for l in cell.source.splitlines())):
                assert line not in page, f"code is shown: {line!r}"
    assert "from cs231n_lib.widgets import" not in page
    assert "Traceback" not in page


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is absent (Debian package: chromium)")
def test_the_widget_is_drawn_in_the_browser(gallery):
    with launch_chromium() as browser:
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        page.goto(f"{gallery}/voila/render/{PAGE}")
        page.wait_for_selector(".cs231n-optim-figure canvas", timeout=90_000)
        page.wait_for_function("() => document.querySelector('.cs231n-optim-status')"
                               ".innerText.includes('updated in')", timeout=30_000)
        assert page.locator(".jp-CodeMirrorEditor, .jp-InputArea-editor").count() == 0, "code cells are shown"
        assert "optimizer_demo()" not in page.locator("body").inner_text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "gallery_optimizer.png"), full_page=True)
