"""grading.sandbox: every layer is attacked once from inside and checked from outside.

The bombs (fork, memory, cpu, output, file size) run only under the caps the
test sets first.  Without a usable bubblewrap the sandbox tests skip with the
reason; the fail-closed and report tests run everywhere.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from grading.sandbox import Layers, Limits, Sandbox, SandboxUnavailable, detect_layers, kill
from grading.sandbox.layers import ENV_BWRAP, INSECURE

LAYERS = detect_layers()
needs_bwrap = pytest.mark.skipif(not LAYERS.sandboxed, reason=f"no usable bubblewrap here: {LAYERS.problem or 'bwrap not installed'}")
PY = sys.executable  # the venv's python; its prefix (and base interpreter) are bound read-only
VENV = Path(sys.prefix)
SLOT = 900  # far from the slots the grading pipeline uses, so its tests can run alongside


def sandbox(tmp_path: Path, slot: int, name: str = "work", **kw) -> Sandbox:
    return Sandbox(tmp_path / name, readonly=[VENV, *kw.pop("readonly", [])], slot=SLOT + slot, **kw)


def py(box: Sandbox, code: str, **kw):
    return box.run([PY, "-c", code], **kw)


def inside(box: Sandbox, code: str, **kw):
    """Run ``code``, which prints one JSON value, and return that value."""
    result = py(box, code, **kw)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def processes(uid: int | None = None, marker: str | None = None) -> list[int]:
    """Host pids owned by ``uid`` or whose command line contains ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if uid is not None and entry.stat().st_uid == uid:
                found.append(int(entry.name))
            elif marker and marker.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            pass
    return found


def wait_gone(uid: int | None, marker: str | None, seconds: float = 5.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := processes(uid, marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


TRY_READ = """
import json, sys
out = {}
for p in sys.argv[1:]:
    try:
        out[p] = "read:" + open(p).read()
    except OSError as e:
        out[p] = type(e).__name__
print(json.dumps(out))
"""


@needs_bwrap
def test_no_network_not_even_the_hosts_loopback(tmp_path):
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    with socket.create_connection(("127.0.0.1", port), timeout=2):  # control: reachable from the host
        pass
    code = f"""
import json, socket
out = {{}}
for host, port in [("1.1.1.1", 80), ("127.0.0.1", {port})]:
    try:
        socket.create_connection((host, port), timeout=2).close()
        out[host] = "connected"
    except OSError as e:
        out[host] = type(e).__name__
print(json.dumps(out))
"""
    try:
        out = inside(sandbox(tmp_path, 1), code)
    finally:
        server.close()
    assert "connected" not in out.values(), out
    assert set(out) == {"1.1.1.1", "127.0.0.1"}


@needs_bwrap
def test_cannot_read_hidden_other_students_or_the_graders_home(tmp_path, tmp_path_factory):
    course = tmp_path / "course"
    (course / "oracles").mkdir(parents=True)
    (course / "visible.txt").write_text("VISIBLE")
    (course / "oracles" / "answer.txt").write_text("SECRET-oracle")
    (course / "key.txt").write_text("SECRET-key")
    other = tmp_path_factory.mktemp("other_student") / "grades.txt"
    other.write_text("SECRET-gradebook")
    box = sandbox(tmp_path, 2, readonly=[course], hidden=[course / "oracles", course / "key.txt"])
    with tempfile.NamedTemporaryFile("w", dir=Path.home(), prefix=".cs231n-sandbox-test-") as home_secret:
        home_secret.write("SECRET-home")
        home_secret.flush()
        paths = [course / "visible.txt", course / "oracles" / "answer.txt", course / "key.txt", other, home_secret.name]
        result = box.run([PY, "-c", TRY_READ, *map(str, paths)])
        assert Path(home_secret.name).read_text() == "SECRET-home"  # control: readable outside
    out = json.loads(result.stdout)
    assert out[str(course / "visible.txt")] == "read:VISIBLE"
    assert "SECRET" not in result.stdout, out
    if os.geteuid() == 0 and Path("/root").is_dir():
        listing = inside(box, "import json, os; print(json.dumps(os.listdir('/root')))")
        assert set(listing) <= {p.relative_to("/root").parts[0] for p in box.readonly if Path("/root") in p.parents}


@needs_bwrap
def test_writes_only_into_workdir_even_under_a_0700_parent(tmp_path):
    (tmp_path / "private").mkdir(mode=0o700)
    lib = tmp_path / "lib"
    lib.mkdir(mode=0o777)
    lib.chmod(0o777)  # writable by anyone: only the read-only bind stops the write
    box = Sandbox(tmp_path / "private" / "work", readonly=[VENV, lib], slot=SLOT + 3)
    code = """
import json, sys
out = {}
for p in sys.argv[1:]:
    try:
        open(p, "w").write("written")
        out[p] = "ok"
    except OSError as e:
        out[p] = type(e).__name__
print(json.dumps(out))
"""
    targets = [box.workdir / "out.txt", lib / "evil.py", Path("/evil"), Path("/usr/evil"), Path("/etc/evil")]
    result = box.run([PY, "-c", code, *map(str, targets)])
    out = json.loads(result.stdout)
    assert out.pop(str(box.workdir / "out.txt")) == "ok", result.stderr
    assert (box.workdir / "out.txt").read_text() == "written"
    assert "ok" not in out.values(), out
    assert not (lib / "evil.py").exists()
    mounts = py(box, "print(open('/proc/self/mounts').read())").stdout.splitlines()
    root_options = [line.split()[3].split(",") for line in mounts if line.split()[1:2] == ["/"]]
    assert root_options and "ro" in root_options[-1], mounts


@needs_bwrap
def test_own_pid_namespace(tmp_path):
    code = f"""
import json, os
try:
    os.kill({os.getpid()}, 0)
    seen = True
except ProcessLookupError:
    seen = False
pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
print(json.dumps({{"pid": os.getpid(), "seen": seen, "pids": pids}}))
"""
    out = inside(sandbox(tmp_path, 4), code)
    assert out["pid"] < 10 and not out["seen"]
    assert os.getpid() not in out["pids"] and len(out["pids"]) < 10, out


@needs_bwrap
@pytest.mark.skipif(not LAYERS.uid_switch, reason="the uid switch needs root (and setpriv)")
def test_runs_as_its_own_uid(tmp_path):
    box = sandbox(tmp_path, 5)
    out = inside(box, "import json, os; print(json.dumps([os.getuid(), os.geteuid(), os.getgid(), os.getgroups()]))")
    assert box.uid == 61000 + SLOT + 5
    assert out[:3] == [box.uid] * 3 and set(out[3]) <= {box.uid}


@needs_bwrap
def test_fork_bomb_is_capped_and_the_host_is_unaffected(tmp_path):
    uid = 61000 + SLOT + 6 if LAYERS.uid_switch else os.getuid()
    already = 0 if LAYERS.uid_switch else len(processes(uid))  # RLIMIT_NPROC counts the whole uid
    box = sandbox(tmp_path, 6, limits=Limits(processes=already + 32, wall_seconds=20))
    assert box.uid is not None or os.geteuid() != 0, "RLIMIT_NPROC does not bind root: refusing to run the bomb"
    code = """
import os, sys, time
me = os.getpid()
for _ in range(10000):  # parents and children all keep forking: a real bomb
    try:
        os.fork()
    except OSError as e:
        if os.getpid() == me:
            print("capped", e.errno, flush=True)
        break
time.sleep(2)
"""
    result = py(box, code)
    assert "capped 11" in result.stdout, (result.stdout, result.stderr)  # EAGAIN
    assert not result.timed_out and result.seconds < 20
    assert os.spawnv(os.P_WAIT, "/bin/true", ["true"]) == 0  # the host still forks
    if LAYERS.uid_switch:
        assert wait_gone(box.uid, None) == []


@needs_bwrap
def test_memory_bomb_is_capped(tmp_path):
    box = sandbox(tmp_path, 7, limits=Limits(memory_bytes=512 * 2**20))
    code = """
import json
small = len(bytearray(64 * 2**20))
try:
    bytearray(2 * 2**30)
    big = "allocated"
except MemoryError:
    big = "MemoryError"
print(json.dumps([small, big]))
"""
    assert inside(box, code) == [64 * 2**20, "MemoryError"]


@needs_bwrap
def test_cpu_limit_kills_a_busy_loop(tmp_path):
    box = sandbox(tmp_path, 8, limits=Limits(cpu_seconds=2, wall_seconds=30))
    result = py(box, "while True: pass")
    assert result.killed_by == "cpu time" and not result.timed_out, result
    assert result.event() == "killed: CPU-time limit (2 s)"
    assert 1.5 < result.seconds < 30


@needs_bwrap
def test_wall_limit_kills_everything_in_the_sandbox(tmp_path):
    marker = f"cs231n-sandbox-wall-{os.getpid()}-{time.time_ns()}"
    box = sandbox(tmp_path, 9)
    code = f"""
import subprocess, sys, time
# a grandchild in its own session, trying to outlive the sandbox
subprocess.Popen([sys.executable, "-c", "import time; open('started', 'w'); time.sleep(100)", "{marker}"], start_new_session=True)
time.sleep(100)
"""
    result = box.run([PY, "-c", code, marker], timeout=2)
    assert result.timed_out and result.killed_by == "wall time" and result.returncode is None
    assert result.event() == "stopped after 2 s (wall-time limit)"
    assert result.seconds < 10
    assert (box.workdir / "started").exists()  # the escapee did start
    assert wait_gone(box.uid, marker) == []


@needs_bwrap
def test_popen_and_kill_end_the_whole_sandbox(tmp_path):
    marker = f"cs231n-sandbox-kill-{os.getpid()}-{time.time_ns()}"
    box = sandbox(tmp_path, 10)
    proc = box.popen([PY, "-c", "import time; print('up', flush=True); time.sleep(100)", marker], stdout=subprocess.PIPE)
    assert proc.stdout.readline() == b"up\n"
    assert processes(None, marker)  # control: it is running
    kill(proc)
    proc.wait(10)
    proc.stdout.close()
    assert wait_gone(box.uid, marker) == []


@needs_bwrap
def test_output_is_truncated_not_buffered(tmp_path):
    box = sandbox(tmp_path, 11, limits=Limits(output_bytes=2**20))
    code = "import sys\nfor _ in range(50): sys.stdout.buffer.write(b'x' * 2**20)\nsys.stderr.write('done')"
    result = py(box, code)
    assert result.returncode == 0 and result.stderr == "done"
    assert len(result.stdout) == 2**20 and result.truncated
    assert result.event() == "output truncated after 1 MiB"


@needs_bwrap
def test_file_size_limit(tmp_path):
    box = sandbox(tmp_path, 12, limits=Limits(file_size_bytes=2**20))
    code = """
try:
    with open("big.bin", "wb") as f:
        f.write(b"x" * 10 * 2**20)
    print("wrote")
except OSError as e:
    print("OSError", e.errno)
"""
    result = py(box, code)
    assert "wrote" not in result.stdout
    assert "OSError 27" in result.stdout or result.killed_by == "signal 25", result  # EFBIG, or SIGXFSZ
    assert (box.workdir / "big.bin").stat().st_size <= 2**20


@needs_bwrap
def test_open_files_limit(tmp_path):
    box = sandbox(tmp_path, 13, limits=Limits(open_files=64))
    code = """
import json, resource
files = []
try:
    while len(files) < 1000:
        files.append(open("/dev/null"))
except OSError as e:
    err = e.errno
print(json.dumps([len(files), err, resource.getrlimit(resource.RLIMIT_NOFILE)]))
"""
    n, err, limit = inside(box, code)
    assert err == 24 and 0 < n < 64 and limit == [64, 64]  # EMFILE


@needs_bwrap
def test_fresh_home_per_sandbox(tmp_path):
    first = sandbox(tmp_path, 14, "a")
    assert py(first, "import os; open(os.path.join(os.environ['HOME'], 'notes.txt'), 'w').write('mine')").returncode == 0
    assert (first.home / "notes.txt").read_text() == "mine"
    second = sandbox(tmp_path, 15, "b")
    code = f"import json, os; print(json.dumps([os.environ['HOME'], os.listdir(os.environ['HOME']), os.path.exists({str(first.home)!r})]))"
    assert inside(second, code) == [str(second.home), [], False]
    assert not (sandbox(tmp_path, 14, "a").home / "notes.txt").exists()  # a new Sandbox resets HOME


@needs_bwrap
def test_only_the_given_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CS231N_GRADER_SECRET", "hunter2")
    box = sandbox(tmp_path, 16)
    env = inside(box, "import json, os; print(json.dumps(dict(os.environ)))", env={"OMP_NUM_THREADS": "1"})
    assert "CS231N_GRADER_SECRET" not in env and "hunter2" not in json.dumps(env)
    assert env["HOME"] == str(box.home) and env["TMPDIR"] == "/tmp" and env["LANG"] == "C.UTF-8"
    assert env["OMP_NUM_THREADS"] == "1" and "PATH" in env


@needs_bwrap
def test_pass_fds_socketpair(tmp_path):
    ours, theirs = socket.socketpair()
    box = sandbox(tmp_path, 17)
    code = f"import socket; s = socket.socket(fileno={theirs.fileno()}); s.sendall(b'ping'); print(s.recv(4).decode())"
    proc = box.popen([PY, "-c", code], pass_fds=[theirs.fileno()], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    theirs.close()
    ours.settimeout(20)
    try:
        assert ours.recv(4) == b"ping"
        ours.sendall(b"pong")
        out, err = proc.communicate(timeout=20)
    finally:
        kill(proc)
        ours.close()
    assert out == b"pong\n", err


@needs_bwrap
def test_numpy_and_torch_import_inside(tmp_path):
    repo = Path(__file__).resolve().parents[1]
    box = sandbox(tmp_path, 18, readonly=[repo / "cs231n_lib"])
    code = "import numpy, cs231n_lib\ntry:\n import torch; t = float(torch.ones(3).sum())\nexcept ImportError: t = 3.0\nprint(float(numpy.ones(3).sum()) + t)"
    result = py(box, code, env={"OMP_NUM_THREADS": "1"})
    assert result.returncode == 0 and result.stdout.strip() == "6.0", result.stderr


def test_fails_closed_without_bubblewrap(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_BWRAP, "/nonexistent/bwrap")
    detect_layers.cache_clear()
    try:
        layers = detect_layers()
        assert layers.bwrap is None and not layers.sandboxed
        with pytest.raises(SandboxUnavailable) as err:
            layers.require()
        assert "bubblewrap" in str(err.value) and "--insecure" in str(err.value)
        layers.require(insecure=True)
        assert INSECURE in layers.describe() and INSECURE in layers.describe(insecure=True)
        with pytest.raises(SandboxUnavailable):
            Sandbox(tmp_path / "work")
        box = Sandbox(tmp_path / "work", insecure=True, limits=Limits(open_files=100))
        code = "import json, os, resource; print(json.dumps([os.environ['HOME'], resource.getrlimit(resource.RLIMIT_NOFILE)]))"
        assert box.uid is None and inside(box, code) == [str(box.home), [100, 100]]
    finally:
        monkeypatch.delenv(ENV_BWRAP)
        detect_layers.cache_clear()


def test_root_without_uid_switch_is_refused():
    layers = Layers("/usr/bin/bwrap", namespaces=True, uid_switch=False, root=True)
    with pytest.raises(SandboxUnavailable, match="root"):
        layers.require()
    layers = Layers("/usr/bin/bwrap", namespaces=False, uid_switch=False, problem="No permissions to create new namespace")
    with pytest.raises(SandboxUnavailable, match="cannot create namespaces.*No permissions.*--insecure"):
        layers.require()


def test_describe_lists_every_layer():
    limits = Limits(memory_bytes=2**30, cpu_seconds=60, wall_seconds=90, processes=64, open_files=256,
                    file_size_bytes=8 * 2**20, output_bytes=2**19)
    layers = Layers("/usr/bin/bwrap", namespaces=True, uid_switch=True, limits=limits, root=True)
    assert layers.describe().splitlines() == [
        "network: off (bwrap --unshare-net)",
        "filesystem: private (bwrap)",
        "processes: own PID namespace",
        "uid: 61000.. (setpriv)",
        "limits: memory 1.0 GiB, cpu 60 s, wall 90 s, processes 64, open files 256, file size 8 MiB, output 512 KiB",
    ]
    lines = LAYERS.describe().splitlines()
    for prefix in ("network: ", "filesystem: ", "processes: ", "uid: ", "limits: memory 4.0 GiB, cpu 900 s, wall 1800 s"):
        assert any(line.startswith(prefix) for line in lines), (prefix, lines)
    assert (INSECURE in lines) == (not LAYERS.sandboxed)
