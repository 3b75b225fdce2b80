"""A throw-away JupyterLab server for browser tests.

    with LabServer([path/to/demo.ipynb], workdir) as lab:
        page.goto(lab.url("lab/tree/demo.ipynb"))

The notebooks are COPIED into ``workdir/root`` (Lab may autosave, so it never
sees the repository's own files); settings, workspaces and runtime files live
under ``workdir`` too, so the user's Jupyter set-up is neither used nor touched.
The server gets a free port and a random token, and is shut down (kernels
included) on exit, also when the test fails.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def widgets_extension_enabled(name="@jupyter-widgets/jupyterlab-manager") -> tuple[bool, str]:
    """Whether ``jupyter labextension list`` shows extension ``name`` enabled and OK; also the listing."""
    out = subprocess.run([str(VENV_BIN / "jupyter"), "labextension", "list"], capture_output=True, text=True,
                         timeout=120)
    listing = out.stdout + out.stderr
    line = next((l for l in listing.splitlines() if l.split()[:1] == [name]), "")
    return ("enabled" in line and "OK" in line), listing


def require_extensions(*names: str) -> None:
    """Fail with ``jupyter labextension list``'s output unless every Lab extension in ``names`` is enabled."""
    for name in names:
        ok, listing = widgets_extension_enabled(name)
        assert ok, f"the {name} JupyterLab extension is not enabled; `jupyter labextension list` says:\n{listing}"


class LabServer:
    def __init__(self, notebooks, workdir, start_timeout=180.0):
        self.workdir = Path(workdir)
        self.root = self.workdir / "root"
        self.notebooks = [Path(p) for p in notebooks]
        self.start_timeout = start_timeout
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.proc = None
        self.log_path = self.workdir / "lab.log"

    # ----- addresses -----------------------------------------------------------------------------
    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}?token={self.token}"

    def api(self, path: str, method="GET"):
        req = urllib.request.Request(f"{self.base}/api/{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    # ----- life cycle ----------------------------------------------------------------------------
    def __enter__(self):
        self.root.mkdir(parents=True, exist_ok=True)
        for nb in self.notebooks:
            shutil.copy(nb, self.root / nb.name)
        settings = self.workdir / "settings"
        notif = settings / "@jupyterlab" / "apputils-extension"
        notif.mkdir(parents=True, exist_ok=True)
        # no "would you like news?" toast, no update check (there is no network anyway)
        (notif / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False}))
        env = dict(os.environ,
                   JUPYTERLAB_SETTINGS_DIR=str(settings),
                   JUPYTERLAB_WORKSPACES_DIR=str(self.workdir / "workspaces"),
                   JUPYTER_RUNTIME_DIR=str(self.workdir / "runtime"),
                   IPYTHONDIR=str(self.workdir / "ipython"),
                   MPLBACKEND="Agg")
        cmd = [str(VENV_BIN / "jupyter"), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0", f"--ServerApp.token={self.token}",
               f"--ServerApp.root_dir={self.root}", "--LabApp.news_url=None"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")  # containers and CI often run as root
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, env=env, cwd=self.root, stdout=self._log, stderr=subprocess.STDOUT)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self):
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {self.proc.returncode}; log:\n{self.log()}")
            try:
                self.api("status")
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.5)
        raise TimeoutError(f"JupyterLab did not answer within {self.start_timeout:.0f} s; log:\n{self.log()}")

    def wait_for_idle_kernel(self, notebook_name, timeout=120.0):
        """Block until the notebook's kernel exists and is idle (ready to run cells)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for s in self.api("sessions") or []:
                if s.get("path", "").endswith(notebook_name) and s.get("kernel", {}).get("execution_state") == "idle":
                    return s
            time.sleep(0.5)
        raise TimeoutError(f"no idle kernel for {notebook_name} after {timeout:.0f} s; log:\n{self.log()}")

    def log(self) -> str:
        try:
            return self.log_path.read_text()[-4000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            self.api("shutdown", method="POST")  # shuts its kernels down too
            self.proc.wait(timeout=20)
        except Exception:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        finally:
            self._log.close()

    def __exit__(self, *exc):
        self.stop()
        return False
