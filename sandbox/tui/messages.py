"""App-wide messages: what the app tells whichever screen is showing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.message import Message

from sandbox.runtime.models import ServiceInfo, Webhook
from sandbox.trace.events import HttpCall


class CallsArrived(Message, bubble=False):
    """Calls recorded since the last batch (the app drains the live stream every 0.1 s)."""

    def __init__(self, calls: tuple[HttpCall, ...]) -> None:
        super().__init__()
        self.calls = calls


class ServicesUpdated(Message, bubble=False):
    """Fresh health, counts and faults of every institution."""

    def __init__(self, services: tuple[ServiceInfo, ...]) -> None:
        super().__init__()
        self.services = services

    def can_replace(self, message: Message) -> bool:
        """Only the latest state matters."""
        return isinstance(message, ServicesUpdated)


class ShowTrace(Message, bubble=False):
    """Open a trace in the trace player, optionally at one of its calls; a lesson step passes
    its expectations (goal versus actual) to show beside the diagram."""

    def __init__(
        self, trace_id: str, span_id: str | None = None, checks: Sequence[Any] = ()
    ) -> None:
        super().__init__()
        self.trace_id = trace_id
        self.span_id = span_id
        self.checks = tuple(checks)
        """`sandbox.lessons` ExpectationResults (see `widgets.goals.CheckLike`)."""


class EditCall(Message, bubble=False):
    """Open a recorded call in the composer, to change it and send it again."""

    def __init__(self, call: HttpCall) -> None:
        super().__init__()
        self.call = call


class WebhooksUpdated(Message, bubble=False):
    """The webhooks not delivered yet: still retried (`pending`) or given up (`dead`)."""

    def __init__(self, webhooks: tuple[Webhook, ...]) -> None:
        super().__init__()
        self.webhooks = webhooks

    def can_replace(self, message: Message) -> bool:
        """Only the latest state matters."""
        return isinstance(message, WebhooksUpdated)
