"""Edges between boxes: orthogonal routes that keep apart, and a label spot on each.

Every edge is routed with A* over the map's cells. Costs steer routes off boxes, off each
other (running alongside another line costs far more than crossing it) and off labels, so
the two directions between two institutions become two parallel lines rather than one.
A label goes on a straight part of its route (inline on a horizontal run, or beside a
vertical one) and never on another line or label.

Pure: no Textual. Routing is the expensive part of drawing, so the widget routes an edge once
per layout and only places labels again as calls arrive.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence

from sandbox.tui.stage.geometry import Rect

Cell = tuple[int, int]
Port = tuple[int, int, int]
"""A cell next to a box, with the direction that leaves (or, for a goal, enters) it."""
LabelText = Callable[[int], "str | None"]
"""The label for an edge in at most the given number of cells (None: nothing fits)."""

UP, RIGHT, DOWN, LEFT = 0, 1, 2, 3
STEP = ((0, -1), (1, 0), (0, 1), (-1, 0))
LINES = " ╵╶└╷│┌├╴┘─┴┐┤┬┼"
"""Line character for a mask of directions (bit 1 up, 2 right, 4 down, 8 left)."""
VERTICAL, HORIZONTAL = 1 | 4, 2 | 8

# A step costs 1; these steer routes into their own lanes and off each other.
_BEND, _PARALLEL, _CROSS, _OVER_LABEL, _NEAR_BOX = 3, 40, 4, 200, 2
_MAX_EXPANSIONS = 200_000
_TURNS = tuple((d, (d + 1) % 4, (d + 3) % 4) for d in range(4))
"""Where a route may go next from each direction: on, or a quarter turn either way."""


class Grid:
    """What routes and labels must avoid: boxes, other lines, other labels, arrowheads."""

    def __init__(self, width: int, height: int, boxes: Iterable[Rect]) -> None:
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

    def add_route(self, cells: Sequence[Cell]) -> None:
        """Mark a route (and its arrowhead) as taken."""
        for mask, (x, y) in zip(masks(cells), cells, strict=True):
            if 0 <= x < self.width and 0 <= y < self.height:
                self.lines[y * self.width + x] |= mask
        if cells:
            x, y = cells[-1]
            if 0 <= x < self.width and 0 <= y < self.height:
                self.heads[y * self.width + x] = 1

    def copy_lines(self) -> tuple[bytes, bytes]:
        """The routes and arrowheads marked so far, as an immutable copy."""
        return bytes(self.lines), bytes(self.heads)

    def add_label(self, region: Rect) -> None:
        """Mark a label's cells as taken."""
        for y in range(region.y, region.bottom):
            for x in range(region.x, region.right):
                if 0 <= x < self.width and 0 <= y < self.height:
                    self.labels[y * self.width + x] = 1

    def free(self, x: int, y: int) -> bool:
        """True where a label may go: inside, and clear of boxes, lines and labels."""
        if not (0 <= x < self.width and 0 <= y < self.height):
            return False
        i = y * self.width + x
        return not (self.blocked[i] or self.lines[i] or self.labels[i] or self.heads[i])

    def taken(self, x: int, y: int) -> bool:
        """A cell something else already uses."""
        i = y * self.width + x
        return bool(self.lines[i] or self.labels[i] or self.heads[i] or self.blocked[i])

    def route(self, starts: Sequence[Port], goals: dict[Cell, int]) -> list[Cell] | None:
        """Cheapest orthogonal path (A*) from a start port to a goal port, entering it head-on."""
        if not goals:
            return None
        goal_xs = sorted({x for x, _ in goals})
        rows = [y for _, y in goals]
        top, bottom = min(rows), max(rows)
        # The estimate, weighted (fast, near best): twice the distance to the nearest goal
        # column plus to the goals' rows. Tabled once per column and row, since A* asks for it
        # at every step (tens of thousands of times when the map is first drawn).
        to_x = [2 * min(abs(x - gx) for gx in goal_xs) for x in range(self.width)]
        to_y = [2 * (top - y if y < top else max(y - bottom, 0)) for y in range(self.height)]

        def estimate(x: int, y: int) -> int:
            return to_x[x] + to_y[y]

        best: dict[Port, int] = {}
        parent: dict[Port, Port | None] = {}
        queue: list[tuple[int, int, int, int, int]] = []
        for x, y, d in starts:
            inside = 0 <= x < self.width and 0 <= y < self.height
            if inside and not self.blocked[y * self.width + x]:
                cost = 1 + self._penalty(x, y, d)
                if cost < best.get((x, y, d), 1 << 30):
                    best[(x, y, d)] = cost
                    parent[(x, y, d)] = None
                    heapq.heappush(queue, (cost + estimate(x, y), -cost, x, y, d))
        expansions = 0
        # The loop below runs tens of thousands of times when the map is first drawn: the
        # names it uses are local, and `_penalty` is written out in it (the same sums).
        width, height, blocked = self.width, self.height, self.blocked
        lines, labels, heads, near = self.lines, self.labels, self.heads, self.near
        lookup, push, pop = best.get, heapq.heappush, heapq.heappop
        while queue and expansions < _MAX_EXPANSIONS:
            _, neg, x, y, d = pop(queue)
            cost = -neg
            if cost > lookup((x, y, d), 1 << 30):
                continue
            if goals.get((x, y)) == d:
                return _unwind(parent, (x, y, d))
            expansions += 1
            for nd in _TURNS[d]:
                dx, dy = STEP[nd]
                nx, ny = x + dx, y + dy
                if not (0 <= nx < width and 0 <= ny < height):
                    continue
                i = ny * width + nx
                if blocked[i]:
                    continue
                step = cost + 1 if nd == d else cost + 1 + _BEND
                used = lines[i]
                if used:
                    along = HORIZONTAL if dx else VERTICAL
                    step += _PARALLEL if used & along else _CROSS
                if labels[i]:
                    step += _OVER_LABEL
                if heads[i]:
                    step += _PARALLEL
                if near[i] and not dx:
                    step += _NEAR_BOX
                if step < lookup((nx, ny, nd), 1 << 30):
                    best[(nx, ny, nd)] = step
                    parent[(nx, ny, nd)] = (x, y, d)
                    push(queue, (step + to_x[nx] + to_y[ny], -step, nx, ny, nd))
        return None

    def _penalty(self, x: int, y: int, d: int) -> int:
        i = y * self.width + x
        used = self.lines[i]
        along = HORIZONTAL if d in (LEFT, RIGHT) else VERTICAL
        cost = _PARALLEL if used & along else (_CROSS if used else 0)
        if self.labels[i]:
            cost += _OVER_LABEL
        if self.heads[i]:
            cost += _PARALLEL
        if self.near[i] and along == VERTICAL:
            cost += _NEAR_BOX
        return cost


def _unwind(parent: dict[Port, Port | None], state: Port) -> list[Cell]:
    path: list[Cell] = []
    node: Port | None = state
    while node is not None:
        path.append((node[0], node[1]))
        node = parent[node]
    path.reverse()
    return path


def ports(box: Rect, rows: Sequence[int] | None = None, side: int | None = None) -> list[Port]:
    """Cells just outside a box's left and right sides, with the direction leaving it.

    `rows` limits the ports to some rows (a person's own row in the people box); `side`
    (RIGHT or LEFT) to one side: the one that faces the box at the other end.
    """
    if rows is None:
        rows = range(box.y + 1, box.bottom - 1) if box.height > 2 else range(box.y, box.bottom)
    found = [] if side == LEFT else [(box.right, y, RIGHT) for y in rows]
    return found if side == RIGHT else found + [(box.x - 1, y, LEFT) for y in rows]


def goals(box: Rect, rows: Sequence[int] | None = None, side: int | None = None) -> dict[Cell, int]:
    """The ports of `box` as goals: each cell with the direction that enters the box."""
    return {(x, y): (d + 2) % 4 for x, y, d in ports(box, rows, side)}


def masks(cells: Sequence[Cell]) -> list[int]:
    """Direction bits per route cell."""
    found = [0] * len(cells)
    for i in range(len(cells) - 1):
        d = direction(cells[i], cells[i + 1])
        found[i] |= 1 << d
        found[i + 1] |= 1 << ((d + 2) % 4)
    return found


def direction(a: Cell, b: Cell) -> int:
    """The direction from cell `a` towards cell `b`."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    return STEP.index((max(-1, min(1, dx)), max(-1, min(1, dy))))


def segments(cells: Sequence[Cell]) -> list[list[Cell]]:
    """A route split into straight runs."""
    runs: list[list[Cell]] = []
    for i, cell in enumerate(cells):
        if i >= 2 and direction(cells[i - 2], cells[i - 1]) != direction(cells[i - 1], cell):
            runs.append([cells[i - 1]])
        if not runs:
            runs.append([])
        runs[-1].append(cell)
    return runs


def place_label(grid: Grid, text_for: LabelText, cells: Sequence[Cell]) -> tuple[str, Rect] | None:
    """The label's text and cells: on a straight part of the route, or beside one.

    The full text wins over a shortened one, then the longer text (a label that says more),
    then inline over beside, then nearness to the route's middle.
    """
    own = set(cells)
    middle = cells[len(cells) // 2] if cells else (0, 0)
    full = text_for(1 << 16)
    best: tuple[tuple[bool, int, int, int], str, Rect] | None = None
    for run in segments(cells):
        for text, region, rank in _spots(grid, text_for, run, own):
            distance = abs(region.x + region.width // 2 - middle[0]) + abs(region.y - middle[1])
            score = (text.strip() != full, -len(text.strip()), rank, distance)
            if best is None or score < best[0]:
                best = (score, text, region)
    return None if best is None else (best[1], best[2])


def _spots(
    grid: Grid, text_for: LabelText, run: list[Cell], own: set[Cell]
) -> Iterable[tuple[str, Rect, int]]:
    """Candidate label positions for one straight run: on it (horizontal) or beside it."""
    if len(run) >= 2 and run[0][1] == run[-1][1]:
        y, xs = run[0][1], sorted(x for x, _ in run)
        ok = [x for x in xs[1:-1] if (x, y) in own and not grid.taken(x, y)]
        for start, end in _spans(ok):
            text = text_for(end - start - 2)
            if text:
                x = start + (end - start - len(text) - 2) // 2
                yield f" {text} ", Rect(x, y, len(text) + 2, 1), 0
        for row in (y - 1, y + 1):  # just above or below a run too short to hold it
            near = [x for x in range(xs[0], xs[-1] + 1) if _clear(grid, own, x, row)]
            for start, end in _spans(near):
                text = text_for(end - start)
                if text:
                    x = start + (end - start - len(text)) // 2
                    yield text, Rect(x, row, len(text), 1), 2
        return
    for x, y in run[1:-1]:
        for lo, hi, right in ((x + 2, grid.width, True), (0, x - 1, False)):
            if not grid.free(x + (1 if right else -1), y):
                continue
            span = _free_span(grid, y, lo, hi, from_left=right)
            if span is None:
                continue
            text = text_for(span[1] - span[0])
            if text:
                x0 = span[0] if right else span[1] - len(text)
                yield text, Rect(x0, y, len(text), 1), 1


def _clear(grid: Grid, own: set[Cell], x: int, y: int) -> bool:
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


def _free_span(grid: Grid, y: int, lo: int, hi: int, from_left: bool) -> tuple[int, int] | None:
    """The free cells from `lo` rightwards (or from `hi` leftwards) on row `y`; a span that
    ends at something drawn gives up its last cell, so a label never touches a line."""
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
