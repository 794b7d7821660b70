"""A grid of one-cell characters, each with a style name, drawn into once per change.

Style names (`"edge-2xx"`, `"box-bank"`, `"muted"`) stay names here; the widget turns each into
a colour from the theme when it makes strips. Every character is one cell wide (anything
wider is drawn as `?`), so the grid never shifts, whatever text came from the wire.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len

from sandbox.tui.stage.geometry import Rect
from sandbox.tui.stage.routing import HORIZONTAL, LINES, VERTICAL, Cell

Piece = tuple[str, str]
"""Text and its style name."""


def one_cell(text: str) -> str:
    """`text` with every character one cell wide: wide and zero-width ones become `?`."""
    return "".join(c if _narrow(c) else "?" for c in text)


def _narrow(char: str) -> bool:
    if char.isascii():
        return char.isprintable()
    return char.isprintable() and cell_len(char) == 1


class Canvas:
    """Characters and style names, row by row."""

    def __init__(self, width: int, height: int, blank: str = "") -> None:
        self.width, self.height = width, height
        self.blank = blank
        self.chars = [[" "] * width for _ in range(height)]
        self.styles = [[blank] * width for _ in range(height)]

    def put(self, x: int, y: int, char: str, style: str) -> None:
        """One character at (x, y); outside the canvas it is dropped."""
        if 0 <= x < self.width and 0 <= y < self.height:
            self.chars[y][x] = char
            self.styles[y][x] = style

    def text(self, x: int, y: int, text: str, style: str, width: int | None = None) -> int:
        """Write `text` from (x, y), cut with `…` to `width` cells; returns the cells used."""
        return self.pieces(x, y, [(text, style)], width)

    def pieces(self, x: int, y: int, pieces: Sequence[Piece], width: int | None = None) -> int:
        """Write styled pieces one after another, cut with `…` to `width` cells."""
        room = self.width - x if width is None else width
        used = 0
        for text, style in pieces:
            text = one_cell(text)
            if used + len(text) > room:
                keep = max(0, room - used - 1)
                for i, char in enumerate(text[:keep]):
                    self.put(x + used + i, y, char, style)
                if room - used > 0:
                    self.put(x + used + keep, y, "…", style)
                return room
            for i, char in enumerate(text):
                self.put(x + used + i, y, char, style)
            used += len(text)
        return used

    def box(
        self, rect: Rect, title: Sequence[Piece], border: str, footer: Sequence[Piece] = ()
    ) -> None:
        """A rounded box: `title` set into its top border, `footer` into its bottom one."""
        x0, y0, x1, y1 = rect.x, rect.y, rect.right - 1, rect.bottom - 1
        for x in range(x0 + 1, x1):
            self.put(x, y0, "─", border)
            self.put(x, y1, "─", border)
        for y in range(y0 + 1, y1):
            self.put(x0, y, "│", border)
            self.put(x1, y, "│", border)
            for x in range(x0 + 1, x1):
                self.put(x, y, " ", self.blank)
        for x, y, char in ((x0, y0, "╭"), (x1, y0, "╮"), (x0, y1, "╰"), (x1, y1, "╯")):
            self.put(x, y, char, border)
        if rect.width > 4:
            if title:
                self.pieces(x0 + 1, y0, _padded(title), rect.width - 2)
            if footer and y1 > y0:
                self.pieces(x0 + 1, y1, _padded(footer), rect.width - 2)

    def route(
        self,
        cells: Sequence[Cell],
        found: Sequence[int],
        style: str,
        *,
        dashed: bool = False,
        exit_port: Cell | None = None,
    ) -> None:
        """A route's line (`found`: its direction bits per cell), joined to lines already
        drawn where they cross or meet; `exit_port` is the cell on the caller's border the
        line leaves from (drawn as a tee)."""
        for (x, y), mask in zip(cells, found, strict=True):
            if not (0 <= x < self.width and 0 <= y < self.height):
                continue
            under = self.chars[y][x]
            merged = mask | (LINES.index(under) if under in LINES else 0)
            char = LINES[merged]
            if dashed and merged == HORIZONTAL:
                char = "╌"
            elif dashed and merged == VERTICAL:
                char = "╎"
            self.put(x, y, char, style)
        if exit_port is not None:
            px, py = exit_port
            self.put(px, py, "├" if px < cells[0][0] else "┤", style)

    def rows(self) -> list[list[Piece]]:
        """Each row as runs of one style."""
        rows: list[list[Piece]] = []
        for chars, styles in zip(self.chars, self.styles, strict=True):
            runs: list[Piece] = []
            start = 0
            for x in range(1, self.width + 1):
                if x == self.width or styles[x] != styles[start]:
                    runs.append(("".join(chars[start:x]), styles[start]))
                    start = x
            rows.append(runs)
        return rows

    def row_text(self, y: int) -> str:
        """Row `y` as plain text (for tests and screen readers)."""
        return "".join(self.chars[y])


def _padded(pieces: Sequence[Piece]) -> list[Piece]:
    """Pieces with one space either side, so border text does not touch the line."""
    if not pieces:
        return []
    first, last = pieces[0], pieces[-1]
    return [(" ", first[1]), *pieces, (" ", last[1])]
