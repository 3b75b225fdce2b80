"""Run student code in a Linux sandbox: bubblewrap namespaces, its own uid, rlimits, a wall clock.

    layers = detect_layers(limits)      # what this host provides
    layers.require(insecure)            # fail closed, saying what to install
    print(layers.describe(insecure))    # one line per layer
    box = Sandbox(workdir, readonly=[venv, repo / "cs231n_lib"], hidden=[repo / "grading" / "oracles"], slot=n)
    result = box.run([python, "-c", "..."], env={"OMP_NUM_THREADS": "1"})
    result.event()                      # "stopped after 30 s (wall-time limit)" or None

``layers.py`` detects and reports, ``run.py`` builds the command line and runs it.
"""

from .layers import Layers, Limits, SandboxUnavailable, detect_layers
from .run import Sandbox, SandboxResult, kill

__all__ = ["Layers", "Limits", "Sandbox", "SandboxResult", "SandboxUnavailable", "detect_layers", "kill"]
