"""Who a call is recorded as: the party the callee verified, never what the caller says.

These callers come from outside (their own httpx client, not the sandbox's recording client),
so each institution's middleware records them, as it would a developer's curl.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from sandbox.dialects.common import timestamp
from sandbox.dialects.partners import partner_auth
from sandbox.dialects.snap import token_signature
from sandbox.trace.events import HttpCall
from sandbox.wire.attribution import attribute
from tests.conftest import Services


@asynccontextmanager
async def _outside(
    services: Services, service: str, **kwargs: Any
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=services.apps[service])
    async with httpx.AsyncClient(transport=transport, base_url=f"http://{service}", **kwargs) as c:
        yield c


def _last(services: Services, callee: str) -> HttpCall:
    return [c for c in services.calls if c.callee == callee][-1]


def _creds(services: Services, callee: str, caller: str) -> dict[str, Any]:
    creds: dict[str, Any] = services.world["partners"][callee][caller]
    return creds


async def test_naming_an_institution_does_not_make_you_one(services: Services) -> None:
    async with _outside(services, "bank", headers={"x-sandbox-caller": "social"}) as bank:
        response = await bank.post("/v1.0/transfer-va/create-va", json={})
    assert response.status_code == 401
    call = _last(services, "bank")
    assert (call.caller, call.claimed_caller) == ("external", "social")
    assert call.who == "external (claims to be social)"


async def test_a_partner_key_the_callee_refuses_is_only_a_claim(services: Services) -> None:
    """The social app's key at the marketplace, presented to the bank: 401, not social."""
    key = _creds(services, "marketplace", "social")["app_key"]
    ts = timestamp(services.clock())
    headers = {
        "X-CLIENT-KEY": key,
        "X-TIMESTAMP": ts,
        "X-SIGNATURE": token_signature(key, "guess", ts),
    }
    async with _outside(services, "bank") as bank:
        response = await bank.post(
            "/v1.0/access-token/b2b", headers=headers, json={"grantType": "client_credentials"}
        )
    assert response.json()["code"] == "unknown_client"
    assert (_last(services, "bank").caller, _last(services, "bank").claimed_caller) == (
        "external",
        "social",
    )


async def test_an_unchecked_partner_id_decides_nothing(services: Services) -> None:
    partner_id = _creds(services, "bank", "marketplace")["partner_id"]
    async with _outside(services, "bank") as bank:
        response = await bank.post(
            "/v1.0/transfer-va/status",
            json={},
            headers={"X-PARTNER-ID": str(partner_id), "Authorization": "Bearer forged"},
        )
    assert response.status_code == 401
    call = _last(services, "bank")
    assert (call.caller, call.claimed_caller) == ("external", "marketplace")


@pytest.mark.parametrize(
    ("callee", "caller", "method", "path"),
    [
        ("bank", "marketplace", "POST", "/v1.0/transfer-va/status"),
        ("identity", "bank", "POST", "/v1/verify"),
        ("records", "hospital", "GET", "/fhir-r4/v1/Encounter?subject=P0"),
        ("insurance", "hospital", "GET", "/vclaim-rest/SEP/0301R0010324V000001"),
        ("marketplace", "social", "GET", "/api/v2/fs/7001/products/100101"),
    ],
)
async def test_a_verified_credential_names_its_owner_in_every_institution(
    services: Services, callee: str, caller: str, method: str, path: str
) -> None:
    auth = partner_auth(callee, _creds(services, callee, caller), services.clock)
    async with _outside(services, callee, auth=auth) as client:
        await client.request(method, path, json={} if method == "POST" else None)
    mine = [c for c in services.calls if c.callee == callee]
    assert mine and all((c.caller, c.claimed_caller) == (caller, None) for c in mine), [
        (c.caller, c.path, c.status) for c in mine
    ]


async def test_a_verification_inside_a_nested_call_stays_there(services: Services) -> None:
    """Curl buys through the social app; social's call to the marketplace is verified as
    social, which must not turn the outside caller into social."""
    buyer = services.world["personas"]["buyer"]
    async with _outside(services, "social") as social:
        response = await social.post(
            "/api/v1/videos/1/buy",
            json={"product_id": 100101, "quantity": 1},
            headers={"Authorization": f"Bearer {buyer['session_token']}"},
        )
    assert response.status_code == 201, response.text
    outer = _last(services, "social")
    assert (outer.caller, outer.claimed_caller) == ("external", None)
    assert ("social", "marketplace") in {(c.caller, c.callee) for c in services.calls}


@pytest.mark.parametrize(
    ("label", "presented", "expected"),
    [
        ("buyer", None, ("buyer", None)),
        ("my-script", None, ("my-script", None)),
        ("Social", None, ("external", "social")),
        ("bank ", None, ("external", "bank")),
        ("buyer", "marketplace", ("external", "marketplace")),
        ("<b>me</b>", None, ("external", None)),
        ("x" * 41, None, ("external", None)),
        ("", None, ("external", None)),
    ],
)
def test_a_label_may_name_a_person_or_a_tool_only(
    label: str, presented: str | None, expected: tuple[str, str | None]
) -> None:
    reserved = {"social", "marketplace", "bank", "hospital"}
    assert attribute([], label, presented, reserved) == expected
    assert attribute(["hospital"], label, presented, reserved) == ("hospital", None)


async def test_the_registry_checks_who_asks_before_saying_an_endpoint_is_missing(
    services: Services,
) -> None:
    auth = partner_auth("identity", _creds(services, "identity", "marketplace"), services.clock)
    async with _outside(services, "identity", auth=auth) as partner:
        assert (await partner.get("/v1/persons/9971015403960001")).status_code == 404
        assert _last(services, "identity").caller == "marketplace"
        # A wrong method on a known path is refused before credentials are read (as at every
        # institution): nobody was verified, so the call is recorded as from outside.
        assert (await partner.get("/v1/verify")).status_code == 405
        assert _last(services, "identity").caller == "external"
    async with _outside(services, "identity") as stranger:
        response = await stranger.get("/v1/persons/9971015403960001")
    assert response.status_code == 401 and _last(services, "identity").caller == "external"
