"""The stage drawn: boxes, faint edges of who may call whom, and the edges of the calls shown.

`Stage` holds one layout and the routes found in it. Routes are found once per layout (the
faint edges first, in a fixed order, so the picture is the same every time) and reused as calls
arrive; only labels are placed again. The faint edges of a layout are routed once per process:
every screen with a map (map, trace, stories, lesson, presenter...) draws the same layout at
the same size, and routing is most of what drawing one costs. Drawing is into a `Canvas`
with style names, so the whole map is tested without Textual.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from sandbox.tui.stage.canvas import Canvas, Piece
from sandbox.tui.stage.geometry import Rect
from sandbox.tui.stage.layout import PEOPLE, Layout, Party
from sandbox.tui.stage.routing import (
    LEFT,
    RIGHT,
    Cell,
    Grid,
    LabelText,
    direction,
    goals,
    masks,
    place_label,
    ports,
)


@dataclass(frozen=True, slots=True)
class Path:
    """One directed edge's route on the map."""

    cells: tuple[Cell, ...]
    exit_port: Cell
    """The cell on the caller's border the line leaves from."""
    masks: tuple[int, ...]
    """Line directions per cell, the first pointing back into the caller's box too."""


@dataclass(frozen=True, slots=True)
class Line:
    """An edge to draw in a style (`edge-2xx`...), with a label when there is room."""

    caller: str
    """A party's slug, or a person's name (drawn from their row in the people box)."""
    callee: str
    style: str
    label: LabelText | None = None
    dashed: bool = False
    """Drawn dashed, with a cross for a head: the call never got an answer."""


@dataclass(frozen=True, slots=True)
class Drawn:
    """Where an edge ended up (for tests and for hit-testing)."""

    caller: str
    callee: str
    cells: tuple[Cell, ...]
    label: str
    label_region: Rect | None


@dataclass(frozen=True, slots=True)
class BoxLook:
    """What one institution's box says, and in which styles."""

    border: str
    title: str
    footers: tuple[tuple[Piece, ...], ...] = ()
    """Bottom-border texts, longest first: the first that fits the box is drawn."""
    compact_footers: tuple[tuple[Piece, ...], ...] = ()
    """The same for a compact box (no slug: the short name says who it is)."""
    body: str = "muted"

    def footer(self, width: int, compact: bool = False) -> tuple[Piece, ...]:
        """The longest footer within `width` cells (the last one, cut, if none fits)."""
        choices = self.compact_footers if compact and self.compact_footers else self.footers
        for pieces in choices:
            if sum(len(text) for text, _ in pieces) <= width:
                return pieces
        return choices[-1] if choices else ()


class Stage:
    """One layout of the map and the routes found in it."""

    def __init__(
        self,
        layout: Layout,
        width: int,
        height: int,
        faint: Iterable[tuple[str, str]] = (),
        reserved: Iterable[Rect] = (),
    ) -> None:
        """`reserved`: areas no route may cross (a caption's row)."""
        self.layout = layout
        self.width, self.height = width, height
        reserved, faint = tuple(reserved), tuple(faint)
        self._grid = Grid(width, height, [*layout.boxes.values(), *reserved])
        self._paths: dict[tuple[str, str], Path | None] = {}
        self._labels: tuple[object, dict[int, tuple[str, Rect]]] | None = None
        key = (
            width,
            height,
            tuple(layout.boxes.items()),
            tuple(layout.people_rows.items()),
            faint,
            reserved,
        )
        routed = _ROUTED.get(key)
        if routed is None:
            found = tuple(pair for pair in faint if self.path(*pair) is not None)
            routed = _Routed(found, dict(self._paths), self._grid.copy_lines())
            _remember(key, routed)
        else:  # the same routes on a grid of this stage's own (its later routes stay its own)
            _ROUTED.move_to_end(key)
            self._paths = dict(routed.paths)
            self._grid.lines, self._grid.heads = (bytearray(b) for b in routed.lines)
        self.faint = routed.faint
        """Edges of who may call whom, drawn faint beneath the calls."""

    def meet(self, people: Sequence[str]) -> None:
        """Give new people their rows (without routing anything again)."""
        if list(people) != list(self.layout.people_rows):
            self.layout = self.layout.with_people(people)

    def box_of(self, party: str) -> str:
        """The box a party is drawn in: its own, or the people box."""
        return party if party in self.layout.boxes and party != PEOPLE else PEOPLE

    def path(self, caller: str, callee: str) -> Path | None:
        """The route from `caller`'s box to `callee`'s (found once, then kept)."""
        key = (caller, callee)
        if key not in self._paths:
            self._paths[key] = self._route(caller, callee)
        return self._paths[key]

    def _route(self, caller: str, callee: str) -> Path | None:
        source_name, target_name = self.box_of(caller), self.box_of(callee)
        source = self.layout.boxes.get(source_name)
        target = self.layout.boxes.get(target_name)
        if source is None or target is None or source_name == target_name:
            return None
        if source_name == PEOPLE:
            row = self.layout.people_rows.get(caller)
            if row is None:
                return None
            starts = ports(source, [row], side=RIGHT)
        else:
            starts = ports(source, side=_facing(source, target))
        ends = goals(target, side=_facing(target, source))
        cells = self._grid.route(starts, ends)
        if not cells:
            return None
        self._grid.add_route(cells)
        first = cells[0]
        exit_port = (source.right - 1 if first[0] >= source.right else source.x, first[1])
        found = masks(cells)
        found[0] |= 1 << direction(cells[0], exit_port)
        return Path(tuple(cells), exit_port, tuple(found))

    # -- drawing --

    def draw_boxes(
        self,
        canvas: Canvas,
        parties: Sequence[Party],
        looks: dict[str, BoxLook],
        people: Sequence[str],
        people_title: str,
    ) -> None:
        """Every institution's box, and the people box with a row per person."""
        for party in parties:
            rect = self.layout.boxes.get(party.name)
            look = looks.get(party.name)
            if rect is None or look is None:
                continue
            footer = look.footer(rect.width - 4, self.layout.compact)
            canvas.box(rect, [(self.layout.title(party), look.title)], look.border, footer)
            for row, text in enumerate(self.layout.roles.get(party.name, ())):
                if rect.y + 1 + row < rect.bottom - 1:
                    canvas.text(rect.x + 2, rect.y + 1 + row, text, look.body, rect.width - 4)
        box = self.layout.boxes.get(PEOPLE)
        if box is None:
            return
        canvas.box(box, [(people_title, "muted")], "muted")
        for person, row in self.layout.people_rows.items():
            canvas.text(box.x + 2, row, person, "people", box.width - 4)
        hidden = len(people) - len(self.layout.people_rows)
        if hidden > 0 and box.height > 2:
            canvas.text(box.x + 2, box.bottom - 1, f"+{hidden}", "muted", box.width - 4)

    def draw_edges(self, canvas: Canvas, lines: Sequence[Line]) -> list[Drawn]:
        """The faint edges, then `lines` in order (the last on top), then their labels.

        Labels are placed most important first (the last line first), each clear of every
        route and of the labels already placed.
        """
        for caller, callee in self.faint:
            if not any(line.caller == caller and line.callee == callee for line in lines):
                self._draw_path(canvas, caller, callee, "faint", dashed=False)
        for line in lines:
            self._draw_path(canvas, line.caller, line.callee, line.style, line.dashed)
        placed = self._place_labels(lines)
        drawn = []
        for index, line in enumerate(lines):
            path = self.path(line.caller, line.callee)
            text, region = placed.get(index, ("", None))
            if region is not None:
                canvas.text(region.x, region.y, text, f"label-{line.style}")
            drawn.append(
                Drawn(line.caller, line.callee, path.cells if path else (), text.strip(), region)
            )
        return drawn

    def _place_labels(self, lines: Sequence[Line]) -> dict[int, tuple[str, Rect]]:
        """Each line's label spot by index; the same lines with the same texts keep theirs
        (a fading map redraws five times a second without moving a label)."""
        key = tuple(
            (line.caller, line.callee, line.label(1 << 16) if line.label else None)
            for line in lines
        )
        if self._labels is not None and self._labels[0] == key:
            return self._labels[1]
        grid = Grid(self.width, self.height, ())
        grid.blocked, grid.near = self._grid.blocked, self._grid.near
        grid.lines, grid.heads = self._grid.lines, self._grid.heads
        placed: dict[int, tuple[str, Rect]] = {}
        for index in range(len(lines) - 1, -1, -1):
            line = lines[index]
            path = self.path(line.caller, line.callee)
            if path is None or line.label is None:
                continue
            spot = place_label(grid, line.label, path.cells)
            if spot is not None:
                placed[index] = spot
                grid.add_label(spot[1])
        self._labels = (key, placed)
        return placed

    def _draw_path(
        self, canvas: Canvas, caller: str, callee: str, style: str, dashed: bool
    ) -> None:
        path = self.path(caller, callee)
        if path is None:
            return
        canvas.route(path.cells, path.masks, style, dashed=dashed, exit_port=path.exit_port)
        hx, hy = path.cells[-1]
        if len(path.cells) > 1:
            entering = direction(path.cells[-2], path.cells[-1])
        else:
            target = self.layout.boxes.get(self.box_of(callee))
            entering = RIGHT if target is not None and hx < target.x else RIGHT + 2
        head = "✕" if dashed else ("▶" if entering == RIGHT else "◀")
        canvas.put(hx, hy, head, style)


@dataclass(frozen=True, slots=True)
class _Routed:
    """A layout's faint edges as routed: the routes, and the lines and heads they left."""

    faint: tuple[tuple[str, str], ...]
    paths: dict[tuple[str, str], Path | None]
    lines: tuple[bytes, bytes]


_ROUTED: OrderedDict[Hashable, _Routed] = OrderedDict()
"""Layouts routed in this process, most recently used last (a few sizes and service sets)."""
_ROUTED_KEPT = 16


def _remember(key: Hashable, routed: _Routed) -> None:
    _ROUTED[key] = routed
    while len(_ROUTED) > _ROUTED_KEPT:
        _ROUTED.popitem(last=False)


def _facing(box: Rect, other: Rect) -> int | None:
    """The side of `box` that faces `other` (None: in the same column, either side)."""
    if other.x >= box.right:
        return RIGHT
    if other.right <= box.x:
        return LEFT
    return None
