"""Security: loopback only, no way past a partner check, no secret in any trace export.

- Every server binds to 127.0.0.1 unless told otherwise.
- Every endpoint that is not public by design refuses a stranger (401/403), and refuses the
  right party whose credential or signature was altered by one character.
- Signed dialects refuse a request signed an hour ago, and the ones that promise it refuse the
  same signed request sent twice (a captured request replayed).
- After the stories ran (and a few failed logins), no secret of the seeded world appears in
  any export format of any recorded trace.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.config import HOST, Settings
from sandbox.runtime.supervisor import Runtime
from sandbox.scenarios.admission import admission
from sandbox.scenarios.checkout import checkout
from sandbox.scenarios.identities import ANONYMOUS, partner_auth
from sandbox.scenarios.open_account import open_account
from sandbox.scenarios.openapi import Endpoint, example_body
from sandbox.trace.export import FORMATS
from sandbox.trace.store import TraceStore
from tests.conftest import Services
from tests.leaks import leaks
from tests.reliability.callers import SERVICES, Caller
from tests.reliability.corpus import operations, sample_path

pytestmark = pytest.mark.reliability

PUBLIC = (
    ("bank", "/mobile/v1/sessions"),  # logging in is how a customer gets a credential
    ("bank", "/mobile/v1/registrations"),  # opening an account (KYC at the registry)
    ("marketplace", "/seller/v1/registrations"),  # a seller signing up (KYC at the registry)
    ("marketplace", "/checkout/"),  # the unguessable checkout token is the credential
    ("marketplace", "/app/v1/"),  # the marketplace's own anonymous buyer app
)
"""Endpoints open to anyone by design (see docs/contracts.md); every other one is checked."""
TOKEN_ENDPOINTS = ("/oauth/token", "/v1.0/access-token/b2b", "/oauth2/v1/accesstoken")
"""They take credentials in the body or headers themselves: a stranger gets no token."""
TIMED = ("identity", "bank", "marketplace", "insurance")
"""Dialects that sign a timestamp, so a request signed long ago can be refused."""


def _public(service: str, path: str) -> bool:
    return path == "/health" or any(
        service == s and path.startswith(prefix) for s, prefix in PUBLIC
    )


def _protected(services: Services, service: str) -> list[Endpoint]:
    return [e for e in operations(services.apps[service].openapi()) if not _public(service, e.path)]


def _request(services: Services, service: str, endpoint: Endpoint) -> httpx.Request:
    """The endpoint's request with its example body, not yet authenticated."""
    body = example_body(services.apps[service].openapi(), endpoint)
    content = json.dumps(body).encode() if body is not None else None
    headers = {"content-type": endpoint.media_type or "application/json"}
    return services.client(service, "fixture").build_request(
        endpoint.method, sample_path(endpoint), content=content, headers=headers
    )


def _altered(value: str) -> str:
    """The same credential with its last character changed."""
    return value[:-1] + ("0" if value[-1:] != "0" else "1")


async def _signed(
    services: Services, service: str, who: str, request: httpx.Request
) -> httpx.Request:
    """`request` as `who` signs it in `service`'s dialect (fetching a token when needed)."""
    client = services.client(service, who)
    flow = partner_auth(service, who, services.world, services.wire).async_auth_flow(request)
    outgoing = await flow.__anext__()
    while outgoing is not request:
        outgoing = await flow.asend(await client.send(outgoing))
    return request


async def _credentials(services: Services, service: str, path: str) -> dict[str, str]:
    """The header credential of the persona, clerk or admin allowed to call `path`."""
    caller = Caller(services.wire, services.world)
    headers = caller.extra_headers(service, path)
    if headers:
        return headers
    buyer = services.world["personas"]["buyer"]
    if service == "social":
        return {"Authorization": f"Bearer {buyer['session_token']}"}
    login = await services.client("bank", "buyer").post(
        "/mobile/v1/sessions", json={"account_no": buyer["account_no"], "pin": buyer["pin"]}
    )
    return {"Authorization": f"Bearer {login.json()['session_token']}"}


def _tamper(request: httpx.Request) -> None:
    """Change one character of the signature (or of the token, for bearer-only dialects)."""
    if "x-signature" in request.headers:
        request.headers["x-signature"] = _altered(request.headers["x-signature"])
        return
    if "sign" in request.url.params:
        request.url = request.url.copy_set_param("sign", _altered(request.url.params["sign"]))
        return
    for name in ("authorization", "x-admin-key"):
        if name in request.headers:
            request.headers[name] = _altered(request.headers[name])
            return
    raise AssertionError(f"no credential to alter in {request.method} {request.url}")


@pytest.mark.slow
def test_every_server_binds_to_loopback_by_default(tmp_path: Path) -> None:
    assert HOST == "127.0.0.1"
    assert Settings(data_dir=tmp_path).host == "127.0.0.1"
    runtime = Runtime(Settings(data_dir=tmp_path, port_base=0))
    runtime.bind()
    try:
        urls = [runtime.control_url, *runtime.urls.values()]
        assert len(urls) >= 8
        assert all(re.fullmatch(r"http://127\.0\.0\.1:\d+", url) for url in urls), urls
    finally:
        runtime.close_sockets()


@pytest.mark.parametrize("service", SERVICES)
async def test_strangers_are_refused_everywhere_but_public_endpoints(
    services: Services, service: str
) -> None:
    wrong = []
    for endpoint in _protected(services, service):
        request = _request(services, service, endpoint)
        response = await services.client(service, ANONYMOUS).send(request)
        # A token endpoint may also call the stranger's request malformed: it gets no token.
        expected = (400, 401, 403) if endpoint.path in TOKEN_ENDPOINTS else (401, 403)
        if response.status_code not in expected:
            wrong.append(f"{endpoint.key} -> {response.status_code} {response.text[:150]}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("service", SERVICES)
async def test_an_altered_signature_or_credential_is_refused(
    services: Services, service: str
) -> None:
    caller = Caller(services.wire, services.world)
    checked, wrong = 0, []
    for endpoint in _protected(services, service):
        if endpoint.path in TOKEN_ENDPOINTS:
            continue
        who = caller.who(service, endpoint.path)
        request = _request(services, service, endpoint)
        if who in services.world["partners"].get(service, {}) and not caller.extra_headers(
            service, endpoint.path
        ):
            request = await _signed(services, service, who, request)
        elif endpoint.path.startswith(("/webhooks/", "/v1.0/transfer-va/payment")):
            continue  # webhook receivers: see test_webhooks_with_a_wrong_signature_are_refused
        else:
            request.headers.update(await _credentials(services, service, endpoint.path))
        _tamper(request)
        response = await services.client(service, who).send(request)
        checked += 1
        if response.status_code not in (401, 403):
            wrong.append(f"{endpoint.key} -> {response.status_code} {response.text[:150]}")
    assert checked >= 1
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("service", "path", "headers"),
    [
        ("social", "/webhooks/marketplace", {"Authorization": "0" * 64}),
        ("marketplace", "/v1.0/transfer-va/payment", {}),
        ("hospital", "/v1.0/transfer-va/payment", {}),
    ],
)
async def test_webhooks_with_a_wrong_signature_are_refused(
    services: Services, service: str, path: str, headers: dict[str, str]
) -> None:
    if not headers:  # a SNAP payment notification from "the bank", signed with a wrong secret
        biller = "marketplace" if service == "marketplace" else "hospital"
        creds = services.world["partners"]["bank"][biller]
        headers = {
            "X-TIMESTAMP": "2024-03-01T15:00:00+07:00",
            "X-PARTNER-ID": str(creds["partner_id"]),
            "X-EXTERNAL-ID": "1",
            "X-SIGNATURE": "A" * 88,
        }
    endpoint = next(e for e in operations(services.apps[service].openapi()) if e.path == path)
    request = _request(services, service, endpoint)
    request.headers.update(headers)
    response = await services.client(service, "bank").send(request)
    assert response.status_code == 401, response.text


@pytest.mark.parametrize("service", TIMED)
async def test_a_request_signed_an_hour_ago_is_refused(services: Services, service: str) -> None:
    who = Caller(services.wire, services.world).who(service, "/")
    endpoint = next(
        e
        for e in _protected(services, service)
        if e.path not in TOKEN_ENDPOINTS and not e.path.startswith("/admin/")
    )
    auth = partner_auth(service, who, services.world, services.wire)
    auth.clock = lambda: services.clock() - 3600  # type: ignore[attr-defined]  # signed long ago
    request = _request(services, service, endpoint)
    response = await services.client(service, who).send(request, auth=auth)
    assert response.status_code == 401, response.text


@pytest.mark.parametrize(
    ("service", "method", "path", "body", "refused"),
    [
        (
            "identity",
            "POST",
            "/v1/consents",
            {"nik": "9971015403960001", "purpose": "SELLER_KYC"},
            (401,),
        ),
        ("marketplace", "GET", "/api/v2/fs/7001/products?ids=100101", None, (401,)),
        (
            "bank",
            "POST",
            "/v1.0/transfer-va/create-va",
            {
                "partnerServiceId": "   88001",
                "customerNo": "1",
                "virtualAccountNo": "   880011",
                "virtualAccountName": "SARI",
                "trxId": "ORD-1",
                "expiredDate": "2024-03-02T15:00:00+07:00",
                "totalAmount": {"value": "1000.00", "currency": "IDR"},
            },
            (409,),
        ),
    ],
)
async def test_a_captured_request_sent_again_is_refused(
    services: Services, service: str, method: str, path: str, body: Any, refused: tuple[int, ...]
) -> None:
    who = Caller(services.wire, services.world).who(service, path)
    client = services.client(service, who)
    request = client.build_request(method, path, json=body)
    request = await _signed(services, service, who, request)
    first = await client.send(request)
    again = await client.send(request)
    assert first.status_code not in refused, first.text
    assert again.status_code in refused, again.text


def _fixture_secrets(world: dict[str, Any]) -> dict[str, str]:
    """Every secret of the seeded world, by where it comes from."""
    found: dict[str, str] = {}
    for callee, callers in world["partners"].items():
        if callee == "admin":
            found.update({f"admin key of {k}": v for k, v in callers.items()})
            continue
        for caller, creds in callers.items():
            for field in (
                "client_secret",
                "app_secret",
                "secret",
                "notification_secret",
                "user_key",
            ):
                if field in creds:
                    found[f"{caller}@{callee} {field}"] = str(creds[field])
    for name, persona in world["personas"].items():
        for field in ("pin", "session_token", "nik"):
            if persona.get(field):
                found[f"{name} {field}"] = str(persona[field])
    for staff in world["hospital"]["staff"]:
        found[f"desk token of {staff['staff_id']}"] = staff["token"]
    return found


async def test_no_fixture_secret_appears_in_any_trace_export(services: Services) -> None:
    world = services.world
    await checkout(services.wire, world, report=lambda _: None, phone=services.phone)
    await checkout(services.wire, world, report=lambda _: None, pay="va")
    for story in (open_account, admission):
        await story(services.wire, world, report=lambda _: None)
    buyer = world["personas"]["buyer"]
    await services.client("bank", "buyer").post(
        "/mobile/v1/sessions", json={"account_no": buyer["account_no"], "pin": "000000"}
    )  # a wrong PIN is a secret too
    store = TraceStore(None)
    store.add(list(services.calls))
    secrets = _fixture_secrets(world)
    # What paying with Bank Contoh adds: the token for her account, and the codes she typed.
    marketplace = services.apps["marketplace"].state.store
    for row in marketplace.db.query("SELECT buyer_id, linkage_token FROM bindings"):
        secrets[f"binding token of buyer {row['buyer_id']}"] = row["linkage_token"]
    for n, text in enumerate(m.text for m in await services.phone.messages("+6281200000001")):
        if "kode OTP" in text:
            secrets[f"code {n} texted to the buyer"] = text.split(": ", 1)[1][:6]
    assert any(k.startswith("binding token") for k in secrets)
    traces = {call.trace_id for call in services.calls}
    assert len(services.calls) >= 20 and len(secrets) >= 20
    sent = {call.path.split("?")[0] for call in services.calls}
    assert {"/mobile/v1/sessions", "/ikd/v1/sessions", "/oauth/token"} <= sent  # secrets went out
    found = []
    for trace_id in sorted(traces):
        calls = store.trace(trace_id)
        for fmt, exporter in FORMATS.items():
            text = exporter(calls)
            found += [
                f"{what} in {fmt} of trace {trace_id}"
                for what, value in secrets.items()
                if leaks(value, text)
            ]
            if leaks("000000", text):
                found.append(f"the wrong PIN in {fmt}")
    assert not found, "\n".join(found)
