"""What a person can do with a recorded call wherever one is selected.

The call log (where calls are picked) and the call detail (where one is read) offer the same
keys, as mitmproxy's flow list and flow view do: `c` copies the request as curl, `h` as an
httpx script, `t` opens its trace, `e` edits it in the composer to send again, `m` marks it and
`=` compares it with the marked call. `CallActions` holds the actions and their messages once;
each widget lists the bindings under its own ids (`log.copy_curl`, `detail.copy_curl`), so a
keymap can move one without the other, and offers only what its screen handles: the lesson's
log offers none (its screen has its own `h` and `t`), the trace player's detail cannot mark.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

from sandbox.trace.events import HttpCall
from sandbox.trace.snippets import curl, httpx_snippet
from sandbox.tui.i18n import Lazy, _
from sandbox.tui.read_only import following

COPY = frozenset({"copy_curl", "copy_httpx"})
"""Copying needs nothing from the screen."""
ALL = frozenset({*COPY, "open_trace", "edit_call", "mark_call", "remark_call", "compare_call"})
"""Every call action; a screen that marks and compares handles all of them."""
_KEYS: tuple[tuple[str, str, Lazy, Lazy], ...] = (
    (
        "c",
        "copy_curl",
        Lazy("Copy curl"),
        Lazy("Copy this request as a curl command (credentials stay redacted)"),
    ),
    (
        "h",
        "copy_httpx",
        Lazy("Copy httpx"),
        Lazy("Copy this request as a Python httpx script (credentials stay redacted)"),
    ),
    ("t", "open_trace", Lazy("Trace"), Lazy("Open every call of this call's trace")),
    (
        "e",
        "edit_call",
        Lazy("Edit"),
        Lazy("Open this request in the composer, to change it and send it again"),
    ),
    (
        "m",
        "mark_call",
        Lazy("Mark"),
        Lazy("Mark this call, to compare another with it (m again unmarks)"),
    ),
    # `m` once a call is marked: the same request, kept out of the footer so that `= Compare`
    # takes its place there (at 80 columns the footer has no room for both and `? Help`).
    (
        "m",
        "remark_call",
        Lazy("Mark"),
        Lazy("Move the mark to this call (m on the marked call unmarks it)"),
    ),
    (
        "equals_sign",
        "compare_call",
        Lazy("Compare"),
        Lazy("Compare this call with the marked one, side by side"),
    ),
)


def call_bindings(area: str, shown: Iterable[str]) -> list[Binding]:
    """Every call action's binding, with ids `<area>.<action>`; `shown` ones in the footer."""
    visible = set(shown)
    return [
        Binding(
            key,
            action,
            description,
            show=action in visible,
            key_display="=" if key == "equals_sign" else None,
            id=f"{area}.{action}",
            tooltip=tooltip,
        )
        for key, action, description, tooltip in _KEYS
    ]


class CallActions:
    """Mixin for a widget that has a current call; the widget says which actions it offers.

    Copying happens here. Everything else is a message up: the screen opens traces, holds the
    mark and opens comparisons; the app opens the composer.
    """

    offered: frozenset[str] = frozenset()
    """The actions this widget's screen handles; the others are hidden and their keys fall
    through to the screen (the lesson screen's own `h` and `t`)."""
    base_urls: dict[str, str]
    """Service name -> base URL, for the copied snippets (the screen keeps it current)."""
    _marked: HttpCall | None = None

    class TraceRequested(Message):
        """The user asked to see the whole trace of a call."""

        def __init__(self, call: HttpCall) -> None:
            super().__init__()
            self.call = call
            self.trace_id = call.trace_id

    class EditRequested(Message):
        """The user asked to change a recorded request and send it again (the composer)."""

        def __init__(self, call: HttpCall) -> None:
            super().__init__()
            self.call = call

    class MarkRequested(Message):
        """The user marked a call (or unmarked it: the screen decides, it holds the mark)."""

        def __init__(self, call: HttpCall) -> None:
            super().__init__()
            self.call = call

    class CompareRequested(Message):
        """The user asked to compare a call with the marked one."""

        def __init__(self, call: HttpCall) -> None:
            super().__init__()
            self.call = call

    def current_call(self) -> HttpCall | None:
        """The call the actions apply to (the cursor's, the one shown)."""
        raise NotImplementedError

    @property
    def marked(self) -> HttpCall | None:
        """The call marked for comparing, as the screen last said (None: nothing marked)."""
        return self._marked

    @marked.setter
    def marked(self, call: HttpCall | None) -> None:
        self._marked = call
        widget = self._widget()
        widget.refresh()
        widget.refresh_bindings()

    def _widget(self) -> Widget:
        assert isinstance(self, Widget), "CallActions is a mixin for widgets"
        return self

    def check_call_action(self, action: str) -> bool | None:
        """Hidden when not offered; disabled without a call (or, to compare, without a mark)."""
        if action not in self.offered and not (
            action == "remark_call" and "mark_call" in self.offered
        ):
            return False
        if action == "edit_call" and following(self):
            return False  # a follower's page has no composer
        if action == "mark_call" and self._marked is not None:
            return False  # `remark_call` has the key now, out of the footer
        if action == "remark_call" and self._marked is None:
            return False
        call = self.current_call()
        if action == "compare_call" and self._marked is None:
            return False  # `=` appears once something is marked
        if call is None:
            return None
        if action == "compare_call" and self._marked is not None:
            return self._marked.span_id != call.span_id or None
        return True

    def base_url(self, service: str) -> str:
        """Where `service` listens, or `http://<service>.sandbox` when the screen did not say."""
        return self.base_urls.get(service) or f"http://{service}.sandbox"

    def action_copy_curl(self) -> None:
        """Copy the request as a curl command."""
        call = self.current_call()
        if call is not None:
            widget = self._widget()
            widget.app.copy_to_clipboard(curl(call, self.base_url(call.callee)))
            widget.notify(
                _("Copied the request as a curl command."), title=_("Copied"), markup=False
            )

    def action_copy_httpx(self) -> None:
        """Copy the request as an httpx script."""
        call = self.current_call()
        if call is not None:
            widget = self._widget()
            widget.app.copy_to_clipboard(httpx_snippet(call, self.base_url(call.callee)))
            widget.notify(
                _("Copied the request as a Python httpx script."), title=_("Copied"), markup=False
            )

    def action_open_trace(self) -> None:
        """Ask the screen to open this call's trace."""
        self._post(self.TraceRequested)

    def action_edit_call(self) -> None:
        """Ask for this request in the composer."""
        self._post(self.EditRequested)

    def action_mark_call(self) -> None:
        """Ask the screen to mark (or unmark) this call."""
        self._post(self.MarkRequested)

    def action_remark_call(self) -> None:
        """Ask the screen to move the mark here (or, on the marked call, to unmark it)."""
        self._post(self.MarkRequested)

    def action_compare_call(self) -> None:
        """Ask the screen to compare this call with the marked one."""
        self._post(self.CompareRequested)

    def _post(self, kind: Callable[[HttpCall], Message]) -> None:
        call = self.current_call()
        if call is not None:
            self._widget().post_message(kind(call))
