"""The presenter's lesson on a follower's page: the step's narration and verdict, read-only.

A follower cannot run, move or reset a lesson; this screen only shows where the presenter is
(`sandbox.tui.following`): the step's heading and narration, read from the sandbox's own
lessons in the presenter's language, the verdict of the step's last run as the presenter's
screen said it, and that run's calls on the map (live while the step runs). The presenter's
notes never reach it. A lesson kept outside the sandbox's lessons folder shows its title and
the step's title only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Header, Static

from sandbox.runtime.stage_view import ShownLesson, ShownVerdict, StageView
from sandbox.trace.events import HttpCall
from sandbox.tui.backend import Backend
from sandbox.tui.footer import StageFooter
from sandbox.tui.i18n import Lazy, TranslatedBindings, _
from sandbox.tui.lesson_session import ActionLike, LessonLike, StepLike
from sandbox.tui.messages import CallsArrived, ServicesUpdated
from sandbox.tui.widgets.call_map import CallMap
from sandbox.tui.widgets.lesson_panel import LessonPanel
from sandbox.tui.widgets.step_verdict import StepVerdict

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FollowedStep:
    """A step as a follower sees it: no notes, no hints."""

    number: int
    title: str
    narration: str
    action: ActionLike | None = None
    notes: str = ""
    hints: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FollowedFailure:
    """A failed expectation as the presenter's screen said it."""

    expectation: str
    expected: str
    happened: str
    because: str
    call: HttpCall | None = None


@dataclass(frozen=True, slots=True)
class FollowedResult:
    """The presenter's last run of the step, as the verdict panel shows a result."""

    step: StepLike
    ok: bool
    calls: Sequence[HttpCall]
    trace_ids: Sequence[str]
    failures: Sequence[FollowedFailure]
    error: str | None
    hint: str | None = None
    output: str = ""


def followed_step(lesson: LessonLike | None, shown: ShownLesson) -> tuple[FollowedStep, bool]:
    """The step the presenter is on, and whether it runs anything (a step that only tells
    has no verdict); from the presenter's words alone when the lesson is not ours."""
    if lesson is not None and shown.step < len(lesson.steps):
        step = lesson.steps[shown.step]
        runnable = step.action is not None
        return FollowedStep(step.number, step.title, step.narration, step.action), runnable
    return FollowedStep(shown.step + 1, shown.step_title, ""), True


def find_lesson(slug: str, lang: str) -> LessonLike | None:
    """One of the sandbox's own lessons by its folder name, in `lang`; None for any other."""
    from sandbox.lessons.loader import lesson_slugs, lessons_root, load_lesson
    from sandbox.lessons.model import LessonError

    root = lessons_root()
    if slug not in lesson_slugs(root):  # a name from the wire is never a path
        return None
    try:
        return load_lesson(root / slug, lang)
    except (LessonError, OSError):
        log.info("could not read lesson %s (%s)", slug, lang, exc_info=True)
        return None


class FollowedLessonScreen(TranslatedBindings, Screen[None]):
    """The presenter's lesson step: narration and verdict beside the map of the step's calls."""

    CSS_PATH = "followed_lesson.tcss"
    HELP = Lazy("""\
# The presenter's lesson

This page follows the presenter's lesson: the step on the presenter's screen, what it is
about, and what its last run showed. The map draws that run's calls, live while it runs.

- The page moves when the presenter moves; **0** stops following (to look around), and
  **0** again follows the presenter.
- **1** the map, **2** the trace player, **4** the services: look around freely. **8**
  comes back to the lesson.
- Only the presenter runs a step: nothing on this page changes the sandbox.
""")

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend
        self.shown: ShownLesson | None = None
        """The lesson step on screen, as the presenter's stage said it."""
        self.running = False
        """The presenter's step is running: its calls appear on the map as they arrive."""
        self._lessons: dict[tuple[str, str], LessonLike | None] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="followed-stage"):
            yield LessonPanel()
            yield CallMap(list(self.app.services), animate=False)  # type: ignore[attr-defined]
        yield StageFooter()

    @property
    def panel(self) -> LessonPanel:
        return self.query_one(LessonPanel)

    @property
    def call_map(self) -> CallMap:
        return self.query_one(CallMap)

    def on_mount(self) -> None:
        self.query_one("#lesson-step", Static).update(_("Waiting for the presenter's lesson…"))
        self.query_one(StepVerdict).update("")
        self.query_one("#lesson-scroll").focus()

    def on_screen_resume(self) -> None:
        # Opened with 8: show where the presenter is now.
        view = getattr(self.app, "presenter_view", None)
        if isinstance(view, StageView):
            self.follow_stage(view)

    def on_resize(self) -> None:
        self.set_class(self.size.width < 110, "-narrow")

    def follow_stage(self, view: StageView) -> None:
        """Show the presenter's lesson step and verdict, when they changed."""
        if view.lesson is not None and view.lesson != self.shown:
            self.shown = view.lesson
            self.show(view.lesson)

    @work(exclusive=True, group="followed-lesson", exit_on_error=False)
    async def show(self, shown: ShownLesson) -> None:
        """The step's heading and narration, then its verdict and calls."""
        key = (shown.slug, shown.lang)
        if key not in self._lessons:
            self._lessons[key] = await asyncio.to_thread(find_lesson, *key) if shown.slug else None
        lesson = self._lessons[key]
        step, runnable = followed_step(lesson, shown)
        intro = lesson.intro if lesson is not None and shown.step == 0 else ""
        await self.panel.show_step(step, shown.step, shown.steps, intro=intro, title=shown.title)
        await self.show_verdict(shown.verdict, step, runnable)

    async def show_verdict(
        self, verdict: ShownVerdict | None, step: FollowedStep, runnable: bool
    ) -> None:
        """What the step's last run showed, its calls on the map; or that it runs, or has not."""
        self.running = verdict is not None and verdict.state == "running"
        if verdict is None or self.running:
            self.call_map.clear()
            if self.running:
                self.panel.show_running(step.number)
                return
            words = (
                _("The presenter has not run this step yet.")
                if runnable
                else _("Nothing to run here: the presenter reads this step with you.")
            )
            box = self.query_one(StepVerdict)
            box.set_class(False, "-passed")
            box.set_class(False, "-failed")
            box.update(words)
            return
        calls = await self._calls(verdict.trace_ids)
        failures = [
            FollowedFailure(f.expectation, f.expected, f.happened, f.because)
            for f in verdict.failures
        ]
        result = FollowedResult(
            step,
            verdict.state == "passed",
            calls,
            verdict.trace_ids,
            failures,
            verdict.error or None,
            output=verdict.output,
        )
        self.panel.show_result(result)
        self.panel.reveal_verdict()  # as on the presenter's screen after a run
        self.call_map.load(calls)

    async def _calls(self, trace_ids: Sequence[str]) -> list[HttpCall]:
        """The run's calls, in start order (a trace the sandbox no longer has is left out)."""
        calls: list[HttpCall] = []
        for trace_id in trace_ids:
            try:
                calls += await self.backend.trace(trace_id)
            except Exception:  # the trace was reset away: the verdict still says what it showed
                log.info("could not read trace %s", trace_id, exc_info=True)
        return sorted(calls, key=lambda c: c.started_at)

    @on(CallsArrived)
    def show_live_calls(self, message: CallsArrived) -> None:
        """While the presenter's step runs, its calls appear as they happen."""
        if self.running:
            self.call_map.show_calls(message.calls)

    @on(ServicesUpdated)
    def show_services(self, message: ServicesUpdated) -> None:
        self.call_map.set_services(list(message.services))
