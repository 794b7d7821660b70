"""Every endpoint answers a non-ASCII signature or a Unicode digit with a 4xx, never a 500.

Over real HTTP against a running sandbox. Each operation of each institution's OpenAPI
document is called by the party allowed to call it, signed in its dialect; then, one at a time,
each credential it carried (signature, token, timestamp, nonce, partner id, key) is replaced by
`é`, `²` or `١٢` as it leaves. `hmac.compare_digest` raises TypeError on a non-ASCII string and
`"²".isdigit()` is true while `int("²")` fails: both were 500s. The webhook receivers, the
token endpoints and the control API's numeric parameters get the same treatment. Every answer
must be a 4xx JSON error with a `code` and a `message`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.config import Settings
from sandbox.dialects.partners import partner_auth
from sandbox.runtime.supervisor import Runtime
from sandbox.scenarios.openapi import example_body
from sandbox.wire import Wire
from tests.reliability.callers import SERVICES, Caller
from tests.reliability.corpus import operations, sample_path

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

HOSTILE = ("é", "²", "١٢")
CREDENTIAL_HEADERS = (
    "x-signature",
    "authorization",
    "x-partner-id",
    "x-client-key",
    "x-client-id",
    "x-timestamp",
    "x-nonce",
    "x-cons-id",
    "user_key",
    "x-admin-key",
    "x-tts-access-token",
    "x-external-id",
    "channel-id",
)
SIGNED_PARAMS = ("sign", "timestamp", "app_key", "nonce")
TOKEN_PATHS = ("/oauth/token", "/v1.0/access-token/b2b", "/oauth2/v1/accesstoken")
LOGIN_PATHS = ("/mobile/v1/sessions", "/ikd/v1/sessions")
"""PIN log-ins: their credentials are in the body (sent hostile in the token test below), and
the example body sent again and again would lock a persona after five wrong PINs."""


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    started = Runtime(Settings(data_dir=tmp_path_factory.mktemp("strict"), port_base=0))
    started.start_in_thread()
    yield started
    started.stop_thread()


class Spoiler:
    """Replaces one credential of the request about to leave (never the token requests)."""

    def __init__(self) -> None:
        self.target: tuple[str, str] | None = None
        """("header" or "param", name), and the value is `self.value`."""
        self.value = ""
        self.hit = False

    async def __call__(self, request: httpx.Request) -> None:
        if self.target is None or request.url.path in TOKEN_PATHS:
            return
        where, name = self.target
        if request.url.path.startswith("/admin/") and name != "x-admin-key":
            return  # the registry's staff API checks only its admin key
        if where == "param" and name in request.url.params:
            request.url = request.url.copy_set_param(name, self.value)
            self.hit = True
        elif where == "header" and name in request.headers:
            request.headers.encoding = "utf-8"
            request.headers[name] = self.value
            self.hit = True


def _problem(response: httpx.Response) -> str | None:
    """Why an answer breaks the rule (4xx JSON with code and message), or None."""
    if response.status_code >= 500 or response.status_code < 400:
        return f"HTTP {response.status_code}"
    try:
        body = response.json()
    except ValueError:
        return "not JSON"
    if not isinstance(body, dict) or not body.get("code") or not body.get("message"):
        return f"no code/message: {json.dumps(body)[:80]}"
    return None


async def test_every_endpoint_refuses_hostile_credentials_with_a_4xx(runtime: Runtime) -> None:
    docs = await _documents(runtime)
    wire = Wire(timeout=30)
    spoiler = Spoiler()
    for name, url in runtime.urls.items():
        wire.set_url(name, url)
    caller = Caller(wire, runtime.world)
    wrong: list[str] = []
    sent = 0
    try:
        for service in SERVICES:
            doc = docs[service]
            for endpoint in operations(doc):
                if endpoint.path in TOKEN_PATHS + LOGIN_PATHS:
                    continue
                if not doc["paths"][endpoint.path][endpoint.method.lower()].get("security"):
                    continue  # a public form (a would-be seller's): no credential to spoil
                body = example_body(doc, endpoint)
                content = json.dumps(body).encode() if body is not None else None
                for target in [("header", h) for h in CREDENTIAL_HEADERS] + [
                    ("param", p) for p in SIGNED_PARAMS
                ]:
                    for value in HOSTILE:
                        spoiler.target, spoiler.value, spoiler.hit = target, value, False
                        for client in _clients(wire, caller, service, endpoint.path):
                            if spoiler not in client.event_hooks["request"]:
                                client.event_hooks["request"].append(spoiler)
                        response = await caller.request(
                            service,
                            endpoint.method,
                            sample_path(endpoint),
                            content=content,
                            headers={"content-type": "application/json"},
                        )
                        if not spoiler.hit:
                            break  # this endpoint carries no such credential
                        sent += 1
                        problem = _problem(response)
                        if problem:
                            wrong.append(
                                f"{service} {endpoint.method} {endpoint.path} "
                                f"{target[1]}={value!r}: {problem}"
                            )
    finally:
        spoiler.target = None
        await wire.aclose()
    assert sent > 300, sent
    assert not wrong, "\n".join(wrong[:20])
    print(f"strict input: {sent} requests with a hostile credential, all 4xx")


async def _documents(runtime: Runtime) -> dict[str, dict[str, Any]]:
    async with httpx.AsyncClient() as client:
        return {s: (await client.get(f"{runtime.urls[s]}/openapi.json")).json() for s in SERVICES}


def _clients(wire: Wire, caller: Caller, service: str, path: str) -> list[httpx.AsyncClient]:
    return [wire.client(caller.who(service, path), service)]


@pytest.mark.parametrize("value", HOSTILE)
def test_webhook_receivers_refuse_hostile_signatures_with_a_4xx(
    runtime: Runtime, value: str
) -> None:
    creds = runtime.world["partners"]["bank"]["marketplace"]
    bad = value.encode()
    cases = [
        ("social", "/webhooks/marketplace", {b"authorization": bad}),
        (
            "marketplace",
            "/v1.0/transfer-va/payment",
            {
                b"x-partner-id": str(creds["partner_id"]).encode(),
                b"x-signature": bad,
                b"x-timestamp": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()).encode(),
            },
        ),
        (
            "hospital",
            "/v1.0/transfer-va/payment",
            {b"x-partner-id": bad, b"x-signature": bad, b"x-timestamp": bad},
        ),
    ]
    for service, path, headers in cases:
        response = httpx.post(
            f"{runtime.urls[service]}{path}",
            content=b"{}",
            headers=[(b"content-type", b"application/json"), *headers.items()],
        )
        assert _problem(response) is None, (service, path, response.status_code, response.text)


@pytest.mark.parametrize("value", HOSTILE)
def test_token_endpoints_refuse_hostile_credentials_with_a_4xx(
    runtime: Runtime, value: str
) -> None:
    bad = value.encode()
    requests = [
        (
            "bank",
            "/v1.0/access-token/b2b",
            [(b"x-client-key", bad), (b"x-timestamp", bad), (b"x-signature", bad)],
            b'{"grantType":"x"}',
        ),
        (
            "marketplace",
            "/oauth/token",
            [(b"authorization", b"Basic " + bad)],
            b"grant_type=client_credentials",
        ),
        (
            "records",
            "/oauth2/v1/accesstoken?grant_type=client_credentials",
            [],
            "client_id=é&client_secret=²".encode(),
        ),
        # The creator's account and NIK: a wrong PIN here counts, and nothing else here uses them.
        ("bank", "/mobile/v1/sessions", [], b'{"account_no":"9900000003","pin":"' + bad + b'"}'),
        ("bank", "/mobile/v1/sessions", [], b'{"account_no":"' + bad + b'","pin":"111111"}'),
        ("identity", "/ikd/v1/sessions", [], b'{"nik":"9971024211990001","pin":"' + bad + b'"}'),
        ("identity", "/ikd/v1/sessions", [], b'{"nik":"' + bad + b'","pin":"123456"}'),
    ]
    for service, path, headers, body in requests:
        kind = (
            b"application/json" if body.startswith(b"{") else b"application/x-www-form-urlencoded"
        )
        response = httpx.post(
            f"{runtime.urls[service]}{path}",
            content=body,
            headers=[(b"content-type", kind), *headers],
        )
        assert _problem(response) is None, (service, path, response.status_code, response.text)


@pytest.mark.parametrize("value", ["²", "١٢", "9223372036854775808", "-1", "1e3", " 5"])
def test_numeric_parameters_take_ascii_digits_within_bounds(runtime: Runtime, value: str) -> None:
    control = runtime.control_url
    for path in (
        "/calls?offset=",
        "/calls?limit=",
        "/traces?limit=",
        "/services/bank/tables/accounts?offset=",
        "/services/bank/tables/accounts?limit=",
    ):
        response = httpx.get(control + path + value)
        assert response.status_code < 500, (path, value, response.text)
    for service, path in (
        ("social", "/api/v1/feed?limit="),
        ("social", "/api/v1/videos/"),
        ("marketplace", "/api/v2/fs/7001/products?ids="),
    ):
        buyer = runtime.world["personas"]["buyer"]
        response = httpx.get(
            f"{runtime.urls[service]}{path}{value}",
            headers={"Authorization": f"Bearer {buyer['session_token']}"},
        )
        assert response.status_code < 500, (service, path, value, response.text)


@pytest.mark.parametrize("suffix", ["\n", " ", "\t"])
def test_a_nik_with_a_trailing_character_is_a_400_at_records(runtime: Runtime, suffix: str) -> None:
    """`re.match` with `$` let "…0001\\n" through as a NIK (it is matched whole now)."""
    from urllib.parse import quote

    creds = runtime.world["partners"]["records"]["hospital"]
    patient = runtime.world["personas"]["patient"]
    nik = patient["nik"]
    # A valid consent for her, so the only thing wrong below is the NIK's trailing character:
    # malformed input is a 400 before any consent is looked at.
    consent = {"X-Consent-Id": _consent_of(runtime, nik, patient["ikd_pin"])}
    with httpx.Client(
        base_url=runtime.urls["records"],
        auth=partner_auth("records", creds, runtime.clock),
        headers=consent,
    ) as records:
        found = records.get(
            "/fhir-r4/v1/Patient?identifier=" + quote(f"https://fhir.kemkes.go.id/id/nik|{nik}")
        )
        assert found.status_code == 200 and found.json()["total"] == 1, found.text
        response = records.get(
            "/fhir-r4/v1/Patient?identifier="
            + quote(f"https://fhir.kemkes.go.id/id/nik|{nik}{suffix}")
        )
    assert response.status_code == 400 and response.json()["code"] == "invalid_nik"


def _consent_of(runtime: Runtime, nik: str, pin: str) -> str:
    """Over real HTTP: the hospital asks the registry, she approves in her IKD app."""
    creds = runtime.world["partners"]["identity"]["hospital"]
    auth = partner_auth("identity", creds, runtime.clock)
    with httpx.Client(base_url=runtime.urls["identity"]) as registry:
        asked = registry.post(
            "/v1/consent-requests",
            json={
                "nik": nik,
                "purpose": "PATIENT_ADMISSION",
                "scopes": ["identity_verification", "health_records", "insurance_eligibility"],
            },
            auth=auth,
        )
        assert asked.status_code == 202, asked.text
        session = registry.post("/ikd/v1/sessions", json={"nik": nik, "pin": pin})
        assert session.status_code == 201, session.text
        approved = registry.post(
            f"/ikd/v1/consent-requests/{asked.json()['request_id']}/approve",
            headers={"Authorization": f"Bearer {session.json()['session_token']}"},
        )
        assert approved.status_code == 201, approved.text
        return str(approved.json()["consent_id"])
