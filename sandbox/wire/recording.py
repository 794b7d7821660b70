"""Turn what crossed the wire into a redacted `HttpCall` and hand it to the recorder.

Both sides of a call record through here: the calling client (`client.RecordingTransport`)
and the receiving middleware (`asgi.TraceMiddleware`). So the marks a client puts on a call for
the receiving side, and what that side needs from the runtime's `Wire` (`RecordingWire`), live
here too: the middleware then never imports the client module, which adds it to every app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from sandbox.trace import redact
from sandbox.trace.events import HttpCall
from sandbox.wire.faults import Fault

Recorder = Callable[[HttpCall], None]
DEFAULT_BODY_LIMIT = 8192
"""Characters of each body kept in a record; the rest is cut with a visible mark."""
CALLER_HEADER = "x-sandbox-caller"
"""Who is calling (a service slug or persona), set by every client of ours."""
RECORDED_HEADER = "x-sandbox-recorded"
"""Set when this client records the call itself, so the callee does not record it twice. Its
value is a proof only this runtime's wire can make (`Wire.proof`): anyone else who sends the
header is recorded all the same."""


@dataclass(frozen=True, slots=True)
class Exchange:
    """The raw facts of one call before redaction."""

    trace_id: str
    span_id: str
    parent_id: str | None
    caller: str
    callee: str
    method: str
    path: str
    started_at: float
    duration_ms: float
    status: int | None = None
    request_headers: Iterable[tuple[str, str]] = ()
    request_body: bytes = b""
    response_headers: Iterable[tuple[str, str]] = ()
    response_body: bytes = b""
    error: str | None = None
    claimed_caller: str | None = None


class RecordingWire(Protocol):
    """The runtime's `Wire` as the receiving side uses it: to record a call, check the
    "already recorded" proof, apply injected faults and tell whose credential a call shows."""

    body_limit: int
    """Characters of each body kept in a record (`DEFAULT_BODY_LIMIT` unless set)."""
    partner_ids: dict[str, str]
    """Credential ids (client keys, app keys) to the service that owns them."""
    faults: dict[str, Fault]
    """Active injected faults by service."""
    clock: Callable[[], float]
    """The runtime's clock (seconds)."""
    recorder: Recorder | None
    """Where recorded calls go; None when this wire keeps no calls (nothing is sampled)."""

    def record(self, exchange: Exchange) -> None:
        """Redact and publish one call."""
        ...

    def proves_recorded(self, mark: bytes, method: str, traceparent: bytes) -> bool:
        """Whether `mark` is this wire's proof that a client of ours recorded the call."""
        ...

    def roll(self, service: str) -> float:
        """The next number in [0, 1) from `service`'s seeded dice (for its error rate)."""
        ...

    def reserved_names(self) -> frozenset[str]:
        """Names no caller may give itself (lower case)."""
        ...


def to_call(x: Exchange, body_limit: int = DEFAULT_BODY_LIMIT) -> HttpCall:
    """Redact secrets, mask NIKs and cap bodies and headers: the only way a call becomes an
    event. The headers of each side are capped like a body, at `body_limit` characters."""
    sent, got = tuple(x.request_headers), tuple(x.response_headers)
    request_body, cut_in = redact.body(x.request_body, body_limit, _content_type(sent))
    response_body, cut_out = redact.body(x.response_body, body_limit, _content_type(got))
    request_headers = redact.headers(sent, body_limit)
    response_headers = redact.headers(got, body_limit)
    cut_headers = redact.headers_cut(request_headers) or redact.headers_cut(response_headers)
    return HttpCall(
        trace_id=x.trace_id,
        span_id=x.span_id,
        parent_id=x.parent_id,
        caller=x.caller,
        callee=x.callee,
        method=x.method,
        path=redact.path(x.path),
        status=x.status,
        started_at=x.started_at,
        duration_ms=round(x.duration_ms, 3),
        request_headers=request_headers,
        request_body=request_body,
        response_headers=response_headers,
        response_body=response_body,
        error=x.error,
        truncated=cut_in or cut_out or cut_headers,
        claimed_caller=x.claimed_caller,
    )


def plain_call(x: Exchange) -> HttpCall:
    """The call with nothing from its content: what is kept when redaction itself failed.

    A call is evidence, so it is never dropped; but content the redactor could not read is
    never stored either. Header names stay (their values masked), bodies become a plain mark.
    """

    def mark(raw: bytes) -> str:
        return f"[body not recorded: it could not be redacted ({len(raw)} bytes)]" if raw else ""

    try:
        where = redact.path(x.path)
    except Exception:  # the same failure may have hit the path
        where = x.path.partition("?")[0][:200] + ("?[query not recorded]" if "?" in x.path else "")
    return HttpCall(
        trace_id=x.trace_id,
        span_id=x.span_id,
        parent_id=x.parent_id,
        caller=x.caller,
        callee=x.callee,
        method=x.method,
        path=where,
        status=x.status,
        started_at=x.started_at,
        duration_ms=round(x.duration_ms, 3),
        request_headers=tuple((k, redact.MASK) for k, _ in x.request_headers)[:64],
        request_body=mark(x.request_body),
        response_headers=tuple((k, redact.MASK) for k, _ in x.response_headers)[:64],
        response_body=mark(x.response_body),
        error=x.error,
        truncated=True,
        claimed_caller=x.claimed_caller,
    )


def _content_type(pairs: tuple[tuple[str, str], ...]) -> str:
    for name, value in pairs:
        if len(name) == 12 and name.lower() == "content-type":
            return value
    return ""
