"""Wire: the partner httpx clients every institution calls the others with.

Each client stamps `traceparent` (a child of the call being served, if any), says who is calling
in `X-Sandbox-Caller`, and records the call once it is over - including calls that never got a
response (refused, timed out). The runtime gives clients real loopback URLs; tests mount apps
in-process with `mount`, so the same code runs over sockets or over `httpx.ASGITransport`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import random
import secrets
import time
from collections.abc import Callable, Mapping
from http.cookiejar import CookieJar
from typing import Any

import httpx

from sandbox.trace.events import HttpCall
from sandbox.wire.asgi import TraceMiddleware
from sandbox.wire.context import (
    Span,
    current_span,
    format_traceparent,
    new_span_id,
    new_trace_id,
    stamp_step,
)
from sandbox.wire.faults import Fault, fault_rng, offline_message
from sandbox.wire.recording import (
    CALLER_HEADER,
    DEFAULT_BODY_LIMIT,
    RECORDED_HEADER,
    Exchange,
    Recorder,
    plain_call,
    to_call,
)

log = logging.getLogger(__name__)
_CookieTypes = httpx.Cookies | CookieJar | dict[str, str] | list[tuple[str, str]] | None
"""What `httpx.AsyncClient` accepts as cookies."""
_MERGED_URLS = 512
"""Joined URLs one client keeps (`PartnerClient._merge_url`): its paths, with every id in them."""


class _SentCookies(httpx.Cookies):
    """Cookies a caller chose to send; none is ever taken from a response."""

    def extract_cookies(self, response: httpx.Response) -> None:
        """Keep nothing: an institution's client is a server calling a partner's API."""


class PartnerClient(httpx.AsyncClient):
    """An `httpx.AsyncClient` that never keeps cookies from responses.

    One pooled client carries every call one institution makes to another, on behalf of
    every user, so a cookie one answer set must never ride along on the next (no
    institution sets any). It also spares httpx parsing each response's `Set-Cookie`
    through `http.cookiejar` (about 36 us a call; docs/performance.md). Cookies set on the
    client itself (`client.cookies = {...}`) are still sent.
    """

    def __init__(self, *, cookies: _CookieTypes = None, **kwargs: Any) -> None:
        self._merged: dict[str, httpx.URL] = {}
        super().__init__(**kwargs)
        self._sent_cookies = _SentCookies(cookies)

    @property
    def base_url(self) -> httpx.URL:
        """The URL every relative path is joined to (httpx's own)."""
        return self._base_url

    @base_url.setter
    def base_url(self, url: httpx.URL | str) -> None:
        self._base_url = self._enforce_trailing_slash(httpx.URL(url))
        self._merged = {}  # every joined URL was joined to the old base

    def _merge_url(self, url: httpx.URL | str) -> httpx.URL:
        """httpx's join of `url` to the base URL, kept per path string.

        httpx parses and percent-encodes every URL in Python, twice for a relative path (the
        path, then the joined URL): about 20 us a request. A client calls the same few paths
        over and over, and an `httpx.URL` is immutable, so the joined URL is built once per
        path (a bounded number of them: the table starts again when full).
        """
        if not isinstance(url, str):
            return super()._merge_url(url)
        merged = self._merged.get(url)
        if merged is None:
            merged = super()._merge_url(url)
            if len(self._merged) >= _MERGED_URLS:
                self._merged.clear()
            self._merged[url] = merged
        return merged

    @property
    def cookies(self) -> httpx.Cookies:
        """Cookies sent with every request (only those set here)."""
        return self._sent_cookies

    @cookies.setter
    def cookies(self, cookies: _CookieTypes) -> None:
        self._sent_cookies = _SentCookies(cookies)


class RecordingTransport(httpx.AsyncBaseTransport):
    """Wraps a transport: propagates trace context and records each exchange."""

    def __init__(
        self, inner: httpx.AsyncBaseTransport, wire: Wire, caller: str, callee: str
    ) -> None:
        self._inner = inner
        self._wire = wire
        self._caller = caller
        self._callee = callee

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        parent = current_span.get()
        span = Span(parent.trace_id if parent else new_trace_id(), new_span_id())
        traceparent = format_traceparent(span)
        request.headers["traceparent"] = traceparent
        request.headers[CALLER_HEADER] = self._caller
        stamp_step(request.headers)
        if self._wire.recorder is not None:
            request.headers[RECORDED_HEADER] = self._wire.proof(request.method, traceparent)
        started, t0 = self._wire.clock(), time.perf_counter()
        facts: dict[str, Any] = {}
        try:
            if self._wire.fault(self._callee).offline:
                facts = {"error": "offline"}
                raise httpx.ConnectError(offline_message(self._callee), request=request)
            response = await self._inner.handle_async_request(request)
            body = await response.aread()
            facts = {
                "status": response.status_code,
                "response_headers": response.headers.items(),
                "response_body": body,
            }
            return response
        except httpx.ConnectError:
            facts = facts or {"error": "refused"}
            raise
        except httpx.TimeoutException:
            facts = {"error": "timeout"}
            raise
        except httpx.HTTPError as exc:
            facts = {"error": type(exc).__name__}
            raise
        finally:
            try:
                content = request.content
            except httpx.RequestNotRead:
                content = b"<streamed>"
            self._wire.record(
                Exchange(
                    trace_id=span.trace_id,
                    span_id=span.span_id,
                    parent_id=(parent.span_id or None) if parent else None,
                    caller=self._caller,
                    callee=self._callee,
                    method=request.method,
                    path=request.url.raw_path.decode(),
                    started_at=started,
                    duration_ms=(time.perf_counter() - t0) * 1000,
                    request_headers=request.headers.items(),
                    request_body=content,
                    **facts,
                )
            )

    async def aclose(self) -> None:
        await self._inner.aclose()


class Wire:
    """Partner clients, inbound instrumentation and the recorder, shared by one runtime."""

    def __init__(
        self,
        *,
        recorder: Recorder | None = None,
        clock: Callable[[], float] = time.time,
        timeout: float = 5.0,
        body_limit: int = DEFAULT_BODY_LIMIT,
        partner_ids: Mapping[str, str] | None = None,
    ) -> None:
        self.recorder = recorder
        self.clock = clock
        self.timeout = timeout
        self.body_limit = body_limit
        self.partner_ids: dict[str, str] = dict(partner_ids or {})
        """Credential ids (client keys, app keys) to the service that owns them."""
        self._urls: dict[str, str] = {}
        self._forwarded: dict[str, str | None] = {}
        """Clients heard through `sandbox listen`: name to the path their webhooks go to."""
        self._apps: dict[str, Any] = {}
        self._clients: dict[tuple[str, str], httpx.AsyncClient] = {}
        self._retired: list[httpx.AsyncClient] = []
        self.faults: dict[str, Fault] = {}
        """Active injected faults by service (see `sandbox.wire.faults`)."""
        self._dice: dict[str, random.Random] = {}
        self._proof_key = secrets.token_bytes(32)
        """Known only to this process: what makes the "already recorded" mark unforgeable."""

    def proof(self, method: str, traceparent: str) -> str:
        """The "already recorded" mark for one call: an HMAC of its method and trace context
        under this wire's own key, so it proves the call came from one of our clients and
        cannot be reused for a call with another span."""
        digest = hmac.digest(self._proof_key, f"{method} {traceparent}".encode(), hashlib.sha256)
        return digest.hex()[:32]

    def proves_recorded(self, mark: bytes, method: str, traceparent: bytes) -> bool:
        """Whether `mark` is this wire's proof for the call (any other value is not)."""
        if self.recorder is None or len(mark) != 32 or not traceparent.isascii():
            return False
        expected = self.proof(method, traceparent.decode("ascii")).encode()
        return hmac.compare_digest(expected, mark)

    def reserved_names(self) -> frozenset[str]:
        """Names no caller may give itself (lower case): every service this wire reaches and
        every party that owns a partner credential (`sandbox.wire.attribution`)."""
        return frozenset(name.lower() for name in (*self._urls, *self.partner_ids.values()))

    def set_fault(self, service: str, fault: Fault) -> None:
        """Inject `fault` into `service` (the default `Fault()` restores it); the dice for its
        error rate start again, so the same run fails the same calls."""
        if fault.active:
            self.faults[service] = fault
        else:
            self.faults.pop(service, None)
        self._dice[service] = fault_rng(service)

    def fault(self, service: str) -> Fault:
        """The fault injected into `service` (`Fault()` when it is healthy)."""
        return self.faults.get(service) or Fault()

    def roll(self, service: str) -> float:
        """The next number in [0, 1) from `service`'s seeded dice (for its error rate)."""
        dice = self._dice.setdefault(service, fault_rng(service))
        return dice.random()

    def set_url(self, service: str, url: str) -> None:
        """Where `service` listens (the runtime calls this after binding)."""
        url = url.rstrip("/")
        if self._urls.get(service) == url and service not in self._apps:
            return  # unchanged: keep the pooled connections
        self._urls[service] = url
        self._apps.pop(service, None)
        self._forget(service)

    def mount(self, service: str, app: Any) -> None:
        """Serve `service` in-process (tests): calls go through `httpx.ASGITransport`."""
        self._apps[service] = app
        self._urls[service] = f"http://{service}.sandbox"
        self._forget(service)

    def forward(self, name: str, url: str | None) -> None:
        """Deliver calls meant for `name` - a developer's client, which serves nothing itself -
        to `url`, where `sandbox listen` forwards them; None stops.

        The URL's path, if it has one, replaces the path each call was sent to (the developer
        chose where their webhooks arrive); with none, the sender's own path is kept. The
        caller checks that `url` is on this machine.
        """
        if url is None:
            if self._forwarded.pop(name, False) is not False:
                self._urls.pop(name, None)
                self._forget(name)
            return
        parsed = httpx.URL(url)
        self._urls[name] = str(parsed.copy_with(path="/", query=None, fragment=None)).rstrip("/")
        self._forwarded[name] = parsed.path if parsed.path not in ("", "/") else None
        self._apps.pop(name, None)
        self._forget(name)

    def forwarding(self) -> dict[str, str]:
        """Clients heard through `sandbox listen`, each with where its calls go."""
        return {
            name: self._urls[name] + (path or "")
            for name, path in self._forwarded.items()
            if name in self._urls
        }

    def _forget(self, service: str) -> None:
        """Retire pooled clients to `service`, so the next call uses its new address."""
        for key in [k for k in self._clients if k[1] == service]:
            self._retired.append(self._clients.pop(key))  # closed by aclose()

    def url(self, service: str) -> str:
        """The base URL of `service`."""
        try:
            return self._urls[service]
        except KeyError:
            raise LookupError(f"unknown service {service!r}") from None

    def client(self, caller: str, callee: str) -> httpx.AsyncClient:
        """The recorded client `caller` uses to reach `callee` (reused, pooled)."""
        key = (caller, callee)
        if key not in self._clients:
            app = self._apps.get(callee)
            inner: httpx.AsyncBaseTransport = (
                httpx.ASGITransport(app=app) if app is not None else httpx.AsyncHTTPTransport()
            )
            path = self._forwarded.get(callee)
            self._clients[key] = PartnerClient(
                base_url=self.url(callee),
                timeout=self.timeout,
                transport=RecordingTransport(inner, self, caller, callee),
                headers={"user-agent": f"integration-sandbox/{caller}"},
                event_hooks={"request": [_to_path(path)]} if path else None,
            )
        return self._clients[key]

    def instrument(self, app: Any, service: str) -> None:
        """Record calls into `app` that no client of ours recorded (curl, scripts, other tools)."""
        app.add_middleware(TraceMiddleware, wire=self, service=service)

    def record(self, exchange: Exchange) -> None:
        """Redact and publish one call; never raises into the service, never drops the call.

        If redaction fails (a body nobody foresaw), the call is still recorded, with its
        content replaced by plain marks (`recording.plain_call`).
        """
        if self.recorder is None:
            return
        try:
            call: HttpCall = to_call(exchange, self.body_limit)
        except Exception:
            log.exception("redacting a call failed; recording it without its content")
            call = plain_call(exchange)
        try:
            self.recorder(call)
        except Exception:
            log.exception("recording a call failed")

    async def aclose(self) -> None:
        """Close every pooled client, retired ones included."""
        for client in [*self._clients.values(), *self._retired]:
            await client.aclose()
        self._clients.clear()
        self._retired.clear()


def with_params(url: httpx.URL, params: Mapping[str, str]) -> httpx.URL:
    """`url.copy_with(params=params)`, without parsing `url` again.

    httpx validates and re-encodes every component of a URL in Python whenever one part
    changes: about 30 us to put a signed query on a URL (once per signed request). Here
    httpx's own `QueryParams` encodes the query, and the rest of `url`, already checked when
    it was built, is kept as it is. Should a new httpx keep its URL differently, this falls
    back to `copy_with`; `tests/wire/test_partner_client.py` checks both give the same URL.
    """
    reference = getattr(url, "_uri_reference", None)
    replace = getattr(reference, "_replace", None)
    if replace is None:
        return url.copy_with(params=params)
    fresh = httpx.URL.__new__(httpx.URL)
    fresh._uri_reference = replace(query=str(httpx.QueryParams(params)) if params else None)
    return fresh


def _to_path(path: str) -> Callable[[httpx.Request], Any]:
    """A request hook sending every request to `path` (a forwarded client's endpoint)."""

    async def rewrite(request: httpx.Request) -> None:
        request.url = request.url.copy_with(path=path)

    return rewrite
