"""environment.yml and pyproject.toml must describe the same dependency set."""

import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
CONDA_TO_PYPI = {"pytorch": "torch"}          # conda package name -> PyPI name
CONDA_ONLY = {"python", "pip", "cpuonly"}     # conda machinery, not project dependencies


def _split(requirement):
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def pyproject_deps():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    return dict(_split(r) for r in reqs), project["requires-python"]


def conda_deps():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    deps, python, pip = {}, None, []
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            pip += entry.get("pip", [])
            continue
        name, spec = _split(entry)
        if name == "python":
            python = spec
        if name in CONDA_ONLY:
            continue
        deps[CONDA_TO_PYPI.get(name, name)] = spec
    return deps, python, pip


def test_same_packages_and_versions():
    py, py_python = pyproject_deps()
    conda, conda_python, pip = conda_deps()
    assert sorted(set(py) - set(conda)) == [], "in pyproject.toml but not environment.yml"
    assert sorted(set(conda) - set(py)) == [], "in environment.yml but not pyproject.toml"
    differ = {n: (py[n], conda[n]) for n in py if py[n] != conda[n]}
    assert differ == {}, f"version specifiers differ (pyproject, conda): {differ}"
    assert py_python == conda_python == ">=3.10"
    assert any("-e ." in line for line in pip), "environment.yml must install the project itself"


def test_python_floor_and_cpu_torch_pin():
    makefile = (REPO / "Makefile").read_text()
    assert "TORCH_SPEC ?= torch==2.13.0" in makefile  # CPU build from local disk on course machines
    assert pyproject_deps()[0]["torch"].startswith(">=")  # a range the pinned build satisfies
