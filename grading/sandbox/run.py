"""Run one command in a sandbox: build the bwrap [+ setpriv] command line, apply rlimits, capture output.

Inside: /usr, /etc (and the /bin, /lib... links) read-only, the ``readonly``
paths read-only at their own paths, ``workdir`` read-write, ``hidden`` paths
covered, a fresh /tmp, /proc and minimal /dev; no network, own PID/IPC/UTS
namespaces, no capabilities, uid 61000 + slot when the grader is root.  The
environment is only what the caller passes plus HOME, TMPDIR, PATH and LANG.
"""

from __future__ import annotations

import functools
import os
import resource
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .layers import BASE_UID, NS_FLAGS, Layers, Limits, cap_args, detect_layers, setpriv_args, size, system_binds

DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"
SYSTEM_DIRS = [Path(p) for p in ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64")]


@dataclass
class SandboxResult:
    returncode: int | None  # negative: killed by that signal (also inside bwrap)
    stdout: str  # at most limits.output_bytes of it, utf-8 with errors replaced
    stderr: str
    truncated: bool  # some output was discarded
    timed_out: bool  # the wall limit was hit and the sandbox killed
    killed_by: str | None  # "wall time", "cpu time", "signal N" or None
    seconds: float
    limits: Limits = field(default_factory=Limits)  # as applied (wall_seconds = the timeout used)

    def event(self) -> str | None:
        """What a student should be told happened, in plain words; None when nothing did."""
        events = []
        if self.timed_out:
            events.append(f"stopped after {self.limits.wall_seconds:g} s (wall-time limit)")
        elif self.killed_by == "cpu time":
            events.append(f"killed: CPU-time limit ({self.limits.cpu_seconds:g} s)")
        elif self.killed_by == f"signal {signal.SIGXFSZ}":
            events.append(f"killed: file-size limit ({size(self.limits.file_size_bytes)})")
        elif self.killed_by:
            sig = int(self.killed_by.split()[-1])
            name = signal.Signals(sig).name if sig in signal.valid_signals() else "unknown"
            events.append(f"killed by {self.killed_by} ({name})")
        if self.truncated:
            events.append(f"output truncated after {size(self.limits.output_bytes)}")
        return "; ".join(events) or None


def apply_limits(limits: Limits) -> None:
    """Set the rlimits of the calling process (runs in the child, before exec)."""
    wanted = [
        (resource.RLIMIT_AS, limits.memory_bytes, limits.memory_bytes),
        (resource.RLIMIT_CPU, limits.cpu_seconds, limits.cpu_seconds + 1),  # SIGXCPU, then SIGKILL
        (resource.RLIMIT_NPROC, limits.processes, limits.processes),
        (resource.RLIMIT_NOFILE, limits.open_files, limits.open_files),
        (resource.RLIMIT_FSIZE, limits.file_size_bytes, limits.file_size_bytes),
        (resource.RLIMIT_CORE, 0, 0),
    ]
    for res, soft, hard in wanted:
        _, cur_hard = resource.getrlimit(res)
        if cur_hard != resource.RLIM_INFINITY:
            hard = min(hard, cur_hard)  # an unprivileged grader can only lower
        resource.setrlimit(res, (min(soft, hard), hard))


def kill(proc: subprocess.Popen) -> None:
    """SIGKILL a popen'd sandbox: its process group and its PID namespace (a no-op once reaped)."""
    if proc.returncode is not None:
        return
    namespace = _pid_namespace(proc.pid)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for pid in _pids() if namespace else ():  # bwrap --die-with-parent should have ended them; make sure
        try:
            if os.readlink(f"/proc/{pid}/ns/pid") == namespace:
                os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _pid_namespace(bwrap_pid: int) -> str | None:
    """The PID namespace of bwrap's child, if it has its own (None in insecure mode or once it is gone)."""
    try:
        ours = os.readlink("/proc/self/ns/pid")
    except OSError:
        return None
    for pid in _pids():
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) == bwrap_pid:  # field 4: the parent pid
                namespace = os.readlink(f"/proc/{pid}/ns/pid")
                if namespace != ours:
                    return namespace
        except (OSError, ValueError, IndexError):
            pass
    return None


def interpreter_prefixes(paths: Sequence[Path]) -> list[Path]:
    """Base-interpreter prefixes of the venvs among ``paths`` (pyvenv.cfg ``home``) outside the system dirs."""
    found = []
    for p in paths:
        cfg = p / "pyvenv.cfg"
        if not cfg.is_file():
            continue
        for line in cfg.read_text().splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "home" and value.strip():
                prefix = Path(value.strip()).resolve().parent
                if not any(prefix == s or s in prefix.parents for s in SYSTEM_DIRS + list(paths)):
                    found.append(prefix)
    return found


def _under(path: Path, roots: Sequence[Path]) -> bool:
    return any(path == r or r in path.parents for r in roots)


class _Capture(threading.Thread):
    """Drain a pipe, keeping the first ``keep`` bytes and counting the rest."""

    def __init__(self, stream, keep: int):
        super().__init__(daemon=True)
        self.stream, self.keep, self.data, self.dropped = stream, keep, bytearray(), 0
        self.start()

    def run(self) -> None:
        fd = self.stream.fileno()
        while chunk := os.read(fd, 1 << 16):
            room = self.keep - len(self.data)
            self.data += chunk[:room] if room > 0 else b""
            self.dropped += max(0, len(chunk) - max(room, 0))
        self.stream.close()

    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")


class Sandbox:
    def __init__(self, workdir: Path, *, readonly: Sequence[Path] = (), hidden: Sequence[Path] = (),
                 slot: int = 0, limits: Limits = Limits(), insecure: bool = False, layers: Layers | None = None):
        self.workdir = Path(workdir).resolve()
        ro = [Path(p).resolve() for p in readonly]
        self.readonly = ro + interpreter_prefixes(ro)  # a venv's python lives in its base prefix
        self.hidden = [Path(p).resolve() for p in hidden]
        self.slot, self.limits, self.insecure = slot, limits, insecure
        self.layers = layers or detect_layers(limits)
        self.layers.require(insecure)
        self.home = self.workdir / "home"
        self._prepare()

    @property
    def uid(self) -> int | None:
        """The uid student code runs as, or None when it keeps the grader's."""
        return None if self.insecure or not self.layers.uid_switch else BASE_UID + self.slot

    def _prepare(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.home, ignore_errors=True)
        self.home.mkdir()
        if self.insecure:
            (self.workdir / "tmp").mkdir(exist_ok=True)
        if self.uid is not None:
            for top, dirs, files in os.walk(self.workdir):
                for name in [top, *(os.path.join(top, n) for n in dirs + files)]:
                    os.lchown(name, self.uid, self.uid)

    def environment(self, env: Mapping[str, str] = {}) -> dict[str, str]:
        tmp = str(self.workdir / "tmp") if self.insecure else "/tmp"
        return {"PATH": DEFAULT_PATH, "LANG": "C.UTF-8", **env, "HOME": str(self.home), "TMPDIR": tmp}

    def command(self, argv: Sequence[str], cwd: Path | None = None) -> list[str]:
        """The full bwrap [+ setpriv] command line (just ``argv`` when insecure)."""
        if self.insecure:
            return list(argv)
        args = [self.layers.bwrap, *system_binds(), "--proc", "/proc", "--dev", "/dev",
                "--perms", "1777", "--size", str(self.limits.file_size_bytes), "--tmpfs", "/tmp",
                # POSIX shared memory (joblib, multiprocessing) works, within the same size cap
                "--perms", "1777", "--size", str(self.limits.file_size_bytes), "--tmpfs", "/dev/shm"]
        binds = [(p, "--ro-bind") for p in self.readonly] + [(self.workdir, "--bind")]
        covered, made = SYSTEM_DIRS + [b for b, _ in binds], {Path("/"), Path("/tmp")}
        for path, flag in sorted(binds, key=lambda b: len(b[0].parts)):  # parents before children
            for parent in reversed(path.parents):  # bwrap would make missing parents 0700: unreachable for the uid
                if parent not in made and not _under(parent, covered):
                    args += ["--perms", "0755", "--dir", str(parent)]
                    made.add(parent)
            args += [flag, str(path), str(path)]
        for h in self.hidden:
            if h.is_dir() and _under(h, covered):
                args += ["--tmpfs", str(h), "--remount-ro", str(h)]
            elif h.exists() and _under(h, covered):
                args += ["--ro-bind", "/dev/null", str(h)]
        args += [*NS_FLAGS, "--die-with-parent", "--new-session", *cap_args(self.layers.root),
                 "--remount-ro", "/", "--chdir", str(cwd or self.workdir)]
        if self.uid is not None:
            return args + setpriv_args("/usr/bin/setpriv", self.uid) + list(argv)
        return args + ["--", *argv]

    def popen(self, argv: Sequence[str], env: Mapping[str, str] = {}, cwd: Path | None = None,
              pass_fds: Sequence[int] = (), **popen_kwargs) -> subprocess.Popen:
        """Start ``argv`` in the sandbox, in a new session (``kill(proc)`` ends all of it)."""
        cwd = Path(cwd).resolve() if cwd else self.workdir
        return subprocess.Popen(
            self.command(argv, cwd), env=self.environment(env), cwd=cwd if self.insecure else "/",
            pass_fds=pass_fds, preexec_fn=functools.partial(apply_limits, self.limits),
            start_new_session=True, **popen_kwargs)

    kill = staticmethod(kill)

    def run(self, argv: Sequence[str], env: Mapping[str, str] = {}, cwd: Path | None = None,
            timeout: float | None = None, stdin: bytes | None = None) -> SandboxResult:
        """Run to completion or until ``timeout`` (default limits.wall_seconds), capturing output."""
        timeout = self.limits.wall_seconds if timeout is None else timeout
        start = time.monotonic()
        proc = self.popen(argv, env, cwd, stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = _Capture(proc.stdout, self.limits.output_bytes), _Capture(proc.stderr, self.limits.output_bytes)
        if stdin is not None:
            threading.Thread(target=_feed, args=(proc.stdin, stdin), daemon=True).start()
        # Wait without reaping, so the process group id cannot be reused before the sweep below.
        waiter = threading.Thread(target=os.waitid, args=(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT), daemon=True)
        waiter.start()
        waiter.join(timeout)
        timed_out = waiter.is_alive()
        kill(proc)  # on timeout the sandbox; otherwise any straggler left in the group
        waiter.join()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = rc = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - start
        for capture in (out, err):
            capture.join(5)
        if not self.insecure and rc > 128 and (rc - 128) in signal.valid_signals():
            rc = -(rc - 128)  # bwrap reports the command's death by signal N as 128 + N
        cpu = usage.ru_utime + usage.ru_stime
        if timed_out:
            killed_by = "wall time"
        elif rc == -signal.SIGXCPU or (rc == -signal.SIGKILL and cpu >= self.limits.cpu_seconds):
            killed_by = "cpu time"
        else:
            killed_by = f"signal {-rc}" if rc < 0 else None
        return SandboxResult(None if timed_out else rc, out.text(), err.text(), bool(out.dropped or err.dropped),
                             timed_out, killed_by, seconds, replace(self.limits, wall_seconds=timeout))


def _feed(pipe, data: bytes) -> None:
    try:
        pipe.write(data)
        pipe.close()
    except OSError:
        pass
