"""Over real loopback servers, every institution's answers name the call the trace recorded."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.config import Settings
from sandbox.runtime.supervisor import Runtime
from sandbox.scenarios.identities import ANONYMOUS, Actor
from sandbox.trace import redact
from sandbox.wire import Wire
from sandbox.wire.context import parse_traceparent

pytestmark = pytest.mark.slow

NIK = "3174094507900001"
NIK_SYSTEM = "https://fhir.kemkes.go.id/id/nik"
Ask = tuple[str, str, str, str, Any, int]
"""(who, service, method, path, JSON body, status expected)."""
SAMPLE: list[Ask] = [  # per institution, a success and the errors around it
    ("buyer", "social", "GET", "/api/v1/feed?limit=2", None, 200),
    (ANONYMOUS, "social", "GET", "/api/v1/me/orders", None, 401),
    (ANONYMOUS, "social", "DELETE", "/api/v1/feed", None, 405),
    ("social", "marketplace", "GET", "/api/v2/fs/7001/products?ids=1", None, 200),
    ("social", "marketplace", "POST", "/api/v2/fs/7001/orders", {}, 400),
    (ANONYMOUS, "marketplace", "GET", "/api/v2/fs/7001/products?ids=1", None, 401),
    (ANONYMOUS, "marketplace", "GET", "/no/such/path", None, 404),
    ("buyer", "bank", "GET", "/mobile/v1/accounts/me", None, 200),
    ("marketplace", "bank", "POST", "/v1.0/transfer-va/status", {}, 400),
    (ANONYMOUS, "bank", "POST", "/v1.0/transfer-va/create-va", {}, 401),
    ("marketplace", "identity", "POST", "/v1/verify", {}, 400),
    (ANONYMOUS, "identity", "POST", "/v1/verify", {}, 401),
    # About a person, without her consent (X-Consent-Id): refused before anything is looked up.
    ("hospital", "records", "GET", f"/fhir-r4/v1/Patient?identifier={NIK_SYSTEM}|{NIK}", None, 403),
    (ANONYMOUS, "records", "GET", "/fhir-r4/v1/Encounter/1", None, 401),
    (
        "hospital",
        "insurance",
        "GET",
        f"/vclaim-rest/Peserta/nik/{NIK}/tglSEP/2024-03-01",
        None,
        403,
    ),
    (ANONYMOUS, "insurance", "GET", "/vclaim-rest/SEP/1", None, 401),
    ("reception", "hospital", "GET", "/api/v1/admissions/999999", None, 404),
    (ANONYMOUS, "hospital", "POST", "/api/v1/admissions", {}, 401),
    (ANONYMOUS, "hospital", "GET", "/health", None, 200),
]


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    started = Runtime(Settings(data_dir=tmp_path, port_base=0))
    started.start_in_thread()
    yield started
    started.stop_thread()


def _ask(runtime: Runtime) -> list[httpx.Response]:
    """Every sample request, from a client that is none of the runtime's (a developer's)."""

    async def go() -> list[httpx.Response]:
        wire = Wire()  # records nothing itself: the institutions record these calls
        for name, url in runtime.urls.items():
            wire.set_url(name, url)
        try:
            answers = []
            for who, service, method, path, body, _ in SAMPLE:
                actor = Actor(wire, runtime.world, who)
                answers.append(await actor.request(service, method, path, json=body))
            big = b"{" + b" " * (1024 * 1024) + b"}"
            answers.append(
                await wire.client("me", "marketplace").post("/api/v2/fs/7001/orders", content=big)
            )
            return answers
        finally:
            await wire.aclose()

    return asyncio.run(go())


def test_every_answer_names_its_recorded_call(runtime: Runtime) -> None:
    answers = _ask(runtime)
    expected = [status for *_, status in SAMPLE] + [413]
    assert [(r.request.url.path, r.status_code) for r in answers] == [
        (r.request.url.path, status) for r, status in zip(answers, expected, strict=True)
    ]
    runtime.writer.flush()
    for response in answers:
        named = parse_traceparent(response.headers["traceresponse"])
        assert named is not None and response.headers["traceresponse"].endswith("-01")
        request_id = response.headers["x-request-id"]
        assert request_id == named.span_id
        for ref in (request_id, response.headers["traceresponse"]):
            assert runtime.traces.locate(ref) == (named.trace_id, request_id), ref
        [call] = [c for c in runtime.traces.trace(named.trace_id) if c.span_id == request_id]
        assert (call.method, call.status) == (response.request.method, response.status_code)
        assert call.path.partition("?")[0] == redact.path(response.request.url.path)
