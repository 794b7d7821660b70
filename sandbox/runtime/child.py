"""Run the sandbox in a child process, so the UI's event loop never serves a request.

`sandbox` (the UI) starts `sandbox up` on the same data directory as a child and attaches to
it through the control API; if a sandbox already runs there, it simply attaches. The child's
output goes to a log file, and a child that fails to start is reported with its own message.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sandbox.config import Settings
from sandbox.runtime.state import RuntimeState

START_TIMEOUT = 30.0


class ChildFailed(Exception):
    """The child runtime exited before serving; the message is what it said."""


@dataclass
class ChildRuntime:
    """A running sandbox: one we started (with `process`) or one we found."""

    state: RuntimeState
    process: subprocess.Popen[bytes] | None = None

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the child we started (a sandbox we only attached to keeps running)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(settings: Settings, config: Path | None = None) -> ChildRuntime:
    """Attach to the sandbox running on `settings.data_dir`, or start one as a child."""
    running = RuntimeState.read(settings.data_dir)
    if running is not None:
        return ChildRuntime(running)
    logs = settings.data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    out = logs / "runtime.out"
    with out.open("wb") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sandbox",
                "up",
                "--data-dir",
                str(settings.data_dir),
                "--port-base",
                str(settings.port_base),
                "--seed",
                str(settings.seed),
                *(["--config", str(config)] if config else []),
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        state = RuntimeState.read(settings.data_dir)
        if state is not None and state.pid == process.pid:
            return ChildRuntime(state, process)
        if process.poll() is not None:
            raise ChildFailed(_last_words(out))
        time.sleep(0.02)
    process.kill()
    raise ChildFailed(f"the sandbox did not start within {START_TIMEOUT:.0f} s; see {out}")


def _last_words(path: Path) -> str:
    lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    message = lines[-1] if lines else "the sandbox exited without a message"
    return message.removeprefix("sandbox: ")
