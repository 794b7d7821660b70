"""OtlpStream: every recorded call, sent as it happens to an OpenTelemetry collector or Jaeger.

A class keeps its traces in one place: each student's `sandbox up --otlp-endpoint URL --student
NAME` posts its spans (OTLP/HTTP with the JSON encoding, `POST .../v1/traces`) to the
teacher's collector, with the student's name as the resource attribute `sandbox.student`. The
spans are those of `sandbox trace export --format otlp` (`sandbox.trace.export.otlp`), so a
trace looks the same uploaded from a file or streamed; each lesson step's verdict follows as
one more span (`verdict`). `protocol="http/protobuf"` posts the same spans in OTLP's protobuf
encoding (OpenTelemetry's default, for a collector configured for it).

The collector is another machine on a classroom network: it may be slow, down or never there.
So sending must never cost the sandbox a request:

- Recording a call only offers it to a bounded queue (`max_queue` calls) and returns. When the
  queue is full the NEW call is dropped and counted, as OpenTelemetry's BatchSpanProcessor
  does: a call already queued stays, so traces already queued are not cut short, and the
  recording thread never waits for the sender.
- One daemon thread builds the spans and posts them in batches (up to `batch` calls, gathered
  for up to `interval` seconds), each post with a timeout.
- A failed post (no connection, a timeout, 408, 429 or 5xx) is retried after an exponential
  backoff (`backoff` doubling up to `max_backoff` seconds, with jitter so a class does not retry
  in step), up to `attempts` posts per batch; then the batch is given up and counted. The
  backoff carries over to the next batch until a post succeeds, so a dead endpoint costs one
  connection attempt every `max_backoff` seconds, not one per batch. Any other answer (400,
  404: the collector will never take these spans) gives the batch up at once.
- `close` sends what it can within a short deadline, one post per batch, and stops at the
  first failure; whatever is left is counted as dropped.

`stats()` says how many spans were sent, dropped and failed, and why the last post failed: the
control API serves it at `GET /otlp` and `sandbox status` prints it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import random
import secrets
import threading
import time
from collections.abc import Collection, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from sandbox import __version__
from sandbox.trace.events import HttpCall
from sandbox.trace.export.otlp import (
    LESSON_SERVICE,
    resource_spans_of,
    spans_by_service,
    verdict_span,
)
from sandbox.trace.export.otlp_protobuf import to_protobuf
from sandbox.trace.verdict import LessonVerdict

log = logging.getLogger(__name__)
TRACES_PATH = "/v1/traces"
PROTOCOLS = {"http/json": "application/json", "http/protobuf": "application/x-protobuf"}
"""OTLP/HTTP's two encodings (OpenTelemetry's names for them) and their content types."""
RETRY_STATUSES = frozenset({408, 429})
"""Answers worth posting again besides any 5xx: the collector is busy, not refusing."""


def endpoint_url(text: str) -> str:
    """The URL to post spans to: `http://host:4318` (or any base URL) gains `/v1/traces`, a
    URL already ending in it is kept. ValueError says what is wrong with anything else."""
    try:
        parts = urlsplit(text.strip())
        parts.port  # noqa: B018 - parsing the port is what raises for a bad one
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a URL ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"{text!r} is not an http:// or https:// URL")
    if not parts.hostname:
        raise ValueError(f"{text!r} names no host")
    if parts.username is not None or parts.password is not None:
        # Not echoed: the password would end up on the screen and in shell logs.
        raise ValueError(
            "the URL holds a user name or password (credentials); give it without them"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"{text!r} has a query or fragment; an OTLP endpoint has neither")
    path = parts.path.rstrip("/")
    if not path.endswith(TRACES_PATH):
        path += TRACES_PATH
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


class OtlpStream:
    """A recorder (call it with each HttpCall) that streams the calls as OTLP spans."""

    def __init__(
        self,
        endpoint: str,
        services: Collection[str],
        student: str = "",
        *,
        protocol: str = "http/json",
        max_queue: int = 10_000,
        batch: int = 512,
        interval: float = 1.0,
        timeout: float = 5.0,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        attempts: int = 5,
    ) -> None:
        self.endpoint = endpoint_url(endpoint)
        self.services = frozenset(services)
        """Parties that run code: their calls are CLIENT spans under their own name."""
        self.student = student
        if protocol not in PROTOCOLS:
            raise ValueError(f"protocol must be one of {', '.join(PROTOCOLS)}")
        self.protocol = protocol
        self.max_queue, self.batch, self.interval = max_queue, batch, interval
        self.timeout, self.backoff, self.max_backoff = timeout, backoff, max_backoff
        self.attempts = attempts
        self.sent = self.failed = self.failed_batches = self.retries = 0
        """Spans delivered, spans in batches given up, those batches, and posts repeated."""
        self.last_error = ""
        self._dropped = self._accepted = self._settled = 0
        self._failures = 0
        """Failed posts in a row: the backoff before the next post grows with them."""
        self._closing_failed = False
        """A post failed after `close`: the calls still queued are dropped, not tried."""
        self._queue: queue.Queue[HttpCall | LessonVerdict | None] = queue.Queue(max_queue)
        self._lock = threading.Lock()
        self._settle = threading.Condition()
        self._stop = threading.Event()
        self._deadline = float("inf")
        self._thread = threading.Thread(target=self._run, name="otlp-stream", daemon=True)
        self._thread.start()

    # -- the recording side: never waits --------------------------------------------------

    def __call__(self, call: HttpCall | LessonVerdict) -> None:
        """Queue `call` (or a lesson step's verdict) for sending, or drop and count it when
        the queue is full."""
        try:
            self._queue.put_nowait(call)
        except queue.Full:
            with self._lock:
                self._dropped += 1
            return
        with self._lock:
            self._accepted += 1

    @property
    def dropped(self) -> int:
        """Calls (and verdicts) never sent: the queue was full, or they were still queued at
        `close`."""
        return self._dropped

    def stats(self) -> dict[str, Any]:
        """The counters, JSON-ready."""
        return {
            "endpoint": self.endpoint,
            "student": self.student,
            "protocol": self.protocol,
            "queued": self._queue.qsize(),
            "max_queue": self.max_queue,
            "sent": self.sent,
            "dropped": self._dropped,
            "failed": self.failed,
            "failed_batches": self.failed_batches,
            "retries": self.retries,
            "last_error": self.last_error,
        }

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every call queued so far is sent or given up; False on timeout."""
        with self._lock:
            target = self._accepted
        with self._settle:
            return self._settle.wait_for(lambda: self._settled >= target, timeout)

    def close(self, deadline: float = 2.0) -> bool:
        """Send what can be sent within `deadline` seconds and stop; True if the sender
        finished in time (it is a daemon thread, so one stuck in a post never holds up exit)."""
        self._deadline = time.monotonic() + deadline
        self._stop.set()
        with contextlib.suppress(queue.Full):  # a sender with a full queue is not waiting
            self._queue.put_nowait(None)  # wakes a sender waiting for calls
        self._thread.join(deadline)
        return not self._thread.is_alive()

    # -- the sending thread ---------------------------------------------------------------

    def _run(self) -> None:
        headers = {
            "content-type": PROTOCOLS[self.protocol],
            "user-agent": f"integration-sandbox/{__version__}",
        }
        with httpx.Client(timeout=self.timeout, headers=headers) as http:
            while not (self._stop.is_set() and self._queue.empty()):
                calls = self._gather()
                try:
                    if calls:
                        self._deliver(http, calls)
                except Exception as exc:  # a sender that died would leave the queue full
                    log.exception("sending %d spans to %s failed", len(calls), self.endpoint)
                    self.last_error = f"{type(exc).__name__}: {exc}"
                    self.failed += len(calls)
                    self.failed_batches += 1
                    self._settled_as(calls)

    def _gather(self) -> list[HttpCall | LessonVerdict]:
        """The next batch: waits for a first call, then lets more arrive for `interval`."""
        items = [self._queue.get()]
        if self._queue.qsize() + 1 < self.batch:
            self._stop.wait(self.interval)  # one post per interval, not one per call
        while len(items) < self.batch:
            try:
                items.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return [item for item in items if item is not None]

    def _deliver(self, http: httpx.Client, calls: list[HttpCall | LessonVerdict]) -> None:
        body: bytes | None = None
        posts = 0
        while True:
            closing = self._stop.is_set()
            if not closing:
                self._stop.wait(self._delay())
            left = self._deadline - time.monotonic()
            if left <= 0 or (closing and self._closing_failed):
                self._settled_as(calls, dropped=True)
                return
            if body is None:  # encoded only once a post will be tried: closing drops fast
                body = _encode(calls, self.services, self.student, self.protocol)
            error, retry = self._post(http, body, min(self.timeout, left))
            posts += 1
            if error is None:
                self._succeeded(len(calls))
                return
            self._failed_post(error)
            if not retry or posts >= self.attempts or self._stop.is_set():
                self.failed += len(calls)
                self.failed_batches += 1
                self._settled_as(calls)
                return
            self.retries += 1

    def _post(self, http: httpx.Client, body: bytes, timeout: float) -> tuple[str | None, bool]:
        """(None, _) when the collector took the spans, else (why not, worth retrying)."""
        try:
            response = http.post(self.endpoint, content=body, timeout=timeout)
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}", True
        if 200 <= response.status_code < 300:
            return None, False
        status = response.status_code
        return f"HTTP {status}", status >= 500 or status in RETRY_STATUSES

    def _delay(self) -> float:
        """Seconds to wait before the next post: none while posts succeed."""
        if not self._failures:
            return 0.0
        ceiling = min(self.max_backoff, self.backoff * 2.0 ** min(self._failures - 1, 30))
        return ceiling * random.uniform(0.5, 1.0)  # jitter: a class does not retry in step

    def _succeeded(self, spans: int) -> None:
        if self._failures:
            log.info("OTLP endpoint %s takes spans again", self.endpoint)
        self._failures = 0
        self.sent += spans
        self._settled_as_count(spans)

    def _failed_post(self, error: str) -> None:
        if not self._failures:
            log.warning(
                "OTLP endpoint %s failed (%s); spans are retried with backoff, and "
                "dropped while the queue is full",
                self.endpoint,
                error,
            )
        self._failures += 1
        self.last_error = error
        if self._stop.is_set():
            self._closing_failed = True

    def _settled_as(self, calls: Sequence[object], dropped: bool = False) -> None:
        if dropped:
            with self._lock:
                self._dropped += len(calls)
        self._settled_as_count(len(calls))

    def _settled_as_count(self, count: int) -> None:
        with self._settle:
            self._settled += count
            self._settle.notify_all()


def _encode(
    items: Sequence[HttpCall | LessonVerdict],
    services: Collection[str],
    student: str,
    protocol: str = "http/json",
) -> bytes:
    """An OTLP `ExportTraceServiceRequest` body for `items`, in `protocol`'s encoding."""
    calls = sorted((i for i in items if isinstance(i, HttpCall)), key=lambda c: c.started_at)
    verdicts = [item for item in items if isinstance(item, LessonVerdict)]
    resource = {"sandbox.student": student} if student else {}
    by_service = spans_by_service(calls, services)
    if verdicts:
        by_service.setdefault(LESSON_SERVICE, []).extend(
            verdict_span(verdict, secrets.token_hex(8)) for verdict in verdicts
        )
    body = {
        "resourceSpans": [
            resource_spans_of(name, spans, resource) for name, spans in by_service.items()
        ]
    }
    if protocol == "http/protobuf":
        return to_protobuf(body)
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
