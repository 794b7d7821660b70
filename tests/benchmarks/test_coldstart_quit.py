"""Quitting the UI the cold-start benchmark launched leaves no process behind.

A stand-in for `sandbox` runs in a pseudo-terminal as `time_ui` starts it: it starts a
stand-in `sandbox up` (in its process group, as `sandbox` does) and never answers ctrl+q, the
case where the benchmark used to SIGTERM the UI alone and leave the runtime running whenever
its runtime.json was not written yet.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.coldstart import _quit_ui
from sandbox.runtime.state import RuntimeState

_UI = """
import signal, subprocess, sys, time
ignore = sys.argv[2] == "stubborn"
child = [sys.executable, "-c", "import signal, sys, time\\n"
         + ("signal.signal(signal.SIGTERM, signal.SIG_IGN)\\n" if ignore else "")
         + "sys.stdout.write('up\\\\n'); sys.stdout.flush(); time.sleep(600)"]
runtime = subprocess.Popen(child, stdout=subprocess.PIPE)
runtime.stdout.readline()  # its SIGTERM handling is in place
open(sys.argv[1], "w").write(str(runtime.pid))
if ignore:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
time.sleep(600)  # ctrl+q is never answered
"""


def _launch(tmp_path: Path, mode: str) -> tuple[int, int, int]:
    """The stand-in UI in a pty: (its pid, the terminal, its runtime's pid)."""
    pid_file = tmp_path / "runtime.pid"
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child becomes the stand-in UI
        os.execv(sys.executable, [sys.executable, "-c", _UI, str(pid_file), mode])
    deadline = time.monotonic() + 30
    while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
        time.sleep(0.02)
    return pid, fd, int(pid_file.read_text())


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["plain", "stubborn"])
def test_a_ui_that_does_not_quit_leaves_no_runtime_behind(tmp_path: Path, mode: str) -> None:
    pid, fd, runtime = _launch(tmp_path, mode)
    assert _running(runtime)

    _quit_ui(pid, fd, tmp_path / "data", patience=0.3, grace=0.5)

    assert not _running(runtime)
    with pytest.raises(ChildProcessError):  # the UI was reaped
        os.waitpid(pid, os.WNOHANG)


@pytest.mark.slow
def test_the_runtime_named_in_runtime_json_is_stopped_too(tmp_path: Path) -> None:
    pid, fd, runtime = _launch(tmp_path, "plain")
    elsewhere = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True
    )
    data = tmp_path / "data"
    RuntimeState(pid=elsewhere.pid, seed=1, control_url="http://127.0.0.1:1").write(data)
    try:
        _quit_ui(pid, fd, data, patience=0.3, grace=0.5)

        assert elsewhere.wait(5) != 0  # stopped by a signal, not left to its sleep
        assert not _running(runtime)
    finally:
        elsewhere.kill()
        elsewhere.wait()
