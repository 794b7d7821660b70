"""The trace is evidence: no client can hide a call from it or choose who it is recorded as.

Black-box, over real HTTP against a running sandbox, as an adversarial user with curl would:
the "already recorded" mark sent by hand, a body that breaks a parser, an institution's name
in `X-Sandbox-Caller`, another party's key presented where it is not valid, an unchecked
partner id. Each call must be in the trace store exactly once, under the caller the callee
verified (or `external`, with the claim kept apart), and the audit must blame nobody for it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.audit.engine import run_audit
from sandbox.audit.history import default_record
from sandbox.config import Settings
from sandbox.dialects.common import timestamp
from sandbox.dialects.partners import partner_auth
from sandbox.dialects.snap import token_signature
from sandbox.runtime.supervisor import Runtime
from sandbox.trace.events import HttpCall

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
MARKS = ("1", "true", "0" * 32, "f" * 32, "yes please")
"""What a client could put in `x-sandbox-recorded` to try to hide its call."""


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    started = Runtime(Settings(data_dir=tmp_path_factory.mktemp("trust"), port_base=0))
    started.start_in_thread()
    yield started
    started.stop_thread()


def _recorded(runtime: Runtime, path: str, callee: str) -> list[HttpCall]:
    runtime.writer.flush()
    return [c for c in runtime.traces.calls(0, 500, text=path) if c.callee == callee]


def _unique(prefix: str) -> str:
    return f"{prefix}-{time.monotonic_ns()}"


@pytest.mark.parametrize("mark", MARKS)
@pytest.mark.parametrize(
    "service", ["social", "marketplace", "bank", "identity", "hospital", "records", "insurance"]
)
def test_a_hand_made_recorded_mark_hides_nothing(runtime: Runtime, service: str, mark: str) -> None:
    path = f"/{_unique('hidden')}"
    response = httpx.get(
        runtime.urls[service] + path,
        headers={"x-sandbox-recorded": mark, "traceparent": TRACEPARENT},
    )
    assert response.status_code in (401, 404)
    [call] = _recorded(runtime, path, service)
    assert call.caller == "external"
    assert dict(call.request_headers)["x-sandbox-recorded"] == "[redacted]"


def test_a_body_nested_too_deep_to_parse_is_recorded_with_a_plain_mark(runtime: Runtime) -> None:
    body = b'{"pin":"444444","x":' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    marker = _unique("deep")
    response = httpx.post(
        f"{runtime.urls['bank']}/mobile/v1/sessions?m={marker}",
        content=body,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    [call] = _recorded(runtime, marker, "bank")
    assert "444444" not in json.dumps(call.to_dict())
    assert call.request_body.startswith("[body not recorded")


def test_naming_the_social_app_does_not_make_a_curl_the_social_app(runtime: Runtime) -> None:
    marker = _unique("forged")
    response = httpx.post(
        f"{runtime.urls['bank']}/v1.0/transfer-va/status?m={marker}",
        json={},
        headers={"x-sandbox-caller": "social"},
    )
    assert response.status_code == 401
    [call] = _recorded(runtime, marker, "bank")
    assert (call.caller, call.claimed_caller) == ("external", "social")
    report = run_audit(
        runtime.traces.trace(call.trace_id),
        tuple(s.name for s in runtime.specs),
        default_record(),
        dict(runtime.urls),
    )
    soc_pay = next(r for r in report.results if r.rule.id == "SOC-PAY")
    assert soc_pay.verdict == "pass", soc_pay.reason
    assert "1 unverified call claiming to be social not counted" in soc_pay.reason


def test_a_key_the_bank_refuses_is_only_a_claim(runtime: Runtime) -> None:
    key = runtime.world["partners"]["marketplace"]["social"]["app_key"]
    ts = timestamp(time.time())
    marker = _unique("wrongkey")
    response = httpx.post(
        f"{runtime.urls['bank']}/v1.0/access-token/b2b?m={marker}",
        json={"grantType": "client_credentials"},
        headers={
            "X-CLIENT-KEY": key,
            "X-TIMESTAMP": ts,
            "X-SIGNATURE": token_signature(key, "guess", ts),
        },
    )
    assert response.json()["code"] == "unknown_client"
    [call] = _recorded(runtime, marker, "bank")
    assert (call.caller, call.claimed_caller) == ("external", "social")


def test_an_unchecked_partner_id_decides_nothing(runtime: Runtime) -> None:
    partner_id = runtime.world["partners"]["bank"]["marketplace"]["partner_id"]
    marker = _unique("partnerid")
    response = httpx.post(
        f"{runtime.urls['bank']}/v1.0/transfer-va/status?m={marker}",
        json={},
        headers={"X-PARTNER-ID": str(partner_id), "Authorization": "Bearer x"},
    )
    assert response.status_code == 401
    [call] = _recorded(runtime, marker, "bank")
    assert (call.caller, call.claimed_caller) == ("external", "marketplace")


@pytest.mark.parametrize(
    ("callee", "caller", "method", "path"),
    [
        ("records", "hospital", "GET", "/fhir-r4/v1/Encounter?subject=P0&m="),
        ("insurance", "hospital", "GET", "/vclaim-rest/SEP/0301R0010324V000001?m="),
        ("identity", "bank", "POST", "/v1/verify?m="),
        ("bank", "marketplace", "POST", "/v1.0/transfer-va/status?m="),
        ("marketplace", "social", "GET", "/api/v2/fs/7001/products/100101?m="),
    ],
)
def test_a_credential_the_callee_verified_names_its_owner(
    runtime: Runtime, callee: str, caller: str, method: str, path: str
) -> None:
    creds: dict[str, Any] = runtime.world["partners"][callee][caller]
    marker = _unique("verified")
    with httpx.Client(
        base_url=runtime.urls[callee],
        auth=partner_auth(callee, creds, time.time),
        headers={"x-sandbox-caller": "my-script"},
    ) as client:
        client.request(method, path + marker, json={} if method == "POST" else None)
    [call] = _recorded(runtime, marker, callee)
    assert (call.caller, call.claimed_caller) == (caller, None)


@pytest.mark.parametrize(
    ("label", "caller", "claimed"),
    [
        ("my-script", "my-script", None),
        ("buyer", "buyer", None),
        ("Marketplace", "external", "marketplace"),
        ("hospital", "external", "hospital"),
        ("<script>", "external", None),
    ],
)
def test_a_label_names_a_person_or_a_tool_never_an_institution(
    runtime: Runtime, label: str, caller: str, claimed: str | None
) -> None:
    marker = _unique("label")
    httpx.get(
        f"{runtime.urls['marketplace']}/health?m={marker}", headers={"x-sandbox-caller": label}
    )
    [call] = _recorded(runtime, marker, "marketplace")
    assert (call.caller, call.claimed_caller) == (caller, claimed)
