"""The board's receiver over real loopback HTTP: two sandboxes at once, and hostile posts."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sandbox.classroom.receiver import ClassReceiver
from sandbox.classroom.roster import Roster
from sandbox.config import Settings
from sandbox.runtime.supervisor import Runtime
from sandbox.trace.steps import STEP_HEADER, format_step

TOKEN = "class-token-for-tests"
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.fixture
def board() -> Iterator[tuple[ClassReceiver, Roster]]:
    roster = Roster()
    receiver = ClassReceiver(roster, TOKEN, "127.0.0.1", 0)
    receiver.start()
    yield receiver, roster
    receiver.stop()


def _span(**attributes: object) -> dict[str, object]:
    return {
        "traceId": TRACE,
        "spanId": "00f067aa0ba902b7",
        "name": "GET /x",
        "kind": 2,
        "startTimeUnixNano": "1709280000000000000",
        "endTimeUnixNano": "1709280000001500000",
        "attributes": [
            {"key": k, "value": {"intValue": str(v)} if isinstance(v, int) else {"stringValue": v}}
            for k, v in attributes.items()
        ],
    }


def _request(*spans: object, student: object = "rina") -> dict[str, object]:
    return {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [
                        {"key": "service.name", "value": {"stringValue": "bank"}},
                        {"key": "sandbox.student", "value": {"stringValue": student}},
                    ]
                },
                "scopeSpans": [{"spans": list(spans)}],
            }
        ]
    }


@pytest.mark.slow
def test_two_sandboxes_at_once_each_a_student_on_the_board(
    tmp_path: Path, board: tuple[ClassReceiver, Roster]
) -> None:
    receiver, roster = board
    runtimes = [
        Runtime(
            Settings(
                data_dir=tmp_path / "a",
                port_base=0,
                otlp_endpoint=receiver.url() + "/v1/traces",
                student="Rina",
            )
        ),
        Runtime(
            Settings(
                data_dir=tmp_path / "b",
                port_base=0,
                otlp_endpoint=receiver.url(),
                otlp_protocol="http/protobuf",
                student="Budi",
            )
        ),
    ]
    try:
        for runtime in runtimes:
            runtime.start_in_thread()
        rina, budi = runtimes
        step = format_step("checkout", 3, "Rina taps Buy")
        httpx.get(f"{rina.urls['bank']}/health", headers={STEP_HEADER: step})
        for _ in range(3):
            httpx.get(f"{budi.urls['social']}/health")
        httpx.post(
            f"{budi.control_url}/verdicts",
            headers={"authorization": f"Bearer {budi.control_token}"},
            json={
                "lesson": "3-paying",
                "step": 2,
                "title": "Pay",
                "verdict": "failed",
                "expectation": "bank answers 201",
                "trace_id": TRACE,
                "at": 2e9,
            },
        )
        for runtime in runtimes:
            assert runtime.otlp is not None and runtime.otlp.flush(10.0)
            assert runtime.otlp.stats()["sent"] >= 1 and runtime.otlp.stats()["failed"] == 0
    finally:
        for runtime in runtimes:
            runtime.stop_thread()
    rows = {row.name: row for row in roster.rows()}
    assert set(rows) == {"Rina", "Budi"}
    assert (rows["Rina"].lesson, rows["Rina"].step, rows["Rina"].calls) == ("checkout", 3, 1)
    assert rows["Rina"].verdict == ""
    budi_row = rows["Budi"]
    assert (budi_row.lesson, budi_row.step, budi_row.verdict) == ("3-paying", 2, "failed")
    assert budi_row.expectation == "bank answers 201" and budi_row.calls == 3
    [call] = roster.trace("Rina", rows["Rina"].latest_trace)
    assert (call.caller, call.callee, call.method, call.path, call.status) == (
        "external",
        "bank",
        "GET",
        "/health",
        200,
    )
    assert roster.latest_trace("Budi") == budi_row.latest_trace


def test_a_request_is_taken_and_its_bad_spans_counted(board: tuple[ClassReceiver, Roster]) -> None:
    receiver, roster = board
    good = _span(
        **{
            "http.request.method": "POST",
            "url.path": "/orders",
            "sandbox.caller": "social",
            "sandbox.callee": "marketplace",
            "http.response.status_code": 201,
        }
    )
    bad = [
        _span(**{"http.request.method": "<b>"}),
        {**good, "traceId": "xyz"},
        {**good, "startTimeUnixNano": "-5"},
        _span(foreign="span"),
        "not a span",
    ]
    answer = httpx.post(receiver.url() + "/v1/traces", json=_request(good, *bad))
    assert answer.status_code == 200
    assert answer.json() == {
        "partialSuccess": {
            "rejectedSpans": "5",
            "errorMessage": "spans that are not the sandbox's calls were skipped",
        }
    }
    [row] = roster.rows()
    assert (row.name, row.calls, row.errors) == ("rina", 1, 0)
    # The same span posted again (a retried post) is counted once.
    httpx.post(receiver.url() + "/v1/traces", json=_request(good))
    assert roster.rows()[0].calls == 1


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        pytest.param({"content-type": "text/plain"}, b"{}", 415, id="text"),
        pytest.param({"content-type": "application/x-www-form-urlencoded"}, b"a=1", 415, id="form"),
        pytest.param({"content-type": "application/json"}, b"\xff{", 400, id="bad-bytes"),
        pytest.param({"content-type": "application/json"}, b"[1, 2]", 400, id="not-an-object"),
        pytest.param({"content-type": "application/json"}, b"[" * 100_000, 400, id="deep"),
        pytest.param(
            {"content-type": "application/x-protobuf"}, b"\xff\xff\xff\xff", 400, id="bad-protobuf"
        ),
        pytest.param(
            {"content-type": "application/json", "content-encoding": "gzip"},
            b"not gzip",
            400,
            id="bad-gzip",
        ),
        pytest.param(
            {"content-type": "application/json"}, b" " * (8 * 1024 * 1024 + 1), 413, id="too-big"
        ),
        # mtime=0: the same bytes in every xdist worker (they must collect the same tests).
        pytest.param(
            {"content-type": "application/json", "content-encoding": "gzip"},
            gzip.compress(b" " * (9 * 1024 * 1024), mtime=0),
            413,
            id="gzip-bomb",
        ),
    ],
)
def test_hostile_posts_get_a_clear_4xx(
    board: tuple[ClassReceiver, Roster], headers: dict[str, str], body: bytes, status: int
) -> None:
    receiver, roster = board
    answer = httpx.post(receiver.url() + "/v1/traces", content=body, headers=headers)
    assert answer.status_code == status
    assert "code" in answer.json() and "message" in answer.json()
    assert roster.rows() == []


def test_without_the_class_token_nothing_reaches_the_board(
    board: tuple[ClassReceiver, Roster],
) -> None:
    receiver, roster = board
    base = f"http://127.0.0.1:{receiver.port}"
    body = json.dumps(_request(_span(**{"http.request.method": "GET"}))).encode()
    for path in ("/v1/traces", "/c/wrong/v1/traces", f"/c/{TOKEN}x/v1/traces"):
        answer = httpx.post(base + path, content=body, headers={"content-type": "application/json"})
        assert answer.status_code == 404
    # A page in the browser gets no CORS answer to build on.
    preflight = httpx.options(
        receiver.url() + "/v1/traces",
        headers={"origin": "http://evil.example", "access-control-request-method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    assert roster.rows() == []


def test_a_name_from_the_wire_is_printable_and_short(board: tuple[ClassReceiver, Roster]) -> None:
    receiver, roster = board
    span = _span(**{"http.request.method": "GET"})
    httpx.post(receiver.url() + "/v1/traces", json=_request(span, student="\x1b[31mx" * 50))
    httpx.post(receiver.url() + "/v1/traces", json=_request(span, student=""))
    names = [row.name for row in roster.rows()]
    assert len(names) == 2 and all(name.isprintable() and len(name) <= 64 for name in names)
    assert "? 127.0.0.1" in names
