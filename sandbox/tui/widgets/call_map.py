"""The call map: institutions in lanes, and the current trace's calls kept drawn between them.

It is what a room watches on the projector, and the room talks about a story after it ran, so
the map keeps the picture: every call of the trace on screen stays drawn, each direction
between two parties its own edge with a count and the last call's method, path and status,
until the next trace begins. Faint edges beneath show who may call whom. A caption names the
trace ("checkout · 18 calls · buyer → Klip → Pasarloka → Bank Contoh"). The live tail (`l` on
the map screen) is the other way to watch: every call of any trace, fading out.

The widget is thin: `sandbox.tui.stage` lays out, routes and draws into a character canvas
with style names; here those names become colours from the theme, and events become messages.

Colours come from the theme (`sandbox.tui.themes`). Outcome colours are component classes
(`call-map--2xx` is `$text-success`, ...). Each institution's accent is a theme variable
`svc-<name>` with a fallback `svc-default`; the app merges `SERVICE_COLORS` into its theme
variable defaults, and each theme tunes them to be readable on its background.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.color import Color, ColorParseError
from textual.geometry import Offset, Region
from textual.message import Message
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget

from sandbox.runtime.models import ServiceInfo
from sandbox.trace.events import HttpCall
from sandbox.tui.i18n import Lazy, _, ngettext, role_text
from sandbox.tui.stage.canvas import Canvas
from sandbox.tui.stage.geometry import Rect
from sandbox.tui.stage.labels import edge_label
from sandbox.tui.stage.layout import PEOPLE, Party, lay_out, short_names
from sandbox.tui.stage.picture import Picture, same_kind
from sandbox.tui.stage.scene import Line, Stage
from sandbox.tui.themes import SERVICE_COLORS
from sandbox.tui.widgets.box_looks import box_look

MAX_ARROWS = 6
"""Arrows the live tail keeps at once (the newest win)."""
_LIT_SECONDS = 0.5
"""How long an edge that just carried a call stays bold."""
_FADE_STEPS = 4
_OUTCOMES = ("2xx", "3xx", "4xx", "5xx", "failed")


@dataclass(frozen=True, slots=True)
class DrawnArrow:
    """Where one edge is drawn (for tests and for hit-testing)."""

    call: HttpCall
    """The edge's last call (or the highlighted one)."""
    cells: tuple[Offset, ...]
    label: str
    label_region: Region | None
    count: int = 1


@dataclass(slots=True)
class _TailEdge:
    call: HttpCall
    born: float
    count: int = 1
    mixed: bool = False


def _key(call: HttpCall) -> tuple[str, str]:
    return call.trace_id, call.span_id


class CallMap(Widget):
    """Institutions in lanes; the calls of the trace on screen as edges between them."""

    DEFAULT_CSS = """
    CallMap {
        height: 1fr;
        & > .call-map--2xx { color: $text-success; }
        & > .call-map--3xx { color: $text-primary; }
        & > .call-map--4xx { color: $text-warning; }
        & > .call-map--5xx { color: $text-error; }
        & > .call-map--failed { color: $text-error; }
        & > .call-map--ok { color: $text-success; }
        & > .call-map--down { color: $text-error; }
        & > .call-map--muted { color: $stage-muted; }
        & > .call-map--caption { color: $stage-muted; }
        & > .call-map--offline { color: $stage-muted; text-style: bold; }
        & > .call-map--fault { color: $text-warning; text-style: bold; }
        & > .call-map--people { color: $foreground; }
        & > .call-map--highlight { text-style: bold reverse; }
    }
    """
    COMPONENT_CLASSES = {
        "call-map--2xx",
        "call-map--3xx",
        "call-map--4xx",
        "call-map--5xx",
        "call-map--failed",
        "call-map--ok",
        "call-map--down",
        "call-map--muted",
        "call-map--caption",
        "call-map--offline",
        "call-map--fault",
        "call-map--people",
        "call-map--highlight",
    }
    HELP = Lazy("""\

## Call map

Each box is an institution, in lanes by role: people on the far left, the front apps they
touch, the platform that owns the transaction, the back-ends behind it. Faint lines show who
may call whom. The calls of one trace stay drawn until the next trace begins: one line per
direction between two parties, labelled with how many calls it carried and the last one's
`METHOD /path status`, green when it succeeded, yellow when refused (4xx), red when it failed
(5xx, or dashed with ✕ when no answer came). The line above the boxes names the trace.
`l` switches to the live tail: every call of any trace, fading out. Click a box to see its calls.
""")

    class ServiceSelected(Message):
        """The user clicked an institution's box."""

        def __init__(self, name: str, call_map: CallMap | None = None) -> None:
            super().__init__()
            self.name = name
            """Service slug of the clicked box."""
            self.call_map = call_map

        @property
        def control(self) -> CallMap | None:
            """The map that was clicked."""
            return self.call_map

    def __init__(
        self,
        services: Iterable[ServiceInfo] = (),
        *,
        animate: bool = True,
        live_tail: bool = False,
        max_arrows: int = MAX_ARROWS,
        lifetime: float = 2.5,
        clock: Callable[[], float] = time.monotonic,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """Args:
        services: The institutions to draw.
        animate: A new call's edge lights up, and the live tail fades (False: steady, for
            snapshots).
        live_tail: Start in the live tail (every call, fading) instead of the trace.
        max_arrows: How many edges the live tail shows at once (the newest win).
        lifetime: Seconds from a call lighting up in the live tail to its disappearing.
        clock: Time source (tests pass a fake one).
        """
        super().__init__(name=name, id=id, classes=classes)
        self._services: tuple[ServiceInfo, ...] = tuple(services)
        self._people: list[str] = []
        self._picture = Picture()
        self._tail: OrderedDict[tuple[str, str], _TailEdge] = OrderedDict()
        self._lit: dict[tuple[str, str], float] = {}
        self._highlight: HttpCall | None = None
        self._undelivered = ""
        self._animated = animate
        self._live_tail = live_tail
        self._max_arrows = max(1, max_arrows)
        self._lifetime = lifetime
        self._clock = clock
        self._stage: Stage | None = None
        self._stage_key: object = None
        self._strips: list[Strip] | None = None
        self._drawn: tuple[DrawnArrow, ...] = ()
        self._levels: tuple[int, ...] = ()
        self._styles: dict[str, Style] = {}
        self._timer: Timer | None = None

    # -- public API --

    @property
    def boxes(self) -> dict[str, Region]:
        """Each party's box in content coordinates (services by slug, plus `PEOPLE`)."""
        stage = self._ensure_stage()
        return {name: Region(*rect) for name, rect in stage.layout.boxes.items()}

    @property
    def arrows(self) -> tuple[DrawnArrow, ...]:
        """The edges drawn now, the most prominent last."""
        if self._strips is None:
            self._strips = self._draw()
        return self._drawn

    @property
    def people(self) -> tuple[str, ...]:
        """Callers that are not services, in order of their first call."""
        return tuple(self._people)

    @property
    def compact(self) -> bool:
        """True when boxes show short names (narrower than 100 columns, or too little room)."""
        return self._ensure_stage().layout.compact

    @property
    def highlighted(self) -> HttpCall | None:
        """The call kept lit (the player's current arrow, a lesson's failed expectation)."""
        return self._highlight

    @property
    def live_tail(self) -> bool:
        """True while the map shows every call fading out instead of keeping the trace."""
        return self._live_tail

    @property
    def trace_id(self) -> str | None:
        """The trace on the map (None in the live tail or before any call)."""
        return None if self._live_tail else self._picture.trace_id

    @property
    def caption(self) -> str:
        """The line above the boxes: which trace is drawn, how many calls, who took part, and
        the webhooks not delivered, if any."""
        said = self._trace_caption()
        return f"{said} · {self._undelivered}" if self._undelivered else said

    def _trace_caption(self) -> str:
        if self._live_tail:
            return _(
                "Live tail: every call, fading out after {seconds} s (l: keep the trace)"
            ).format(seconds=f"{self._lifetime:g}")
        picture = self._picture
        if not picture.calls:
            return _("No calls yet: run a story (5) or tap in an app (3)")
        first = min(picture.calls, key=lambda c: c.started_at)
        name = picture.story() or f"{first.method} {first.path.split('?', 1)[0]}"
        titles = {s.name: s.title for s in self._services}
        parties = " → ".join(titles.get(p, p) for p in picture.parties())
        count = len(picture.calls)
        calls = ngettext("{count} call", "{count} calls", count).format(count=count)
        return f"{name} · {calls} · {parties}"

    def set_undelivered(self, summary: str) -> None:
        """What the caption adds about webhooks not delivered (`✉ 1 webhook given up`)."""
        if summary != self._undelivered:
            self._undelivered = summary
            self.refresh()

    def set_services(self, services: Iterable[ServiceInfo]) -> None:
        """Show new service state (health, counts, faults); re-lays out only if the set changed."""
        fresh = tuple(services)
        if fresh == self._services:
            return  # the app polls every second: an unchanged map is not redrawn
        self._services = fresh
        names = {service.name for service in fresh}
        self._people = [person for person in self._people if person not in names]
        self._changed()

    def set_live_tail(self, on: bool) -> None:
        """Switch between keeping the trace (off) and the fading live tail (on)."""
        if on == self._live_tail:
            return
        self._live_tail = on
        self._tail.clear()
        self._lit.clear()
        self._highlight = None
        self._changed()
        self._wake()

    def show_call(self, call: HttpCall) -> None:
        """Take in a new call: into the trace's picture (a new trace replaces it), or the tail."""
        self.show_calls([call])

    def show_calls(self, calls: Sequence[HttpCall]) -> None:
        """Take in a batch of calls (the screen drains the live stream ten times a second)."""
        now = self._clock()
        changed = False
        for call in calls:
            if self._party(call.caller) == self._party(call.callee):
                continue
            self._meet(call)
            key = (call.caller, call.callee)
            if self._live_tail:
                edge = self._tail.pop(key, None)
                mixed = edge is not None and (edge.mixed or not same_kind(call, edge.call))
                self._tail[key] = _TailEdge(call, now, edge.count + 1 if edge else 1, mixed)
                while len(self._tail) > self._max_arrows:
                    self._tail.popitem(last=False)
                changed = True
            else:
                before = self._picture.trace_id
                if self._picture.add(call):
                    if self._picture.trace_id != before:
                        self._lit.clear()
                        self._highlight = None
                    self._lit[key] = now
                    changed = True
        if changed:
            self._changed()
            self._wake()

    def load(self, calls: Iterable[HttpCall]) -> None:
        """Show exactly these calls, one trace as the player or a lesson step shows it."""
        found = list(calls)
        for call in sorted(found, key=lambda c: c.started_at):
            self._meet(call)
        self._picture.load(found)
        self._tail.clear()
        self._lit.clear()
        self._highlight = None
        self._changed()

    def highlight(self, call: HttpCall | None) -> None:
        """Keep `call`'s edge lit and dim the rest (None: back to normal)."""
        if (
            call is not None
            and not self._live_tail
            and all(_key(c) != _key(call) for c in self._picture.calls)
        ):
            self.show_calls([call])
        self._highlight = call
        self._changed()

    def clear(self) -> None:
        """Remove every edge (the boxes and people stay)."""
        if not self._picture.calls and not self._tail and self._highlight is None:
            return  # nothing to remove: spare the redraw (a lesson clears on every step)
        self._picture.clear()
        self._tail.clear()
        self._lit.clear()
        self._highlight = None
        self._changed()

    def tick(self) -> None:
        """Let lit edges settle and the live tail fade; the timer calls this five times a second."""
        if not self._animated:
            return
        now = self._clock()
        if self._live_tail:
            alive = [k for k, e in self._tail.items() if now - e.born < self._lifetime]
            if len(alive) != len(self._tail):
                self._tail = OrderedDict((k, self._tail[k]) for k in alive)
                self._strips = None
        self._lit = {k: born for k, born in self._lit.items() if now - born < _LIT_SECONDS}
        if self._strips is not None and self._current_levels(now) != self._levels:
            self._strips = None
        if self._strips is None:
            self.refresh()
        if not self._tail and not self._lit and self._timer is not None:
            self._timer.pause()

    # -- Textual hooks --

    def on_mount(self) -> None:
        if self._animated:
            self._timer = self.set_interval(0.2, self.tick, pause=True)
        self.watch(self.app, "theme", self._theme_changed, init=False)

    def on_resize(self, event: events.Resize) -> None:
        self._changed()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        for name, region in self.boxes.items():
            if name != PEOPLE and region.contains(offset.x, offset.y):
                self.post_message(self.ServiceSelected(name, self))
                return

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._strips = None

    def render_line(self, y: int) -> Strip:
        if self._strips is None:
            self._strips = self._draw()
        if 0 <= y < len(self._strips):
            return self._strips[y]
        return Strip.blank(self.size.width, self.rich_style)

    # -- internals --

    def _theme_changed(self) -> None:
        self._styles.clear()
        self._changed()

    def _wake(self) -> None:
        if self._animated and self._timer is not None:
            self._timer.resume()

    def _meet(self, call: HttpCall) -> None:
        for person in (call.caller, call.callee):
            if self._party(person) == PEOPLE and person not in self._people:
                self._people.append(person)

    def _party(self, name: str) -> str:
        """The box a caller or callee is drawn in."""
        return name if any(s.name == name for s in self._services) else PEOPLE

    def _changed(self) -> None:
        self._strips = None
        self.refresh()

    def _parties(self) -> list[Party]:
        short = short_names([(s.name, s.title) for s in self._services])
        # Boxes are sized for counts of up to two digits, so the slug usually stays in view.
        counts = len(_("in {calls_in} · out {calls_out}").format(calls_in=99, calls_out=99))
        return [
            Party(
                s.name,
                s.lane or ("front" if s.side == "front" else "back"),
                s.title,
                short[s.name],
                role_text(s.role, s.kind),
                len(s.name) + 3 + counts,
            )
            for s in self._services
        ]

    def _ensure_stage(self) -> Stage:
        """The layout and routes for the current size, services and people (kept until one
        of them changes: routing is the expensive part of drawing)."""
        width, height = self.size
        shape = tuple(
            (s.name, s.lane, s.side, s.title, s.role, s.calls, s.public) for s in self._services
        )
        # People join one at a time: a new one gets a row, and moves nothing, until the
        # people box must grow.
        key = (width, height, shape, bool(self._people), max(3, len(self._people)))
        if self._stage is not None and key == self._stage_key:
            self._stage.meet(self._people)
            return self._stage
        names = {s.name for s in self._services}
        may = [(s.name, callee) for s in self._services for callee in s.calls if callee in names]
        public = [(PEOPLE, s.name) for s in self._services if s.public]
        layout = lay_out(self._parties(), self._people, width, height, edges=may + public, top=1)
        # Compact maps show only the calls: faint edges would fill the little room there is.
        self._stage = Stage(
            layout, width, height, () if layout.compact else may, reserved=[Rect(0, 0, width, 1)]
        )
        self._stage_key = key
        return self._stage

    def _mixed(self, key: tuple[str, str]) -> bool:
        """True when the edge's calls went to more than one method and path."""
        edge = self._tail.get(key) if self._live_tail else self._picture.edges.get(key)
        return edge is not None and edge.mixed

    def _current_levels(self, now: float) -> tuple[int, ...]:
        return tuple(level for level, _ in self._edges(now))

    def _edges(self, now: float) -> list[tuple[int, tuple[HttpCall, int, tuple[str, str]]]]:
        """(level, (call, count, key)) per edge: 0 just lit, 1 steady, 2.. fading, -1 the
        highlighted call's edge; a highlight dims the others to the last level."""
        found: list[tuple[int, tuple[HttpCall, int, tuple[str, str]]]] = []
        hl = self._highlight
        hl_key = (hl.caller, hl.callee) if hl is not None else None
        if self._live_tail:
            for key, edge in self._tail.items():
                age = now - edge.born
                if not self._animated:
                    level = 1
                elif age < _LIT_SECONDS:
                    level = 0
                else:
                    share = (age - _LIT_SECONDS) / max(0.01, self._lifetime - _LIT_SECONDS)
                    level = min(_FADE_STEPS, 1 + int(share * _FADE_STEPS))
                found.append((level, (edge.call, edge.count, key)))
        else:
            for key, pedge in self._picture.edges.items():
                level = 0 if self._animated and key in self._lit else 1
                found.append((level, (pedge.last, pedge.count, key)))
        if hl is not None:
            found = [
                (-1 if key == hl_key else _FADE_STEPS, (hl if key == hl_key else c, n, key))
                for _, (c, n, key) in found
            ]
        return found

    def _draw(self) -> list[Strip]:
        width, height = self.size
        if width <= 0 or height <= 0:
            self._drawn = ()
            return []
        stage = self._ensure_stage()
        canvas = Canvas(width, height)
        canvas.text(1, 0, self.caption, "caption", width - 2)
        looks = {s.name: box_look(s) for s in self._services}
        stage.draw_boxes(canvas, self._parties(), looks, self._people, _("people"))
        now = self._clock()
        edges = self._edges(now)
        self._levels = tuple(level for level, _ in edges)
        # Faded first, the newest and the highlighted last (on top, and first to a label).
        order = sorted(range(len(edges)), key=lambda i: (edges[i][0] == -1, -edges[i][0], i))
        failed = _("failed")
        lines = []
        for i in order:
            level, (call, count, key) = edges[i]
            outcome = call.outcome if call.outcome in _OUTCOMES else "failed"
            several = (
                ngettext("{count} call, last", "{count} calls, last", count).format(count=count)
                if self._mixed(key)
                else None
            )
            lines.append(
                Line(
                    key[0],
                    key[1],
                    f"edge-{outcome}-{level}",
                    edge_label(call, count, failed, several),
                    dashed=call.status is None,
                )
            )
        drawn = stage.draw_edges(canvas, lines)
        self._drawn = tuple(
            DrawnArrow(
                edges[i][1][0],
                tuple(Offset(x, y) for x, y in d.cells),
                d.label,
                Region(*d.label_region) if d.label_region else None,
                edges[i][1][1],
            )
            for i, d in zip(order, drawn, strict=True)
        )
        return [
            Strip([Segment(text, self._style(name)) for text, name in row], width)
            for row in canvas.rows()
        ]

    # -- styles --

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self._make_style(name)
        return style

    def _component(self, component: str) -> Style:
        return self.rich_style + self.get_component_rich_style(component, partial=True)

    def _make_style(self, name: str) -> Style:
        if name == "":
            return self.rich_style
        if name.startswith(("box-", "title-")):
            kind, _, service = name.partition("-")
            accent = self._accent(service)
            return accent + Style(bold=True) if kind == "title" else accent
        label = name.startswith("label-")
        if label:
            name = name[len("label-") :]
        if name.startswith("edge-"):
            _, outcome, level = name.split("-", 2)
            return self._edge_style(outcome, int(level), label)
        if name == "faint":
            return self._faded(self._component("call-map--muted"), 0.6)
        return self._component(f"call-map--{name}")

    def _edge_style(self, outcome: str, level: int, label: bool) -> Style:
        """Outcome colour: bold while lit, reversed when highlighted, faded when dimmed."""
        style = self._component(f"call-map--{outcome}")
        if level == -1:
            style += Style(bold=True)
            if label:
                style += self.get_component_rich_style("call-map--highlight", partial=True)
            return style
        if level == 0:
            return style + Style(bold=True)
        if level == 1:
            return style
        return self._faded(style, 0.7 * (level - 1) / (_FADE_STEPS - 1))

    def _faded(self, style: Style, share: float) -> Style:
        """`style` with its colour blended `share` of the way towards the background."""
        background = self.rich_style.bgcolor
        if style.color is None or background is None:
            return style + Style(dim=True)
        faded = Color.from_rich_color(style.color).blend(Color.from_rich_color(background), share)
        return style + Style(color=faded.rich_color)

    def _accent(self, name: str) -> Style:
        """The institution's `$svc-<name>` colour (or `$svc-default`)."""
        variables = getattr(self.app, "theme_variables", None) or {}
        for key in (f"svc-{name}", "svc-default"):
            value = variables.get(key) or SERVICE_COLORS.get(key)
            if value:
                try:
                    return self.rich_style + Style(color=Color.parse(value).rich_color)
                except ColorParseError:
                    continue
        return self.rich_style
