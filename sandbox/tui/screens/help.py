"""The help screen: what the showing screen is for, in plain words."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from sandbox.tui.i18n import TranslatedBindings, t


class HelpScreen(TranslatedBindings, ModalScreen[None]):
    """Markdown help for one screen, plus the keys that work everywhere."""

    BINDINGS = [
        Binding(
            "escape,question_mark,q",
            "dismiss",
            t("key.help.close"),
            id="help.close",
            tooltip=t("key.help.close.tip"),
        )
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; max-width: 100; height: 90%;
        border: thick $accent; background: $surface; padding: 0 1; }
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(f"{self.text}\n\n{t('help.general')}")
