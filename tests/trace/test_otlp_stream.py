"""OtlpStream against a real receiver on 127.0.0.1: what arrives, and what a dead one costs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.runtime.registry import BUILTIN
from sandbox.scenarios import checkout
from sandbox.trace.events import HttpCall
from sandbox.trace.otlp_stream import OtlpStream, endpoint_url
from sandbox.trace.steps import step_of
from sandbox.trace.verdict import LessonVerdict
from tests.conftest import Services
from tests.trace.otlp_receiver import Receiver, attributes, closed_port, spans_of

SERVICES = [spec.name for spec in BUILTIN]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver()
    yield started
    started.close()


def _call(n: int, trace_id: str = "4bf92f3577b34da6a3ce929d0e0e4736") -> HttpCall:
    return HttpCall(
        trace_id=trace_id,
        span_id=f"{n + 1:016x}",
        parent_id=None,
        caller="buyer",
        callee="social",
        method="GET",
        path=f"/products/{n}",
        status=200,
        started_at=1_709_280_000.0 + n,
        duration_ms=1.5,
    )


@pytest.mark.parametrize(
    ("given", "url"),
    [
        ("http://127.0.0.1:4318", "http://127.0.0.1:4318/v1/traces"),
        ("http://teacher:4318/", "http://teacher:4318/v1/traces"),
        ("https://otel.example/v1/traces", "https://otel.example/v1/traces"),
        ("http://host/collector", "http://host/collector/v1/traces"),
    ],
)
def test_an_endpoint_gains_the_traces_path_unless_it_has_it(given: str, url: str) -> None:
    assert endpoint_url(given) == url


@pytest.mark.parametrize(
    "bad",
    [
        "teacher:4318",
        "ftp://teacher/",
        "http://",
        "http://a:b@teacher:4318",
        "http://teacher:99999",
        "http://teacher:4318/?x=1",
        "",
    ],
)
def test_a_bad_endpoint_is_refused_with_a_reason(bad: str) -> None:
    with pytest.raises(ValueError, match="URL|host|credentials|query"):
        endpoint_url(bad)


async def test_a_checkout_arrives_as_the_recorded_spans(
    services: Services, receiver: Receiver
) -> None:
    stream = OtlpStream(receiver.url, SERVICES, "rina", interval=0.01)
    recorded = services.calls.append

    def both(call: HttpCall) -> None:
        recorded(call)
        stream(call)

    services.wire.recorder = both
    story = await checkout(services.wire, services.world, lambda _: None, phone=services.phone)
    assert stream.flush(10.0)
    assert stream.close(2.0)

    assert {path for path, _, _ in receiver.requests} == {"/v1/traces"}
    received = spans_of(receiver.accepted())
    assert len(received) == len(services.calls) == stream.sent > 5
    assert stream.dropped == stream.failed == 0
    assert {resource["sandbox.student"] for resource, _ in received} == {"rina"}
    by_span = {span["spanId"]: (resource, span) for resource, span in received}
    assert set(by_span) == {call.span_id for call in services.calls}
    stepped = 0
    for call in services.calls:
        resource, span = by_span[call.span_id]
        assert span["traceId"] == call.trace_id == story.trace_id
        assert span.get("parentSpanId") == call.parent_id
        owner = call.caller if call.caller in SERVICES else call.callee
        assert resource["service.name"] == owner
        step, said = step_of(call), attributes(span)
        if step is None:
            assert "sandbox.step" not in said
            continue
        stepped += 1
        assert said["sandbox.story"] == "checkout"
        assert said["sandbox.step"] == str(step.number)
        assert said["sandbox.step.sentence"] == story.steps[step.number - 1]
    assert stepped >= 4


def test_a_dead_endpoint_drops_and_counts_and_never_grows_the_queue() -> None:
    bound = 1_000
    stream = OtlpStream(
        f"http://127.0.0.1:{closed_port()}",
        SERVICES,
        "rina",
        max_queue=bound,
        batch=100,
        interval=0.01,
        backoff=0.05,
        max_backoff=0.2,
        timeout=0.5,
    )
    biggest = 0
    for n in range(50_000):
        stream(_call(n))
        biggest = max(biggest, stream.stats()["queued"])
    assert biggest <= bound
    # The sender cannot keep up with a loop that only queues: most calls were dropped at once.
    assert stream.dropped >= 50_000 - 10 * bound
    assert stream.close(1.0)
    stats = stream.stats()
    assert stats["sent"] == 0 and stats["queued"] == 0
    assert stats["failed_batches"] >= 1 and "ConnectError" in stats["last_error"]
    assert stats["dropped"] + stats["failed"] == 50_000  # every call is accounted for


def test_a_failed_post_is_retried_after_backoff_and_delivered() -> None:
    receiver = Receiver(answers=(503, 503))
    try:
        stream = OtlpStream(receiver.url, SERVICES, interval=0.01, backoff=0.01)
        for n in range(3):
            stream(_call(n))
        assert stream.flush(10.0)
        assert stream.close(2.0)
        statuses = [status for _, status, _ in receiver.requests]
        assert statuses == [503, 503, 200]
        bodies = {body for _, _, body in receiver.requests}
        assert len(bodies) == 1  # the same batch each time
        assert len(spans_of(receiver.accepted())) == 3
        stats = stream.stats()
        counted = {
            key: stats[key]
            for key in ("sent", "failed", "failed_batches", "retries", "dropped", "last_error")
        }
        assert counted == {
            "sent": 3,
            "failed": 0,
            "failed_batches": 0,
            "retries": 2,
            "dropped": 0,
            "last_error": "HTTP 503",
        }
    finally:
        receiver.close()


def test_a_refusing_collector_is_not_asked_twice() -> None:
    receiver = Receiver(answers=(400,))
    try:
        stream = OtlpStream(receiver.url, SERVICES, interval=0.01, backoff=0.01)
        stream(_call(1))
        assert stream.flush(10.0)
        stats = stream.stats()
        assert len(receiver.requests) == 1
        assert (stats["failed"], stats["failed_batches"], stats["retries"]) == (1, 1, 0)
        stream(_call(2))
        assert stream.flush(10.0) and stream.close(2.0)
        assert stream.stats()["sent"] == 1  # the next batch goes through
    finally:
        receiver.close()


def test_without_a_student_the_resource_is_only_the_service(receiver: Receiver) -> None:
    stream = OtlpStream(receiver.url, SERVICES, interval=0.01)
    stream(_call(1))
    assert stream.flush(10.0) and stream.close(2.0)
    [(resource, span)] = spans_of(receiver.accepted())
    assert resource == {"service.name": "social"} and span["kind"] == 2


def test_a_streamed_body_parses_with_the_official_protobuf_parser(receiver: Receiver) -> None:
    trace_service = pytest.importorskip(
        "opentelemetry.proto.collector.trace.v1.trace_service_pb2",
        reason="opentelemetry-proto is not installed (pip install opentelemetry-proto)",
    )
    json_format = pytest.importorskip("google.protobuf.json_format")
    stream = OtlpStream(receiver.url, SERVICES, "rina", interval=0.01)
    for n in range(3):
        stream(_call(n))
    assert stream.flush(10.0) and stream.close(2.0)
    for _, _, body in receiver.requests:
        message = json_format.Parse(body, trace_service.ExportTraceServiceRequest())
        [resource_spans] = message.resource_spans
        keys = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
        assert keys == {"service.name": "social", "sandbox.student": "rina"}


def test_protobuf_spans_and_a_verdict_parse_with_the_official_definitions(
    receiver: Receiver,
) -> None:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    stream = OtlpStream(receiver.url, SERVICES, "rina", protocol="http/protobuf", interval=0.01)
    stream(_call(1, trace_id))
    stream(
        LessonVerdict(
            "3-paying",
            2,
            "Pay 3201234567890123",
            "failed",
            "expected 201, got 402 for nik=3201234567890123",
            trace_id,
            1.7e9,
        )
    )
    assert stream.flush(10.0)
    assert stream.close(2.0)

    message = ExportTraceServiceRequest()
    message.ParseFromString(receiver.requests[0][2])
    found = {}
    for resource_spans in message.resource_spans:
        resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
        assert resource["sandbox.student"] == "rina"
        for scope in resource_spans.scope_spans:
            for span in scope.spans:
                found[resource["service.name"]] = (span, {a.key: a.value for a in span.attributes})
    call_span, call_attributes = found["social"]
    assert call_span.trace_id.hex() == trace_id and call_span.span_id.hex() == f"{2:016x}"
    assert call_attributes["url.path"].string_value == "/products/1"
    verdict_span, verdict = found["lesson"]
    assert verdict_span.trace_id.hex() == trace_id and verdict_span.kind == 1
    assert verdict["sandbox.verdict"].string_value == "failed"
    assert verdict["sandbox.step"].int_value == 2
    # A NIK quoted by a failing check does not leave the machine.
    assert "3201234567890123" not in verdict["sandbox.expectation"].string_value
    assert "3201234567890123" not in verdict["sandbox.step.title"].string_value
    assert verdict_span.status.code == 2


def test_an_unknown_protocol_is_refused() -> None:
    with pytest.raises(ValueError, match="protocol"):
        OtlpStream("http://127.0.0.1:4318", SERVICES, protocol="grpc")
