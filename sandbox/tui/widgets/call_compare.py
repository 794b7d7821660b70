"""`CallComparison`: two recorded calls side by side, their differences marked.

The marked call on the left, the other on the right: request line, parties, status, then the
request and response headers and bodies (`sandbox.trace.compare`: JSON bodies by structure).
Each differing row carries a marker as well as a colour, so a difference shows on a projector
that washes colours out: `~` changed, `+` only on the right, `-` only on the left. Every text
comes from the wire and is drawn as written (Content, never markup).
"""

from __future__ import annotations

import re
from typing import ClassVar

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from sandbox.trace.compare import ADDED, CHANGED, REMOVED, SAME, Row, Section, compare_calls
from sandbox.trace.events import HttpCall
from sandbox.tui.i18n import N_, Lazy, _, ngettext, number
from sandbox.tui.widgets.call_detail import status_text
from sandbox.tui.widgets.call_row import format_duration, format_time

MARKERS = {SAME: " ", CHANGED: "~", ADDED: "+", REMOVED: "-"}
"""The column between the two sides: what happened to the row, without colour."""
STYLES = {
    SAME: "",
    CHANGED: "$text-warning bold",
    ADDED: "$text-success bold",
    REMOVED: "$text-error bold",
}
"""Theme variables for text (each passes AA contrast in every theme; see themes.py)."""
TITLES = {
    "call": N_("Call"),
    "request headers": N_("Request headers"),
    "request body": N_("Request body"),
    "response headers": N_("Response headers"),
    "response body": N_("Response body"),
}
SHOWN_CHANGES = 8
"""Differences named in a section's summary; the others are counted."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MUTED = "$foreground 75%"
"""Quiet text; see call_detail._MUTED for why not `$text-muted`."""


class CallComparison(VerticalScroll, can_focus=True):
    """Two calls side by side; `d` shows only the rows that differ, `x` swaps the sides."""

    HELP = Lazy("""\

## Comparing two calls

The marked call (◆) on the left, the other on the right. Rows that differ are marked
**~** (changed), **+** (only in the right call) or **-** (only in the left call). JSON bodies
are compared key by key, at every depth, so a reordered body shows only real differences;
each section names what differs (`totalAmount.value`).

- **d** shows only the rows that differ (again: every row).
- **x** swaps the two sides.
""")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "d",
            "toggle_differences",
            Lazy("Differences"),
            id="compare.differences",
            tooltip=Lazy("Show only the rows that differ, or every row"),
        ),
        Binding(
            "x",
            "swap",
            Lazy("Swap"),
            id="compare.swap",
            tooltip=Lazy("Swap the left and right calls"),
        ),
    ]

    DEFAULT_CSS = """
    CallComparison {
        height: 1fr;
        padding: 0 1;
        scrollbar-size-vertical: 1;
        & > .-heading { color: $text-primary; text-style: bold; margin-top: 1; }
        & > .-summary { color: $text-muted; }
    }
    """

    differences_only: reactive[bool] = reactive(False, init=False)
    """Hide the rows that are the same on both sides."""

    def __init__(
        self,
        left: HttpCall,
        right: HttpCall,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.left = left
        """The marked call."""
        self.right = right
        self._sections = _sections(left, right)

    @property
    def sections(self) -> tuple[Section, ...]:
        """What is compared, section by section (the call itself first)."""
        return self._sections

    def compose(self) -> ComposeResult:
        yield Static(id="compare-calls", markup=False)
        for index, section in enumerate(self._sections):
            if index:
                yield Static(_(TITLES[section.title]), classes="-heading", markup=False)
                yield Static(summary_text(section), classes="-summary", markup=False)
            yield Static(id=f"compare-{index}", markup=False)

    def on_resize(self, event: events.Resize) -> None:
        """Rows are cut to the width, so both sides stay aligned: draw them again."""
        self._draw()

    def on_mount(self) -> None:
        self._draw()

    def watch_differences_only(self) -> None:
        self._draw()

    def action_toggle_differences(self) -> None:
        """Show only the rows that differ, or every row."""
        self.differences_only = not self.differences_only

    def action_swap(self) -> None:
        """Put the right call on the left."""
        self.left, self.right = self.right, self.left
        self._sections = _sections(self.left, self.right)
        summaries = self.query(".-summary").results(Static)
        for section, static in zip(self._sections[1:], summaries, strict=True):
            static.update(summary_text(section))
        self._draw()

    def _draw(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0 or not self.is_mounted:
            return
        heads = Row(_column_title(self.left, True), _column_title(self.right, False), SAME)
        self.query_one("#compare-calls", Static).update(side_by_side([heads], width))
        for index, section in enumerate(self._sections):
            rows = [r for r in section.rows if r.kind != SAME or not self.differences_only]
            static = self.query_one(f"#compare-{index}", Static)
            # Showing only differences, a section the same on both sides is its summary alone.
            static.display = bool(rows) or not self.differences_only
            if rows:
                drawn = side_by_side(rows, width)
            else:
                drawn = Content.styled(_("(nothing on either side)"), _MUTED)
            if section.left_out:
                more = ngettext(
                    "… {count} more row not compared", "… {count} more rows not compared",
                    section.left_out,
                ).format(count=number(section.left_out))  # fmt: skip
                drawn = Content.assemble(drawn, "\n", (more, _MUTED))
            static.update(drawn)


def _sections(left: HttpCall, right: HttpCall) -> tuple[Section, ...]:
    """The call's own rows (worded here, in the UI's language), then headers and bodies."""
    pairs = [
        (f"{left.method} {left.path}", f"{right.method} {right.path}"),
        (f"{left.caller} → {left.callee}", f"{right.caller} → {right.callee}"),
        (status_text(left), status_text(right)),
    ]
    call = Section("call", tuple(Row(a, b, SAME if a == b else CHANGED) for a, b in pairs))
    return (call, *compare_calls(left, right))


def _column_title(call: HttpCall, marked: bool) -> str:
    when = format_time(call.started_at)
    took = format_duration(call.duration_ms)
    if marked:
        return _("◆ marked · {time} · {took}").format(time=when, took=took)
    return _("this call · {time} · {took}").format(time=when, took=took)


def summary_text(section: Section) -> str:
    """`2 differences in totalAmount.value, note` or `the same in both calls`."""
    if not section.differs:
        return _("the same in both calls")
    changes = section.changes
    count = len(changes) or sum(row.kind != SAME for row in section.rows) + section.left_out
    text = ngettext("{count} difference", "{count} differences", count).format(count=number(count))
    if not changes:
        return text
    names = [_change_name(where, kind) for where, kind in changes[:SHOWN_CHANGES]]
    if len(changes) > SHOWN_CHANGES:
        names.append("…")
    return _("{differences} in {names}").format(differences=text, names=", ".join(names))


def _change_name(where: str, kind: str) -> str:
    name = where or _("the whole body")
    return f"{MARKERS[kind]}{name}" if kind in (ADDED, REMOVED) else name


def side_by_side(rows: list[Row], width: int) -> Content:
    """Rows as two columns of equal width around a marker column; a long side wraps within
    its column and the other side waits for it, so every row starts level."""
    column = max((width - 3) // 2, 1)
    lines: list[Content] = []
    for row in rows:
        left = _chop(row.left, column)
        right = _chop(row.right, column)
        style = STYLES[row.kind]
        for index in range(max(len(left), len(right))):
            a = left[index] if index < len(left) else ""
            b = right[index] if index < len(right) else ""
            marker = MARKERS[row.kind] if index == 0 else " "
            lines.append(
                Content.assemble(
                    (_pad(a, column), style if row.kind != ADDED else ""),
                    " ",
                    (marker, style),
                    " ",
                    (b, style if row.kind != REMOVED else ""),
                )
            )
    return Content("\n").join(lines)


def _chop(text: str | None, width: int) -> list[str]:
    """`text` in pieces of at most `width` cells (None: nothing on this side)."""
    if not text:
        return [] if text is None else [""]
    text = _CONTROL.sub("·", text.replace("\t", "    "))
    pieces: list[str] = []
    current, used = "", 0
    for char in text:
        size = cell_len(char)
        if used + size > width and current:
            pieces.append(current)
            current, used = "", 0
        current += char
        used += size
    pieces.append(current)
    return pieces


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - cell_len(text), 0)
