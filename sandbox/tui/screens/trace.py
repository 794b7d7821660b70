"""The trace player: one conversation between institutions, replayed and rewound arrow by arrow.

It is the centre of a lesson: `2` opens the latest trace when none was chosen, the title says
where the player is ("step 5 of 36"), the card under the diagram says which story or lesson
step made the current call and shows both its bodies, the mini-map draws this trace and no
other, and `e` writes the trace as Mermaid, HAR, JSON lines and OTLP for slides and tools.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Header, Static

from sandbox.runtime.stage_view import StageView
from sandbox.trace.events import HttpCall
from sandbox.trace.steps import Step, steps_for
from sandbox.tui.following import Cursor
from sandbox.tui.footer import StageFooter
from sandbox.tui.i18n import Lazy, TranslatedBindings, _, ngettext
from sandbox.tui.messages import ServicesUpdated, ShowTrace
from sandbox.tui.read_only import following, refused
from sandbox.tui.widgets.call_map import CallMap
from sandbox.tui.widgets.goals import GoalList, first_difference
from sandbox.tui.widgets.sequence import SequencePlayer
from sandbox.tui.widgets.step_card import StepCard

MAP_MIN_WIDTH = 120
EXPORTS = (("mermaid", "mmd"), ("har", "har"), ("jsonl", "jsonl"), ("otlp", "otlp.json"))
"""What `e` writes, and the file extension of each."""


class TraceSource(Protocol):
    """Where the player finds traces: a sandbox's backend, or a class board's roster."""

    async def trace(self, trace_id: str) -> list[HttpCall]: ...
    async def latest_trace(self) -> str | None: ...


class TraceScreen(TranslatedBindings, Screen[None]):
    """A sequence diagram of one trace; the card and the mini-map follow the current arrow."""

    CSS_PATH = "trace.tcss"
    HELP = Lazy("""\
# The trace player

One user action (a tap on Buy, an account opening) causes a chain of calls between
institutions: one trace. Here it is drawn as a sequence diagram: a column per party, an arrow
per call and a dashed arrow per answer.

- **space** plays or pauses; **→** / **←** step forward and back (rewind any time);
  **Home** / **End** jump to the first or last arrow.
- The card under the diagram says which story or lesson step made the current call, and shows
  what was sent and what came back. The map draws this trace only.
- **e** writes the trace as a Mermaid diagram, HAR, JSON lines and OTLP into the data
  directory's `exports/` folder.
- Without a chosen trace, the player opens the latest one. Open another from the map: select
  a call, then press `t`.
""")
    BINDINGS = [
        Binding(
            "e",
            "export",
            Lazy("Export"),
            id="trace.export",
            tooltip=Lazy("Write this trace as Mermaid, HAR, JSON lines and OTLP"),
        ),
    ]

    def __init__(self, backend: TraceSource) -> None:
        super().__init__()
        self.backend = backend
        self.calls: list[HttpCall] = []
        """The trace on screen, in start order."""
        self.trace_id: str | None = None
        self._steps: dict[str, Step] = {}
        self._wanted = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            _("No trace yet: run a story (5) or tap in an app (3)."), id="trace-title", markup=False
        )
        with Vertical(id="main"):
            yield SequencePlayer()
            yield GoalList()
            yield StepCard()
        with Vertical(id="side"):
            yield CallMap(list(self.app.services), animate=False)  # type: ignore[attr-defined]
        yield StageFooter()

    def on_mount(self) -> None:
        self.query_one(SequencePlayer).focus()
        self.query_one(StepCard).show(None)

    def on_screen_resume(self) -> None:
        # `2` with nothing chosen opens the latest trace rather than an empty player.
        if self.trace_id is None and not self._wanted:
            self.load_latest()

    @on(ShowTrace)
    def open_trace(self, message: ShowTrace) -> None:
        self._wanted = True
        self.query_one(GoalList).show(message.checks)
        span = message.span_id
        first = first_difference(message.checks)
        if span is None and first is not None and message.checks[first].call is not None:
            span = message.checks[first].call.span_id  # start at the first difference
        self.load(message.trace_id, span)

    @on(GoalList.GoalChosen)
    def show_goal(self, message: GoalList.GoalChosen) -> None:
        self.goto(message.call.span_id)

    def goto(self, span_id: str, *, response: bool = False) -> bool:
        """Put the player's cursor on a call's request arrow (or its `response` arrow);
        False when the trace on screen has no such call."""
        player = self.query_one(SequencePlayer)
        for index, arrow in enumerate(player.arrows):
            if arrow.call.span_id == span_id and arrow.is_return == response:
                player.goto(index)
                return True
        return False

    def follow_stage(self, view: StageView) -> None:
        """A follower's page: the presenter's trace, the cursor on the presenter's arrow."""
        if view.trace_id is None:
            return
        self._wanted = True  # not the latest trace: the presenter's
        self.query_one(SequencePlayer).pause()  # the presenter's cursor leads
        if view.trace_id != self.trace_id:
            self.load(view.trace_id, view.span_id, view.response)
        elif view.span_id is not None and not self.goto(view.span_id, response=view.response):
            self.load(view.trace_id, view.span_id, view.response)  # the trace grew since

    @work(exclusive=True, group="trace", exit_on_error=False)
    async def load_latest(self) -> None:
        """Open the most recent trace, if there is one."""
        try:
            latest = await self.backend.latest_trace()
        except Exception:  # an unreachable sandbox is said by the app's health check
            return
        if latest is not None and self.trace_id is None and not self._wanted:
            await self._show(latest, None)

    @work(exclusive=True, group="trace", exit_on_error=False)
    async def load(self, trace_id: str, span_id: str | None = None, response: bool = False) -> None:
        """Fetch the trace and put the cursor on the chosen call (its `response` arrow)."""
        await self._show(trace_id, span_id, response)

    async def _show(self, trace_id: str, span_id: str | None, response: bool = False) -> None:
        try:
            calls = await self.backend.trace(trace_id)
        except Exception:
            self.notify(
                _("Could not open trace {trace}: the sandbox did not give it.").format(
                    trace=trace_id[:12]
                ),
                severity="error",
            )
            return
        self.trace_id = trace_id
        self.calls = sorted(calls, key=lambda c: c.started_at)
        self._steps = steps_for(self.calls)
        self.query_one(CallMap).load(self.calls)  # the mini-map draws this trace and no other
        player = self.query_one(SequencePlayer)
        player.load(self.calls)
        if span_id:
            self.goto(span_id, response=response)
        self._title(player.index)
        player.focus()

    def stage_cursor(self) -> Cursor | None:
        """The trace on screen and the arrow under the cursor, as followers are told it."""
        if self.trace_id is None:
            return None
        players = self.query(SequencePlayer)  # none yet while the screen is being put up
        arrow = players.first().current if players else None
        if arrow is None:
            return Cursor(self.trace_id, None, False)
        return Cursor(self.trace_id, arrow.call.span_id, arrow.is_return)

    def on_resize(self) -> None:
        # A map narrower than its boxes teaches nothing: give the room to the diagram.
        self.set_class(self.size.width < MAP_MIN_WIDTH, "-narrow")

    @on(SequencePlayer.ArrowChanged)
    def follow_arrow(self, message: SequencePlayer.ArrowChanged) -> None:
        self.query_one(StepCard).show(message.call, self._steps.get(message.call.span_id))
        self.query_one(CallMap).highlight(message.call)
        self._title(message.index)

    def _title(self, index: int | None) -> None:
        """`checkout · step 5 of 36 · 18 calls · buyer → Klip → Pasarloka → Bank Contoh`."""
        if self.trace_id is None:
            return
        player = self.query_one(SequencePlayer)
        story = next(iter(self._steps.values()), None)
        name = (
            story.source
            if story is not None
            else _("trace {trace}").format(trace=self.trace_id[:12])
        )
        parts = [name]
        if index is not None and player.total:
            parts.append(_("step {index} of {total}").format(index=index + 1, total=player.total))
        count = len(self.calls)
        parts.append(ngettext("{count} call", "{count} calls", count).format(count=count))
        titles = {s.name: s.title for s in self.app.services}  # type: ignore[attr-defined]
        parts.append(" → ".join(titles.get(p, p) for p in player.parties))
        self.query_one("#trace-title", Static).update(" · ".join(parts))

    @on(ServicesUpdated)
    def show_services(self, message: ServicesUpdated) -> None:
        self.query_one(CallMap).set_services(list(message.services))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A follower's page writes no file on the presenter's machine."""
        return not (action == "export" and following(self))

    def action_export(self) -> None:
        """Write the trace on screen in every export format, into the data directory."""
        if refused(self):
            return
        if not self.calls or self.trace_id is None:
            self.notify(_("No trace to export yet."), severity="warning")
            return
        folder: Path = self.app.exports_dir  # type: ignore[attr-defined]
        story = next(iter(self._steps.values()), None)
        stem = _file_name(f"{story.source}-" if story else "") + self.trace_id[:12]
        try:
            written = write_exports(self.calls, folder, stem)
        except OSError as exc:
            self.notify(
                _("Could not write the exports: {reason}").format(reason=exc.strerror or exc),
                severity="error",
            )
            return
        self.notify(
            _("Wrote {names} to {folder}").format(
                names=", ".join(path.name for path in written), folder=folder
            ),
            timeout=10,
        )


def write_exports(calls: list[HttpCall], folder: Path, stem: str) -> list[Path]:
    """The trace as Mermaid, HAR, JSON lines and OTLP/JSON files in `folder`."""
    from sandbox.trace.export import export

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt, extension in EXPORTS:
        path = folder / f"{stem}.{extension}"
        text = export(calls, fmt)
        path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        written.append(path)
    return written


def _file_name(text: str) -> str:
    """Safe for a file name on every system: letters, digits, dot, dash, underscore."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text)[:60]
