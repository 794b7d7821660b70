"""StepCard: the trace player's current arrow in words, with what was sent and what came back.

Under the diagram a class reads the sentence of the story or lesson step that made the call
("4. She pays the virtual account in her bank app"), who called whom with what, and the
request and response bodies side by side, without leaving the player.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from sandbox.trace.events import HttpCall
from sandbox.trace.steps import Step
from sandbox.tui.i18n import _, decimal
from sandbox.tui.widgets.call_detail import body_text, status_text


class StepCard(Vertical):
    """The current call of the player: its step's sentence, its line, both bodies."""

    DEFAULT_CSS = """
    StepCard {
        height: auto;
        max-height: 45%;
        border: round $border;
        border-title-color: $text-accent;
        border-title-style: bold;
        padding: 0 1;
        #step-line { height: 1; }
        #step-bodies { height: auto; max-height: 14; }
        #step-bodies VerticalScroll { width: 1fr; height: auto; max-height: 14; }
        .step-card--heading { color: $text-muted; text-style: bold; }
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="step-line", markup=False)
        with Horizontal(id="step-bodies"):
            with VerticalScroll(id="step-request"):
                yield Static(_("Request"), classes="step-card--heading", markup=False)
                yield Static(id="step-request-body", markup=False)
            with VerticalScroll(id="step-response"):
                yield Static(_("Response"), classes="step-card--heading", markup=False)
                yield Static(id="step-response-body", markup=False)

    def show(self, call: HttpCall | None, step: Step | None = None) -> None:
        """Show `call` (None: nothing loaded) and the step that made it, if one did."""
        self.display = call is not None
        if call is None:
            return
        # The sentence came in a header any client can send: text, never markup.
        self.border_title = Content(f"{step.number}. {step.sentence}") if step is not None else ""
        line = Content.assemble(
            (f"{call.caller} → {call.callee}", "$text-primary"),
            "  ",
            (f"{call.method} {call.path.split('?', 1)[0]}", "bold"),
            "  ",
            (status_text(call), _outcome_style(call)),
            ("  ·  " + _("{ms} ms").format(ms=decimal(call.duration_ms)), "$text-muted"),
        )
        self.query_one("#step-line", Static).update(line)
        self.query_one("#step-request-body", Static).update(body_text(call.request_body))
        response = (
            body_text(call.response_body)
            if call.status is not None
            else Content(_("No response: {reason}.").format(reason=call.error or _("failed")))
        )
        self.query_one("#step-response-body", Static).update(response)


def _outcome_style(call: HttpCall) -> str:
    return {"2xx": "$text-success", "3xx": "$text-primary", "4xx": "$text-warning"}.get(
        call.outcome, "$text-error"
    ) + " bold"
