"""The call map: institutions as boxes, and each recent call as an arrow from caller to callee.

It is what a room watches on the projector, so it favours "who calls whom" over detail: front
apps on the left, back-ends on the right, people (personas, `external`) in a small box on the far
left, and at most a handful of arrows at once, each in its own lane with its own label.

One widget draws everything into a character canvas (`render_line` returns cached strips), and
the canvas is rebuilt only when something changes: never one widget per arrow or per box.

Colours come from the theme. Outcome colours are component classes (`call-map--2xx` is
`$success`, ...). Each institution's accent is a theme variable `svc-<name>` with a fallback
`svc-default`; the app makes them themeable by merging `SERVICE_COLORS`:

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return {**super().get_theme_variable_defaults(), **SERVICE_COLORS}

A theme may then override any of them (`Theme(..., variables={"svc-bank": "#0057b8"})`). An app
that does not merge them still gets these defaults.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.color import Color, ColorParseError
from textual.geometry import Offset, Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget

from sandbox.runtime.models import ServiceInfo
from sandbox.trace.events import HttpCall
from sandbox.tui.i18n import N_, Lazy, _, pgettext, role_text

SERVICE_COLORS: dict[str, str] = {
    "svc-social": "#ec4899",
    "svc-marketplace": "#f97316",
    "svc-bank": "#3b82f6",
    "svc-identity": "#a855f7",
    "svc-hospital": "#14b8a6",
    "svc-records": "#ca8a04",
    "svc-insurance": "#06b6d4",
    "svc-default": "#94a3b8",
}
"""Accent per institution (`svc-<slug>`), for `App.get_theme_variable_defaults`."""

PEOPLE = "people"
"""Key of the people box in `CallMap.boxes`: callers that are not services."""

_FRONT_GAP, _MAIN_GAP, _BACK_GAP, _RIGHT_GAP = 6, 12, 6, 3
"""Minimum widths of the channels arrows run in (the front-to-back one carries most labels)."""
_MAX_BOX_HEIGHT, _MAX_BOX_WIDTH = 6, 30
_LIT_SECONDS = 0.5
"""How long a new arrow stays bright before it starts to fade."""
_FADE_STEPS = 4

# Route costs: a step costs 1; these steer arrows into their own lanes and off each other.
_BEND, _PARALLEL, _CROSS, _OVER_LABEL, _NEAR_BOX = 3, 40, 4, 200, 2
_MAX_EXPANSIONS = 400_000

_UP, _RIGHT, _DOWN, _LEFT = 0, 1, 2, 3
_STEP = ((0, -1), (1, 0), (0, 1), (-1, 0))
_LINES = " ╵╶└╷│┌├╴┘─┴┐┤┬┼"
"""Line character for a mask of directions (bit 1 up, 2 right, 4 down, 8 left)."""
_VERTICAL, _HORIZONTAL = 1 | 4, 2 | 8


@dataclass(frozen=True, slots=True)
class DrawnArrow:
    """Where one call's arrow is drawn (for tests and for hit-testing)."""

    call: HttpCall
    cells: tuple[Offset, ...]
    """Route from just outside the caller's box to the arrowhead, in content coordinates."""
    label: str
    """The (possibly shortened) label text actually drawn, or "" when none fitted."""
    label_region: Region | None
    """Cells the label occupies, padding included."""


@dataclass(slots=True)
class _Arrow:
    call: HttpCall
    born: float
    cells: tuple[tuple[int, int], ...] = ()
    exit_port: tuple[int, int] | None = None
    label: str = ""
    label_region: Region | None = None


MAX_ARROWS = 6
"""Arrows on the map at once by default; screens draw no more than this from a burst."""


# --- layout -------------------------------------------------------------------------------


def layout_boxes(
    size: Size, services: Sequence[ServiceInfo], people: Sequence[str]
) -> dict[str, Region]:
    """Place every box for a widget of `size`: people, front apps, then back-end columns.

    Back-ends take one to three columns: the fewest that keep boxes at least 4 rows high (then
    3). Returns each party's region by service name, plus `PEOPLE` when there are people.
    """
    width, height = size
    fronts = [s.name for s in services if s.side == "front"]
    backs = [s.name for s in services if s.side != "front"]
    people_w = min(16, max(10, max((cell_len(p) for p in people), default=0) + 4)) if people else 0
    for min_h, min_w in ((4, 14), (3, 12), (3, 10), (1, 3)):
        for back_cols in range(1, 4) if backs else (0,):
            columns = ([fronts] if fronts else []) + _split(backs, back_cols)
            placed = _place(width, height, columns, people_w, min_h, min_w, bool(fronts))
            if placed is not None:
                if people:
                    placed[PEOPLE] = _people_region(height, people_w, len(people))
                return placed
    return {}


def _split(names: list[str], parts: int) -> list[list[str]]:
    """Split `names` into `parts` columns in order, the first ones the fullest."""
    if parts <= 0:
        return []
    per = -(-len(names) // parts)
    return [names[i : i + per] for i in range(0, len(names), per)]


def _place(
    width: int,
    height: int,
    columns: list[list[str]],
    people_w: int,
    min_h: int,
    min_w: int,
    has_front: bool,
) -> dict[str, Region] | None:
    """Regions for `columns` of boxes right of the people box, or None if they do not fit."""
    if not columns:
        return {}
    tallest = max(len(c) for c in columns)
    box_h = min(_MAX_BOX_HEIGHT, (height - tallest - 1) // tallest)
    gaps = [_FRONT_GAP if people_w else 0]
    gaps += [
        _MAIN_GAP
        if (i == 1 and has_front) or (i == 0 and not has_front and people_w)
        else _BACK_GAP
        for i in range(1, len(columns))
    ]
    gaps += [_RIGHT_GAP]
    fixed = 1 + people_w + sum(gaps)
    room = (width - fixed) // len(columns)
    # Boxes take three quarters of the free width; the channels between them carry the labels.
    box_w = min(_MAX_BOX_WIDTH, room, max(min_w, (width - fixed) * 3 // (4 * len(columns))))
    if box_h < min_h or box_w < min_w:
        return None
    spare = width - fixed - box_w * len(columns)
    # Spare width goes to the channels that carry labels: people-to-front, then front-to-back.
    weights = [2 if g else 0 for g in gaps[:-1]] + [1]
    if has_front and len(columns) > 1:
        weights[1] = 3
    total = sum(weights)
    gaps = [g + spare * w // total for g, w in zip(gaps, weights, strict=True)]
    regions: dict[str, Region] = {}
    x = 1 + people_w + gaps[0]
    for column, gap in zip(columns, gaps[1:], strict=True):
        for name, y in zip(column, _spread(height, len(column), box_h), strict=True):
            regions[name] = Region(x, y, box_w, box_h)
        x += box_w + gap
    return regions


def _spread(height: int, count: int, box_h: int) -> list[int]:
    """Top rows of `count` boxes spread evenly down a column."""
    free = height - count * box_h
    gap = max(0, free // (count + 1))
    top = max(0, (free - gap * (count - 1)) // 2)
    return [top + i * (box_h + gap) for i in range(count)]


def _people_region(height: int, width: int, count: int) -> Region:
    box_h = min(height, max(5, count + 2))  # room for a few arrows to leave side by side
    return Region(1, max(0, (height - box_h) // 2), width, box_h)


# --- labels --------------------------------------------------------------------------------


def label_text(call: HttpCall, width: int) -> str | None:
    """`METHOD /path status` in at most `width` cells: query dropped, path shortened, or None."""
    status = str(call.status) if call.status is not None else "✕ " + (call.error or _("failed"))
    path = call.path.split("?", 1)[0] or "/"
    for tail in (status, "✕" if call.status is None else status):
        room = width - cell_len(call.method) - cell_len(tail) - 2
        short = _shorten_path(path, room)
        if short is not None:
            return _safe(f"{call.method} {short} {tail}")
    bare = f"{call.method} {'✕' if call.status is None else status}"
    return _safe(bare) if cell_len(bare) <= width else None


def _shorten_path(path: str, room: int) -> str | None:
    """The path, or its last segments after `…/`, or its start and `…`, within `room` cells."""
    if cell_len(path) <= room:
        return path
    segments = path.strip("/").split("/")
    for keep in range(len(segments) - 1, 0, -1):
        candidate = "…/" + "/".join(segments[-keep:])
        if cell_len(candidate) <= room:
            return candidate
    return path[: room - 1] + "…" if room >= 6 else None


def _safe(text: str) -> str:
    """Text with every character one cell wide, so the canvas grid never shifts."""
    return "".join(c if cell_len(c) == 1 else "?" for c in text)


# --- routing -------------------------------------------------------------------------------


class _Grid:
    """What routing and label placement must avoid: boxes, other arrows, other labels."""

    def __init__(self, width: int, height: int, boxes: Iterable[Region]) -> None:
        self.width, self.height = width, height
        self.blocked = bytearray(width * height)
        self.near = bytearray(width * height)
        self.lines = bytearray(width * height)
        self.labels = bytearray(width * height)
        self.heads = bytearray(width * height)
        for box in boxes:
            for y in range(max(0, box.y), min(height, box.bottom)):
                for x in range(max(0, box.x - 1), min(width, box.right + 1)):
                    inside = box.x <= x < box.right
                    self.blocked[y * width + x] |= inside
                    self.near[y * width + x] |= not inside

    def add(self, arrow: _Arrow) -> None:
        """Mark an arrow's route and label as taken."""
        for mask, (x, y) in zip(_masks(arrow.cells), arrow.cells, strict=True):
            self.lines[y * self.width + x] |= mask
        if arrow.cells:
            x, y = arrow.cells[-1]
            self.heads[y * self.width + x] = 1
        if arrow.label_region is not None:
            for x, y in _cells(arrow.label_region):
                self.labels[y * self.width + x] = 1

    def free(self, x: int, y: int) -> bool:
        """True where a label may go: inside, and clear of boxes, lines and labels."""
        if not (0 <= x < self.width and 0 <= y < self.height):
            return False
        i = y * self.width + x
        return not (self.blocked[i] or self.lines[i] or self.labels[i] or self.heads[i])

    def route(
        self, starts: list[tuple[int, int, int]], goals: dict[tuple[int, int], int]
    ) -> list[tuple[int, int]] | None:
        """Cheapest orthogonal path (A*) from a start port to a goal port, entering it head-on."""
        if not goals:
            return None
        goal_cols = sorted({(x, d) for (x, _), d in goals.items()})
        rows = [y for _, y in goals]
        top, bottom = min(rows), max(rows)

        def estimate(x: int, y: int) -> int:
            dy = top - y if y < top else (y - bottom if y > bottom else 0)
            return min(abs(x - gx) for gx, _ in goal_cols) + dy

        best: dict[tuple[int, int, int], int] = {}
        parent: dict[tuple[int, int, int], tuple[int, int, int] | None] = {}
        queue: list[tuple[int, int, int, int, int]] = []
        for x, y, d in starts:
            if (
                0 <= x < self.width
                and 0 <= y < self.height
                and not self.blocked[y * self.width + x]
            ):
                cost = 1 + self._penalty(x, y, d)
                if cost < best.get((x, y, d), 1 << 30):
                    best[(x, y, d)] = cost
                    parent[(x, y, d)] = None
                    heapq.heappush(queue, (cost + estimate(x, y), -cost, x, y, d))
        expansions = 0
        while queue and expansions < _MAX_EXPANSIONS:
            _, neg, x, y, d = heapq.heappop(queue)
            cost = -neg
            if cost > best.get((x, y, d), 1 << 30):
                continue
            if goals.get((x, y)) == d:
                return _unwind(parent, (x, y, d))
            expansions += 1
            for nd in (d, (d + 1) % 4, (d + 3) % 4):
                nx, ny = x + _STEP[nd][0], y + _STEP[nd][1]
                if not (0 <= nx < self.width and 0 <= ny < self.height):
                    continue
                if self.blocked[ny * self.width + nx]:
                    continue
                step = cost + 1 + self._penalty(nx, ny, nd) + (_BEND if nd != d else 0)
                if step < best.get((nx, ny, nd), 1 << 30):
                    best[(nx, ny, nd)] = step
                    parent[(nx, ny, nd)] = (x, y, d)
                    heapq.heappush(queue, (step + estimate(nx, ny), -step, nx, ny, nd))
        return None

    def _penalty(self, x: int, y: int, d: int) -> int:
        i = y * self.width + x
        used = self.lines[i]
        along = _HORIZONTAL if d in (_LEFT, _RIGHT) else _VERTICAL
        cost = _PARALLEL if used & along else (_CROSS if used else 0)
        if self.labels[i]:
            cost += _OVER_LABEL
        if self.heads[i]:
            cost += _PARALLEL
        if self.near[i] and along == _VERTICAL:
            cost += _NEAR_BOX
        return cost


def _unwind(
    parent: dict[tuple[int, int, int], tuple[int, int, int] | None], state: tuple[int, int, int]
) -> list[tuple[int, int]]:
    path: list[tuple[int, int]] = []
    node: tuple[int, int, int] | None = state
    while node is not None:
        path.append((node[0], node[1]))
        node = parent[node]
    path.reverse()
    return path


def _masks(cells: Sequence[tuple[int, int]]) -> list[int]:
    """Direction bits per route cell (the first also points back into the caller's box)."""
    masks = [0] * len(cells)
    for i in range(len(cells) - 1):
        d = _direction(cells[i], cells[i + 1])
        masks[i] |= 1 << d
        masks[i + 1] |= 1 << ((d + 2) % 4)
    return masks


def _direction(a: tuple[int, int], b: tuple[int, int]) -> int:
    dx, dy = b[0] - a[0], b[1] - a[1]
    return _STEP.index((max(-1, min(1, dx)), max(-1, min(1, dy))))


def _cells(region: Region) -> Iterable[tuple[int, int]]:
    for y in range(region.y, region.bottom):
        for x in range(region.x, region.right):
            yield x, y


def _ports(box: Region, right_only: bool = False) -> list[tuple[int, int, int]]:
    """Cells just outside a box's sides, with the direction leaving the box.

    The people box sits at the far left, so its arrows only leave to the right.
    """
    rows = range(box.y + 1, box.bottom - 1) if box.height > 2 else [box.y]
    ports = [(box.right, y, _RIGHT) for y in rows]
    return ports if right_only else ports + [(box.x - 1, y, _LEFT) for y in rows]


def _segments(cells: Sequence[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Split a route into straight runs."""
    runs: list[list[tuple[int, int]]] = []
    for i, cell in enumerate(cells):
        if i >= 2 and _direction(cells[i - 2], cells[i - 1]) != _direction(cells[i - 1], cell):
            runs.append([cells[i - 1]])
        if not runs:
            runs.append([])
        runs[-1].append(cell)
    return runs


def place_label(
    grid: _Grid, call: HttpCall, cells: Sequence[tuple[int, int]]
) -> tuple[str, Region] | None:
    """Put the label on a straight part of the route (inline) or beside one, never on another."""
    own = set(cells)
    middle = cells[len(cells) // 2] if cells else (0, 0)
    full = label_text(call, 1 << 16)
    best: tuple[tuple[bool, int, int, int], str, Region] | None = None
    for run in _segments(cells):
        for text, region, rank in _label_spots(grid, call, run, own):
            distance = abs(region.x + region.width // 2 - middle[0]) + abs(region.y - middle[1])
            score = (text.strip() != full, rank, distance, -cell_len(text))
            if best is None or score < best[0]:
                best = (score, text, region)
    return None if best is None else (best[1], best[2])


def _label_spots(
    grid: _Grid, call: HttpCall, run: list[tuple[int, int]], own: set[tuple[int, int]]
) -> Iterable[tuple[str, Region, int]]:
    """Candidate label positions for one straight run: on it (horizontal) or beside it."""
    if len(run) >= 2 and run[0][1] == run[-1][1]:
        y, xs = run[0][1], sorted(x for x, _ in run)
        ok = [x for x in xs[1:-1] if (x, y) in own and not _taken(grid, x, y)]
        for start, end in _spans(ok):
            text = label_text(call, end - start - 2)
            if text:
                x = start + (end - start - cell_len(text) - 2) // 2
                yield f" {text} ", Region(x, y, cell_len(text) + 2, 1), 0
        for row in (y - 1, y + 1):  # just above or below a run too short to hold it
            near = [x for x in range(xs[0], xs[-1] + 1) if _clear(grid, own, x, row)]
            for start, end in _spans(near):
                text = label_text(call, end - start)
                if text:
                    x = start + (end - start - cell_len(text)) // 2
                    yield text, Region(x, row, cell_len(text), 1), 2
        return
    for x, y in run[1:-1]:
        for lo, hi, right in ((x + 2, grid.width, True), (0, x - 1, False)):
            if not grid.free(x + (1 if right else -1), y):
                continue
            span = _free_span(grid, y, lo, hi, from_left=right)
            if span is None:
                continue
            text = label_text(call, span[1] - span[0])
            if text:
                x0 = span[0] if right else span[1] - cell_len(text)
                yield text, Region(x0, y, cell_len(text), 1), 1


def _taken(grid: _Grid, x: int, y: int) -> bool:
    """A cell another arrow or label already uses (this arrow is not in the grid yet)."""
    i = y * grid.width + x
    return bool(grid.lines[i] or grid.labels[i] or grid.heads[i] or grid.blocked[i])


def _clear(grid: _Grid, own: set[tuple[int, int]], x: int, y: int) -> bool:
    """Free for a label, with a free cell either side so it never touches a line."""
    return all(grid.free(x + dx, y) and (x + dx, y) not in own for dx in (-1, 0, 1))


def _spans(xs: list[int]) -> Iterable[tuple[int, int]]:
    """Maximal runs of consecutive integers as (start, end) half-open ranges."""
    start = prev = None
    for x in xs:
        if start is None or prev is None or x != prev + 1:
            if start is not None and prev is not None:
                yield start, prev + 1
            start = x
        prev = x
    if start is not None and prev is not None:
        yield start, prev + 1


def _free_span(grid: _Grid, y: int, lo: int, hi: int, from_left: bool) -> tuple[int, int] | None:
    """The free cells from `lo` rightwards (or from `hi` leftwards) on row `y`.

    A span that ends at something drawn gives up its last cell, so a label never touches
    another arrow's line.
    """
    if from_left:
        end = lo
        while end < hi and grid.free(end, y):
            end += 1
        if end < grid.width:
            end -= 1
        return (lo, end) if end > lo else None
    start = hi
    while start > lo and grid.free(start - 1, y):
        start -= 1
    if start > 0:
        start += 1
    return (start, hi) if hi > start else None


# --- drawing -------------------------------------------------------------------------------


class _Canvas:
    """A grid of one-cell characters with a style each, turned into strips once per change."""

    def __init__(self, width: int, height: int, style: Style) -> None:
        self.width, self.height = width, height
        self.chars = [[" "] * width for _ in range(height)]
        self.styles = [[style] * width for _ in range(height)]
        self.blank = style

    def put(self, x: int, y: int, char: str, style: Style) -> None:
        if 0 <= x < self.width and 0 <= y < self.height:
            self.chars[y][x] = char
            self.styles[y][x] = style

    def text(self, x: int, y: int, text: str, style: Style, width: int | None = None) -> None:
        """Write `text` from (x, y), cut to `width` cells with `…` when it does not fit."""
        text = _safe(text)
        if width is not None and len(text) > width:
            text = text[: max(0, width - 1)] + "…" if width > 0 else ""
        for i, char in enumerate(text):
            self.put(x + i, y, char, style)

    def box(self, region: Region, title: str, style: Style, title_style: Style) -> None:
        """A rounded box with `title` set into its top border."""
        x0, y0, x1, y1 = region.x, region.y, region.right - 1, region.bottom - 1
        for x in range(x0 + 1, x1):
            self.put(x, y0, "─", style)
            self.put(x, y1, "─", style)
        for y in range(y0 + 1, y1):
            self.put(x0, y, "│", style)
            self.put(x1, y, "│", style)
            for x in range(x0 + 1, x1):
                self.put(x, y, " ", self.blank)
        for x, y, char in ((x0, y0, "╭"), (x1, y0, "╮"), (x0, y1, "╰"), (x1, y1, "╯")):
            self.put(x, y, char, style)
        if region.width > 4:
            self.text(x0 + 1, y0, f" {title} ", title_style, region.width - 2)

    def strips(self) -> list[Strip]:
        strips = []
        for chars, styles in zip(self.chars, self.styles, strict=True):
            segments: list[Segment] = []
            start = 0
            for x in range(1, self.width + 1):
                if x == self.width or styles[x] != styles[start]:
                    segments.append(Segment("".join(chars[start:x]), styles[start]))
                    start = x
            strips.append(Strip(segments, self.width))
        return strips


HEALTH = frozenset({N_("ok"), N_("down"), N_("offline"), N_("unknown")})
"""The health states the registry reports, in words."""


def health_word(health: str) -> str:
    """A health state (`ok`, `down`...) in words; an unknown state as it came."""
    state = health or "unknown"
    return _(state) if state in HEALTH else health


def _health(info: ServiceInfo) -> tuple[str, str]:
    """Health text and the component class that colours it."""
    if info.health == "offline" or info.fault.offline:
        return _("OFFLINE"), "call-map--offline"
    if info.health == "ok":
        return f"● {health_word('ok')}", "call-map--ok"
    if info.health == "down":
        return f"● {health_word('down')}", "call-map--5xx"
    return f"○ {health_word(info.health)}", "call-map--muted"


def _fault_text(info: ServiceInfo) -> str:
    """What a presenter injected: `+800 ms`, `50% errors` (offline shows as the health)."""
    parts = []
    if info.fault.latency_ms > 0:
        parts.append(_("+{ms} ms").format(ms=info.fault.latency_ms))
    if info.fault.error_rate > 0:
        rate = f"{round(info.fault.error_rate * 100)}%"
        parts.append(_("{rate} errors").format(rate=rate))
    return " ".join(parts)


def _box_lines(info: ServiceInfo, rows: int, width: int | None = None) -> list[tuple[str, str]]:
    """Text lines (with their component class) for a box with `rows` inner rows.

    Counts are abbreviated (in languages that have a shorter form) when `width` is too narrow.
    """
    health, health_class = _health(info)
    fault = _fault_text(info)
    counts = _("in {calls_in} · out {calls_out}").format(
        calls_in=info.calls_in, calls_out=info.calls_out
    )
    if width is not None and cell_len(counts) > width:
        # TRANSLATORS: the counts in a narrow box; abbreviate them if you can
        counts = pgettext("abbreviated", "in {calls_in} · out {calls_out}").format(
            calls_in=info.calls_in, calls_out=info.calls_out
        )
    lines = {
        "name": (info.name, "call-map--name"),
        "role": (role_text(info.role, info.kind), "call-map--muted"),
        "health": (health, health_class),
        "counts": (counts, "call-map--muted"),
        "fault": (fault, "call-map--fault"),
    }
    if rows <= 1:
        return [(f"{info.name} {health}", health_class)]
    if rows == 2:
        return [(f"{info.name} {health}", health_class), lines["fault" if fault else "counts"]]
    wanted = (
        ["name", "health", "fault", "counts", "role"]
        if fault
        else ["name", "health", "counts", "role"]
    )
    chosen = set(wanted[:rows])
    return [lines[k] for k in ("name", "role", "health", "counts", "fault") if k in chosen]


# --- the widget ----------------------------------------------------------------------------


def _key(call: HttpCall) -> tuple[str, str]:
    return call.trace_id, call.span_id


class CallMap(Widget):
    """Institutions as boxes and recent calls as fading arrows between them."""

    DEFAULT_CSS = """
    CallMap {
        height: 1fr;
        & > .call-map--2xx { color: $success; }
        & > .call-map--3xx { color: $accent; }
        & > .call-map--4xx { color: $warning; }
        & > .call-map--5xx { color: $error; }
        & > .call-map--failed { color: $error; }
        & > .call-map--ok { color: $success; }
        & > .call-map--name { text-style: bold; }
        & > .call-map--muted { color: $text-muted; }
        & > .call-map--offline { color: $text-disabled; text-style: bold; }
        & > .call-map--fault { color: $warning; text-style: bold; }
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
        "call-map--name",
        "call-map--muted",
        "call-map--offline",
        "call-map--fault",
        "call-map--people",
        "call-map--highlight",
    }
    HELP = Lazy("""\

## Call map

Each box is an institution (front apps left, back-ends right, people far left). Each arrow is
one HTTP call, `METHOD /path status`: green succeeded, yellow was refused (4xx), red failed
(5xx, or a dashed line ending in ✕ when no answer came). Click a box to see its calls.
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
        max_arrows: int = MAX_ARROWS,
        lifetime: float = 2.5,
        clock: Callable[[], float] = time.monotonic,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """Args:
        services: The institutions to draw.
        animate: Fade arrows out (False keeps them until `clear()`: for snapshots).
        max_arrows: How many arrows show at once (the newest win).
        lifetime: Seconds from a call's arrow lighting up to its disappearing.
        clock: Time source for fading (tests pass a fake one).
        """
        super().__init__(name=name, id=id, classes=classes)
        self._services: tuple[ServiceInfo, ...] = tuple(services)
        self._people: list[str] = []
        self._arrows: list[_Arrow] = []
        self._highlighted: tuple[str, str] | None = None
        self._animated = animate
        self._max_arrows = max(1, max_arrows)
        self._lifetime = lifetime
        self._clock = clock
        self._boxes: dict[str, Region] = {}
        self._layout_key: object = None
        self._grid = _Grid(0, 0, ())
        self._strips: list[Strip] | None = None
        self._levels: tuple[int, ...] = ()
        self._timer: Timer | None = None

    # -- public API --

    @property
    def boxes(self) -> dict[str, Region]:
        """Each party's box in content coordinates (services by slug, plus `PEOPLE`)."""
        self._ensure_layout()
        return dict(self._boxes)

    @property
    def arrows(self) -> tuple[DrawnArrow, ...]:
        """The arrows on the map, oldest first."""
        self._ensure_layout()
        return tuple(
            DrawnArrow(
                a.call, tuple(Offset(x, y) for x, y in a.cells), a.label.strip(), a.label_region
            )
            for a in self._arrows
        )

    @property
    def people(self) -> tuple[str, ...]:
        """Callers that are not services, in order of their first call."""
        return tuple(self._people)

    def set_services(self, services: Iterable[ServiceInfo]) -> None:
        """Show new service state (health, counts, faults); re-lays out only if the set changed."""
        fresh = tuple(services)
        if fresh == self._services:
            return  # the app polls every second: an unchanged map is not redrawn
        self._services = fresh
        # A party first seen before it ran as a service (a service that joins later) leaves
        # the people box for its own box.
        names = {service.name for service in fresh}
        self._people = [person for person in self._people if person not in names]
        self._changed()

    def show_call(self, call: HttpCall) -> None:
        """Draw an arrow for `call` (lit, then fading); calls to the caller itself are ignored."""
        if self._party(call.caller) == self._party(call.callee):
            return
        for person in (call.caller, call.callee):
            if self._party(person) == PEOPLE and person not in self._people:
                self._people.append(person)
        self._arrows = [a for a in self._arrows if _key(a.call) != _key(call)]
        again = self._same_edge(call)
        if again is not None:
            self._relight(again, call)
        else:
            self._arrows.append(_Arrow(call, self._clock()))
            self._drop_extra()
            if self._layout_key == self._current_key():
                self._route(self._arrows[-1])
                self._grid.add(self._arrows[-1])
        self._changed()
        if self._animated and self._timer is not None:
            self._timer.resume()

    def highlight(self, call: HttpCall | None) -> None:
        """Keep `call`'s arrow lit and dim the rest (None: back to normal)."""
        if call is None:
            self._highlighted = None
        else:
            self._highlighted = _key(call)
            if all(_key(a.call) != _key(call) for a in self._arrows):
                self.show_call(call)
        self._changed()

    def clear(self) -> None:
        """Remove every arrow (the boxes and people stay)."""
        if not self._arrows and self._highlighted is None:
            return  # nothing to remove: spare the redraw (a lesson clears on every step)
        self._arrows.clear()
        self._highlighted = None
        self._rebuild_grid()
        self._changed()

    def fade(self) -> None:
        """Dim older arrows and drop expired ones; the timer calls this every 0.2 s."""
        if not self._animated:
            return
        now = self._clock()
        keep = [
            a
            for a in self._arrows
            if _key(a.call) == self._highlighted or now - a.born < self._lifetime
        ]
        if len(keep) != len(self._arrows):
            self._arrows = keep
            self._rebuild_grid()
            self._strips = None
        if tuple(self._level(a, now) for a in self._arrows) != self._levels:
            self._strips = None
        if self._strips is None:
            self.refresh()
        if not self._arrows and self._timer is not None:
            self._timer.pause()

    # -- Textual hooks --

    def on_mount(self) -> None:
        if self._animated:
            self._timer = self.set_interval(0.2, self.fade, pause=not self._arrows)
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
        self._strips = None

    def render_line(self, y: int) -> Strip:
        self._ensure_layout()
        if self._strips is None:
            self._strips = self._draw()
        if 0 <= y < len(self._strips):
            return self._strips[y]
        return Strip.blank(self.size.width, self.rich_style)

    # -- internals --

    def _theme_changed(self) -> None:
        self._changed()

    def _party(self, name: str) -> str:
        """The box a caller or callee is drawn in."""
        return name if any(s.name == name for s in self._services) else PEOPLE

    def _current_key(self) -> object:
        return (self.size, tuple((s.name, s.side) for s in self._services), tuple(self._people))

    def _changed(self) -> None:
        self._strips = None
        self.refresh()

    def _ensure_layout(self) -> None:
        """Recompute boxes and every route when the size, services or people changed."""
        key = self._current_key()
        if key == self._layout_key:
            return
        self._layout_key = key
        self._boxes = layout_boxes(self.size, self._services, self._people)
        self._grid = _Grid(self.size.width, self.size.height, self._boxes.values())
        for arrow in self._arrows:
            self._route(arrow)
            self._grid.add(arrow)
        self._strips = None

    def _rebuild_grid(self) -> None:
        self._grid = _Grid(self.size.width, self.size.height, self._boxes.values())
        for arrow in self._arrows:
            self._grid.add(arrow)

    def _drop_extra(self) -> None:
        """Keep the newest `max_arrows` arrows (and always the highlighted one)."""
        if len(self._arrows) <= self._max_arrows:
            return
        while len(self._arrows) > self._max_arrows:
            victim = next(
                (a for a in self._arrows if _key(a.call) != self._highlighted), self._arrows[0]
            )
            self._arrows.remove(victim)
        self._rebuild_grid()

    def _same_edge(self, call: HttpCall) -> _Arrow | None:
        """A routed arrow between the same two boxes, if one is still on the map."""
        if self._layout_key != self._current_key():
            return None
        edge = (self._party(call.caller), self._party(call.callee))
        for arrow in self._arrows:
            if (
                arrow.cells
                and _key(arrow.call) != self._highlighted
                and (self._party(arrow.call.caller), self._party(arrow.call.callee)) == edge
            ):
                return arrow
        return None

    def _relight(self, arrow: _Arrow, call: HttpCall) -> None:
        """The same two boxes talk again: reuse the route already found (routing is the
        expensive part, and a busy sandbox repeats the same edges many times a second) and
        only place the new call's label."""
        self._arrows.remove(arrow)
        self._arrows.append(arrow)
        arrow.call, arrow.born = call, self._clock()
        arrow.label, arrow.label_region = "", None
        self._rebuild_grid()  # forgets the old label's cells
        placed = place_label(self._grid, call, list(arrow.cells))
        if placed is not None:
            arrow.label, arrow.label_region = placed
            self._grid.add(arrow)

    def _route(self, arrow: _Arrow) -> None:
        """Find the arrow's path and label spot, avoiding everything already drawn."""
        arrow.cells, arrow.label, arrow.label_region, arrow.exit_port = (), "", None, None
        source = self._boxes.get(self._party(arrow.call.caller))
        target = self._boxes.get(self._party(arrow.call.callee))
        if source is None or target is None:
            return
        starts = _ports(source, right_only=source is self._boxes.get(PEOPLE))
        goals = {
            (x, y): (d + 2) % 4
            for x, y, d in _ports(target, right_only=target is self._boxes.get(PEOPLE))
        }
        cells = self._grid.route(starts, goals)
        if not cells:
            return
        arrow.cells = tuple(cells)
        first = cells[0]
        arrow.exit_port = (source.right - 1 if first[0] >= source.right else source.x, first[1])
        placed = place_label(self._grid, arrow.call, cells)
        if placed is not None:
            arrow.label, arrow.label_region = placed

    def _level(self, arrow: _Arrow, now: float) -> int:
        """0 lit, 1 normal, then fading steps up to `_FADE_STEPS`; -1 highlighted."""
        if _key(arrow.call) == self._highlighted:
            return -1
        if self._highlighted is not None:
            return _FADE_STEPS
        if not self._animated:
            return 1
        age = now - arrow.born
        if age < _LIT_SECONDS:
            return 0
        share = (age - _LIT_SECONDS) / max(0.01, self._lifetime - _LIT_SECONDS)
        return min(_FADE_STEPS, 1 + int(share * _FADE_STEPS))

    # -- drawing --

    def _style(self, component: str) -> Style:
        return self.rich_style + self.get_component_rich_style(component, partial=True)

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

    def _draw(self) -> list[Strip]:
        width, height = self.size
        canvas = _Canvas(width, height, self.rich_style)
        by_name = {s.name: s for s in self._services}
        for name, region in self._boxes.items():
            if name == PEOPLE:
                self._draw_people(canvas, region)
            elif name in by_name:
                self._draw_service(canvas, region, by_name[name])
        now = self._clock()
        self._levels = tuple(self._level(a, now) for a in self._arrows)
        # Faded arrows first, the newest and the highlighted one last (on top).
        order = sorted(
            zip(self._levels, range(len(self._arrows)), strict=True),
            key=lambda item: (item[0] == -1, -item[0], item[1]),
        )
        for level, index in order:
            self._draw_arrow(canvas, self._arrows[index], level)
        for level, index in order:
            self._draw_label(canvas, self._arrows[index], level)
        return canvas.strips()

    def _draw_service(self, canvas: _Canvas, region: Region, info: ServiceInfo) -> None:
        offline = info.health == "offline" or info.fault.offline
        grey = self._style("call-map--offline")
        accent = grey if offline else self._accent(info.name)
        canvas.box(region, info.title, accent, accent + Style(bold=True))
        for row, (text, component) in enumerate(
            _box_lines(info, region.height - 2, region.width - 3)
        ):
            style = grey if offline else self._style(component)
            canvas.text(region.x + 2, region.y + 1 + row, text, style, region.width - 3)

    def _draw_people(self, canvas: _Canvas, region: Region) -> None:
        muted = self._style("call-map--muted")
        canvas.box(region, _("people"), muted, muted)
        rows = region.height - 2
        shown = self._people if len(self._people) <= rows else self._people[: rows - 1]
        for row, person in enumerate(shown):
            canvas.text(
                region.x + 2,
                region.y + 1 + row,
                person,
                self._style("call-map--people"),
                region.width - 4,
            )
        if len(shown) < len(self._people):
            canvas.text(
                region.x + 2,
                region.bottom - 2,
                f"+{len(self._people) - len(shown)}",
                muted,
                region.width - 4,
            )

    def _arrow_style(self, arrow: _Arrow, level: int) -> Style:
        """Outcome colour: bold while lit, blended towards the background as it fades."""
        outcome = arrow.call.outcome
        known = outcome in ("2xx", "3xx", "4xx", "5xx")
        style = self._style(f"call-map--{outcome}" if known else "call-map--failed")
        if level <= 0:
            return style + Style(bold=True)
        background = self.rich_style.bgcolor
        if level == 1 or style.color is None or background is None:
            return style if level == 1 else style + Style(dim=True)
        share = 0.75 * (level - 1) / (_FADE_STEPS - 1)
        faded = Color.from_rich_color(style.color).blend(Color.from_rich_color(background), share)
        return style + Style(color=faded.rich_color)

    def _draw_arrow(self, canvas: _Canvas, arrow: _Arrow, level: int) -> None:
        if not arrow.cells:
            return
        style = self._arrow_style(arrow, level)
        failed = arrow.call.status is None
        masks = _masks(arrow.cells)
        if arrow.exit_port is not None:
            masks[0] |= 1 << _direction(arrow.cells[0], arrow.exit_port)
        for (x, y), mask in zip(arrow.cells, masks, strict=True):
            if not (0 <= x < canvas.width and 0 <= y < canvas.height):
                continue
            under = canvas.chars[y][x]
            merged = mask | (_LINES.index(under) if under in _LINES else 0)
            char = _LINES[merged]
            if failed and merged == _HORIZONTAL:
                char = "╌"
            elif failed and merged == _VERTICAL:
                char = "╎"
            canvas.put(x, y, char, style)
        if arrow.exit_port is not None:
            px, py = arrow.exit_port
            canvas.put(px, py, "├" if px < arrow.cells[0][0] else "┤", style)
        hx, hy = arrow.cells[-1]
        entering = _direction(arrow.cells[-2], arrow.cells[-1]) if len(arrow.cells) > 1 else None
        if entering is None:
            target = self._boxes.get(self._party(arrow.call.callee))
            entering = _RIGHT if target is not None and hx < target.x else _LEFT
        head = "✕" if failed else ("▶" if entering == _RIGHT else "◀")
        canvas.put(hx, hy, head, style)

    def _draw_label(self, canvas: _Canvas, arrow: _Arrow, level: int) -> None:
        if arrow.label_region is None:
            return
        style = self._arrow_style(arrow, level)
        if level == -1:
            style += self.get_component_rich_style("call-map--highlight", partial=True)
        canvas.text(arrow.label_region.x, arrow.label_region.y, arrow.label, style)
