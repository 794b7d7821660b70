"""SequencePlayer: one trace as a sequence diagram a presenter can play, pause and rewind.

It draws natively what `sandbox.trace.export.mermaid` exports: the same participants in the
same order, the same nesting of calls and returns, and the same rule for children that start
after their parent answered (drawn where they happened in time). Replaying it arrow by arrow
shows a class how one tap became a conversation between institutions; stepping back is the
point, so it works at any moment, even while playing.

Layout (columns, row text) is computed only on `load` and on resize; `render_line` then only
picks styles for the cursor and the dimmed future, so scrolling a long trace stays cheap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from sandbox.trace.events import HttpCall
from sandbox.tui.i18n import Lazy, _

LIFELINE, ACTIVE = "┊", "┃"
SOLID, DASHED = "─", "╌"
MIN_COLUMN = 6
"""Below this many cells per party the diagram scrolls sideways instead of shrinking."""
LABEL_WANT = 30
"""Cells a label asks for when sharing out the width: longer labels are shortened anyway."""

_OUTCOME_ROLES = {
    "2xx": "ok",
    "3xx": "redirect",
    "4xx": "client-error",
    "5xx": "server-error",
    "failed": "failed",
}
_ARROW_ROLES = frozenset(_OUTCOME_ROLES.values())

Runs = tuple[tuple[str, str], ...]
"""One drawn row as (text, role) runs; roles name component classes."""


@dataclass(frozen=True, slots=True)
class Arrow:
    """One row of the diagram: a call's request arrow or its response arrow."""

    call: HttpCall
    depth: int
    """Nesting depth, as the Mermaid export indents it."""
    is_return: bool


def arrange(calls: Sequence[HttpCall]) -> list[Arrow]:
    """The arrows in drawing order, nested exactly as `trace.export.mermaid` nests them.

    The Mermaid module keeps this ordering private, so it is restated here; a test checks
    that both agree arrow for arrow.
    """
    ordered = sorted(calls, key=lambda call: call.started_at)
    by_span = {call.span_id: call for call in ordered}
    children: dict[str | None, list[HttpCall]] = {}
    for call in ordered:
        children.setdefault(_drawn_parent(call, by_span), []).append(call)
    arrows: list[Arrow] = []
    drawn: set[int] = set()

    def draw(call: HttpCall, depth: int) -> None:
        drawn.add(id(call))
        arrows.append(Arrow(call, depth, False))
        for child in children.get(call.span_id, []):
            if id(child) not in drawn:
                draw(child, depth + 1)
        arrows.append(Arrow(call, depth, True))

    for call in children.get(None, []):
        draw(call, 0)
    for call in ordered:  # calls whose parent links loop (malformed data) are left
        if id(call) not in drawn:
            draw(call, 0)
    return arrows


def _drawn_parent(call: HttpCall, by_span: Mapping[str, HttpCall]) -> str | None:
    """The span a call is drawn inside: its nearest ancestor still open when it started."""
    seen = {call.span_id}
    parent = by_span.get(call.parent_id or "")
    while parent is not None and parent.span_id not in seen:
        if call.started_at <= parent.started_at + parent.duration_ms / 1000:
            return parent.span_id
        seen.add(parent.span_id)
        parent = by_span.get(parent.parent_id or "")
    return None


def parties(arrows: Iterable[Arrow]) -> list[str]:
    """Party names in order of first appearance (caller before callee), as Mermaid declares."""
    names: dict[str, None] = {}
    for arrow in arrows:
        names.setdefault(_clean(arrow.call.caller), None)
        names.setdefault(_clean(arrow.call.callee), None)
    return list(names)


def _clean(text: str) -> str:
    """Text safe for one terminal row: control characters (newlines, escapes) become spaces."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


def _fit(candidates: Sequence[str], room: int) -> str:
    """The first candidate that fits `room` cells, else the last one cut with an ellipsis."""
    if room <= 0:
        return ""
    for candidate in candidates:
        if len(candidate) <= room:
            return candidate
    return candidate[: room - 1] + "…" if room > 1 else "…"


def _request_labels(call: HttpCall) -> list[str]:
    """`METHOD /path` from longest to shortest: query dropped, then leading segments elided."""
    method, path = _clean(call.method), _clean(call.path)
    bare = path.split("?", 1)[0]
    segments = [part for part in bare.split("/") if part]
    labels = [f"{method} {path}", f"{method} {bare}"]
    return labels + [f"{method} …/{'/'.join(segments[-n:])}" for n in (2, 1) if len(segments) > n]


def _request_label(call: HttpCall, room: int) -> str:
    """The longest form of `METHOD /path` that fits; the last segment is cut before the path
    is dropped, since `POST …/create-…` still says more than `POST`."""
    labels = _request_labels(call)
    fitted = _fit(labels, room)
    if fitted in labels or room < len(_clean(call.method)) + 5:
        return fitted if fitted in labels else _fit([_clean(call.method)], room)
    return fitted


def _return_label(call: HttpCall) -> str:
    if call.status is not None:
        return str(call.status)
    return _clean(call.error or _("failed"))


def _arrow_text(label: str, length: int, body: str, head: str, pointing_right: bool) -> str:
    """An arrow of exactly `length` cells: body, centred label, head at the pointing end."""
    if length <= 1:
        return head[:length]
    inner = length - 1
    label = label[: max(0, inner - 2)]
    left = (inner - len(label)) // 2
    text = body * left + label + body * (inner - left - len(label))
    return text + head if pointing_right else head + text


def _failure_text(label: str, length: int, pointing_right: bool) -> str:
    """A dashed arrow ending in `✕ reason` at the caller: no response ever came back."""
    if length <= 0:
        return ""
    fitted = _fit([f" {label} ", label], length - 1)
    dashes = DASHED * (length - 1 - len(fitted))
    return dashes + fitted + "✕" if pointing_right else "✕" + fitted + dashes


@dataclass(frozen=True, slots=True)
class Layout:
    """Where each party's lifeline stands, and every row drawn as styled runs."""

    width: int
    centers: dict[str, int]
    header: Runs
    rows: tuple[Runs, ...]


def _centers(names: Sequence[str], arrows: Sequence[Arrow], width: int) -> dict[str, int]:
    """Lifeline columns: names get their room first, then labels between neighbours share
    what is left, so a gap nobody talks across stays narrow."""
    count = len(names)
    if width < count * MIN_COLUMN:
        return {name: i * MIN_COLUMN + MIN_COLUMN // 2 for i, name in enumerate(names)}
    index = {name: i for i, name in enumerate(names)}
    base = [len(names[0]) // 2 + 1]
    base += [(len(a) + len(b)) // 2 + 2 for a, b in zip(names, names[1:], strict=False)]
    base.append(len(names[-1]) // 2 + 1)
    wants = list(base)
    for arrow in arrows:
        left, right = sorted((index[_clean(arrow.call.caller)], index[_clean(arrow.call.callee)]))
        if right == left + 1:
            label = min(len(_request_labels(arrow.call)[1]), LABEL_WANT)
            wants[right] = max(wants[right], label + 3)
    gaps = _share(base, wants, width - 1)
    centers, edge = {}, 0.0
    for name, gap in zip(names, gaps, strict=False):
        edge += gap
        centers[name] = min(width - 1, max(0, round(edge)))
    return centers


def _share(base: Sequence[int], wants: Sequence[int], total: int) -> list[float]:
    """Gaps adding up to `total`: each its base first, then its wish, then all stretched."""
    if sum(base) >= total:
        return [b * total / sum(base) for b in base]
    extra = [w - b for w, b in zip(wants, base, strict=True)]
    if sum(wants) >= total:
        ratio = (total - sum(base)) / sum(extra)
        return [b + e * ratio for b, e in zip(base, extra, strict=True)]
    return [w * total / sum(wants) for w in wants]


def _draw_row(arrow: Arrow, centers: Mapping[str, int], active: set[str], width: int) -> Runs:
    """One arrow row: lifelines (thick where a party is serving a call) and the arrow."""
    chars = [" "] * width
    roles = ["blank"] * width
    for name, x in centers.items():
        chars[x], roles[x] = (ACTIVE, "active") if name in active else (LIFELINE, "lifeline")
    call = arrow.call
    start, end = centers[_clean(call.caller)], centers[_clean(call.callee)]
    if arrow.is_return:
        start, end = end, start
    role = _OUTCOME_ROLES.get(call.outcome, "failed")
    text, x0 = _arrow_cells(arrow, start, end, centers, width)
    for offset, ch in enumerate(text):
        if 0 <= x0 + offset < width:
            chars[x0 + offset], roles[x0 + offset] = ch, role
    return _runs(chars, roles)


def _arrow_cells(
    arrow: Arrow, start: int, end: int, centers: Mapping[str, int], width: int
) -> tuple[str, int]:
    """The arrow's text and its first column, for a call between two lifelines or to itself."""
    call = arrow.call
    if start == end:  # a party calling itself: a short loop mark beside its lifeline
        gaps = sorted(abs(x - start) for x in centers.values() if x != start)
        room = max(4, (gaps[0] if gaps else width) - 2)
        label = _return_label(call) if arrow.is_return else _request_label(call, room - 2)
        text = ("↩ " if arrow.is_return else "↻ ") + label
        return (text, start + 1) if start + 1 + len(text) <= width else (text, start - len(text))
    length = abs(end - start) - 1
    right = end > start
    if arrow.is_return and call.status is None:
        text = _failure_text(_return_label(call), length, right)
    elif arrow.is_return:
        label = _fit([f" {_return_label(call)} "], max(0, length - 3))
        text = _arrow_text(label, length, DASHED, "▶" if right else "◀", right)
    else:
        label = _request_label(call, max(0, length - 3))
        text = _arrow_text(label, length, SOLID, "▶" if right else "◀", right)
    return text, min(start, end) + 1


def _runs(chars: Sequence[str], roles: Sequence[str]) -> Runs:
    """Adjacent cells with the same role merged into one run."""
    runs: list[tuple[str, str]] = []
    for ch, role in zip(chars, roles, strict=True):
        if runs and runs[-1][1] == role:
            runs[-1] = (runs[-1][0] + ch, role)
        else:
            runs.append((ch, role))
    return tuple(runs)


def _header(centers: Mapping[str, int], width: int) -> Runs:
    """Party names centred over their lifelines, shortened to the space between neighbours."""
    xs = sorted(centers.values())
    chars = [" "] * width
    for name, x in centers.items():
        gaps = [abs(other - x) for other in xs if other != x]
        label = _fit([name], min(gaps) - 1 if gaps else width)
        left = min(max(0, x - (len(label) - 1) // 2), max(0, width - len(label)))
        chars[left : left + len(label)] = label
    return _runs(chars[:width], ["header"] * width)


def layout(arrows: Sequence[Arrow], width: int) -> Layout:
    """Everything drawn for `arrows` at `width` cells; styles are chosen later, per frame."""
    names = parties(arrows)
    if not names:
        return Layout(width, {}, (), ())
    centers = _centers(names, arrows, width)
    width = max(width, len(names) * MIN_COLUMN)
    open_calls: dict[str, int] = {}
    rows = []
    for arrow in arrows:
        callee = _clean(arrow.call.callee)
        if not arrow.is_return:
            open_calls[callee] = open_calls.get(callee, 0) + 1
        active = {name for name, count in open_calls.items() if count > 0}
        rows.append(_draw_row(arrow, centers, active, width))
        if arrow.is_return:
            open_calls[callee] = open_calls.get(callee, 1) - 1
    return Layout(width, centers, _header(centers, width), tuple(rows))


class SequencePlayer(ScrollView, can_focus=True):
    """One trace as lifelines and arrows, with a cursor that plays, pauses and rewinds."""

    HELP = Lazy("""\

## Sequence player

One trace drawn as a sequence diagram: a column per party, a solid arrow per request and a
dashed arrow back per response (`✕` when none came back).

- **space** plays or pauses; while playing, arrows not reached yet are dimmed.
- **→ / l** and **← / h** step one arrow (stepping pauses the replay).
- **home / end** jump to the first or last arrow.
""")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "space",
            "play_pause",
            Lazy("Play/pause"),
            id="sequence.play",
            tooltip=Lazy("Replay the trace one arrow at a time, or pause it"),
        ),
        Binding(
            "right,l",
            "step(1)",
            Lazy("Step"),
            id="sequence.step_forward",
            tooltip=Lazy("Show the next arrow (pauses the replay)"),
        ),
        Binding(
            "left,h",
            "step(-1)",
            Lazy("Back", "trace player"),
            id="sequence.step_back",
            tooltip=Lazy("Rewind one arrow (pauses the replay)"),
        ),
        Binding(
            "home",
            "first",
            Lazy("First"),
            id="sequence.first",
            show=False,
            tooltip=Lazy("Rewind to the first arrow"),
        ),
        Binding(
            "end",
            "last",
            Lazy("Last"),
            id="sequence.last",
            show=False,
            tooltip=Lazy("Jump to the last arrow"),
        ),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "sequence-player--header",
        "sequence-player--lifeline",
        "sequence-player--active",
        "sequence-player--ok",
        "sequence-player--redirect",
        "sequence-player--client-error",
        "sequence-player--server-error",
        "sequence-player--failed",
        "sequence-player--cursor",
        "sequence-player--future",
        "sequence-player--empty",
    }

    DEFAULT_CSS = """
    SequencePlayer {
        height: 1fr;
        scrollbar-size-vertical: 1;
        & > .sequence-player--header { text-style: bold; color: $text; }
        & > .sequence-player--lifeline { color: $text-muted; }
        & > .sequence-player--active { color: $foreground; }
        & > .sequence-player--ok { color: $text-success; }
        & > .sequence-player--redirect { color: $text-primary; }
        & > .sequence-player--client-error { color: $text-warning; }
        & > .sequence-player--server-error { color: $text-error; text-style: bold; }
        & > .sequence-player--failed { color: $text-error; text-style: bold; }
        & > .sequence-player--cursor { text-style: reverse bold; }
        & > .sequence-player--future { color: $text-disabled; text-style: none; }
        & > .sequence-player--empty { color: $text-muted; text-style: italic; }
    }
    """

    interval: var[float] = var(0.8)
    """Seconds each arrow stays current while playing."""
    replaying: var[bool] = var(False, init=False)
    """True from `play()` or a step until `load()`: arrows after the cursor are dimmed."""

    class ArrowChanged(Message):
        """The cursor moved to another arrow (posted on load, steps, play and goto)."""

        def __init__(
            self,
            call: HttpCall,
            index: int,
            total: int,
            is_return: bool,
            *,
            player: SequencePlayer | None = None,
        ) -> None:
            super().__init__()
            self.call = call
            """The call whose request or response arrow is now current."""
            self.index = index
            """0-based position among all arrows (two per call)."""
            self.total = total
            self.is_return = is_return
            """True for the response arrow, False for the request arrow."""
            self.player = player
            """The player that moved, for `@on(..., "#id")` selectors."""

        @property
        def control(self) -> SequencePlayer | None:
            """The player that posted this message."""
            return self.player

        def can_replace(self, message: Message) -> bool:
            """Only the newest position of one player matters to whoever shows it."""
            return isinstance(message, SequencePlayer.ArrowChanged) and (
                message.player is self.player
            )

    def __init__(
        self,
        calls: Sequence[HttpCall] = (),
        *,
        empty_text: str | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._empty_text = empty_text
        """Shown when there is no trace; None: the catalogue's `sequence.empty`."""
        self._arrows: list[Arrow] = []
        self._layout = layout([], 0)
        self._cursor = 0
        self._timer: Timer | None = None
        self._strips: dict[tuple[int, str], Strip] = {}
        if calls:
            self.load(list(calls))

    @property
    def arrows(self) -> list[Arrow]:
        """Every arrow in drawing order (a copy)."""
        return list(self._arrows)

    @property
    def parties(self) -> list[str]:
        """Column names, left to right."""
        return list(self._layout.centers) or parties(self._arrows)

    @property
    def index(self) -> int | None:
        """The current arrow's position, or None when there is nothing to show."""
        return self._cursor if self._arrows else None

    @property
    def total(self) -> int:
        """How many arrows the trace has (two per call)."""
        return len(self._arrows)

    @property
    def current(self) -> Arrow | None:
        """The highlighted arrow."""
        return self._arrows[self._cursor] if self._arrows else None

    @property
    def playing(self) -> bool:
        """True while the cursor advances on its own."""
        return self._timer is not None

    def load(self, calls: list[HttpCall]) -> None:
        """Show a new trace from its first arrow, fully drawn (not replaying)."""
        self.pause()
        self._arrows = arrange(calls)
        self._cursor = 0
        self.set_reactive(SequencePlayer.replaying, False)
        self._relayout()
        self.scroll_to(y=0, animate=False)
        self._announce()

    def play(self) -> None:
        """Advance one arrow per `interval`; from the start again when at the last arrow."""
        if not self._arrows or self.playing:
            return
        if self._cursor >= len(self._arrows) - 1:
            self._move(0)
        self.replaying = True
        self._timer = self.set_interval(self.interval, self.advance)

    def pause(self) -> None:
        """Stop advancing; the cursor stays where it is."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def toggle(self) -> None:
        """Play when paused, pause when playing."""
        if self.playing:
            self.pause()
        else:
            self.play()

    def step(self, delta: int) -> None:
        """Move `delta` arrows (+1 forward, -1 back); a step pauses: the person took over."""
        self.pause()
        if self._arrows:
            self.replaying = True
            self._move(self._cursor + delta)

    def goto(self, index: int) -> None:
        """Make arrow `index` current (clamped), without changing play or replay state."""
        self._move(index)

    def advance(self) -> None:
        """One tick of playing: the next arrow, pausing on the last one."""
        self._move(self._cursor + 1)
        if self._cursor >= len(self._arrows) - 1:
            self.pause()

    def action_play_pause(self) -> None:
        """Play or pause."""
        self.toggle()

    def action_step(self, delta: int) -> None:
        """Step forward or back."""
        self.step(delta)

    def action_first(self) -> None:
        """Rewind to the first arrow."""
        self.step(-len(self._arrows))

    def action_last(self) -> None:
        """Jump to the last arrow."""
        self.step(len(self._arrows))

    def watch_interval(self) -> None:
        if self._timer is not None:
            self.pause()
            self._timer = self.set_interval(self.interval, self.advance)

    def watch_replaying(self) -> None:
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._relayout()
        self._scroll_to_cursor()

    def on_click(self, event: events.Click) -> None:
        """Clicking an arrow row makes it current (and pauses, like a step)."""
        row = event.y + self.scroll_offset.y - 1
        if event.y >= 1 and 0 <= row < len(self._arrows):
            self.step(row - self._cursor)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def _move(self, index: int) -> None:
        if not self._arrows:
            return
        index = max(0, min(index, len(self._arrows) - 1))
        if index == self._cursor:
            return
        self._cursor = index
        self.refresh()
        self._scroll_to_cursor()
        self._announce()

    def _announce(self) -> None:
        if self._arrows:
            arrow = self._arrows[self._cursor]
            total = len(self._arrows)
            call, is_return = arrow.call, arrow.is_return
            self.post_message(self.ArrowChanged(call, self._cursor, total, is_return, player=self))

    def _relayout(self) -> None:
        width = self.scrollable_content_region.width
        self._layout = layout(self._arrows, width)
        self._strips.clear()
        height = len(self._layout.rows) + 1 if self._arrows else 0
        self.virtual_size = Size(self._layout.width, height)
        self.refresh()

    def _scroll_to_cursor(self) -> None:
        """Keep the current arrow in view, with a little context around it when there is room."""
        view = self.scrollable_content_region.height - 1
        if view <= 0 or not self._arrows:
            return
        margin = min(2, (view - 1) // 2)
        top = round(self.scroll_offset.y)
        if self._cursor - margin < top:
            self.scroll_to(y=max(0, self._cursor - margin), animate=False)
        elif self._cursor + margin >= top + view:
            self.scroll_to(y=self._cursor + margin - view + 1, animate=False)

    def render_line(self, y: int) -> Strip:
        """The header on the first line, then arrow rows from the scroll position."""
        width = self.scrollable_content_region.width
        scroll_x, scroll_y = self.scroll_offset
        if not self._arrows:
            return self._empty_line(y, width)
        if y == 0:
            strip = self._strip(-1, self._layout.header, "header")
        else:
            row = scroll_y + y - 1
            if row >= len(self._layout.rows):
                return Strip.blank(width, self.rich_style)
            strip = self._strip(row, self._layout.rows[row], self._row_mode(row))
        return strip.crop_extend(scroll_x, scroll_x + width, self.rich_style)

    def _row_mode(self, row: int) -> str:
        if row == self._cursor:
            return "cursor"
        return "future" if self.replaying and row > self._cursor else "normal"

    def _strip(self, row: int, runs: Runs, mode: str) -> Strip:
        key = (row, mode)
        if key not in self._strips:
            self._strips[key] = Strip([Segment(text, self._style(r, mode)) for text, r in runs])
        return self._strips[key]

    def _style(self, role: str, mode: str) -> Style:
        base = self.get_component_rich_style(f"sequence-player--{role}", default=self.rich_style)
        if role not in _ARROW_ROLES or mode == "normal":
            return base
        if mode == "future":
            return self.get_component_rich_style("sequence-player--future")
        return base + self.get_component_rich_style("sequence-player--cursor", partial=True)

    def _empty_line(self, y: int, width: int) -> Strip:
        if y != 0:
            return Strip.blank(width, self.rich_style)
        style = self.get_component_rich_style("sequence-player--empty")
        return Strip(
            [Segment(_fit([self._empty_text or _("No calls to show.")], width), style)]
        ).crop_extend(0, width, self.rich_style)
