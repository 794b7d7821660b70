"""Learn mode: a lesson step by step, beside the map and the log of the step's calls."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Header

from sandbox.trace.events import HttpCall
from sandbox.tui.backend import Backend
from sandbox.tui.footer import StageFooter
from sandbox.tui.i18n import Lazy, _
from sandbox.tui.lesson_session import LessonSession, StepResultLike
from sandbox.tui.messages import ShowTrace
from sandbox.tui.screens.lesson_base import LessonScreenBase
from sandbox.tui.widgets.call_log import CallLog
from sandbox.tui.widgets.call_map import CallMap
from sandbox.tui.widgets.lesson_panel import LessonPanel


class LessonScreen(LessonScreenBase):
    """The learner's view: narration and verdict on the left, the step's calls on the right."""

    CSS_PATH = "lesson.tcss"
    HELP = Lazy("""\
# Lesson

A lesson plays one step at a time against the running institutions. The left side says what
is about to happen and why; the map and the log on the right show only this step's calls.

- **r** or **Enter** runs the step (again, if you like); the verdict says *passed*, or for each
  failed expectation what was expected, what happened instead and why it matters.
- **n**, **→** or **Space** next step · **b** or **←** previous step · **g** jump to a step
  (type its number) · **h** the next hint, on exercise steps.
- **t** opens the step's calls in the trace player (every header and body); **8** comes back.
- **Tab** moves to the call log: the call under its cursor stays lit on the map, **Enter**
  opens it in the trace player.
- Your place is saved after every step: `sandbox learn` resumes where you stopped.
""")

    def __init__(self, backend: Backend, session: LessonSession) -> None:
        super().__init__(backend, session)
        self._calls: tuple[HttpCall, ...] = ()

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="lesson-body"):
            yield LessonPanel()
            with Vertical(id="lesson-side"):
                yield CallMap(list(self.app.services), animate=False)  # type: ignore[attr-defined]
                yield CallLog(self._fetch, self._count)
        yield StageFooter()

    def setup(self) -> None:
        """Name the log after what it lists."""
        self.query_one(CallLog).border_subtitle = _("Calls of this step")

    async def _fetch(self, offset: int, limit: int) -> list[HttpCall]:
        return list(self._calls[offset : offset + limit])

    async def _count(self) -> int:
        return len(self._calls)

    def draw_calls(self, result: StepResultLike | None) -> None:
        """The map and the log show only the step's calls (its trace ids)."""
        super().draw_calls(result)
        self.list_calls(result.calls if result is not None else ())

    def list_calls(self, calls: Sequence[HttpCall]) -> None:
        """Give the log this step's calls, in order."""
        self._calls = tuple(calls)
        self.query_one(CallLog).set_source(self._fetch, self._count)

    @on(CallLog.CallSelected)
    def open_call(self, message: CallLog.CallSelected) -> None:
        """Enter on a call opens its trace in the player, at that call (8 comes back)."""
        self.app.post_message(ShowTrace(message.call.trace_id, message.call.span_id))

    @on(CallLog.CallHighlighted)
    def light_call(self, message: CallLog.CallHighlighted) -> None:
        """The call under the log's cursor stays lit on the map (once the person uses the log)."""
        if self.query_one(CallLog).has_focus:
            self.call_map.highlight(message.call)
