"""What the learner's and the presenter's lesson screens share: moving through steps, running one.

A step runs in a worker, so the map keeps drawing the step's calls as they arrive; while a step
runs (or the world is being prepared) the step keys are ignored with a short notice, so a second
key press can neither start a second run nor attach a result to the wrong step.
"""

from __future__ import annotations

from textual import on, work
from textual.binding import Binding
from textual.screen import Screen

from sandbox.tui.backend import Backend
from sandbox.tui.fault_words import failure_words, faults_on
from sandbox.tui.footer import SCREENS, SCREENS_LABEL
from sandbox.tui.i18n import Lazy, TranslatedBindings, _
from sandbox.tui.lesson_session import FailedRun, LessonSession, StepResultLike
from sandbox.tui.messages import CallsArrived, ServicesUpdated, ShowTrace
from sandbox.tui.screens.jump import JumpDialog
from sandbox.tui.widgets.call_map import CallMap
from sandbox.tui.widgets.lesson_panel import LessonPanel

NARROW = 110
"""Narrower than this, the map goes under the narration (the screens' `-narrow` class)."""


class LessonScreenBase(TranslatedBindings, Screen[None]):
    """A lesson's steps: narration, next/back/run, hints, jump; the map shows the step's calls."""

    BINDINGS = [
        Binding(
            "n,right,space",
            "next",
            Lazy("Next"),
            id="lesson.next",
            tooltip=Lazy("Show the next step"),
        ),
        Binding(
            "b,left",
            "back",
            Lazy("Back"),
            id="lesson.back",
            tooltip=Lazy("Show the previous step"),
        ),
        Binding(
            "r,enter",
            "run",
            Lazy("Run step"),
            id="lesson.run",
            tooltip=Lazy("Run this step (again) and check what happened"),
        ),
        Binding(
            "h",
            "hint",
            Lazy("Hint"),
            id="lesson.hint",
            tooltip=Lazy("Show the next hint of this exercise"),
        ),
        Binding(
            "t",
            "open_trace",
            Lazy("Trace"),
            id="lesson.trace",
            show=False,  # the footer already says "2 Trace"; help and the palette list it
            tooltip=Lazy("Open this step's calls in the trace player, with every header and body"),
        ),
        Binding(
            "w",
            "glossary",
            Lazy("Glossary"),
            id="lesson.glossary",
            tooltip=Lazy("The lessons' words: VA, SNAP, SESUAI, idempotency key, SEP, FHIR..."),
        ),
        Binding(
            "g",
            "jump",
            Lazy("Go to step"),
            id="lesson.jump",
            tooltip=Lazy("Jump to a step by its number"),
        ),
    ]

    FOOTER_SPARE = ("lesson.glossary", SCREENS_LABEL, "lesson.jump", SCREENS, "lesson.back")
    """Left out of a narrow footer first to last (an 80-column one in Indonesian drops the
    first three): `n`, `r`, a hint and `? Help` stay."""

    def __init__(self, backend: Backend, session: LessonSession) -> None:
        super().__init__()
        self.backend = backend
        self.session = session
        self.running = False
        """True while a step runs: its live calls go to the map, step keys wait."""
        self.preparing = False
        """True while the world is reset and checked before step 1."""
        self._key_state: tuple[object, ...] = ()
        self.problems: list[str] = []
        """What `prepare()` found wrong before step 1 (shown as a warning)."""

    @property
    def panel(self) -> LessonPanel:
        """The narration and verdict panel."""
        return self.query_one(LessonPanel)

    @property
    def call_map(self) -> CallMap:
        """The map of the step's calls."""
        return self.query_one(CallMap)

    async def on_mount(self) -> None:
        self.app.world_reset.subscribe(self, self.forget_world)  # type: ignore[attr-defined]
        self.setup()
        self.query_one("#lesson-scroll").focus()
        await self.show_step()
        if self.wants_prepare():
            self.preparing = True
            self.prepare_world()

    def setup(self) -> None:
        """Subclasses finish their widgets here, before the first step shows."""

    @property
    def busy(self) -> bool:
        """True while a step runs or the world is prepared: step keys wait for it."""
        return self.running or self.preparing

    def on_resize(self) -> None:
        # A map squeezed beside the narration is too narrow to read: stack them instead.
        self.set_class(self.size.width < NARROW, "-narrow")

    def wants_prepare(self) -> bool:
        """Prepare (reset, health check) only when the lesson starts from its first step."""
        return self.session.index == 0 and not self.session.results

    # -- showing a step --------------------------------------------------------------------

    async def show_step(self) -> None:
        """Show the step on screen with its last result, and its calls on the map."""
        session = self.session
        step = session.step
        self.panel.hide_completion()
        if step is None:
            self.panel.show_empty()
            return
        intro = session.lesson.intro if session.index == 0 else ""
        await self.panel.show_step(
            step,
            session.index,
            session.total,
            intro=intro,
            title=session.lesson.title,
            exercise_file=session.exercise_file(),
        )
        self.panel.show_result(session.result, session.hints(), runnable=step.action is not None)
        self.draw_calls(session.result)
        self.update_keys()

    def draw_calls(self, result: StepResultLike | None) -> None:
        """Only this step's calls on the map; a failed expectation's call stays lit."""
        call_map = self.call_map
        if result is None:
            call_map.clear()
            return
        call_map.load(result.calls)
        blamed = next((m.call for m in result.failures if m.call is not None), None)
        if blamed is not None:
            call_map.highlight(blamed)

    def show_result(self, result: StepResultLike) -> None:
        """Show a fresh result of the step on screen; the last step passing ends the lesson."""
        self.panel.show_result(result, self.session.hints())
        self.panel.reveal_verdict()
        if result.ok and self.session.index == self.session.total - 1:
            self.show_completion()
        self.draw_calls(result)
        self.update_keys()

    # -- keys ------------------------------------------------------------------------------

    def key_state(self) -> tuple[object, ...]:
        """What decides which step keys show (the footer is redrawn only when it changes)."""
        step, result = self.session.step, self.session.result
        return (bool(step is not None and step.hints), bool(result and result.trace_ids))

    def update_keys(self) -> None:
        """Redraw the footer if a key appeared or went: recomposing it costs ~30 ms a time."""
        state = self.key_state()
        if state != self._key_state:
            self._key_state = state
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The hint key shows only on steps with hints, the trace key once the step ran."""
        if action == "hint":
            return bool(self.key_state()[0])
        if action == "open_trace":
            return bool(self.key_state()[1])
        return True

    def is_busy(self) -> bool:
        """True (and says so) while a step runs or the world is prepared."""
        if self.busy:
            wait = (
                _("Wait a moment: the sandbox is being prepared for step 1.")
                if self.preparing
                else _("Wait a moment: a step is still running.")
            )
            self.notify(wait, timeout=2)
        return self.busy

    async def action_next(self) -> None:
        """Show the next step; past the last one, the lesson's completion."""
        if self.session.total and self.session.index == self.session.total - 1:
            if not self.is_busy():
                self.show_completion()
            return
        await self.go(self.session.index + 1)

    def show_completion(self) -> None:
        """What the lesson showed, step by step, and the next lesson."""
        session = self.session
        rows = [
            (step.number, step.title, session.results[i].ok if i in session.results else None)
            for i, step in enumerate(session.lesson.steps)
        ]
        self.panel.show_completion(rows, session.next_lesson)
        session.complete()

    async def action_back(self) -> None:
        """Show the previous step."""
        await self.go(self.session.index - 1)

    async def go(self, index: int) -> None:
        """Show step `index` (0-based) unless a step is running."""
        if self.is_busy():
            return
        if self.session.go(index):
            await self.show_step()

    def action_run(self) -> None:
        """Run (or rerun) the step on screen; a step that only tells has nothing to run."""
        step = self.session.step
        if step is None or self.is_busy():
            return
        if step.action is None:
            self.notify(_("Nothing to run in this step: read it, then press n."), timeout=3)
            return
        self.running = True
        self.name_faults()
        self.panel.show_running(step.number)
        self.panel.reveal_verdict()
        self.call_map.clear()
        self.run_step(self.session.index)

    def action_hint(self) -> None:
        """Show the next hint of the step's ladder."""
        if self.session.more_hint():
            self.panel.show_result(self.session.result, self.session.hints())
        else:
            self.notify(_("No more hints for this step."), timeout=3)

    def action_open_trace(self) -> None:
        """Open the step's trace in the trace player (key 2), arrow by arrow with details."""
        result = self.session.result
        if result is not None and result.trace_ids:
            checks = getattr(result, "checks", ())  # goal versus actual, beside the diagram
            self.app.post_message(ShowTrace(result.trace_ids[0], checks=checks))

    def action_glossary(self) -> None:
        """The lessons' words and what they mean, over the lesson."""
        from sandbox.tui.screens.help import HelpScreen

        terms = self.session.glossary
        if not terms:
            self.notify(_("This lesson has no glossary."), timeout=3)
            return
        lines = ["# " + _("Glossary"), ""]
        lines += [f"- **{term}**: {meaning}" for term, meaning in terms]
        self.app.push_screen(HelpScreen("\n".join(lines)))

    def action_jump(self) -> None:
        """Choose a step by number or from the list."""
        if self.is_busy() or not self.session.total:
            return
        steps = [(step.number, step.title) for step in self.session.lesson.steps]
        self.app.push_screen(JumpDialog(steps, self.session.index), self.jump_to)

    async def jump_to(self, index: int | None) -> None:
        """Show the step chosen in the jump dialog."""
        if index is not None:
            await self.go(index)

    # -- workers ---------------------------------------------------------------------------

    @work(exclusive=True, group="lesson", exit_on_error=False)
    async def run_step(self, index: int) -> None:
        """Run one step through the runner; the result goes to the panel, the map, progress."""
        try:
            result: StepResultLike = await self.session.runner.run_step(index)
        except Exception as exc:  # the runner promises not to raise; if it does, say it plainly
            step = self.session.lesson.steps[index]
            words = failure_words(exc, self.app.services)  # type: ignore[attr-defined]
            result = FailedRun(step, _("This step could not run live: {why}.").format(why=words))
        self.running = False
        self.session.finish(result, index)
        if index == self.session.index:
            self.show_result(result)

    @work(exclusive=True, group="lesson", exit_on_error=False)
    async def prepare_world(self) -> None:
        """Before step 1: reset the world if the lesson asks, and check every service."""
        self.panel.show_warning(
            [_("Preparing: restoring the seeded world and checking every service…")]
        )
        try:
            self.problems = list(await self.session.runner.prepare())
        except Exception as exc:
            self.problems = [str(exc) or type(exc).__name__]
        self.preparing = False
        self.panel.show_warning(self.problems)

    def name_faults(self) -> None:
        """Say which faults are on before a step runs: a fault left from a rehearsal is the
        commonest way a live step fails in front of a room."""
        faults = faults_on(self.app.services)  # type: ignore[attr-defined]
        if faults:
            line = _("Faults are on: {faults}. ctrl+f clears them.").format(faults=faults)
            self.panel.show_warning([*self.problems, line], _("Before this step runs:"))
        else:
            self.panel.show_warning(self.problems)

    def forget_world(self, _reset: None = None) -> None:
        """After ctrl+r: the step's calls belong to the old world; the step stays on screen."""
        self.call_map.clear()

    # -- live data -------------------------------------------------------------------------

    @on(CallsArrived)
    def show_live_calls(self, message: CallsArrived) -> None:
        """While a step runs its calls appear as they happen; otherwise the map stays the step's."""
        if self.running:
            self.call_map.show_calls(message.calls)

    @on(ServicesUpdated)
    def show_services(self, message: ServicesUpdated) -> None:
        self.call_map.set_services(list(message.services))
