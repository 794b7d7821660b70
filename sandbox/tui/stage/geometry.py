"""A rectangle of terminal cells: the only geometry the stage needs."""

from __future__ import annotations

from typing import NamedTuple


class Rect(NamedTuple):
    """Cells from (x, y), `width` wide and `height` high (a named tuple, so it is hashable)."""

    x: int
    y: int
    width: int
    height: int

    @property
    def right(self) -> int:
        """The first column past the rectangle."""
        return self.x + self.width

    @property
    def bottom(self) -> int:
        """The first row past the rectangle."""
        return self.y + self.height

    def contains(self, x: int, y: int) -> bool:
        """True when cell (x, y) lies inside."""
        return self.x <= x < self.right and self.y <= y < self.bottom

    def overlaps(self, other: Rect) -> bool:
        """True when the two share a cell."""
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )

    def inside(self, width: int, height: int) -> bool:
        """True when the rectangle lies within a `width` x `height` area."""
        return self.x >= 0 and self.y >= 0 and self.right <= width and self.bottom <= height
