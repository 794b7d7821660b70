"""OTLP/JSON: one trace as an OpenTelemetry `ExportTraceServiceRequest`, for Jaeger or Tempo.

Students can load a sandbox story into the tracing tools they will use at work (Jaeger's and
Grafana's "upload JSON", or `POST /v1/traces` to a collector) and see the same tree as the TUI.

Shape: `resourceSpans` grouped by service (`service.name`), each with one `scopeSpans` entry
(scope `integration-sandbox`). Encoding follows the OTLP/JSON rules, which differ from plain
protobuf JSON: ids are lowercase hex (not base64), enums are integers, and 64-bit integers
(times, `intValue`) are decimal strings.

One call is ONE span (we record each call once, not a client and a server half). Its kind and
resource follow one rule: the span belongs to the party that made the call when that party is a
service, else to the party that answered.

- A caller is a service when it is the callee of some call in the same export (or is named in
  `services`). Its call is a CLIENT span (kind 3) under the caller's resource.
- Any other caller (`external`, a persona, a scenario) runs no instrumented code, so the call is
  a SERVER span (kind 2) under the callee's resource.

`parentSpanId` is the recorded `parent_id`, omitted for roots. Span name: `METHOD /path` without
the query. Attributes use the HTTP semantic conventions (`http.request.method`, `url.path`,
`url.query`, `http.response.status_code`, `server.address` = callee, `error.type`) plus
`sandbox.caller`, `sandbox.callee`, `sandbox.truncated`, `sandbox.claimed_caller` (who an
`external` caller claimed to be) and, on a call a story or lesson step made itself (its
`x-sandbox-step` header), `sandbox.story` (the story's name or the lesson's slug: the header
does not say which), `sandbox.step` (its number) and `sandbox.step.sentence`. Status: ERROR
(2) for calls that failed or answered 5xx, with `error.type` the failure reason or the status
code; otherwise UNSET (0). A 4xx is left UNSET on purpose: it is the callee's answer (often
the lesson), not a broken call, even though the conventions let a client span mark it as an
error.

A lesson step's verdict (`sandbox.trace.verdict`) is one more span in that step's trace:
INTERNAL (kind 1) under the resource `lesson`, named `lesson <slug> step <n>`, with
`sandbox.lesson`, `sandbox.step`, `sandbox.step.title`, `sandbox.verdict` (passed, failed or
error) and `sandbox.expectation` (the first expectation not met); ERROR status unless passed.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from sandbox import __version__
from sandbox.trace.events import HttpCall
from sandbox.trace.steps import step_of
from sandbox.trace.verdict import LessonVerdict

SCOPE_NAME = "integration-sandbox"
SPAN_KIND_SERVER = 2
SPAN_KIND_CLIENT = 3
STATUS_UNSET = 0
STATUS_ERROR = 2


def to_otlp(calls: Sequence[HttpCall], services: Collection[str] | None = None) -> str:
    """The calls as OTLP/JSON; `services` adds callers to treat as services (see module doc)."""
    ordered = sorted(calls, key=lambda call: call.started_at)
    known = {call.callee for call in ordered} | set(services or ())
    by_service = spans_by_service(ordered, known)
    resource_spans = [resource_spans_of(name, spans) for name, spans in by_service.items()]
    return json.dumps({"resourceSpans": resource_spans}, ensure_ascii=False, indent=2)


def spans_by_service(
    calls: Iterable[HttpCall], services: Collection[str]
) -> dict[str, list[dict[str, Any]]]:
    """Each call's span under the service it belongs to (the module doc's rule), in order."""
    by_service: dict[str, list[dict[str, Any]]] = {}
    for call in calls:
        owner = call.caller if call.caller in services else call.callee
        by_service.setdefault(owner, []).append(otlp_span(call, client=owner == call.caller))
    return by_service


def otlp_span(call: HttpCall, *, client: bool) -> dict[str, Any]:
    """One OTLP/JSON span for one call, CLIENT kind when `client` else SERVER."""
    start = _nanos(call.started_at, 1_000_000_000)
    span: dict[str, Any] = {
        "traceId": call.trace_id,
        "spanId": call.span_id,
        "name": f"{call.method} {call.path.split('?', 1)[0]}",
        "kind": SPAN_KIND_CLIENT if client else SPAN_KIND_SERVER,
        "startTimeUnixNano": str(start),
        "endTimeUnixNano": str(start + _nanos(call.duration_ms, 1_000_000)),
        "attributes": _attributes(call),
        "status": _status(call),
    }
    if call.parent_id:
        span["parentSpanId"] = call.parent_id
    return span


def resource_spans_of(
    service: str, spans: list[dict[str, Any]], resource: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """One `resourceSpans` entry: `spans` of `service`, with more `resource` attributes."""
    extra = [_attribute(key, value) for key, value in (resource or {}).items()]
    return {
        "resource": {"attributes": [_attribute("service.name", service), *extra]},
        "scopeSpans": [{"scope": {"name": SCOPE_NAME, "version": __version__}, "spans": spans}],
    }


def _attributes(call: HttpCall) -> list[dict[str, Any]]:
    path, _, query = call.path.partition("?")
    attributes = [
        _attribute("http.request.method", call.method),
        _attribute("url.path", path),
        _attribute("server.address", call.callee),
        _attribute("sandbox.caller", call.caller),
        _attribute("sandbox.callee", call.callee),
    ]
    if call.claimed_caller:
        attributes.append(_attribute("sandbox.claimed_caller", call.claimed_caller))
    if query:
        attributes.append(_attribute("url.query", query))
    if call.status is not None:
        attributes.append(_attribute("http.response.status_code", call.status))
    if _is_error(call):
        attributes.append(_attribute("error.type", call.error or str(call.status)))
    if call.truncated:
        attributes.append(_attribute("sandbox.truncated", True))
    step = step_of(call)
    if step is not None:
        attributes += [
            _attribute("sandbox.story", step.source),
            _attribute("sandbox.step", step.number),
            _attribute("sandbox.step.sentence", step.sentence),
        ]
    return attributes


def _attribute(key: str, value: str | int | bool) -> dict[str, Any]:
    # bool first: True is an int too. OTLP/JSON writes 64-bit ints as decimal strings.
    if isinstance(value, bool):
        return {"key": key, "value": {"boolValue": value}}
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}
    return {"key": key, "value": {"stringValue": value}}


def _status(call: HttpCall) -> dict[str, Any]:
    if not _is_error(call):
        return {"code": STATUS_UNSET}
    reason = call.error or f"HTTP {call.status}"
    return {"code": STATUS_ERROR, "message": reason}


def _is_error(call: HttpCall) -> bool:
    return call.status is None or call.status >= 500


def _nanos(value: float, per_unit: int) -> int:
    """Whole nanoseconds of `value` units, via the shortest decimal so floats add no noise."""
    return int((Decimal(repr(value)) * per_unit).to_integral_value())


LESSON_SERVICE = "lesson"
"""The resource (`service.name`) of verdict spans: the learner's lesson, not an institution."""
SPAN_KIND_INTERNAL = 1


def verdict_span(verdict: LessonVerdict, span_id: str) -> dict[str, Any]:
    """One lesson step's verdict as an INTERNAL span in the step's trace: ERROR status when
    the step failed or could not run, with the expectation not met as its message."""
    at = _nanos(verdict.at, 1_000_000_000)
    attributes = [
        _attribute("sandbox.lesson", verdict.lesson),
        _attribute("sandbox.step", verdict.step),
        _attribute("sandbox.step.title", verdict.title),
        _attribute("sandbox.verdict", verdict.verdict),
    ]
    if verdict.expectation:
        attributes.append(_attribute("sandbox.expectation", verdict.expectation))
    status: dict[str, Any] = {"code": STATUS_UNSET}
    if verdict.verdict != "passed":
        status = {"code": STATUS_ERROR, "message": verdict.expectation or verdict.verdict}
    return {
        "traceId": verdict.trace_id,
        "spanId": span_id,
        "name": f"lesson {verdict.lesson} step {verdict.step}",
        "kind": SPAN_KIND_INTERNAL,
        "startTimeUnixNano": str(at),
        "endTimeUnixNano": str(at),
        "attributes": attributes,
        "status": status,
    }
