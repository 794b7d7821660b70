"""`CallDetail`: everything recorded about one call, and ways to send it again.

Shows the request line, outcome, timing, trace and parent ids, then the request and the
response: headers, and bodies pretty-printed and highlighted when they are JSON. Bodies are
what the recorder kept (redacted, maybe truncated); the view caps what it draws again, so a
huge body costs a screenful of work, not a frozen UI.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime
from http import HTTPStatus
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.highlight import highlight
from textual.reactive import reactive
from textual.widgets import Static

from sandbox.trace.events import Headers, HttpCall
from sandbox.trace.redact import MASK
from sandbox.tui.i18n import Lazy, _, ngettext, number
from sandbox.tui.widgets.call_actions import ALL, COPY, CallActions, call_bindings

PARSE_LIMIT = 256_000
"""Bodies longer than this (characters) are shown as text, without parsing them as JSON."""
MAX_LINES = 400
"""Lines of one body drawn at most."""
MAX_CHARS = 20_000
"""Characters of one body drawn at most (a minified or binary body can be one long line)."""
OUTCOME_STYLES = {
    "2xx": "$text-success bold",
    "3xx": "$text-accent bold",
    "4xx": "$text-warning bold",
    "5xx": "$text-error bold",
    "failed": "$text-error bold reverse",
}
"""Status colours by `HttpCall.outcome` (the same meaning as the call log's)."""
_TRUNCATED = re.compile(r"…\[truncated (\d+) characters\]\Z")
_MASKED = re.compile(re.escape(MASK))
_MUTED = "$foreground 75%"
"""Quiet text (labels, "no body"). Not `$foreground-muted` (3.98:1 in the light theme) nor
`$text-muted`, whose `auto` a Content span draws as plain black or white."""
_NOTE = "$text-warning italic"


class CallDetail(CallActions, VerticalScroll, can_focus=True):
    """One recorded call in full; `c`/`h` copy it as curl/httpx, `t` opens its trace, `e` edits
    it in the composer (and, where the screen offers them, `m` marks it and `=` compares)."""

    HELP = Lazy("""\

## Call detail

The call under the cursor: request line, status or error, timing, trace and parent ids,
headers and bodies (JSON pretty-printed). Secrets were redacted when the call was recorded.

- **c** copies the request as a curl command, **h** as an httpx script.
- **t** opens the whole trace this call belongs to.
- **e** opens the request in the composer: change it and send it again, signed afresh.
- **m** marks the call; **=** on another call compares the two side by side (on the map).
""")

    BINDINGS: ClassVar[list[BindingType]] = [
        *call_bindings("detail", shown=("copy_curl", "copy_httpx", "open_trace", "edit_call")),
    ]

    DEFAULT_CSS = """
    CallDetail {
        height: 1fr;
        padding: 0 1;
        scrollbar-size-vertical: 1;
        & > .-heading { color: $text-primary; text-style: bold; margin-top: 1; }
        & > #detail-empty { color: $text-muted; }
    }
    """

    DEFAULT_OFFERED: ClassVar[frozenset[str]] = COPY | {"open_trace", "edit_call"}
    """What a detail offers unless its screen says otherwise (the app opens the composer)."""

    call: reactive[HttpCall | None] = reactive(None)
    """The call shown, or None for the empty state."""

    def __init__(
        self,
        base_urls: dict[str, str] | None = None,
        *,
        offered: Iterable[str] | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """Args:
        base_urls: service name -> base URL, for the copied snippets.
        offered: the call actions (`call_actions.ALL`) the screen handles.
        """
        super().__init__(name=name, id=id, classes=classes)
        self.base_urls = dict(base_urls or {})
        self.offered = self.DEFAULT_OFFERED if offered is None else frozenset(offered)

    def compose(self) -> ComposeResult:
        yield Static(_("No call selected."), id="detail-empty", markup=False)
        yield Static(id="detail-summary", markup=False)
        yield Static(_("Request"), id="detail-request-heading", classes="-heading", markup=False)
        yield Static(id="detail-request", markup=False)
        yield Static(_("Response"), id="detail-response-heading", classes="-heading", markup=False)
        yield Static(id="detail-response", markup=False)

    def watch_call(self, old: HttpCall | None, call: HttpCall | None) -> None:
        """Redraw every section and start at the top; the footer only when what the keys
        offer changed (re-composing it at every cursor move cost most of a key press)."""
        for static in self.query(Static):
            static.display = (static.id == "detail-empty") == (call is None)
        if call is not None:
            self.query_one("#detail-summary", Static).update(summary(call))
            self.query_one("#detail-request", Static).update(request_part(call))
            self.query_one("#detail-response", Static).update(response_part(call))
        self.scroll_home(animate=False)
        marked = self.marked
        if (old is None) != (call is None) or (
            marked is not None
            and (old is not None and old.span_id == marked.span_id)
            != (call is not None and call.span_id == marked.span_id)
        ):
            self.refresh_bindings()

    def current_call(self) -> HttpCall | None:
        """The call shown."""
        return self.call

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The call keys show as disabled while no call is shown."""
        if action in ALL:
            return self.check_call_action(action)
        return True


def summary(call: HttpCall) -> Content:
    """Request line, parties, outcome, timing and ids."""
    trace, span, parent = _("trace"), _("span"), _("parent")
    width = max(len(trace), len(span), len(parent)) + 1
    parts: list[str | Content | tuple[str, str]] = [
        (call.method, "bold"),
        " ",
        (call.path, "bold"),
        "\n",
        (call.caller, "$text-secondary"),
        (" → ", _MUTED),
        (call.callee, "$text-secondary"),
        "   ",
        (status_text(call), OUTCOME_STYLES.get(call.outcome, "bold")),
        "\n",
        (_("started") + " ", _MUTED),
        started_text(call.started_at),
        ("   " + _("took") + " ", _MUTED),
        f"{call.duration_ms:,.1f} ms",
        "\n",
        (trace.ljust(width), _MUTED),
        call.trace_id,
        "\n",
        (span.ljust(width), _MUTED),
        call.span_id,
        "\n",
        (parent.ljust(width), _MUTED),
        call.parent_id or (_("none (a root call)"), _MUTED),
    ]
    if call.claimed_caller:
        claim = _("⚠ claims to be {party}; not verified by the callee, so recorded as {caller}")
        parts += ["\n", (claim.format(party=call.claimed_caller, caller=call.caller), _NOTE)]
    if call.truncated and not any(_TRUNCATED.search(b[-64:]) for b in bodies(call)):
        parts += [
            "\n",
            (_("✂ a body was cut when recorded (the recorder keeps a set size)"), _NOTE),
        ]
    return Content.assemble(*parts)


def status_text(call: HttpCall) -> str:
    """`404 Not Found`, or `no response: refused` for a failed call."""
    if call.status is None:
        return _("no response: {reason}").format(reason=call.error or _("failed"))
    try:
        phrase = HTTPStatus(call.status).phrase
    except ValueError:
        phrase = ""
    text = f"{call.status} {phrase}".rstrip()
    return f"{text} ({call.error})" if call.error else text


def started_text(started_at: float) -> str:
    """Local date and time to the millisecond."""
    try:
        moment = datetime.fromtimestamp(started_at)
    except (OverflowError, OSError, ValueError):
        return _("unknown")
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def bodies(call: HttpCall) -> tuple[str, str]:
    """The request and response bodies as recorded."""
    return call.request_body, call.response_body


def request_part(call: HttpCall) -> Content:
    """Request headers, then its body."""
    return _message_part(call.request_headers, call.request_body)


def response_part(call: HttpCall) -> Content:
    """Response headers and body, or why there was no response."""
    if call.status is None:
        reason = call.error or _("failed")
        return Content.assemble(
            (_("No response: {reason}.").format(reason=reason), OUTCOME_STYLES["failed"]),
            (_(" The call failed before the callee answered."), _MUTED),
        )
    return _message_part(call.response_headers, call.response_body)


def _message_part(headers: Headers, body: str) -> Content:
    if not headers and not body:
        return Content.styled(_("(no headers, no body)"), _MUTED)
    return Content("\n\n").join([headers_text(headers), body_text(body)])


def headers_text(headers: Headers) -> Content:
    """One `name: value` line per header; redacted values stand out."""
    if not headers:
        return Content.styled(_("(no headers)"), _MUTED)
    lines = [
        Content.assemble(
            (name, "$text-primary"),
            ": ",
            (value, _NOTE) if value == MASK else value,
        )
        for name, value in headers
    ]
    return Content("\n").join(lines)


def body_text(body: str) -> Content:
    """A body for reading: pretty JSON highlighted, otherwise plain text, capped in size."""
    if not body:
        return Content.styled(_("(no body)"), _MUTED)
    notes: list[str] = []
    marker = _TRUNCATED.search(body[-64:])
    if marker is not None:
        body = body[: len(body) - len(marker.group(0))]
        dropped = int(marker.group(1))
        notes.append(
            ngettext(
                "✂ truncated when recorded: {count} more character not kept",
                "✂ truncated when recorded: {count} more characters not kept",
                dropped,
            ).format(count=number(dropped))
        )
    pretty = _pretty_json(body) if marker is None else None
    shown, hidden = _cap(pretty if pretty is not None else body)
    if hidden:
        notes.append(
            _("… {what} not shown here (copy as curl to get the whole body)").format(what=hidden)
        )
    content = highlight(shown, language="json") if pretty is not None else Content(shown)
    content = content.rstrip()  # the highlighter ends with a newline
    content = content.highlight_regex(_MASKED, style=_NOTE, maximum_highlights=200)
    for note in notes:
        content = Content.assemble(content, "\n", (note, _NOTE))
    return content


def _pretty_json(body: str) -> str | None:
    if len(body) > PARSE_LIMIT or body.lstrip()[:1] not in ("{", "["):
        return None
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than Python recurses
        return None


def _cap(text: str) -> tuple[str, str]:
    """At most MAX_LINES lines and MAX_CHARS characters, and a phrase for what was left out."""
    cut = text[:MAX_CHARS]
    lines = cut.split("\n", MAX_LINES)
    if len(lines) > MAX_LINES:
        cut = "\n".join(lines[:MAX_LINES])
    if len(cut) == len(text):
        return text, ""
    remaining = text[len(cut) :]
    more_lines = remaining.count("\n")
    what = ngettext("{count} character", "{count} characters", len(remaining))
    what = what.format(count=number(len(remaining)))
    if more_lines:
        more = ngettext(" ({count} more line)", " ({count} more lines)", more_lines)
        what += more.format(count=number(more_lines))
    return cut, what
