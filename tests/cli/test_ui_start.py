"""`sandbox` (the UI) as a user starts it, in a terminal: a sandbox it cannot start is said
clearly once the UI has closed; attached (`--attach`), it shows the map of a sandbox already
running and leaves it running, or says that nothing answers."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import select
import socket
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from benchmarks.coldstart import _quit_ui
from benchmarks.processes import free_port_base, wait_healthy
from sandbox.runtime.registry import CONTROL_OFFSET

pytestmark = pytest.mark.slow

_CSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-B]")


def _launch(data_dir: Path, base: int) -> tuple[int, int]:
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child becomes `sandbox`
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
        env.update(TERM="xterm-256color", SANDBOX_LANG="en")
        os.execve(sys.executable, [sys.executable, "-m", "sandbox", "--data-dir", str(data_dir),
                                   "--port-base", str(base)], env)  # fmt: skip
    return pid, fd


def _read_until_exit(pid: int, fd: int, seconds: float) -> tuple[bytes, int | None]:
    """Everything `sandbox` wrote, and its exit status (None if it was still running)."""
    seen = b""
    deadline = time.monotonic() + seconds
    status = None
    while time.monotonic() < deadline:
        if select.select([fd], [], [], 0.05)[0]:
            with contextlib.suppress(OSError):  # the terminal closed: the process exited
                seen += os.read(fd, 1 << 16)
        done, code = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(code)
            with contextlib.suppress(OSError):
                while select.select([fd], [], [], 0.1)[0]:
                    chunk = os.read(fd, 1 << 16)
                    if not chunk:
                        break
                    seen += chunk
            break
    return _CSI.sub(b"", seen), status


def test_a_sandbox_that_cannot_start_is_said_once_the_ui_closes(tmp_path: Path) -> None:
    base = free_port_base()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", base + CONTROL_OFFSET))
        taken.listen()
        pid, fd = _launch(tmp_path / "data", base)
        try:
            seen, status = _read_until_exit(pid, fd, 60)
        finally:
            if status is None:
                _quit_ui(pid, fd, tmp_path / "data")
            else:
                os.close(fd)
    assert status == 2, seen[-600:]
    assert b"sandbox: the sandbox could not start: port" in seen
    assert f"{base + CONTROL_OFFSET}".encode() in seen and b"already in use" in seen


def test_attaching_to_nothing_says_so_before_any_ui(tmp_path: Path) -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{free.getsockname()[1]}"
    done = subprocess.run(
        [sys.executable, "-m", "sandbox", "--attach", url, "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2
    assert f"sandbox: no sandbox answers at {url}" in done.stderr


def test_an_attached_ui_shows_the_map_and_leaves_the_sandbox_running(tmp_path: Path) -> None:
    base = free_port_base()
    up = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "up", "--data-dir", str(tmp_path / "up"),
         "--port-base", str(base)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_healthy(up, [base + CONTROL_OFFSET], time.perf_counter())
        pid, fd = pty.fork()
        if pid == 0:  # pragma: no cover - the child becomes `sandbox --attach`
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
            env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
            env.update(TERM="xterm-256color", SANDBOX_LANG="en")
            os.execve(sys.executable, [sys.executable, "-m", "sandbox", "--attach",
                                       f"http://127.0.0.1:{base + CONTROL_OFFSET}",
                                       "--data-dir", str(tmp_path / "ui")], env)  # fmt: skip
        seen = b""
        deadline = time.monotonic() + 60
        while b"Pasarloka" not in _CSI.sub(b"", seen) and time.monotonic() < deadline:
            if select.select([fd], [], [], 0.05)[0]:
                with contextlib.suppress(OSError):
                    seen += os.read(fd, 1 << 16)
        _quit_ui(pid, fd, tmp_path / "ui")
        assert b"Pasarloka" in _CSI.sub(b"", seen)
        assert up.poll() is None  # the sandbox it attached to is not the UI's to stop
    finally:
        up.terminate()
        up.wait(15)
