"""The trace player: one conversation between institutions, replayed and rewound arrow by arrow."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from sandbox.tui.backend import Backend
from sandbox.tui.i18n import Lazy, TranslatedBindings, _
from sandbox.tui.messages import ServicesUpdated, ShowTrace
from sandbox.tui.widgets.call_detail import CallDetail
from sandbox.tui.widgets.call_map import CallMap
from sandbox.tui.widgets.sequence import SequencePlayer

MAP_MIN_WIDTH = 120


class TraceScreen(TranslatedBindings, Screen[None]):
    """A sequence diagram of one trace; the map and the detail follow the current arrow."""

    CSS_PATH = "trace.tcss"
    HELP = Lazy("""\
# The trace player

One user action (a tap on Buy, an account opening) causes a chain of calls between
institutions: one trace. Here it is drawn as a sequence diagram: a column per party, an arrow
per call and a dashed arrow per answer.

- **space** plays or pauses; **→** / **←** step forward and back (rewind any time);
  **Home** / **End** jump to the first or last arrow.
- The map and the call detail follow the current arrow.
- Open a trace from the map: select a call, then press `t`.
""")

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Select a call and press t to open its trace."), id="trace-title")
        yield SequencePlayer()
        with Vertical(id="side"):
            yield CallMap(list(self.app.services), animate=False)  # type: ignore[attr-defined]
            yield CallDetail()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(SequencePlayer).focus()

    @on(ShowTrace)
    def open_trace(self, message: ShowTrace) -> None:
        self.load(message.trace_id, message.span_id)

    @work(exclusive=True, group="trace", exit_on_error=False)
    async def load(self, trace_id: str, span_id: str | None = None) -> None:
        """Fetch the trace and put the cursor on the chosen call."""
        try:
            calls = await self.backend.trace(trace_id)
        except Exception as exc:
            self.notify(
                _("{what} failed: {reason}").format(what=trace_id[:12], reason=str(exc)),
                severity="error",
            )
            return
        player = self.query_one(SequencePlayer)
        self.query_one(CallMap).load(calls)  # the mini-map draws this trace and no other
        player.load(calls)
        parties = list(dict.fromkeys([c.caller for c in calls] + [c.callee for c in calls]))
        self.query_one("#trace-title", Static).update(
            _("trace {trace}… · {count} · {parties}").format(
                trace=trace_id[:12], count=len(calls), parties=" → ".join(parties)
            )
        )
        if span_id:
            for index, arrow in enumerate(player.arrows):
                if arrow.call.span_id == span_id and not arrow.is_return:
                    player.goto(index)
                    break
        player.focus()

    def on_resize(self) -> None:
        # A map narrower than its boxes teaches nothing: give the room to the diagram.
        self.query_one("#side CallMap").display = self.size.width >= MAP_MIN_WIDTH

    @on(SequencePlayer.ArrowChanged)
    def follow_arrow(self, message: SequencePlayer.ArrowChanged) -> None:
        self.query_one(CallDetail).call = message.call
        self.query_one(CallMap).highlight(message.call)

    @on(ServicesUpdated)
    def show_services(self, message: ServicesUpdated) -> None:
        self.query_one(CallMap).set_services(list(message.services))
