"""Plain-data events: what the wire records and every viewer, lesson and audit reads.

No httpx, Starlette or Textual objects live here, so events can cross threads and processes and
be stored or exported as they are.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class HttpCall:
    """One HTTP call between two parties, recorded once (by the client when it is ours)."""

    trace_id: str
    """32 hex digits from W3C `traceparent`: shared by every call one user action caused."""
    span_id: str
    """16 hex digits identifying this call."""
    parent_id: str | None
    """The span of the inbound call that led to this one (None for a root call)."""
    caller: str
    """Who made the call: the service slug whose credential the callee verified (or whose own
    client recorded the call), `external` for a caller nobody verified, or a label a person's
    tool gave itself (`buyer`, `my-script`; never an institution's or a partner's name)."""
    callee: str
    method: str
    path: str
    """Path and query string, as sent."""
    status: int | None
    """HTTP status, or None when the call failed before a response (see `error`)."""
    started_at: float
    """Unix seconds from the runtime's clock."""
    duration_ms: float
    request_headers: Headers = ()
    request_body: str = ""
    response_headers: Headers = ()
    response_body: str = ""
    error: str | None = None
    """`refused`, `timeout`, `offline` or another short reason when no response came back."""
    truncated: bool = False
    """True when a body or the headers were cut at the configured size."""
    claimed_caller: str | None = None
    """Who an `external` caller claimed to be (the institution or partner it named in
    `X-Sandbox-Caller`, or whose credential it presented without passing the check): shown as
    "claims to be social", never believed. None when nothing was claimed or it was verified."""

    @property
    def who(self) -> str:
        """The caller as a reader should see it: `external (claims to be social)` when the
        caller claimed an identity nobody verified, else just `caller`."""
        if self.claimed_caller:
            return f"{self.caller} (claims to be {self.claimed_caller})"
        return self.caller

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (headers as lists of pairs)."""
        data = asdict(self)
        data["request_headers"] = [list(h) for h in self.request_headers]
        data["response_headers"] = [list(h) for h in self.response_headers]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HttpCall:
        """The inverse of `to_dict`."""
        fields = dict(data)
        fields["request_headers"] = tuple(tuple(h) for h in data.get("request_headers", ()))
        fields["response_headers"] = tuple(tuple(h) for h in data.get("response_headers", ()))
        return cls(**fields)

    @property
    def outcome(self) -> str:
        """`2xx`, `3xx`, `4xx`, `5xx` or `failed`: what the UI colours by."""
        if self.status is None:
            return "failed"
        return f"{self.status // 100}xx"
