"""OTLP/JSON: spans follow the documented rule, and the official protobuf parser reads them."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from typing import Any

import pytest

from sandbox.trace.events import HttpCall
from sandbox.trace.export.otlp import to_otlp
from tests.trace.conftest import (
    BALANCE,
    CHECKOUT,
    CREATE_VA,
    DETAIL,
    ORDER,
    ORDER_WEBHOOK,
    PAYMENT_WEBHOOK,
    TRACE,
    VERIFY,
)


def _spans(text: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """spanId -> (service.name of its resource, span)."""
    found = {}
    for resource_spans in json.loads(text)["resourceSpans"]:
        [service] = resource_spans["resource"]["attributes"]
        assert service["key"] == "service.name"
        [scope_spans] = resource_spans["scopeSpans"]
        assert scope_spans["scope"]["name"] == "integration-sandbox"
        for span in scope_spans["spans"]:
            found[span["spanId"]] = (service["value"]["stringValue"], span)
    return found


def _attributes(span: dict[str, Any]) -> dict[str, Any]:
    return {a["key"]: next(iter(a["value"].values())) for a in span["attributes"]}


def test_otlp_groups_spans_by_the_party_that_owns_them(checkout: list[HttpCall]) -> None:
    spans = _spans(to_otlp(checkout))
    owners = {span_id: (service, span["kind"]) for span_id, (service, span) in spans.items()}
    assert owners == {
        CHECKOUT: ("social", 2),  # the buyer is a persona: a SERVER span of social
        ORDER: ("social", 3),
        VERIFY: ("marketplace", 3),
        CREATE_VA: ("marketplace", 3),
        BALANCE: ("marketplace", 3),
        DETAIL: ("social", 3),
        PAYMENT_WEBHOOK: ("bank", 3),
        ORDER_WEBHOOK: ("marketplace", 3),
    }
    services = [
        rs["resource"]["attributes"][0]["value"]["stringValue"]
        for rs in json.loads(to_otlp(checkout))["resourceSpans"]
    ]
    assert services == ["social", "marketplace", "bank"]


def test_otlp_named_services_are_clients_even_when_never_called(
    checkout: list[HttpCall],
) -> None:
    webhook_only = [checkout[-2]]  # bank -> marketplace, bank is called nowhere here
    assert _spans(to_otlp(webhook_only))[PAYMENT_WEBHOOK][0] == "marketplace"
    service, span = _spans(to_otlp(webhook_only, services={"bank"}))[PAYMENT_WEBHOOK]
    assert (service, span["kind"]) == ("bank", 3)


def test_otlp_span_fields(checkout: list[HttpCall]) -> None:
    _, span = _spans(to_otlp(checkout))[DETAIL]
    assert span["traceId"] == TRACE
    assert span["parentSpanId"] == CHECKOUT
    assert span["name"] == "GET /api/v2/order/detail"
    assert span["startTimeUnixNano"] == "1709280000320000000"
    assert span["endTimeUnixNano"] == "1709280000340000000"
    assert _attributes(span) == {
        "http.request.method": "GET",
        "url.path": "/api/v2/order/detail",
        "url.query": "order_sn=ORD-1&fields=a,b",
        "http.response.status_code": "404",
        "server.address": "marketplace",
        "sandbox.caller": "social",
        "sandbox.callee": "marketplace",
    }
    assert span["status"] == {"code": 0}
    assert "parentSpanId" not in _spans(to_otlp(checkout))[CHECKOUT][1]


def test_otlp_failures_and_server_errors_are_errors(checkout: list[HttpCall]) -> None:
    broken = replace(checkout[2], status=503)
    spans = _spans(to_otlp([*checkout[:2], broken, *checkout[3:]]))
    failed = spans[BALANCE][1]
    assert failed["status"] == {"code": 2, "message": "refused"}
    assert _attributes(failed)["error.type"] == "refused"
    assert "http.response.status_code" not in _attributes(failed)
    assert spans[VERIFY][1]["status"] == {"code": 2, "message": "HTTP 503"}
    assert _attributes(spans[VERIFY][1])["error.type"] == "503"
    assert _attributes(spans[ORDER_WEBHOOK][1])["sandbox.truncated"] is True


def test_otlp_times_are_exact_nanosecond_strings(checkout: list[HttpCall]) -> None:
    odd = replace(checkout[0], started_at=1709280000.123456, duration_ms=0.1)
    _, span = _spans(to_otlp([odd]))[CHECKOUT]
    assert (span["startTimeUnixNano"], span["endTimeUnixNano"]) == (
        "1709280000123456000",
        "1709280000123556000",
    )


def _as_protobuf_json(text: str) -> str:
    """OTLP/JSON writes ids in hex; plain protobuf JSON expects base64 for bytes fields."""
    request = json.loads(text)
    for resource_spans in request["resourceSpans"]:
        for span in resource_spans["scopeSpans"][0]["spans"]:
            for key in ("traceId", "spanId", "parentSpanId"):
                if key in span:
                    span[key] = base64.b64encode(bytes.fromhex(span[key])).decode()
    return json.dumps(request)


def test_otlp_loads_with_the_official_protobuf_parser(checkout: list[HttpCall]) -> None:
    trace_service = pytest.importorskip(
        "opentelemetry.proto.collector.trace.v1.trace_service_pb2",
        reason="opentelemetry-proto is not installed (pip install opentelemetry-proto)",
    )
    json_format = pytest.importorskip("google.protobuf.json_format")
    text = to_otlp(checkout)
    # The text as exported parses as it is ...
    json_format.Parse(text, trace_service.ExportTraceServiceRequest())
    # ... and, with ids in protobuf's own encoding, every id comes back byte for byte.
    message = json_format.Parse(_as_protobuf_json(text), trace_service.ExportTraceServiceRequest())
    spans = [span for rs in message.resource_spans for ss in rs.scope_spans for span in ss.spans]
    by_id = {span.span_id.hex(): span for span in spans}
    assert len(by_id) == len(checkout)
    for call in checkout:
        span = by_id[call.span_id]
        assert span.trace_id.hex() == call.trace_id
        assert span.parent_span_id.hex() == (call.parent_id or "")
        assert span.name == f"{call.method} {call.path.split('?')[0]}"
        assert span.end_time_unix_nano - span.start_time_unix_nano == round(
            call.duration_ms * 1_000_000
        )
    assert by_id[BALANCE].status.code == 2
    assert by_id[CHECKOUT].kind == 2
    roundtrip = json.loads(json_format.MessageToJson(message, use_integers_for_enums=True))
    original = json.loads(_as_protobuf_json(text))
    assert _ids(roundtrip) == _ids(original)


def _ids(request: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (s["traceId"], s["spanId"], s.get("parentSpanId", ""))
        for rs in request["resourceSpans"]
        for ss in rs["scopeSpans"]
        for s in ss["spans"]
    ]


def test_otlp_empty_trace_has_no_resource_spans() -> None:
    assert json.loads(to_otlp([])) == {"resourceSpans": []}


def test_otlp_a_call_a_story_step_made_names_the_story_and_step(
    checkout: list[HttpCall],
) -> None:
    header = ("x-sandbox-step", "checkout#4 She%20pays the VA")
    stepped = [
        replace(c, request_headers=(*c.request_headers, header)) if c.span_id == CHECKOUT else c
        for c in checkout
    ]
    spans = _spans(to_otlp(stepped))
    said = _attributes(spans[CHECKOUT][1])
    assert (said["sandbox.story"], said["sandbox.step"]) == ("checkout", "4")
    assert said["sandbox.step.sentence"] == "She pays the VA"
    assert "sandbox.step" not in _attributes(spans[ORDER][1])  # a child has no header itself
