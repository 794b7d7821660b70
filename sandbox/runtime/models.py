"""Plain data the control API speaks and viewers (the TUI, `trace tail`) read.

No Textual or Starlette types, so the same values cross HTTP, threads and tests unchanged.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sandbox.wire.faults import Fault


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """One institution as a viewer sees it."""

    name: str
    title: str
    role: str
    side: str
    """`front` (faces people) or `back` (faces partners)."""
    url: str
    docs_url: str
    health: str = "unknown"
    """`ok`, `offline` (fault injected), `down`, or `unknown`."""
    calls_in: int = 0
    calls_out: int = 0
    fault: Fault = field(default_factory=Fault)
    kind: str = "builtin"
    """`builtin`, `module` (the user's Python service), `url` (proxied) or `plugin`."""
    lane: str = ""
    """Where the map draws it: `front`, `platform` or `back` (empty: from `side`)."""
    calls: tuple[str, ...] = ()
    """The institutions it may call (it holds their credentials, or they are its partners
    that it calls back): the map's faint edges."""
    public: bool = False
    """People call it directly (their arrows come from the people box)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        data = asdict(self)
        data["fault"] = self.fault.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ServiceInfo:
        """Build from JSON."""
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        fields["fault"] = Fault.from_dict(data.get("fault") or {})
        fields["calls"] = tuple(str(c) for c in data.get("calls") or ())
        return cls(**fields)


@dataclass(frozen=True, slots=True)
class CallFilter:
    """Which calls a log shows; empty fields match everything."""

    service: str = ""
    """Calls where this service is the caller or the callee."""
    outcome: str = ""
    """`2xx`, `3xx`, `4xx`, `5xx` or `failed`."""
    text: str = ""
    """Substring of the method, path, caller or callee (case-insensitive)."""
    trace_id: str = ""

    def to_params(self) -> dict[str, str]:
        """Query parameters for the control API (only the set fields)."""
        return {k: v for k, v in asdict(self).items() if v}


@dataclass(frozen=True, slots=True)
class TableInfo:
    """One table of an institution's own database."""

    name: str
    rows: int
    columns: tuple[str, ...] = ()


WEBHOOK_STATES = ("pending", "dead")
"""`pending`: still being retried; `dead`: given up after its schedule (a dead letter)."""


@dataclass(frozen=True, slots=True)
class Webhook:
    """One webhook an institution has not delivered: still retried, or given up."""

    service: str
    """The institution sending it."""
    event_id: str
    target: str
    path: str
    kind: str
    state: str
    """`pending` or `dead` (see WEBHOOK_STATES)."""
    attempts: int
    created_at: float
    last_status: int | None = None
    last_error: str | None = None
    next_at: float | None = None
    """When a pending webhook is tried next (None for a dead letter)."""
    gave_up_reason: str | None = None
    """Why a dead letter was given up (its schedule ran out, or the receiver refused for good)."""
    trace_id: str | None = None
    """The trace of the call that caused it (its attempts are children of that call)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Webhook:
        """Build from JSON (unknown keys ignored)."""
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True, slots=True)
class Sms:
    """A text an institution sent to a person's phone (a one-time code, a debit notice).

    A phone is outside the integration: the telephone network carried it, so it is no recorded
    call; the sandbox reads it from the sender's own records (`GET /sms`).
    """

    sender: str
    """The institution that sent it (`bank`)."""
    phone: str
    """The phone it went to, as the sender keeps numbers (`+6281200000001`)."""
    text: str
    """Exactly what the phone shows: words from the wire, never markup."""
    sent_at: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Sms:
        """Build from JSON (unknown keys ignored)."""
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True, slots=True)
class IkdNotice:
    """A notice in a person's IKD app (Dukcapil's digital ID app): a partner asks her consent.

    Like a text, it reaches her phone outside the integration, so it is no recorded call; the
    sandbox reads it from the registry's own records (`GET /ikd-notifications`). She answers
    through the registry's IKD endpoints (`/ikd/v1/...`), which are recorded calls.
    """

    notification_id: str
    request_id: str | None
    """The consent request to approve or decline (`POST /ikd/v1/consent-requests/{id}/...`)."""
    title: str
    body: str
    """Exactly what her app shows: words from the wire, never markup."""
    status: str | None
    """The request's status as stored (PENDING, APPROVED, DECLINED)."""
    created_at: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IkdNotice:
        """Build from JSON (unknown keys ignored)."""
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})
