"""``make gallery``: every demo notebook as a standalone web app (Voilà), no code shown.

    python -m grading.tool.gallery [--port 8866] [--ip 127.0.0.1] [--root DIR] [--config-dir DIR]

serves every ``*.ipynb`` of ``solutions/demos/`` (the default ``--root``) with
Voilà: a tree page at ``http://IP:PORT/`` lists them (Voilà's server-rendered
"classic" tree: plain links, no JavaScript or network needed to list them) and
``/voila/render/NAME.ipynb`` runs one in a fresh kernel and shows its Markdown
and its widgets, never the source of a code cell (``strip_sources``), nor a
traceback (``show_tracebacks`` off).

Why ``solutions/demos/`` and not the released ``assignments/demos/``: a demo
carries no solution (``tests/test_widgets_notebooks.py`` checks that it has no
graded cell), and a new demo appears in the gallery the moment it lands, not
only after the next ``make release``. Voilà never writes to the notebooks.

Like ``grading/tool/lab_config.py`` for ``make lab``, the launch gets its own
Jupyter configuration directory (``JUPYTER_CONFIG_DIR``, default
``.venv/jupyter-gallery``): the user's Jupyter set-up is neither used nor
changed, and nbgrader's Lab extension (meaningless in an app page) is not
loaded. Voilà needs no ``--allow-root``; it runs as root (CI machines) and
offline as it is. Each visitor's kernel is shut down after 15 idle minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEMOS = REPO / "solutions" / "demos"
DEFAULT_PORT = 8866
#: Lab extensions that have no business in a Voilà app page.
HIDDEN_EXTENSIONS = ("@jupyter/nbgrader", "@jupyter-notebook/lab-extension")


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def write_config(folder: Path) -> Path:
    """The gallery's Jupyter configuration directory (Voilà settings, disabled Lab extensions)."""
    folder = Path(folder)
    _write_json(folder / "voila.json", {
        "VoilaConfiguration": {"strip_sources": True, "show_tracebacks": False, "classic_tree": True,
                               "template": "lab", "theme": "light"},
        "MappingKernelManager": {"cull_idle_timeout": 900, "cull_interval": 60},
    })
    _write_json(folder / "labconfig" / "page_config.json",
                {"disabledExtensions": {name: True for name in HIDDEN_EXTENSIONS}})
    return folder


def voila_executable() -> str:
    """Voilà of this interpreter's environment (``.venv/bin/voila``), else the one on ``PATH``."""
    here = Path(sys.executable).parent / "voila"
    found = str(here) if here.exists() else shutil.which("voila")
    if not found:
        raise SystemExit("voila is not installed: pip install voila (it is in pyproject.toml; run make venv)")
    return found


def command(port: int = DEFAULT_PORT, root: Path = DEMOS, ip: str = "127.0.0.1") -> list[str]:
    """The Voilà command line that serves ``root`` (the settings that matter are repeated on it, so they
    hold even where a config file is not read)."""
    return [voila_executable(), str(Path(root).resolve()), "--no-browser", f"--port={int(port)}",
            "--Voila.port_retries=0", f"--Voila.ip={ip}", "--strip_sources=True", "--show_tracebacks=False",
            "--VoilaConfiguration.classic_tree=True"]


def environment(config_dir: Path, base=None) -> dict:
    env = dict(os.environ if base is None else base)
    env["JUPYTER_CONFIG_DIR"] = str(Path(config_dir).resolve())
    env.setdefault("MPLBACKEND", "Agg")
    return env


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m grading.tool.gallery", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("GALLERY_PORT", DEFAULT_PORT)))
    parser.add_argument("--ip", default="127.0.0.1", help="address to listen on (0.0.0.0: every interface)")
    parser.add_argument("--root", type=Path, default=DEMOS, help="folder of notebooks to serve")
    parser.add_argument("--config-dir", type=Path, default=REPO / ".venv" / "jupyter-gallery")
    args = parser.parse_args(argv)
    notebooks = sorted(p.name for p in args.root.glob("*.ipynb"))
    if not notebooks:
        print(f"gallery: no notebooks in {args.root}", file=sys.stderr)
        return 2
    write_config(args.config_dir)
    cmd = command(args.port, args.root, args.ip)
    print(f"gallery: {len(notebooks)} demos ({', '.join(notebooks)}) at http://{args.ip}:{args.port}/ "
          "(Ctrl-C stops it)", flush=True)
    os.execve(cmd[0], cmd, environment(args.config_dir))  # Voilà replaces this process: signals reach it


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
