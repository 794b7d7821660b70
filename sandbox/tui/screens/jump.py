"""Jump to a step: type its number (g 3 goes straight to step 3) or pick it from the list."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from sandbox.tui.i18n import Lazy, TranslatedBindings, _


class JumpDialog(TranslatedBindings, ModalScreen[int | None]):
    """The lesson's steps; returns the chosen step's 0-based index, or None."""

    BINDINGS = [
        Binding(
            "escape",
            "dismiss",
            Lazy("Close"),
            id="jump.close",
            tooltip=Lazy("Stay on this step"),
        ),
    ]
    DEFAULT_CSS = """
    JumpDialog { align: center middle; }
    JumpDialog > Vertical { width: 60; max-width: 90%; height: auto; max-height: 80%;
        border: thick $accent; background: $surface; padding: 0 1; }
    JumpDialog #jump-number { margin: 0 0 1 0; }
    JumpDialog #jump-steps { height: auto; max-height: 16; }
    """

    def __init__(self, steps: Sequence[tuple[int, str]], current: int) -> None:
        """Args:
        steps: Each step's number and title, in order.
        current: Index of the step on screen (highlighted in the list).
        """
        super().__init__()
        self.steps = list(steps)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = _("Go to step")
            yield Input(placeholder=_("Step number"), type="integer", id="jump-number")
            yield OptionList(
                *[
                    Option(f"{number}. {title}", id=str(i))
                    for i, (number, title) in enumerate(self.steps)
                ],
                id="jump-steps",
            )

    def on_mount(self) -> None:
        self.query_one("#jump-steps", OptionList).highlighted = self.current
        self.query_one("#jump-number", Input).focus()

    def index_of(self, typed: str) -> int | None:
        """The index of the step numbered `typed`, or None."""
        for index, (number, _title) in enumerate(self.steps):
            if str(number) == typed.strip():
                return index
        return None

    @on(Input.Changed, "#jump-number")
    def follow_typing(self, message: Input.Changed) -> None:
        """Go as soon as the typed number can only mean one step (g 3 in a lesson of 9 steps)."""
        index = self.index_of(message.value)
        if index is None:
            return
        self.query_one("#jump-steps", OptionList).highlighted = index
        longer = [n for n, _ in self.steps if str(n).startswith(message.value.strip())]
        if len(longer) == 1:
            self.dismiss(index)

    @on(Input.Submitted, "#jump-number")
    def choose_typed(self, message: Input.Submitted) -> None:
        index = self.index_of(message.value)
        if index is None:
            index = self.query_one("#jump-steps", OptionList).highlighted
        if index is not None:
            self.dismiss(index)

    @on(OptionList.OptionSelected, "#jump-steps")
    def choose_listed(self, message: OptionList.OptionSelected) -> None:
        self.dismiss(int(message.option.id or 0))
