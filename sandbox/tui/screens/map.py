"""The map: institutions as boxes, every call as an arrow, the call log and the call detail."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Header, Input

from sandbox.runtime.models import CallFilter, ServiceInfo
from sandbox.trace.events import HttpCall
from sandbox.tui.backend import Backend
from sandbox.tui.clock_words import clock_note
from sandbox.tui.fault_words import failure_words
from sandbox.tui.filters import parse_filter
from sandbox.tui.footer import SCREENS, SCREENS_LABEL, StageFooter
from sandbox.tui.i18n import Lazy, TranslatedBindings, _
from sandbox.tui.messages import CallsArrived, ServicesUpdated, ShowTrace, WebhooksUpdated
from sandbox.tui.read_only import refused
from sandbox.tui.screens.compare import CompareScreen
from sandbox.tui.undelivered import counts, summary
from sandbox.tui.widgets import call_actions
from sandbox.tui.widgets.call_actions import CallActions
from sandbox.tui.widgets.call_detail import CallDetail
from sandbox.tui.widgets.call_log import CallLog
from sandbox.tui.widgets.call_map import CallMap
from sandbox.tui.widgets.call_map_load import HEAVY_PER_S, EdgeLoad, LoadPanel
from sandbox.wire.clock import ClockError, parse_duration

DETAIL_DELAY = 0.06
"""Seconds the log's cursor rests before the detail and map follow it."""
LOAD_EVERY = 0.5
"""Seconds between two redraws of the load panel (its figures are kept as calls arrive)."""
CLOCK_SECONDS = 2.0
"""How often the header's note on a virtual clock is brought up to date."""


class MapScreen(TranslatedBindings, Screen[None]):
    """Who calls whom, live; select any call to read exactly what was sent and returned."""

    CSS_PATH = "map.tcss"
    AUTO_FOCUS = "CallLog"
    HELP = Lazy("""\
# The map

Each box is an institution running as a real HTTP service on this machine, in lanes by role:
people (the buyer, a developer's script) on the far left, then the front apps, the platform
and the back-ends. Faint lines show who may call whom. The calls of the latest trace stay
drawn, one line per direction with a count and the last call's method, path and status,
coloured by outcome (green 2xx, yellow 4xx, red 5xx or failed), until the next trace begins;
the line above the boxes names it. `l` switches to the live tail: every call, fading out.

- **Call log** (bottom left): every recorded call, in the order the calls started (a caller
  above the calls it made); `f` follows the newest; `/` filters by text, `service:bank` or
  `status:4xx`; **Enter** selects a call.
- **Call detail** (bottom right): headers, bodies, timing.
- On the call under the cursor, in either: `c` copies it as curl, `h` as httpx; `t` opens
  the whole trace in the player (key 2); `e` opens it in the composer (key 6) to change it
  and send it again, signed afresh; `m` marks it (◆) and `=` on another call compares the
  two side by side (the first payment and its retry).
- **Clock**: `+` moves the institutions' clock forward (`1h`, `1d`, `25h`): tokens, virtual
  accounts and orders expire, retried webhooks arrive, each at its own time. While the clock
  is not real time, the header says so (`sandbox clock` does the rest).
""")
    FOOTER_SPARE = (SCREENS_LABEL, "log.mark_call", SCREENS)
    """Left out of a narrow footer first to last: on a follower's page at 80 columns
    `0 Follow presenter` takes the room of `m Mark`, and the screens stay."""
    BINDINGS = [
        Binding(
            "slash",
            "filter",
            Lazy("Filter"),
            id="map.filter",
            key_display="/",
            tooltip=Lazy("Filter the call log"),
        ),
        Binding(
            "escape",
            "clear_filter",
            show=False,
            id="map.clear_filter",
            tooltip=Lazy("Show every call again"),
        ),
        Binding(
            "p",
            "toggle_load",
            Lazy("Load"),
            show=False,  # the footer keeps its keys; the panel also shows by itself in a sale
            id="map.load",
            tooltip=Lazy(
                "Per edge: calls per second, p95 latency, errors, and the webhook backlog "
                "(shows by itself when traffic is heavy)"
            ),
        ),
        Binding(
            "l",
            "toggle_live_tail",
            Lazy("Live tail"),
            id="map.live_tail",
            tooltip=Lazy("Every call of any trace, fading out; again to keep the latest trace"),
        ),
        Binding(
            "plus",
            "advance_clock",
            Lazy("Clock"),
            id="map.clock",
            key_display="+",
            show=False,
            tooltip=Lazy("Move the sandbox's clock forward: 1h, 1d, 25h..."),
        ),
    ]

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend
        self.flt = CallFilter()
        self.marked: HttpCall | None = None
        """The call marked with `m`, to compare others with (the log draws it with ◆)."""
        self._settle: Timer | None = None
        self.load = EdgeLoad()
        """Per-edge figures of the last seconds, kept as calls arrive."""
        self.load_choice: bool | None = None
        """The load panel as the presenter chose with `p`; None: shown while traffic is heavy."""
        self._backlog = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield CallMap(list(self.app.services), animate=self.app.fading)  # type: ignore[attr-defined]
        yield LoadPanel(id="load")
        yield Input(placeholder=_("filter: text, service:bank, status:4xx"), id="filter")
        yield Input(placeholder=_("advance the clock by: 1h, 1d, 25h, 13mo"), id="clock")
        with Horizontal(id="lower"):
            yield CallLog(self._fetch, self._count, offered=call_actions.ALL)
            yield CallDetail(offered=call_actions.ALL)
        yield StageFooter()

    async def _fetch(self, offset: int, limit: int) -> list[HttpCall]:
        # In start order: a caller above the calls it made, though stored after them.
        return await self.backend.calls(offset, limit, self.flt, order="started")

    async def _count(self) -> int:
        return await self.backend.count(self.flt)

    def on_mount(self) -> None:
        self.app.world_reset.subscribe(self, self.forget_world)  # type: ignore[attr-defined]
        self._set_base_urls(self.app.services)  # type: ignore[attr-defined]
        self.query_one(CallLog).border_title = _("Calls")
        self.query_one(CallDetail).border_title = _("Call detail")
        self.query_one(LoadPanel).border_title = _("Load, last 5 s")
        self.set_interval(LOAD_EVERY, self.draw_load)
        if self.app.live:  # type: ignore[attr-defined]  # snapshots run without timers
            self.refresh_clock()
            self.set_interval(CLOCK_SECONDS, self.refresh_clock)

    def on_resize(self) -> None:
        # Over the map's top right corner, where the back-ends' lane leaves the most room.
        panel = self.query_one(LoadPanel)
        panel.styles.offset = (max(0, self.size.width - LoadPanel.WIDTH - 1), 1)

    @property
    def load_shown(self) -> bool:
        """The panel is on: as chosen with `p`, else while traffic is heavy."""
        if self.load_choice is not None:
            return self.load_choice
        return self.load.per_s() >= HEAVY_PER_S

    def draw_load(self) -> None:
        """Show or hide the panel and draw its figures (twice a second at most)."""
        panel = self.query_one(LoadPanel)
        shown = self.load_shown
        panel.display = shown
        if shown:
            panel.show(self.load.figures(), self._backlog)

    def action_toggle_load(self) -> None:
        """`p`: the load panel on or off (whatever the traffic)."""
        self.load_choice = not self.load_shown
        self.draw_load()

    @on(CallsArrived)
    def show_calls(self, message: CallsArrived) -> None:
        call_map = self.query_one(CallMap)
        call_map.show_calls(message.calls)
        self.load.add(message.calls)
        started = min((call.started_at for call in message.calls), default=None)
        self.query_one(CallLog).refresh_count(started_from=started)

    @on(ServicesUpdated)
    def show_services(self, message: ServicesUpdated) -> None:
        self.query_one(CallMap).set_services(list(message.services))
        self._set_base_urls(message.services)

    def _set_base_urls(self, services: Iterable[ServiceInfo]) -> None:
        """Where each institution listens, for the snippets the log and the detail copy."""
        urls = {s.name: s.url for s in services}
        self.query_one(CallLog).base_urls = urls
        self.query_one(CallDetail).base_urls = urls

    @on(WebhooksUpdated)
    def show_webhooks(self, message: WebhooksUpdated) -> None:
        self.query_one(CallMap).set_undelivered(summary(message.webhooks))
        self._backlog = counts(message.webhooks)[0]

    def on_screen_resume(self) -> None:
        self.query_one(CallMap).set_undelivered(summary(self.app.webhooks))  # type: ignore[attr-defined]
        self._backlog = counts(self.app.webhooks)[0]  # type: ignore[attr-defined]
        # Calls that arrived meanwhile may belong anywhere in start order: fetch all again.
        self.query_one(CallLog).refresh_count(started_from=-math.inf)
        self.catch_up()

    @work(exclusive=True, group="map-catch-up", exit_on_error=False)
    async def catch_up(self) -> None:
        """Back on the map, draw the latest trace: a story run on the stories screen or a tap
        in an app happened while another screen was showing, and the map keeps the picture."""
        call_map = self.query_one(CallMap)
        if call_map.live_tail:
            return
        try:
            latest = await self.backend.latest_trace()
            if latest is None or latest == call_map.trace_id:
                return
            calls = await self.backend.trace(latest)
        except Exception:  # an unreachable sandbox is said by the app's health check
            return
        if latest != call_map.trace_id:
            call_map.load(calls)

    @on(CallLog.CallHighlighted)
    def follow_cursor(self, message: CallLog.CallHighlighted) -> None:
        # Holding an arrow key moves the cursor many rows a second: draw the cursor at once
        # and the (heavier) detail and map once it rests for a moment.
        if self._settle is not None:
            self._settle.stop()
        call = message.call
        self._settle = self.set_timer(DETAIL_DELAY, lambda: self.show_call(call))

    @on(CallLog.CallSelected)
    def select_call(self, message: CallLog.CallSelected) -> None:
        self.show_call(message.call)

    def show_call(self, call: HttpCall) -> None:
        """Show one call in the detail and light its arrow on the map."""
        detail = self.query_one(CallDetail)
        detail.call = call
        # A call made because someone tapped an app face says which tap caused it.
        tap = self.app.taps.get(call.trace_id)  # type: ignore[attr-defined]
        detail.border_subtitle = _("caused by the tap: {tap}").format(tap=tap) if tap else ""
        self.query_one(CallMap).highlight(call)

    @on(CallActions.TraceRequested)
    def open_trace(self, message: CallActions.TraceRequested) -> None:
        """`t` in the log or the detail: the call's trace in the player, at that call."""
        self.app.post_message(ShowTrace(message.trace_id, message.call.span_id))

    def forget_world(self, _reset: None = None) -> None:
        """After ctrl+r: the trace on the map belongs to the old world."""
        self.query_one(CallMap).clear()
        self.load.clear()
        self.query_one(CallLog).refresh_count()

    @on(CallActions.MarkRequested)
    def mark_call(self, message: CallActions.MarkRequested) -> None:
        """`m`: mark the call to compare others with (`m` on the marked call unmarks it)."""
        same = self.marked is not None and self.marked.span_id == message.call.span_id
        self.marked = None if same else message.call
        log = self.query_one(CallLog)
        log.marked = self.query_one(CallDetail).marked = self.marked
        if self.marked is None:
            log.border_subtitle = ""
        else:  # the path is the service's text: Content, never markup
            log.border_subtitle = Content(
                _("◆ {method} {path} · = compares").format(
                    method=self.marked.method, path=self.marked.path
                )
            )

    @on(CallActions.CompareRequested)
    def compare_calls(self, message: CallActions.CompareRequested) -> None:
        """`=`: the marked call and this one, side by side."""
        if self.marked is not None and self.marked.span_id != message.call.span_id:
            self.app.push_screen(CompareScreen(self.marked, message.call))

    def action_toggle_live_tail(self) -> None:
        """Switch the map between keeping the latest trace and the fading live tail."""
        call_map = self.query_one(CallMap)
        call_map.set_live_tail(not call_map.live_tail)

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.value = ""
        box.display = False
        self._apply(CallFilter())

    @on(Input.Submitted, "#filter")
    def filter_log(self, message: Input.Submitted) -> None:
        self._apply(parse_filter(message.value))
        self.query_one(CallLog).focus()

    def _apply(self, flt: CallFilter) -> None:
        self.flt = flt
        self.query_one(CallLog).set_source(self._fetch, self._count)

    # -- the clock -------------------------------------------------------------------------

    @work(exclusive=True, group="map-clock", exit_on_error=False)
    async def refresh_clock(self) -> None:
        """Say in the header when the institutions run on a virtual clock (nothing when real)."""
        try:
            state = await self.backend.clock_state()
        except Exception:  # an unreachable sandbox is said by the app's health check
            return
        self._show_clock(state)

    def _show_clock(self, state: dict[str, Any]) -> None:
        note = clock_note(state)
        if note is None:
            self.sub_title = None  # the app's own subtitle, if any
        else:
            self.sub_title = " · ".join(t for t in (self.app.sub_title, "⏱ " + note) if t)

    def action_advance_clock(self) -> None:
        """`+`: a prompt for how far to move the clock (a presenter showing expiry)."""
        if refused(self):
            return
        box = self.query_one("#clock", Input)
        box.display = True
        box.focus()

    @on(Input.Submitted, "#clock")
    def clock_submitted(self, message: Input.Submitted) -> None:
        box = self.query_one("#clock", Input)
        box.display = False
        self.query_one(CallLog).focus()
        by = message.value.strip()
        if not by:
            return
        try:
            parse_duration(by)
        except ClockError:
            self.notify(
                _(
                    'Cannot read "{text}": write a number and a unit, e.g. 1h, 1d, 25h, 13mo.'
                ).format(text=by[:40]),
                severity="warning",
            )
            return
        self.advance_clock(by)

    @work(exclusive=True, group="map-clock-move", exit_on_error=False)
    async def advance_clock(self, by: str) -> None:
        """Jump the clock; what fell due meanwhile arrives as calls, like any other."""
        try:
            state = await self.backend.advance_clock(by)
        except Exception as exc:
            why = failure_words(exc, self.app.services)  # type: ignore[attr-defined]
            self.notify(_("The clock did not move: {why}").format(why=why), severity="warning")
            return
        self._show_clock(state)
        self.notify(_("The clock moved forward {by}.").format(by=by))
