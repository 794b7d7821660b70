"""One recorded call as a line of the call log: what each column says, how the columns share
the log's width, and text cut or padded to its cells.

Apart from `CallLog` (the list: its pages, cursor and follow mode) because a row is plain data
and Rich segments, drawn the same whatever the list around it does; the composer and the
comparison show a call's time and duration the same way.
"""

from __future__ import annotations

import re
from datetime import datetime

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from sandbox.trace.events import HttpCall
from sandbox.tui.i18n import _

MIN_PATH = 10
"""Cells the path keeps however narrow the log: below this, the log shows fewer columns."""
PARTIES_WIDTH = 23
"""Enough for the longest pair of institutions, `marketplace → insurance`."""
MARK = "◆"
"""Drawn in the gutter of the call marked for comparing."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def row_strip(cells: tuple[str, ...], width: int, style: Style, styles: dict[int, Style]) -> Strip:
    """One line of the log: `cells` in the columns `width` allows, `styles` by column over
    the row's `style`."""
    segments: list[Segment] = []
    after_column = False  # the gutter sits against the first column; a space between others
    for column, (text, size) in enumerate(zip(cells, _layout(width), strict=True)):
        if size <= 0:
            continue
        if after_column:
            segments.append(Segment(" ", style))
        after_column = column > 0
        cell = _parties(text, size) if column == 2 else _fit(text, size, column == 6)
        cell_style = style + styles[column] if column in styles else style
        segments.append(Segment(cell, cell_style))
    used = sum(segment.cell_length for segment in segments)
    if used < width:
        segments.append(Segment(" " * (width - used), style))
    return Strip(segments, width).crop(0, width)


def header_cells() -> tuple[str, ...]:
    """The column titles."""
    return (
        "",
        _("time"),
        _("caller → callee"),
        _("method"),
        _("path"),
        _("status"),
        _("took"),
    )


def caller_text(call: HttpCall) -> str:
    """The caller as recorded; one that claimed an identity nobody verified reads
    `external(social?)`, so it never looks like the party it named."""
    if call.claimed_caller:
        return f"{call.caller}({call.claimed_caller}?)"
    return call.caller


def row_cells(call: HttpCall, marked: bool = False) -> tuple[str, ...]:
    """The cells of `call`'s row (`marked`: the call marked for comparing)."""
    status = str(call.status) if call.status is not None else (call.error or _("failed"))
    return (
        MARK if marked else "",
        format_time(call.started_at),
        f"{caller_text(call)} → {call.callee}",
        call.method,
        call.path,
        status,
        format_duration(call.duration_ms),
    )


def _layout(width: int) -> tuple[int, ...]:
    """Column widths: gutter, time, caller → callee, method, path, status, took.

    Who called whom comes first: a narrow log keeps the parties, a short method, the path (at
    least MIN_PATH cells) and the status; with more room the parties widen first, then the
    method and the status, and the duration and the time come last, while the path keeps
    room to be read.
    """
    widths = {"time": 0, "parties": 12, "method": 4, "status": 4, "took": 0}

    def path() -> int:
        shown = [w for w in widths.values() if w]
        return width - 1 - sum(shown) - len(shown)  # the gutter; a space between columns

    for column, wanted, keep in _GROWTH:
        before = widths[column]
        widths[column] = wanted
        if column == "parties":  # the parties take what they can get, up to `wanted`
            widths[column] = min(wanted, max(before, wanted + path() - keep))
        if path() < keep:
            widths[column] = before
    return (1, widths["time"], widths["parties"], widths["method"], max(path(), 0),
            widths["status"], widths["took"])  # fmt: skip


_GROWTH = (
    ("parties", 18, MIN_PATH),
    ("method", 6, 16),
    ("parties", PARTIES_WIDTH, 16),
    ("status", 7, 16),
    ("took", 6, 16),
    ("time", 12, 16),
)
"""In order: a column, the width it grows to, and the path it must leave (cells)."""


def _parties(text: str, width: int) -> str:
    """`caller → callee` in `width` cells: the arrow's spaces go first, then each name is cut
    (the longer one first), so both parties always show."""
    if cell_len(text) <= width:
        return _fit(text, width)
    caller, _arrow, callee = text.partition(" → ")
    caller, callee = _CONTROL.sub("·", caller), _CONTROL.sub("·", callee)
    room = width - 1
    if cell_len(caller) + cell_len(callee) > room:
        half = room // 2
        if cell_len(caller) <= half:
            callee = _cut(callee, room - cell_len(caller))
        elif cell_len(callee) <= room - half:
            caller = _cut(caller, room - cell_len(callee))
        else:
            caller, callee = _cut(caller, half), _cut(callee, room - half)
    return _fit(f"{caller}→{callee}", width)


def _cut(text: str, width: int) -> str:
    """`text` in at most `width` cells, an ellipsis marking a cut."""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, max(width - 1, 0)) + "…" if width > 0 else ""


def _fit(text: str, width: int, right: bool = False) -> str:
    """Text cut (with an ellipsis) or padded to exactly `width` cells."""
    text = _cut(_CONTROL.sub("·", text), width)
    if right:
        return " " * (width - cell_len(text)) + text
    return set_cell_size(text, width)


def format_time(started_at: float) -> str:
    """Local wall-clock time to the millisecond: `HH:MM:SS.mmm`."""
    try:
        moment = datetime.fromtimestamp(started_at)
    except (OverflowError, OSError, ValueError):
        return "--:--:--.---"
    return moment.strftime("%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def format_duration(duration_ms: float) -> str:
    """Short duration: `0.4ms`, `152ms`, `12.3s`."""
    if duration_ms != duration_ms or duration_ms < 0:  # NaN or a clock that went backwards
        return "?"
    if duration_ms < 10:
        return f"{duration_ms:.1f}ms"
    if duration_ms < 10_000:
        return f"{duration_ms:.0f}ms"
    return f"{duration_ms / 1000:.1f}s"
