"""Two recorded calls side by side (the first payment and its retry), opened from the map."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header

from sandbox.trace.events import HttpCall
from sandbox.tui.footer import StageFooter
from sandbox.tui.i18n import Lazy, TranslatedBindings
from sandbox.tui.widgets.call_compare import CallComparison


class CompareScreen(TranslatedBindings, Screen[None]):
    """The marked call against another: request line, status, headers and bodies."""

    CSS_PATH = "compare.tcss"
    AUTO_FOCUS = "CallComparison"
    HELP = Lazy("""\
# Comparing two calls

The call you marked with **m** (◆, on the left) against the call you pressed **=** on (on
the right): request line, parties, status, then the request's and the response's headers
and bodies. A row that differs is marked **~** (changed), **+** (only in the right call) or
**-** (only in the left call). JSON bodies are compared key by key at every depth, and each
section names what differs: a retried payment shows the same `trxId` and the same amount, and
what the bank answered the second time.

- **d** shows only the rows that differ; **x** swaps the sides.
- **Esc** goes back to the map.
""")
    BINDINGS = [
        Binding(
            "escape",
            "app.pop_screen",
            Lazy("Back"),
            id="compare.back",
            tooltip=Lazy("Back to the map"),
        ),
    ]

    def __init__(self, left: HttpCall, right: HttpCall) -> None:
        """Args:
        left: the marked call.
        right: the call compared with it.
        """
        super().__init__()
        self.left = left
        self.right = right

    def compose(self) -> ComposeResult:
        yield Header()
        yield CallComparison(self.left, self.right)
        yield StageFooter()
