"""Cold start: from launching a command to what its user waits for.

- `sandbox up`: from `Popen` to the moment every institution answers `GET /health` with 200,
  polled every few milliseconds on each port (`--port-base` is chosen free, so the ports are
  known before the process exists). Measured on a fresh data directory (the first run, which
  also creates and seeds every SQLite file) and again on the same directory (a restart).
- The baseline, in the same run: one plain FastAPI + uvicorn app (`benchmarks.baseline`),
  from `Popen` to its `/health` answering 200. The sandbox serves seven institutions and a
  control API from one process; the aim compares it with the 0.3-1.7 s a single JVM or Node
  mock server takes on this kind of machine.
- The UI: `sandbox` (no command) in a pseudo-terminal of 160x48, exactly as a user starts it:
  it launches `sandbox up` as a child and, while that comes up, starts the Textual app, which
  draws the map from the registry (each institution "starting") until the runtime answers
  (`sandbox.tui.starting`). The clock stops when the terminal has received the first frame of
  the map, i.e. the bytes written so far contain the institutions' names on the map (escape
  sequences stripped); the health dots turn green when `sandbox up` is healthy, the figure
  above it. That is the
  moment a user sees the first screen; headless `run_test` would skip the terminal driver and
  the child runtime, which are part of the wait. Then ctrl+q quits, as a user would.

Every launch starts from compiled bytecode, as an installed sandbox does (pip compiles a
package when it installs it; a checkout compiles on its first run): `compile_bytecode` writes
the `.pyc` files of the sandbox and the benchmarks first, even where PYTHONDONTWRITEBYTECODE
keeps Python from writing them itself, which would otherwise make every launch compile every
module of the sandbox again (about a fifth of `sandbox up`'s CPU at start).
"""

from __future__ import annotations

import compileall
import contextlib
import fcntl
import os
import pty
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

from benchmarks import baseline
from benchmarks.figures import Aim, Figure
from benchmarks.processes import free_port_base, stop_process, wait_healthy

TIMEOUT = 60.0
SIZE = (160, 48)
UI_MARKERS = (b"Pasarloka", b"Bank Contoh", b"Klip", b"RSUD")
"""Words the map's first frame shows (institution names); all present = first screen seen."""
_CSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-B]")

SECTION = "cold start"


def sandbox_ports(base: int) -> list[int]:
    """Every port `sandbox up --port-base base` serves (institutions and control API)."""
    from sandbox.runtime.registry import BUILTIN, CONTROL_OFFSET

    return [base + CONTROL_OFFSET, *(base + spec.offset for spec in BUILTIN)]


def time_sandbox_up(data_dir: Path) -> float:
    """Seconds from launching `sandbox up` on `data_dir` to every /health answering 200."""
    base = free_port_base()
    command = [sys.executable, "-m", "sandbox", "up", "--data-dir", str(data_dir),
               "--port-base", str(base)]  # fmt: skip
    t0 = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL
    )
    try:
        return wait_healthy(process, sandbox_ports(base), t0)
    finally:
        stop_process(process, 15)


def time_baseline() -> float:
    """Seconds from launching the plain FastAPI app to its /health answering 200."""
    port = free_port_base()
    t0 = time.perf_counter()
    process = subprocess.Popen(
        baseline.command(port),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    try:
        return wait_healthy(process, [port], t0)
    finally:
        stop_process(process, 15)


def time_ui(data_dir: Path) -> float:
    """Seconds from launching `sandbox` in a pseudo-terminal to its first frame of the map."""
    base = free_port_base()
    t0 = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child becomes `sandbox`
        # The size is set here, before exec, so the app never sees the default 80x24 first.
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
        # An explicit environment: Textual trusts COLUMNS/LINES over the terminal, and a test
        # runner may have put them in the C environment behind os.environ's back.
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
        env["TERM"] = "xterm-256color"
        os.execve(sys.executable, [sys.executable, "-m", "sandbox", "--data-dir", str(data_dir),
                                   "--port-base", str(base)], env)  # fmt: skip
    seen = b""
    shown: float | None = None
    try:
        while shown is None and time.perf_counter() - t0 < TIMEOUT:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError:
                break  # the child closed the terminal (it exited)
            seen += chunk
            text = _CSI.sub(b"", seen)
            if all(marker in text for marker in UI_MARKERS):
                shown = time.perf_counter() - t0
        if shown is None:
            tail = _CSI.sub(b"", seen)[-400:].decode(errors="replace")
            raise RuntimeError(f"`sandbox` showed no map within {TIMEOUT:g} s: {tail!r}")
        return shown
    finally:
        _quit_ui(pid, fd, data_dir)


QUIT_PATIENCE = 15.0
"""Seconds ctrl+q may take (the UI stops the `sandbox up` it started) before it is forced."""
STOP_GRACE = 10.0
"""Seconds a process given SIGTERM may take to exit before it gets SIGKILL."""


def _quit_ui(
    pid: int, fd: int, data_dir: Path, patience: float = QUIT_PATIENCE, grace: float = STOP_GRACE
) -> None:
    """ctrl+q, as a user quits (it also stops the child runtime); then make sure nothing the
    launch started is left running, however the UI ended.

    `pty.fork` made the UI the leader of a process group of its own, and the `sandbox up` it
    starts joins that group: whatever still runs in the group after the UI (a runtime still
    coming up when the UI was forced, one whose runtime.json was never written) is sent
    SIGTERM, then SIGKILL. The runtime's pid in runtime.json is stopped too, in case it ever
    runs elsewhere.
    """
    with contextlib.suppress(OSError):
        os.write(fd, b"\x11")
    if not _wait_exit(pid, fd, patience):
        _signal_group(pid, signal.SIGTERM)
        if not _wait_exit(pid, fd, grace):
            _signal_group(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    from sandbox.runtime.state import RuntimeState

    state = RuntimeState.read(data_dir)  # the runtime that `sandbox` started for us
    leftovers = _group_members(pid) | ({state.pid} if state and _running(state.pid) else set())
    _stop_all(leftovers, grace)
    os.close(fd)


def _wait_exit(pid: int, fd: int, seconds: float) -> bool:
    """Wait up to `seconds` for child `pid` to exit (reaping it), reading its terminal the
    while: an app writing to a full pty would block and never exit."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if select.select([fd], [], [], 0.05)[0]:
                os.read(fd, 1 << 16)
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return True
    return False


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def _group_members(pgid: int) -> set[int]:
    """The processes of group `pgid` still running (zombies have stopped: left out)."""
    members = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # it exited while we looked
        # Fields after the command (in parentheses, which may hold spaces): state ppid pgrp.
        state, _ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if int(pgrp) == pgid and state not in ("Z", "X"):
            members.add(int(entry.name))
    return members


def _running(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _stop_all(pids: set[int], grace: float) -> None:
    """SIGTERM each of `pids`, then SIGKILL those still running after `grace` seconds; return
    once none runs (they are not our children: their new parent reaps them)."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while pids and time.monotonic() < deadline:
            pids = {pid for pid in pids if _running(pid)}
            time.sleep(0.02)
        if not pids:
            return
    raise RuntimeError(f"processes left running after SIGKILL: {sorted(pids)}")


def compile_bytecode() -> None:
    """Write the `.pyc` files of the sandbox's and the benchmarks' modules (py_compile writes
    them whatever PYTHONDONTWRITEBYTECODE says; a launch only reads them)."""
    import sandbox

    for package in (Path(sandbox.__file__).parent, Path(__file__).parent):
        compileall.compile_dir(package, quiet=1)


def run(repeats: int = 3) -> list[Figure]:
    """Cold start figures: medians of `repeats` launches each."""
    compile_bytecode()
    tmp = Path(tempfile.mkdtemp(prefix="sandbox-bench-cold-"))
    fresh, again, plain, ui = [], [], [], []
    try:
        for i in range(repeats):
            data = tmp / f"up-{i}"
            fresh.append(time_sandbox_up(data))
            again.append(time_sandbox_up(data))
            plain.append(time_baseline())
            ui.append(time_ui(tmp / f"ui-{i}"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    base = statistics.median(plain)
    return [
        Figure(SECTION, "sandbox up: launch to all healthy (fresh data dir)",
               statistics.median(fresh), "s", base, "plain app", Aim("<", 0.5),
               note="seven institutions + control API in one process, creating and seeding "
               "every SQLite file"),
        Figure(SECTION, "sandbox up: launch to all healthy (restart)", statistics.median(again),
               "s", base, "plain app", Aim("<", 0.5)),
        Figure(SECTION, "plain FastAPI + uvicorn: launch to healthy", base, "s"),
        Figure(SECTION, "sandbox (UI): launch to first screen", statistics.median(ui), "s",
               statistics.median(fresh), "sandbox up", Aim("<", 1.0),
               note="pseudo-terminal 160x48, fresh data dir: starts `sandbox up` and paints "
               "the map from the registry while it comes up"),
    ]  # fmt: skip
