"""Presenter mode: a lesson in front of a room, with a clean map and a safety net.

The world is reset and checked before step 1, so every rehearsal matches the show, and a broken
service is reported to the presenter before the audience meets it. If a step fails live, the
recorded calls of its last good run (its fallback) can be replayed on the map, one arrow at a
time, as if live; the map's subtitle says it is a recording.

On a step that runs the checkout, `v` runs it the other way on the map - the virtual account
in her bank app instead of paying with Bank Contoh inside the checkout, or the reverse - so
the room sees both, one after the other. That run is a demonstration, not the step's check.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Header, Static

from sandbox.scenarios import SCENARIOS, PhoneReader, StoryFailed
from sandbox.trace.events import HttpCall
from sandbox.tui.backend import Backend
from sandbox.tui.fault_words import failure_words
from sandbox.tui.footer import SCREENS, SCREENS_LABEL, StageFooter
from sandbox.tui.i18n import N_, Lazy, _, language
from sandbox.tui.lesson_session import LessonSession, StepResultLike
from sandbox.tui.screens.lesson_base import LessonScreenBase
from sandbox.tui.starting import sandbox_started
from sandbox.tui.widgets.call_map import CallMap
from sandbox.tui.widgets.lesson_panel import LessonPanel

CONTRASTS = {
    "debit": N_("the other way: with Bank Contoh inside the checkout (no jump)"),
    "va": N_("the other way: the VA in her bank app (a jump)"),
}
"""The map's subtitle while the checkout runs the other way."""


class PresenterScreen(LessonScreenBase):
    """Large narration, the map without the log, the next step announced, notes on demand."""

    CSS_PATH = "presenter.tcss"
    HELP = Lazy("""\
# Presenter mode

The lesson for a room: large narration, a map without the log, and the next step announced at
the bottom. The world was restored and every service checked before step 1; a problem found
then is shown in red above the narration before anyone runs a step.

- **r** or **Enter** runs the step live · **n**, **→**, **Space** next · **b**, **←** back
- **g** then the step's number jumps to it · **p** shows or hides your presenter notes
- **f** after a live failure: replay the step's recorded calls from its last good run on the
  map, one by one (the map says it is a recording)
- **v** on a step that runs the checkout: run it the other way on the map (by virtual account
  in her bank app, or with Bank Contoh inside the checkout), to contrast the two
""")
    BINDINGS = [
        Binding(
            "p",
            "toggle_notes",
            Lazy("Notes"),
            id="presenter.notes",
            tooltip=Lazy("Show or hide the presenter notes"),
        ),
        Binding(
            "w",
            "glossary",
            Lazy("Glossary"),
            id="lesson.glossary",
            # The presenter explains the words; at 80 columns the footer keeps p Notes and
            # ? Help instead (help and the palette still list w).
            show=False,
            tooltip=Lazy("The lessons' words: VA, SNAP, SESUAI, idempotency key, SEP, FHIR..."),
        ),
        Binding(
            "f",
            "replay_fallback",
            Lazy("Replay recording"),
            id="presenter.fallback",
            tooltip=Lazy("Replay this step's calls from its last good run on the map"),
        ),
        Binding(
            "v",
            "contrast",
            Lazy("Other way to pay"),
            id="presenter.contrast",
            tooltip=Lazy("Run this step's checkout the other way on the map, to contrast them"),
        ),
    ]
    FOOTER_SPARE = (SCREENS_LABEL, SCREENS, "lesson.jump", "presenter.notes", "lesson.back")
    """Left out of a narrow footer first to last: the presenter knows the number keys (help
    lists them), and after a live failure `f Replay recording` and on a checkout step
    `v Other way to pay` join `n`, `r` and `? Help` even at 80 columns in Indonesian."""
    REPLAY_SECONDS = 0.6
    """Pause between the arrows of a replayed fallback: slow enough to narrate over."""

    def __init__(self, backend: Backend, session: LessonSession) -> None:
        super().__init__(backend, session)
        self.notes_on = False
        """The presenter asked for the notes (they stay on from step to step)."""
        self.fallback_calls: list[HttpCall] = []
        """The recorded calls of the step on screen, offered after a live failure."""
        self.replaying = False
        self._queue: list[HttpCall] = []
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="presenter-stage"):
            yield LessonPanel()
            yield CallMap(list(self.app.services), animate=False)  # type: ignore[attr-defined]
        yield Static(id="presenter-next", markup=False)
        yield StageFooter()

    def wants_prepare(self) -> bool:
        """Always: every presentation starts from the seeded world, checked."""
        return True

    async def show_step(self) -> None:
        """The step, its notes if asked for, and the next step's title at the bottom."""
        self.stop_replay()
        self.fallback_calls = []
        await super().show_step()
        self.panel.show_notes(self.notes_on)
        following = self.session.next_step
        self.query_one("#presenter-next", Static).update(
            _("Next: {number}. {title}").format(number=following.number, title=following.title)
            if following is not None
            else _("This is the last step.")
        )

    def show_result(self, result: StepResultLike) -> None:
        """After a live failure, offer the recorded fallback when there is one."""
        self.stop_replay()
        super().show_result(result)
        self.fallback_calls = [] if result.ok else self.session.runner.fallback(self.session.index)
        if not result.ok:
            offer = (
                _("The step failed live. Press f to replay its last good run on the map.")
                if self.fallback_calls
                else _("The step failed live and has no recorded run to replay yet.")
            )
            self.notify(offer, severity="warning", timeout=8)
        self.update_keys()

    def key_state(self) -> tuple[object, ...]:
        """The fallback key comes and goes with a live failure, the contrast key with a
        checkout step."""
        return (*super().key_state(), bool(self.fallback_calls), self.checkout_way())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The fallback key shows only after a live failure that has a recording to replay;
        the contrast key only on a step that runs the checkout."""
        if action == "replay_fallback":
            return bool(self.fallback_calls)
        if action == "contrast":
            return self.checkout_way() is not None
        return super().check_action(action, parameters)

    def checkout_way(self) -> str | None:
        """How the step on screen pays, when it runs the checkout story (else None)."""
        step = self.session.step
        action = step.action if step is not None else None
        if action is None or action.kind != "story" or action.spec.get("story") != "checkout":
            return None
        return str(action.spec.get("pay", "debit"))

    def action_contrast(self) -> None:
        """Run the step's checkout the other way on the map (not the step's check)."""
        way = self.checkout_way()
        if way is None or self.is_busy():
            return
        self.stop_replay()
        other = "va" if way == "debit" else "debit"
        self.running = True  # the map draws the run's calls live; step keys wait
        self.call_map.clear()
        self.call_map.border_subtitle = _(CONTRASTS[other])
        self.run_contrast(other)

    @work(exclusive=True, group="lesson", exit_on_error=False)
    async def run_contrast(self, pay: str) -> None:
        """The checkout story, paying `pay`, against the running sandbox."""
        try:
            await sandbox_started(self.backend)
            await self.backend.services()  # the institutions' URLs
            story = await SCENARIOS["checkout"](
                self.backend.wire,
                self.backend.world,
                lambda _line: None,
                lang=language(),
                pay=pay,
                phone=PhoneReader(self.backend.sms),
            )
        except StoryFailed as exc:
            said = _("The other way did not end as the story says: {reason}").format(reason=exc)
            self.notify(said, severity="warning", timeout=8)
        except Exception as exc:
            why = failure_words(exc, self.app.services)  # type: ignore[attr-defined]
            self.notify(_("The other way could not run: {why}.").format(why=why), timeout=8)
        else:
            # The whole trace, as recorded: the last calls may still be on their way live.
            self.call_map.load(await self.backend.trace(story.trace_id))
            self.notify(_("Paid the other way: compare the map with the step's."), timeout=6)
        finally:
            self.running = False

    def action_run(self) -> None:
        """Run the step live (ending any replay first)."""
        if not self.busy:
            self.stop_replay()
        super().action_run()

    def action_toggle_notes(self) -> None:
        """Show or hide the presenter notes."""
        self.notes_on = not self.notes_on
        self.panel.show_notes(self.notes_on)

    def action_replay_fallback(self) -> None:
        """Draw the step's last good run on the map, one call at a time, as if live."""
        if not self.fallback_calls or self.running:
            return
        self.stop_replay()
        self.call_map.clear()
        self.call_map.border_subtitle = _("recorded run (replay)")
        self._queue = list(self.fallback_calls)
        self.replaying = True
        self._timer = self.set_interval(self.REPLAY_SECONDS, self.replay_next)
        self.replay_next()

    def replay_next(self) -> None:
        """Draw the next recorded call; stop after the last."""
        if not self._queue:
            self.stop_replay(keep_subtitle=True)
            return
        call = self._queue.pop(0)
        self.call_map.show_call(call)
        self.call_map.highlight(call)

    def stop_replay(self, *, keep_subtitle: bool = False) -> None:
        """End a replay (a new step or a new run ends it too)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._queue = []
        self.replaying = False
        if not keep_subtitle:
            self.call_map.border_subtitle = ""
        else:
            self.call_map.highlight(None)
