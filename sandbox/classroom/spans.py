"""OTLP spans back into what the sandbox recorded: calls (`HttpCall`) and lesson verdicts.

The inverse of `sandbox.trace.export.otlp` for the spans a student's sandbox sends. What
arrives is from the network, so nothing is trusted: a span whose ids, times or attributes do
not make sense is skipped and counted, strings are cut to a line's length, and a request
holds at most MAX_SPANS spans. A span another tool sent (no HTTP method, no verdict) is
skipped too: the board is about the sandbox's calls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sandbox.trace.events import HttpCall
from sandbox.trace.steps import STEP_HEADER, format_step
from sandbox.trace.verdict import LessonVerdict

MAX_SPANS = 10_000
"""Spans read from one request (a student's sandbox sends at most 512 per post)."""
MAX_TEXT = 2_000
"""Characters kept of any string attribute."""
MAX_NAME = 64
TRACE_ID = re.compile(r"^[0-9a-f]{32}$")
SPAN_ID = re.compile(r"^[0-9a-f]{16}$")
METHOD = re.compile(r"^[A-Z]{1,16}$")
UNNAMED = "?"
"""The student of spans with no `sandbox.student` (followed by the sender's address)."""


@dataclass
class Received:
    """What one request carried, by student."""

    calls: dict[str, list[HttpCall]] = field(default_factory=dict)
    verdicts: dict[str, list[LessonVerdict]] = field(default_factory=dict)
    rejected: int = 0
    """Spans skipped: malformed, or not the sandbox's."""


def read_request(request: Any, sender: str = "") -> Received:
    """The calls and verdicts of an OTLP/JSON `ExportTraceServiceRequest` (as parsed JSON, or
    the dictionary `otlp_protobuf.from_protobuf` made). `sender` names the unnamed."""
    received = Received()
    if not isinstance(request, dict):
        raise ValueError("an OTLP request is a JSON object with resourceSpans")
    seen = 0
    for resource_spans in _list(request.get("resourceSpans")):
        resource = _attributes(_dict(_dict(resource_spans).get("resource")).get("attributes"))
        student = student_name(resource.get("sandbox.student"), sender)
        for scope_spans in _list(_dict(resource_spans).get("scopeSpans")):
            for span in _list(_dict(scope_spans).get("spans")):
                seen += 1
                if seen > MAX_SPANS:
                    received.rejected += 1
                    continue
                _read_span(_dict(span), student, received)
    return received


def student_name(value: object, sender: str = "") -> str:
    """A printable name of at most MAX_NAME characters, or `? <sender>` for none."""
    text = value if isinstance(value, str) else ""
    name = "".join(c for c in text if c.isprintable()).strip()[:MAX_NAME]
    return name or f"{UNNAMED} {sender}".strip()


def _read_span(span: dict[str, Any], student: str, received: Received) -> None:
    attributes = _attributes(span.get("attributes"))
    try:
        if "sandbox.verdict" in attributes:
            verdict = _verdict(span, attributes)
            received.verdicts.setdefault(student, []).append(verdict)
        elif "http.request.method" in attributes:
            received.calls.setdefault(student, []).append(_call(span, attributes))
        else:
            received.rejected += 1
    except (ValueError, TypeError, OverflowError):
        received.rejected += 1


def _call(span: dict[str, Any], attributes: dict[str, Any]) -> HttpCall:
    trace_id, span_id = _id(span, "traceId", TRACE_ID), _id(span, "spanId", SPAN_ID)
    parent = span.get("parentSpanId") or None
    if parent is not None:
        parent = _id(span, "parentSpanId", SPAN_ID)
    method = _text(attributes.get("http.request.method"))
    if not METHOD.match(method):
        raise ValueError("not an HTTP method")
    path = _text(attributes.get("url.path")) or "/"
    query = _text(attributes.get("url.query"))
    start, end = _nanos(span.get("startTimeUnixNano")), _nanos(span.get("endTimeUnixNano"))
    status = attributes.get("http.response.status_code")
    if status is not None:
        status = int(status)
        if not 100 <= status <= 999:
            raise ValueError("not an HTTP status")
    callee = _text(attributes.get("sandbox.callee") or attributes.get("server.address"))
    headers: tuple[tuple[str, str], ...] = ()
    if "sandbox.story" in attributes and "sandbox.step" in attributes:
        step = format_step(
            _text(attributes["sandbox.story"]),
            int(attributes["sandbox.step"]),
            _text(attributes.get("sandbox.step.sentence")),
        )
        headers = ((STEP_HEADER, step),)
    return HttpCall(
        trace_id=trace_id,
        span_id=span_id,
        parent_id=parent,
        caller=_text(attributes.get("sandbox.caller")) or "external",
        callee=callee or "?",
        method=method,
        path=f"{path}?{query}" if query else path,
        status=status,
        started_at=start / 1e9,
        duration_ms=max(0.0, (end - start) / 1e6),
        request_headers=headers,
        error=_text(attributes.get("error.type")) or None if status is None else None,
        truncated=attributes.get("sandbox.truncated") is True,
        claimed_caller=_text(attributes.get("sandbox.claimed_caller")) or None,
    )


def _verdict(span: dict[str, Any], attributes: dict[str, Any]) -> LessonVerdict:
    return LessonVerdict(
        lesson=_text(attributes.get("sandbox.lesson"))[:120],
        step=int(attributes.get("sandbox.step", 0)),
        title=_text(attributes.get("sandbox.step.title")),
        verdict=_text(attributes.get("sandbox.verdict")),
        expectation=_text(attributes.get("sandbox.expectation")),
        trace_id=_id(span, "traceId", TRACE_ID),
        at=_nanos(span.get("startTimeUnixNano")) / 1e9,
    )


def _attributes(items: object) -> dict[str, Any]:
    """`[{"key": k, "value": {"stringValue": v}}]` as `{k: v}`: strings, ints and booleans."""
    found: dict[str, Any] = {}
    for item in _list(items)[:200]:
        item = _dict(item)
        key, value = item.get("key"), _dict(item.get("value"))
        if not isinstance(key, str):
            continue
        if isinstance(value.get("stringValue"), str):
            found[key] = value["stringValue"][:MAX_TEXT]
        elif isinstance(value.get("boolValue"), bool):
            found[key] = value["boolValue"]
        elif isinstance(value.get("intValue"), (int, str)):
            try:
                found[key] = int(str(value["intValue"])[:20])
            except ValueError:
                continue
    return found


def _id(span: dict[str, Any], key: str, pattern: re.Pattern[str]) -> str:
    value = span.get(key)
    if not isinstance(value, str) or not pattern.match(value.lower()):
        raise ValueError(f"{key} is not a hex id")
    return value.lower()


def _nanos(value: object) -> int:
    """Nanoseconds since the epoch: a decimal string or an int, from 1970 to 2100."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError("not a time")
    nanos = int(str(value)[:20])
    if not 0 <= nanos <= 4_102_444_800 * 10**9:
        raise ValueError("time out of range")
    return nanos


def _text(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    return "".join(c for c in str(value)[:MAX_TEXT] if c.isprintable() or c == " ")


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
