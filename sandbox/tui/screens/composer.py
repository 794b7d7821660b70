"""The composer: send your own request to any institution, as anyone, and watch it join the map."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Header

from sandbox.runtime.registry import BUILTIN
from sandbox.tui.backend import Backend
from sandbox.tui.footer import StageFooter
from sandbox.tui.i18n import Lazy, TranslatedBindings
from sandbox.tui.messages import EditCall
from sandbox.tui.widgets.composer import Composer


class ComposerScreen(TranslatedBindings, Screen[None]):
    """Pick a service, an endpoint from its OpenAPI document, an identity, and send."""

    CSS_PATH = "composer.tcss"
    HELP = Lazy("""\
# The composer

Poke at an integration by hand. Choose an institution, one of its endpoints (read from its own
OpenAPI document), and **who** you are: a persona (the buyer logs in with her PIN at the bank,
uses her session at the video app), a partner institution (signing in that institution's
dialect: SNAP at the bank, the open platform at the marketplace), or anonymous.

The body is pre-filled from the endpoint's schema; edit it and press **F5** (or the Send
button). The call is recorded like every other: see it on the map (1).

To send a recorded call again, changed or not, press **e** on it in the map's log or detail:
it opens here with its endpoint, parameters, body and headers, and its caller chosen as the
identity when the composer knows it. Recorded credentials are never copied: sending signs
the request afresh for the identity chosen.
""")

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend

    def compose(self) -> ComposeResult:
        yield Header()
        names = [s.name for s in self.app.services] or [s.name for s in BUILTIN]  # type: ignore[attr-defined]
        yield Composer(names, self.backend.actor, self.backend.openapi, self.backend.identities)
        yield StageFooter()

    @on(EditCall)
    def edit_call(self, message: EditCall) -> None:
        """A recorded call to change and send again (`e` on the map)."""
        self.query_one(Composer).edit_call(message.call)

    @on(Composer.Sent)
    def refresh_counts(self) -> None:
        self.run_worker(self.app.refresh_services(), exclusive=True, group="counts")  # type: ignore[attr-defined]
