"""The help screen: what the showing screen is for, in plain words."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from sandbox.tui.i18n import Lazy, TranslatedBindings


class HelpScreen(TranslatedBindings, ModalScreen[None]):
    """Markdown help for one screen, plus the keys that work everywhere."""

    BINDINGS = [
        Binding(
            "escape,question_mark,q",
            "dismiss",
            Lazy("Close"),
            id="help.close",
            tooltip=Lazy("Back to the screen"),
        )
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; max-width: 100; height: 90%;
        border: thick $accent; background: $surface; padding: 0 1; }
    """

    GENERAL = Lazy("""\
## Everywhere

- **1** map · **2** trace player · **3** apps · **4** services · **5** stories · **6** composer
- **7** audit · **8** the open lesson (`sandbox learn`, `sandbox present`)
- **ctrl+p** every action by name · **ctrl+s** save an SVG screenshot · **ctrl+t** light/dark
- **ctrl+r** restore the seeded world · **ctrl+q** quit · **Esc** closes this help
""")
    """The keys that work everywhere, shown under every screen's help."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(f"{self.text}\n\n{self.GENERAL}")
