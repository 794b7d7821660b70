"""The composer's answer panel: status, the service's message, headers and body.

Everything in it is what a service sent (its message, headers, body), so every piece is drawn
as text: `[b]` in a message stays `[b]`, and `[@click=...]` is not a link.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import ScrollableContainer
from textual.content import Content
from textual.highlight import highlight
from textual.reactive import var
from textual.widgets import Collapsible, Static

from sandbox.trace.events import Headers
from sandbox.tui.i18n import _, ngettext

MAX_SHOWN = 64_000
"""Characters of a response body drawn at most; a huge body must not freeze the projector."""
MAX_HIGHLIGHTED = 16_000
"""Above this, JSON is shown pretty but uncoloured (highlighting is the slow part)."""


@dataclass(frozen=True, slots=True)
class Reply:
    """What came back from one send: a response, or the reason there was none."""

    status: int | None
    """HTTP status; None when the request never got an answer (see `error`)."""
    duration_ms: float
    body: str = ""
    reason: str = ""
    """The HTTP reason phrase ("Unauthorized")."""
    error: str = ""
    """Why nothing came back (connection refused, a credential that could not be obtained)."""
    headers: Headers = ()
    """The response headers, as the service sent them."""

    @property
    def message(self) -> str:
        """The service's own human `message` field, when the body is a JSON object with one."""
        try:
            data = json.loads(self.body)
        except ValueError:
            return ""
        text = data.get("message") if isinstance(data, dict) else None
        return text if isinstance(text, str) else ""

    @property
    def outcome(self) -> str:
        """A state class for the status line: -ok, -redirect, -client-error or -failed."""
        if self.status is None or self.status >= 500:
            return "-failed"
        return {2: "-ok", 3: "-redirect"}.get(self.status // 100, "-client-error")


class ReplyView(ScrollableContainer):
    """The last answer: status line, message, folded headers and the body."""

    DEFAULT_CSS = """
    ReplyView {
        #composer-status { text-style: bold; }
        #composer-status.-ok { color: $text-success; }
        #composer-status.-redirect { color: $text-primary; }
        #composer-status.-client-error { color: $text-warning; }
        #composer-status.-failed { color: $text-error; }
        #composer-status.-pending { color: $text-muted; text-style: italic; }
        #composer-message { color: $text-muted; }
        #composer-reply-headers { height: auto; padding: 0; border: none; }
        #composer-reply-headers.-empty { display: none; }
        #composer-reply-headers Contents { padding: 0 0 0 1; }
        #composer-header-lines { color: $text-muted; }
        #composer-reply { width: auto; text-wrap: nowrap; }
    }
    """

    reply: var[Reply | None] = var(None)
    """The answer shown (None before the first send)."""

    def compose(self) -> ComposeResult:
        yield Static(_("Nothing sent yet."), id="composer-status", markup=False)
        yield Static("", id="composer-message", markup=False)
        with Collapsible(id="composer-reply-headers", classes="-empty"):
            yield Static("", id="composer-header-lines", markup=False)
        yield Static("", id="composer-reply", markup=False)

    def on_mount(self) -> None:
        self.border_title = _("Response")

    def show_pending(self, text: str) -> None:
        """Say what is on its way and clear the last answer."""
        status = self.query_one("#composer-status", Static)
        status.update(text)
        status.set_classes("-pending")
        self.query_one("#composer-message", Static).update("")
        self._show_headers(())
        self.query_one("#composer-reply", Static).update("")

    def watch_reply(self, reply: Reply | None) -> None:
        status = self.query_one("#composer-status", Static)
        if reply is None:
            status.update(_("Nothing sent yet."))
            status.set_classes("")
            return
        status.update(status_line(reply))
        status.set_classes(reply.outcome)
        self.query_one("#composer-message", Static).update(reply.error or reply.message)
        self._show_headers(reply.headers)
        self.query_one("#composer-reply", Static).update(pretty_body(reply.body))

    def _show_headers(self, headers: Headers) -> None:
        """The answer's headers, folded under a title that counts them."""
        box = self.query_one("#composer-reply-headers", Collapsible)
        box.title = ngettext(
            "{count} response header", "{count} response headers", len(headers)
        ).format(count=len(headers))
        box.set_class(not headers, "-empty")
        lines = "\n".join(f"{name}: {value}" for name, value in headers)
        self.query_one("#composer-header-lines", Static).update(lines)


def status_line(reply: Reply) -> str:
    """`200 OK · 3 ms`, or `no response · 2 ms` when the request failed."""
    took = f"{reply.duration_ms:.0f} ms"
    if reply.status is None:
        return _("no response · {took}").format(took=took)
    return f"{reply.status} {reply.reason}".rstrip() + f" · {took}"


def pretty_body(body: str) -> Content | str:
    """JSON indented and coloured with theme variables; anything else as text, trimmed."""
    if not body:
        return ""
    try:
        text = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return _trimmed(body)
    if len(text) > MAX_HIGHLIGHTED:
        return _trimmed(text)
    return highlight(text, language="json")


def _trimmed(text: str) -> str:
    if len(text) <= MAX_SHOWN:
        return text
    hidden = len(text) - MAX_SHOWN
    return text[:MAX_SHOWN] + ngettext(
        "\n… ({count} more character not shown)", "\n… ({count} more characters not shown)", hidden
    ).format(count=hidden)
