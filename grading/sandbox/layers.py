"""What isolation this host can give student code, and a plain-words report of it.

``detect_layers()`` probes once per process: is bubblewrap installed, can it
create mount/pid/net/ipc/uts namespaces here (it runs ``bwrap ... true``), and
can the sandboxed code be moved to its own uid (root + ``setpriv``).
``Layers.require()`` fails closed with a message that says what to install or
change; ``--insecure`` is the only way past it.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from dataclasses import dataclass, field

ENV_BWRAP = "CS231N_SANDBOX_BWRAP"
BASE_UID = 61000
INSECURE = "INSECURE: student code runs without a sandbox"
NS_FLAGS = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]


@dataclass(frozen=True)
class Limits:
    memory_bytes: int = 4 * 2**30  # RLIMIT_AS per process
    cpu_seconds: int = 900  # RLIMIT_CPU per process
    wall_seconds: float = 1800.0  # enforced by the parent: kill the whole sandbox
    processes: int = 256  # RLIMIT_NPROC (per uid: each concurrent sandbox gets its own uid)
    open_files: int = 1024  # RLIMIT_NOFILE
    file_size_bytes: int = 512 * 2**20  # RLIMIT_FSIZE (also the size of the private /tmp)
    output_bytes: int = 2 * 2**20  # stdout and stderr each kept up to this, the rest discarded

    def describe(self) -> str:
        return (
            f"memory {size(self.memory_bytes)}, cpu {self.cpu_seconds:g} s, wall {self.wall_seconds:g} s, "
            f"processes {self.processes}, open files {self.open_files}, "
            f"file size {size(self.file_size_bytes)}, output {size(self.output_bytes)}"
        )


def size(n: int) -> str:
    """4294967296 -> '4.0 GiB', 536870912 -> '512 MiB', 1536 -> '1.5 KiB'."""
    if n >= 2**30:
        return f"{n / 2**30:.1f} GiB"
    for unit, scale in (("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:.{0 if n % scale == 0 else 1}f} {unit}"
    return f"{n} B"


class SandboxUnavailable(RuntimeError):
    """The host cannot sandbox student code; the message says what to fix."""


@dataclass
class Layers:
    bwrap: str | None  # path to bubblewrap, or None
    namespaces: bool  # bwrap created mount+pid+net+ipc+uts namespaces in the probe
    uid_switch: bool  # root + setpriv: sandboxed code runs as 61000 + slot
    rlimits: bool = True  # always on Linux
    limits: Limits = field(default_factory=Limits)
    root: bool = False  # the grader runs as root
    problem: str = ""  # why the namespace / uid probe failed (bwrap's stderr)

    @property
    def sandboxed(self) -> bool:
        return self.bwrap is not None and self.namespaces and (self.uid_switch or not self.root)

    def describe(self, insecure: bool = False) -> str:
        """One line per layer; starts with the INSECURE warning when student code would run unsandboxed."""
        lines = []
        if insecure or not self.sandboxed:
            lines.append(INSECURE)
            lines.append("network: ON (no sandbox)")
            lines.append("filesystem: the grader's (no sandbox)")
            lines.append("processes: shared with the grader (no PID namespace)")
        else:
            lines.append("network: off (bwrap --unshare-net)")
            lines.append("filesystem: private (bwrap)")
            lines.append("processes: own PID namespace")
        if self.uid_switch and not insecure and self.sandboxed:
            lines.append(f"uid: {BASE_UID}.. (setpriv)")
        elif self.root:
            lines.append("uid: 0, same as the grader (ROOT, no uid switch)")
        else:
            lines.append(f"uid: same as the grader (not root: uid {os.getuid()})")
        lines.append("limits: " + self.limits.describe())
        return "\n".join(lines)

    def require(self, insecure: bool = False) -> None:
        """Raise SandboxUnavailable unless student code can be sandboxed (or ``insecure``)."""
        if insecure:
            return
        hint = "or pass --insecure for a quick local check (student code then runs unsandboxed)"
        if self.bwrap is None:
            raise SandboxUnavailable(f"bubblewrap is not installed: `apt-get install bubblewrap` (Debian/Ubuntu), {hint}")
        if not self.namespaces:
            raise SandboxUnavailable(
                f"bwrap cannot create namespaces here: {self.problem or 'the probe failed'} "
                f"(check kernel.unprivileged_userns_clone, kernel.apparmor_restrict_unprivileged_userns on Ubuntu 24.04, "
                f"run as root, or the container's seccomp profile), {hint}"
            )
        if self.root and not self.uid_switch:
            raise SandboxUnavailable(
                f"running as root but student code cannot be moved to its own uid: {self.problem or 'setpriv is missing'} "
                f"(`apt-get install util-linux` provides setpriv; student code is never run as root), {hint}"
            )


def system_binds() -> list[str]:
    """bwrap arguments for the read-only system directories; merged-/usr symlinks stay symlinks."""
    args = ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    return args


def cap_args(root: bool) -> list[str]:
    """Drop every capability; as root keep just what setpriv needs to leave root for good."""
    keep = ["CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP"] if root else []
    return ["--cap-drop", "ALL"] + [a for cap in keep for a in ("--cap-add", cap)]


def setpriv_args(setpriv: str, uid: int) -> list[str]:
    return [setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]


def _try(cmd: list[str]) -> str:
    """'' when ``cmd`` exits 0, else its last stderr line."""
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30, env={"PATH": "/usr/bin:/bin"})
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    return "" if p.returncode == 0 else (p.stderr.strip().splitlines() or [f"exit status {p.returncode}"])[-1]


@functools.lru_cache(maxsize=None)
def _probe(bwrap: str | None, root: bool, setpriv: str | None) -> tuple[bool, bool, str]:
    """(namespaces, uid_switch, problem) for this bwrap; run once per process."""
    if bwrap is None:
        return False, False, ""
    base = [bwrap, *system_binds(), "--proc", "/proc", "--dev", "/dev", *NS_FLAGS, "--die-with-parent", "--new-session", *cap_args(root)]
    problem = _try(base + ["true"])
    if problem:
        return False, False, problem
    if not (root and setpriv):
        return True, False, ""
    problem = _try(base + setpriv_args(setpriv, BASE_UID) + ["true"])
    return True, not problem, problem and f"setpriv inside bwrap failed: {problem}"


def detect_layers(limits: Limits | None = None) -> Layers:
    """What this host provides (the probe is cached per process; ``detect_layers.cache_clear()`` resets it)."""
    configured = os.environ.get(ENV_BWRAP)
    bwrap = configured if configured else shutil.which("bwrap") or ("/usr/bin/bwrap" if os.path.exists("/usr/bin/bwrap") else None)
    if bwrap and not (os.path.isfile(bwrap) and os.access(bwrap, os.X_OK)):
        bwrap = None
    root = os.geteuid() == 0
    setpriv = shutil.which("setpriv", path="/usr/bin:/bin")
    namespaces, uid_switch, problem = _probe(bwrap, root, setpriv)
    return Layers(bwrap, namespaces, uid_switch, True, limits or Limits(), root, problem)


detect_layers.cache_clear = _probe.cache_clear  # type: ignore[attr-defined]
