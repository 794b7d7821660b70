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
    runtime = Runtime(Settings(data_dir=tmp_path, port_base=0, otlp_endpoint=receiver.url,
                               student="rina"))
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
