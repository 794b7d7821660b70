"""Where each party sits: lanes by role, left to right, boxes sized to their full names.

A box is its name in the top border, its role inside, and its slug, health and counts in the
bottom border (`╰ bank ● ok 7 in · 1 out ╯`): three or four rows for everything a class needs.

The lanes read like the story: people, the front apps they touch (the storefront, the
hospital's desk), the platform that owns the transaction, and the back-ends behind it (bank,
registry, records, insurance). From 100 columns each box carries the institution's full name
and role; below that, or when the full boxes do not fit, a compact form with short names keeps
every institution on screen (80x24 must work). Inside a lane, boxes sit near the boxes they
talk to, so the arrows of one story stay short and apart.

Pure: no Textual. The widget gives texts already in the UI's language.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sandbox.tui.stage.geometry import Rect

PEOPLE = "people"
"""The box of callers that are not services (personas, `external`, a developer's script)."""
LANES = ("people", "front", "platform", "back")
"""Left to right: who acts, what they touch, who owns the transaction, who stands behind."""
FULL_WIDTH = 100
"""From this many columns, boxes carry full names and roles."""

_MIN_GAP_FULL, _MIN_GAP_COMPACT = 10, 4
_MAX_BOX_WIDTH, _MIN_BOX_WIDTH = 30, 24
_PEOPLE_WIDTH = {False: 14, True: 10}
_PEOPLE_ROWS = 3
"""Rows the people box keeps from the start, so the first few people move nothing."""


@dataclass(frozen=True, slots=True)
class Party:
    """One institution as the map draws it."""

    name: str
    """The slug the trace uses (`bank`); the bottom border shows it."""
    lane: str
    """One of `LANES` (not `people`)."""
    title: str
    """Full name ("Bank Contoh")."""
    short: str
    """Compact name, distinct on the map ("Bank")."""
    role: str = ""
    """What it is, in the UI's language ("bank (accounts, virtual accounts)")."""
    footer: int = 0
    """Cells its bottom border's text wants (slug, health, counts): boxes widen for it."""


@dataclass(frozen=True, slots=True)
class Layout:
    """Every box of the map in a widget of one size."""

    compact: bool
    boxes: dict[str, Rect]
    """Each party's box by slug, and `PEOPLE` when there are people."""
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """The role wrapped to the box (full form only)."""
    people_rows: dict[str, int] = field(default_factory=dict)
    """The row each person's name (and arrows) sit on, inside the people box."""

    def title(self, party: Party) -> str:
        """The name in the box's top border for this form."""
        return party.short if self.compact else party.title

    def with_people(self, people: Sequence[str]) -> Layout:
        """The same boxes with `people` on the people box's rows (as many as it holds).

        People only ever join at the end, so everyone already there keeps their row.
        """
        box = self.boxes.get(PEOPLE)
        if box is None:
            return self
        rows = {person: box.y + 1 + i for i, person in enumerate(people[: box.height - 2])}
        return Layout(self.compact, self.boxes, self.roles, rows)


@dataclass(frozen=True, slots=True)
class _Form:
    compact: bool
    role_lines: int
    split: bool
    box_height: int


def short_names(parties: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Distinct short names from (slug, title): the first word, unless two would clash or it
    says too little (then the title, cut to 10 characters)."""
    first = {slug: (title.split() or [slug])[0] for slug, title in parties}
    words = list(first.values())
    short: dict[str, str] = {}
    for slug, title in parties:
        word = first[slug]
        clean = word if words.count(word) == 1 and len(word) >= 3 else title
        short[slug] = clean if len(clean) <= 10 else clean[:9] + "…"
    return short


def lay_out(
    parties: Sequence[Party],
    people: Sequence[str],
    width: int,
    height: int,
    *,
    edges: Iterable[tuple[str, str]] = (),
    top: int = 0,
) -> Layout:
    """Place every box for a map of `width` x `height` cells.

    Args:
        parties: The institutions, in the registry's order (kept inside each lane).
        people: Callers that are not institutions, in order of their first call.
        edges: Who may call whom (people as `PEOPLE`): boxes sit near the boxes they talk
            to, and are made tall enough (when the map has the room) for every edge to meet
            them on a row of its own.
        top: Rows kept free above the boxes (for a caption).
    """
    edges = [(a, b) for a, b in edges if a != b]
    links = _links(edges)
    forms = [
        _Form(False, 2, False, 4),
        _Form(False, 1, False, 3),
        _Form(False, 1, True, 3),
        _Form(True, 0, False, 3),
        _Form(True, 0, True, 3),
        _Form(True, 0, False, 2),
        _Form(True, 0, True, 2),
    ]
    for form in forms:
        if not form.compact and width < FULL_WIDTH:
            continue
        # Compact boxes stay small: the little room there is goes to the calls.
        for roomy in (False,) if form.compact else (True, False):
            placed = _try(form, parties, people, width, height - top, links, edges if roomy else ())
            if placed is not None:
                return _lowered(placed, top)
    return Layout(compact=True, boxes={})


def _lowered(layout: Layout, rows: int) -> Layout:
    """The same layout `rows` further down."""
    if not rows:
        return layout
    return Layout(
        compact=layout.compact,
        boxes={n: r._replace(y=r.y + rows) for n, r in layout.boxes.items()},
        roles=layout.roles,
        people_rows={p: y + rows for p, y in layout.people_rows.items()},
    )


def _links(pairs: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    links: dict[str, set[str]] = {}
    for a, b in pairs:
        if a != b:
            links.setdefault(a, set()).add(b)
            links.setdefault(b, set()).add(a)
    return links


def _try(
    form: _Form,
    parties: Sequence[Party],
    people: Sequence[str],
    width: int,
    height: int,
    links: dict[str, set[str]],
    edges: Sequence[tuple[str, str]],
) -> Layout | None:
    """The layout in `form`, or None when it does not fit."""
    columns = _columns(parties, form.split, height, form.box_height)
    widths, roles = _widths(form, parties, columns)
    heights = {
        p.name: form.box_height if form.compact else 2 + max(1, len(roles[p.name])) for p in parties
    }
    for name, ports in _ports_needed(columns, edges).items():
        if name in heights:
            heights[name] = max(heights[name], 2 + ports)
    if people:
        # Fixed, so a new person never moves the institutions (names are cut to fit).
        columns.insert(0, [PEOPLE])
        widths.insert(0, _PEOPLE_WIDTH[form.compact])
        heights[PEOPLE] = min(height, max(_PEOPLE_ROWS, len(people)) + 2)
    if not columns:
        return Layout(compact=form.compact, boxes={})
    gaps = len(columns) - 1
    free = width - 2 - sum(widths)
    if gaps and free < gaps * (_MIN_GAP_COMPACT if form.compact else _MIN_GAP_FULL):
        return None
    if any(sum(heights[n] for n in column) + len(column) - 1 > height for column in columns):
        return None
    xs = _xs(widths, free, gaps)
    ys = _ys(columns, heights, height, links)
    boxes = {
        name: Rect(xs[i], ys[name], widths[i], heights[name])
        for i, column in enumerate(columns)
        for name in column
    }
    rows: dict[str, int] = {}
    if people:
        box = boxes[PEOPLE]
        shown = people[: box.height - 2]
        rows = {person: box.y + 1 + i for i, person in enumerate(shown)}
    return Layout(
        compact=form.compact, boxes=boxes, roles={} if form.compact else roles, people_rows=rows
    )


def _ports_needed(columns: list[list[str]], edges: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Edges meeting each box on its busier side (an edge within a column uses the right)."""
    column_of = {name: i for i, column in enumerate(columns) for name in column}
    column_of.setdefault(PEOPLE, -1)
    sides: dict[tuple[str, bool], int] = {}
    for a, b in edges:
        if a not in column_of or b not in column_of:
            continue
        for me, other in ((a, b), (b, a)):
            left = column_of[other] < column_of[me]
            sides[(me, left)] = sides.get((me, left), 0) + 1
    needed: dict[str, int] = {}
    for (name, _), count in sides.items():
        needed[name] = max(needed.get(name, 0), count)
    return needed


def _columns(parties: Sequence[Party], split: bool, height: int, box_h: int) -> list[list[str]]:
    """Names per column, lane by lane; a lane too tall for one column takes two (`split`)."""
    columns: list[list[str]] = []
    for lane in LANES[1:]:
        names = [p.name for p in parties if (p.lane if p.lane in LANES[1:] else "back") == lane]
        if not names:
            continue
        if split and len(names) * (box_h + 1) - 1 > height and len(names) > 1:
            half = -(-len(names) // 2)
            columns += [names[:half], names[half:]]
        else:
            columns.append(names)
    return columns


def _widths(
    form: _Form, parties: Sequence[Party], columns: list[list[str]]
) -> tuple[list[int], dict[str, tuple[str, ...]]]:
    """Each column's box width (the same for every box in it) and each role wrapped to it."""
    by_name = {p.name: p for p in parties}
    widths: list[int] = []
    roles: dict[str, tuple[str, ...]] = {}
    for column in columns:
        members = [by_name[n] for n in column]
        if form.compact:
            widths.append(max(9, *(cell(p.short) + 4 for p in members)))
            roles.update({p.name: () for p in members})
            continue
        want = max(
            _MIN_BOX_WIDTH,
            *(cell(p.title) + 6 for p in members),
            *(_role_width(p.role, form.role_lines) + 4 for p in members),
            *(p.footer + 4 for p in members),
        )
        box_w = min(_MAX_BOX_WIDTH, want)
        widths.append(box_w)
        roles.update({p.name: wrap(p.role, box_w - 4, form.role_lines) for p in members})
    return widths, roles


def _role_width(role: str, lines: int) -> int:
    """The narrowest inner width that fits `role` in `lines` lines (at most the whole role)."""
    for inner in range(12, cell(role) + 1):
        if len(textwrap.wrap(role, inner, break_on_hyphens=False)) <= lines:
            return inner
    return cell(role)


def wrap(text: str, width: int, lines: int) -> tuple[str, ...]:
    """`text` in at most `lines` lines of `width` cells; the last one ends in `…` if cut."""
    if not text or width <= 0 or lines <= 0:
        return ()
    wrapped = textwrap.wrap(text, width, break_on_hyphens=False) or [""]
    if len(wrapped) <= lines:
        return tuple(wrapped)
    rest = " ".join(wrapped[lines - 1 :])
    return (*wrapped[: lines - 1], rest[: width - 1].rstrip() + "…")


def cell(text: str) -> int:
    """Cells `text` takes on the map (the canvas draws one cell per character)."""
    return len(text)


def _xs(widths: list[int], free: int, gaps: int) -> list[int]:
    """Left columns: spare width shared evenly between the gaps, one cell of margin."""
    xs, x = [], 1
    for i, w in enumerate(widths):
        xs.append(x)
        share = free // gaps + (1 if i < free % gaps else 0) if gaps else 0
        x += w + share
    return xs


def _ys(
    columns: list[list[str]], heights: dict[str, int], height: int, links: dict[str, set[str]]
) -> dict[str, int]:
    """Top rows: the fullest column spread evenly, the others near their neighbours."""
    ys: dict[str, int] = {}
    order = sorted(range(len(columns)), key=lambda i: -len(columns[i]))
    for index in order:
        column = columns[index]
        even = _spread([heights[n] for n in column], height)
        wanted = []
        for name, top in zip(column, even, strict=True):
            centres = [ys[n] + heights[n] / 2 for n in links.get(name, ()) if n in ys]
            wanted.append(sum(centres) / len(centres) - heights[name] / 2 if centres else top)
        for name, top in zip(
            column, _settle(wanted, [heights[n] for n in column], height), strict=True
        ):
            ys[name] = top
    return ys


def _spread(sizes: list[int], height: int) -> list[int]:
    """Tops of boxes spread evenly down a column."""
    free = height - sum(sizes)
    gap = max(1, free // (len(sizes) + 1)) if len(sizes) > 1 else max(0, free // 2)
    used = sum(sizes) + gap * (len(sizes) - 1)
    y = max(0, (height - used) // 2)
    tops = []
    for size in sizes:
        tops.append(y)
        y += size + gap
    return tops


def _settle(wanted: list[float], sizes: list[int], height: int) -> list[int]:
    """Tops as close to `wanted` as the order, a one-row gap and the area allow."""
    tops: list[int] = []
    floor = 0
    for want, size in zip(wanted, sizes, strict=True):
        top = max(floor, round(want))
        tops.append(top)
        floor = top + size + 1
    ceiling = height
    for i in range(len(tops) - 1, -1, -1):  # push back up from the bottom edge
        tops[i] = min(tops[i], ceiling - sizes[i])
        ceiling = tops[i] - 1
    return [max(0, t) for t in tops]
