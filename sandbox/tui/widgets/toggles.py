"""Check boxes and radio buttons whose state shows by shape, not only by colour.

Textual draws the same "X" in a ticked and an unticked box (and the same dot in a chosen and an
unchosen radio button); only the colour differs, which a projector, a light theme or a
colour-blind reader can lose. These draw a mark when on and leave the box empty when off.
Use them wherever the UI asks yes or no, or one of several.
"""

from __future__ import annotations

from typing import ClassVar

from textual.widgets import Checkbox, RadioButton


class TickBox(Checkbox):
    """A check box showing ✓ when ticked and an empty box when not."""

    BUTTON_INNER = " "
    """Unticked: an empty box."""
    MARK: ClassVar[str] = "✓"
    """Ticked."""

    def watch_value(self) -> None:
        """Draw the state as a shape (Textual calls this for every change of `value`)."""
        super().watch_value()
        self.BUTTON_INNER = self.MARK if self.value else type(self).BUTTON_INNER


class RadioChoice(RadioButton):
    """A radio button showing ● when chosen and an empty circle's place when not."""

    BUTTON_INNER = " "
    """Not chosen: empty."""
    MARK: ClassVar[str] = "●"
    """Chosen."""

    def watch_value(self) -> None:
        """Draw the state as a shape (Textual calls this for every change of `value`)."""
        super().watch_value()
        self.BUTTON_INNER = self.MARK if self.value else type(self).BUTTON_INNER
