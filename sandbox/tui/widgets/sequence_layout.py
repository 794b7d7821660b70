"""The sequence diagram as plain data: which arrows a trace draws and in what order, where each
party's lifeline stands at a given width, and every row as styled runs of text.

Apart from `SequencePlayer` (the widget: cursor, playing, scrolling, styles per frame) because
this part is pure geometry over `HttpCall`s, computed once per trace and width and tested
without a terminal; the player only picks a style for each run as it draws.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sandbox.trace.events import HttpCall
from sandbox.tui.i18n import _

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
ARROW_ROLES = frozenset(_OUTCOME_ROLES.values())
"""The roles arrows are drawn in: the ones the player restyles under the cursor and ahead."""

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


def fit(candidates: Sequence[str], room: int) -> str:
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
    fitted = fit(labels, room)
    if fitted in labels or room < len(_clean(call.method)) + 5:
        return fitted if fitted in labels else fit([_clean(call.method)], room)
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
    fitted = fit([f" {label} ", label], length - 1)
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
        label = fit([f" {_return_label(call)} "], max(0, length - 3))
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
        label = fit([name], min(gaps) - 1 if gaps else width)
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
