"""The real UI in a child process, as the UI benchmarks see it: start it on a running sandbox,
send it commands, read its answers, quit it.

What runs in that child - the app headless, attached through the control API, its frames
watched and its keys pressed on command - is `ui_session.py`. The child is started by that
module's name (`processes.call_by_name`), so this module and the benchmarks that use it never
import Textual: only the measured process pays for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from benchmarks.processes import START_TIMEOUT, Sandbox, Worker, call_by_name, kill, start_worker

SIZE = (160, 48)
PRESS_TIMEOUT = 5.0
"""A press whose frame has not come after this long counts as this long (and as a timeout)."""
LIVE_KEYS = ("up", "down", "2", "1")
LOG_KEYS = ("home", "pagedown", "pagedown", "end")
LOG_KEY_GAP = 0.05
"""Seconds between presses in the big log, so each press starts from a settled screen."""
SESSION = "benchmarks.ui_session:run"
"""What the child runs: `run(control_url, seed, expected, shots, conn)`."""


@dataclass
class Ui(Worker):
    """A running UI process, as the parent sees it."""

    opened: dict[str, Any] = field(default_factory=dict)
    """What the UI said once its call log showed its calls (`open_ms`, `total`)."""

    def ask(self, command: dict[str, Any], timeout: float) -> dict[str, Any]:
        self.conn.send(command)
        return self.answer(timeout)

    def answer(self, timeout: float) -> dict[str, Any]:
        answer = self.receive(timeout, f"the UI did not answer within {timeout:.0f} s")
        if "error" in answer:
            raise RuntimeError(f"the UI failed:\n{answer['error']}")
        return answer

    def close(self) -> dict[str, Any]:
        """Quit the app; its peak memory."""
        try:
            return self.ask({"do": "quit"}, 60)
        finally:
            self.end(10)


def start_ui(ctx: Any, sandbox: Sandbox, expected: int) -> Ui:
    """The UI attached to `sandbox`, once its call log shows `expected` calls or more."""
    shots = str(sandbox.log.parent.parent / "screenshots")  # only written on ctrl+s
    url, seed = sandbox.state.control_url, sandbox.state.seed
    worker = start_worker(ctx, call_by_name, (SESSION, url, seed, expected, shots), "bench-ui")
    ui = Ui(worker.process, worker.conn)
    try:
        ui.opened = ui.answer(START_TIMEOUT + 30)
    except BaseException:
        kill(ui.process)
        ui.conn.close()
        raise
    return ui
