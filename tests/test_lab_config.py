"""``make lab`` shows a student no instructor or exchange tools; ``make lab-instructor`` shows them all.

A real JupyterLab is started with the configuration directory the Makefile
passes (grading/tool/lab_config.py); the page configuration it serves and the
nbgrader server routes are read back over HTTP on 127.0.0.1.
"""

from __future__ import annotations

import html
import json
import re
import urllib.error
import urllib.request

import pytest

from browser.lab_server import LabServer
from grading.tool import lab_config

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def _get(lab, path):
    req = urllib.request.Request(f"{lab.base}/{path}", headers={"Authorization": f"token {lab.token}"})
    try:
        with urllib.request.urlopen(req, timeout=20) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def _page_config(lab) -> dict:
    status, page = _get(lab, "lab")
    assert status == 200
    found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(html.unescape(found.group(1)))


def _disabled(config: dict) -> set[str]:
    return set(config.get("disabledExtensions", []))


@pytest.fixture
def lab_with(tmp_path, monkeypatch):
    def start(config_dir):
        monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(config_dir))
        return LabServer([], tmp_path / "lab")
    return start


def test_student_lab_has_no_instructor_or_exchange_tools(tmp_path, lab_with):
    with lab_with(lab_config.write_student(tmp_path / "student")) as lab:
        disabled = _disabled(_page_config(lab))
        routes = {path: _get(lab, path)[0] for path in ("formgrader", "formgraders", "courses", "assignments")}
    assert set(lab_config.STUDENT_HIDDEN_PLUGINS) <= disabled
    assert "@jupyter/nbgrader:validate-assignment" not in disabled
    assert routes == {"formgrader": 404, "formgraders": 404, "courses": 404, "assignments": 404}


def test_instructor_lab_has_every_tool_and_a_local_exchange(tmp_path, lab_with):
    course = tmp_path / "course"
    with lab_with(lab_config.write_instructor(tmp_path / "instructor", course)) as lab:
        disabled = _disabled(_page_config(lab))
        formgrader, _ = _get(lab, "formgrader")
        courses_status, courses = _get(lab, "courses")
    assert not disabled & set(lab_config.STUDENT_HIDDEN_PLUGINS)
    assert formgrader == 200 and courses_status == 200
    assert json.loads(courses)["success"], courses  # the exchange exists: no "Error fetching courses!"
    assert (course / "exchange").is_dir() and (course / "nbgrader_config.py").is_file()


def test_usage_error(capsys):
    assert lab_config.main(["teacher"]) == 2
    assert "student DIR" in capsys.readouterr().err
