"""`GET /otlp` on the control API: the stream's counters, or that there is none."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from sandbox.config import Settings
from sandbox.runtime.supervisor import Runtime
from tests.trace.otlp_receiver import Receiver, spans_of

pytestmark = pytest.mark.slow


def test_the_counters_say_what_reached_the_collector(tmp_path: Path) -> None:
    receiver = Receiver()
    runtime = Runtime(
        Settings(data_dir=tmp_path, port_base=0, otlp_endpoint=receiver.url, student="rina")
    )
    try:
        runtime.start_in_thread()
        assert runtime.otlp is not None
        httpx.get(f"{runtime.urls['bank']}/health")
        assert runtime.otlp.flush(10.0)
        otlp = httpx.get(f"{runtime.control_url}/otlp").json()
        assert otlp["enabled"] and otlp["student"] == "rina"
        assert otlp["endpoint"] == f"{receiver.url}/v1/traces"
        assert (otlp["sent"], otlp["dropped"], otlp["failed"], otlp["queued"]) == (1, 0, 0, 0)
        [(resource, span)] = spans_of(receiver.accepted())
        assert resource == {"service.name": "bank", "sandbox.student": "rina"}
        assert span["name"] == "GET /health"
    finally:
        runtime.stop_thread()
        receiver.close()


def test_without_an_endpoint_there_is_no_stream(tmp_path: Path) -> None:
    runtime = Runtime(Settings(data_dir=tmp_path, port_base=0))
    try:
        runtime.start_in_thread()
        assert runtime.otlp is None
        assert httpx.get(f"{runtime.control_url}/otlp").json() == {"enabled": False}
    finally:
        runtime.stop_thread()


VERDICT = {
    "lesson": "3-paying",
    "step": 2,
    "title": "Pay",
    "verdict": "failed",
    "expectation": "bank answers 201",
    "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
    "at": 1_709_280_000.5,
}


def test_a_verdict_needs_the_token_and_a_valid_body_then_reaches_the_collector(
    tmp_path: Path,
) -> None:
    receiver = Receiver()
    runtime = Runtime(
        Settings(data_dir=tmp_path, port_base=0, otlp_endpoint=receiver.url, student="rina")
    )
    try:
        runtime.start_in_thread()
        url = f"{runtime.control_url}/verdicts"
        auth = {"authorization": f"Bearer {runtime.control_token}"}
        # A page in the browser (or any local process without the token) cannot forge one.
        assert httpx.post(url, json=VERDICT).status_code == 401
        for hostile in (
            {**VERDICT, "verdict": "excellent"},
            {**VERDICT, "trace_id": "zz" * 16},
            {**VERDICT, "lesson": "<b>x</b>"},
            {**VERDICT, "step": 0},
            {**VERDICT, "title": "x" * 100_000},
            {**VERDICT, "extra": 1},
            [1, 2],
        ):
            answer = httpx.post(url, json=hostile, headers=auth)
            assert answer.status_code in (400, 413, 422), hostile
            assert "code" in answer.json()
        bad_bytes = httpx.post(
            url, content=b"\xff{", headers={**auth, "content-type": "application/json"}
        )
        assert bad_bytes.status_code == 400 or bad_bytes.status_code == 422
        assert httpx.post(url, json=VERDICT, headers=auth).json() == {"queued": True}
        assert runtime.otlp is not None and runtime.otlp.flush(10.0)
        [(resource, span)] = spans_of(receiver.accepted())
        assert resource == {"service.name": "lesson", "sandbox.student": "rina"}
        assert span["traceId"] == VERDICT["trace_id"] and span["kind"] == 1
        assert span["status"] == {"code": 2, "message": "bank answers 201"}
    finally:
        runtime.stop_thread()
        receiver.close()


def test_a_verdict_without_a_stream_is_not_kept(tmp_path: Path) -> None:
    runtime = Runtime(Settings(data_dir=tmp_path, port_base=0))
    try:
        runtime.start_in_thread()
        answer = httpx.post(
            f"{runtime.control_url}/verdicts",
            json=VERDICT,
            headers={"authorization": f"Bearer {runtime.control_token}"},
        )
        assert answer.json() == {"queued": False}
    finally:
        runtime.stop_thread()
