"""TraceMiddleware: the receiving side of every call (pure ASGI, no BaseHTTPMiddleware).

It puts the call's span in `current_span` so calls made while serving it become its children,
and it records calls that no sandbox client recorded - a developer's curl or script. Such a
caller is named by what the institution verified, never by what it claims
(`sandbox.wire.attribution`). A call is left to its client only when it carries this runtime's
proof (`Wire.proves_recorded`); the bare `x-sandbox-recorded` header proves nothing. It also applies
injected faults (offline, latency, error rate) to every caller, whoever records the call.

Every recorded call's response names it (`correlation_headers`): W3C `traceresponse`
(`00-<trace id>-<span id>-01`) and `X-Request-Id` (the span id), so a client's log line leads
to `sandbox trace show <id>`. Whichever side records the call, the span named is the recorded
call's own.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.wire import attribution
from sandbox.wire.context import Span, current_span, new_span_id, new_trace_id, parse_traceparent
from sandbox.wire.faults import offline_message
from sandbox.wire.recording import CALLER_HEADER, RECORDED_HEADER, Exchange, RecordingWire

UNRECORDED_PREFIXES = ("/docs", "/openapi.json", "/static-offline-docs", "/redoc", "/favicon")
"""Documentation pages are not integration traffic."""
IDENTIFYING_HEADERS = (b"x-partner-id", b"x-client-key", b"x-client-id", b"x-cons-id")
_RECORDED = RECORDED_HEADER.encode()
UNSLOWED_PATHS = ("/health", *UNRECORDED_PREFIXES)
"""Health checks and docs answer at once even when the service is slowed or failing; only
an offline fault reaches them (so a health check sees a service that is down)."""


class TraceMiddleware:
    """Sets the trace context for a request and records external callers' calls."""

    def __init__(self, app: ASGIApp, wire: RecordingWire, service: str) -> None:
        self.app = app
        self.wire = wire
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        traceparent = headers.get(b"traceparent", b"")
        inbound = parse_traceparent(traceparent.decode("latin-1"))
        mark = headers.get(_RECORDED)
        if (
            mark is not None
            and inbound
            and self.wire.proves_recorded(mark, scope["method"], traceparent)
        ):
            token = current_span.set(inbound)  # one of our clients already recorded this call
            deaf = attribution.deaf()
            named = self._named(inbound)

            async def naming_send(message: Message) -> None:
                await send(_with_headers(message, named))

            try:
                await self._serve(scope, receive, naming_send)
            finally:
                attribution.stop(deaf)
                current_span.reset(token)
            return
        if scope["path"].startswith(UNRECORDED_PREFIXES):
            deaf = attribution.deaf()
            try:
                await self._serve(scope, receive, send)
            finally:
                attribution.stop(deaf)
            return
        # Anyone else is recorded here, whatever marks it sends.
        await self._serve_recorded(scope, receive, send, headers, inbound)

    async def _serve_recorded(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        headers: dict[bytes, bytes],
        inbound: Span | None,
    ) -> None:
        span = Span(inbound.trace_id if inbound else new_trace_id(), new_span_id())
        token = current_span.set(span)
        verified, listening = attribution.listen()
        seen = _Captured(limit=self.wire.body_limit * 4)

        async def capture_receive() -> Message:
            message = await receive()
            seen.add(seen.request_body, message.get("body", b""))
            return message

        started, t0 = self.wire.clock(), time.perf_counter()
        recorded = False
        named = self._named(span)

        def record(error: str | None = None) -> None:
            nonlocal recorded
            if recorded:
                return
            recorded = True
            query = scope.get("query_string", b"").decode("latin-1")
            caller, claimed = self._identify(headers, query, verified)
            self.wire.record(
                Exchange(
                    trace_id=span.trace_id,
                    span_id=span.span_id,
                    parent_id=inbound.span_id if inbound else None,
                    caller=caller,
                    claimed_caller=claimed,
                    callee=self.service,
                    method=scope["method"],
                    path=scope["path"] + (f"?{query}" if query else ""),
                    started_at=started,
                    duration_ms=(time.perf_counter() - t0) * 1000,
                    status=seen.status,
                    request_headers=_text(scope["headers"]),
                    request_body=bytes(seen.request_body),
                    response_headers=_text(seen.response_headers),
                    response_body=bytes(seen.response_body),
                    error=error,
                )
            )

        async def capture_send(message: Message) -> None:
            message = _with_headers(message, named)
            if message["type"] == "http.response.start":
                seen.status = message["status"]
                seen.response_headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                seen.add(seen.response_body, message.get("body", b""))
                if not message.get("more_body", False):
                    # Record before the caller can read the answer: whoever the response
                    # reaches can then rely on the call being in the trace already.
                    record()
            await send(message)

        try:
            await self._serve(scope, capture_receive, capture_send)
        except Exception as exc:
            record(type(exc).__name__)
            raise
        finally:
            record()
            attribution.stop(listening)
            current_span.reset(token)

    def _named(self, span: Span) -> list[tuple[bytes, bytes]]:
        """The headers naming the recorded call `span` (sampled only when calls are kept)."""
        return correlation_headers(span, sampled=self.wire.recorder is not None)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve through the app, unless an injected fault answers first."""
        fault = self.wire.faults.get(self.service)
        if fault is None:
            await self.app(scope, receive, send)
            return
        if fault.offline:
            await _reply(send, 503, "service_offline", offline_message(self.service))
            return
        if scope["path"].startswith(UNSLOWED_PATHS):
            await self.app(scope, receive, send)
            return
        if fault.latency_ms > 0:
            await asyncio.sleep(fault.latency_ms / 1000)
        if fault.error_rate > 0 and self.wire.roll(self.service) < fault.error_rate:
            await _reply(
                send,
                500,
                "injected_fault",
                f"{self.service} failed this call on purpose (fault injected: "
                f"error rate {fault.error_rate:g})",
            )
            return
        await self.app(scope, receive, send)

    def _identify(
        self, headers: dict[bytes, bytes], query: str, verified: list[str]
    ) -> tuple[str, str | None]:
        """(caller, claimed_caller): the party the institution verified; else `external`,
        keeping who the caller claimed to be; else the label a person's tool gave itself."""
        if verified:
            return verified[-1], None
        label = headers.get(CALLER_HEADER.encode(), b"").decode("latin-1")[:100]
        reserved = self.wire.reserved_names() if label else frozenset()
        return attribution.attribute([], label, self._presented(headers, query), reserved)

    def _presented(self, headers: dict[bytes, bytes], query: str) -> str | None:
        """The party owning a credential id the call presents (not verified), if any."""
        ids = self.wire.partner_ids
        for name in IDENTIFYING_HEADERS:
            presented = headers.get(name, b"").decode("latin-1")
            if presented in ids:
                return ids[presented]
        if "app_key=" in query:
            for key, value in parse_qsl(query):
                if key == "app_key" and value in ids:
                    return ids[value]
        basic = _basic_user(headers.get(b"authorization", b""))
        if basic in ids:  # a token request: HTTP Basic with the partner's key as user name
            return ids[basic]
        return None


TRACERESPONSE = b"traceresponse"
REQUEST_ID = b"x-request-id"


def correlation_headers(span: Span, sampled: bool = True) -> list[tuple[bytes, bytes]]:
    """`traceresponse` (W3C Trace Context Level 2) and `X-Request-Id` for the call `span`.

    `traceresponse` is `00-<trace id>-<span id>-<flags>`, the flags `01` when the call was
    recorded; `X-Request-Id` is the span id alone, the recorded call's id in the trace store.
    """
    flags = "01" if sampled else "00"
    return [
        (TRACERESPONSE, f"00-{span.trace_id}-{span.span_id}-{flags}".encode()),
        (REQUEST_ID, span.span_id.encode()),
    ]


def _with_headers(message: Message, named: list[tuple[bytes, bytes]]) -> Message:
    """A response start carrying `named`, replacing any the app set under those names (a
    proxied server's own request id would name a call the trace does not know)."""
    if message["type"] != "http.response.start":
        return message
    kept = [
        (k, v)
        for k, v in message.get("headers", ())
        if k.lower() not in (TRACERESPONSE, REQUEST_ID)
    ]
    return {**message, "headers": [*kept, *named]}


def _basic_user(authorization: bytes) -> str:
    """The user name of an HTTP Basic Authorization header ("" if it is not one)."""
    if authorization[:6].lower() != b"basic ":
        return ""
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return ""
    return decoded.partition(":")[0]


@dataclass
class _Captured:
    """What an external call sent and got back, kept up to `limit` bytes per body."""

    limit: int
    status: int | None = None
    request_body: bytearray = field(default_factory=bytearray)
    response_headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    response_body: bytearray = field(default_factory=bytearray)

    def add(self, into: bytearray, chunk: bytes) -> None:
        if len(into) < self.limit:
            into.extend(chunk)


async def _reply(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"code": code, "message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _text(pairs: Iterable[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in pairs]
