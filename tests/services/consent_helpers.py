"""Consent given by the person, for tests: a partner asks, she approves in her IKD app."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Services

PURPOSE_OF = {
    "marketplace": "SELLER_KYC",
    "bank": "ACCOUNT_OPENING",
    "hospital": "PATIENT_ADMISSION",
}
SCOPES_OF = {
    "marketplace": ["identity_verification"],
    "bank": ["identity_verification"],
    "hospital": ["identity_verification", "health_records", "insurance_eligibility"],
}


def partner(services: Services, caller: str) -> tuple[httpx.AsyncClient, httpx.Auth]:
    """A signed client of the registry as partner `caller`."""
    return services.client("identity", caller), services.auth("identity", caller)


def person_key(services: Services, nik: str) -> str:
    """The persona key of a NIK (for her IKD PIN)."""
    for key, entry in services.world["personas"].items():
        if entry["nik"] == nik:
            return str(key)
    raise LookupError(nik)


async def ask(
    services: Services, nik: str, caller: str = "marketplace", **extra: Any
) -> httpx.Response:
    """`POST /v1/consent-requests` as `caller`."""
    client, auth = partner(services, caller)
    body = {"nik": nik, "purpose": PURPOSE_OF[caller], "scopes": SCOPES_OF[caller], **extra}
    return await client.post("/v1/consent-requests", json=body, auth=auth)


class IkdApp:
    """Her IKD app, logged in: every request carries her session token."""

    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    async def get(self, path: str) -> httpx.Response:
        return await self.client.get(path, headers=self.headers)

    async def post(self, path: str) -> httpx.Response:
        return await self.client.post(path, headers=self.headers)

    async def delete(self, path: str) -> httpx.Response:
        return await self.client.delete(path, headers=self.headers)


async def log_in(services: Services, nik: str, pin: str | None = None) -> IkdApp:
    """Log in to her IKD app with her NIK and PIN (a named persona's, unless `pin` is given)."""
    try:
        key = person_key(services, nik)
    except LookupError:
        key = "person"
    client = services.client("identity", key)
    if pin is None:
        pin = services.world["personas"][key]["ikd_pin"] if key != "person" else ACTIVATED_PIN
    response = await client.post("/ikd/v1/sessions", json={"nik": nik, "pin": pin})
    assert response.status_code == 201, response.text
    return IkdApp(client, response.json()["session_token"])


async def granted(services: Services, nik: str, caller: str = "marketplace") -> str:
    """A consent she approved for `caller`: its id."""
    asked = await ask(services, nik, caller)
    assert asked.status_code == 202, asked.text
    app = await log_in(services, nik)
    approved = await app.post(f"/ikd/v1/consent-requests/{asked.json()['request_id']}/approve")
    assert approved.status_code == 201, approved.text
    consent_id: str = approved.json()["consent_id"]
    return consent_id


ACTIVATED_PIN = "246810"


def activate_ikd(services: Services, nik: str, pin: str = ACTIVATED_PIN) -> str:
    """Give someone who is not a named persona the IKD app (as the registry office does)."""
    from sandbox.services.identity.people import hash_pin

    store = services.apps["identity"].state.store
    store.db.execute(
        "INSERT OR REPLACE INTO ikd_accounts (nik, pin_hash, wrong_pins) VALUES (?, ?, 0)",
        [nik, hash_pin(pin, rounds=1000)],
    )
    return pin


async def grant_at(
    wire: Any, world: dict[str, Any], registry: Any, nik: str, caller: str = "hospital"
) -> str:
    """On a wire with only some institutions: `caller` asks, she (given IKD if she has none)
    approves; the consent id. Webhooks are left undelivered (nobody may be listening)."""
    from sandbox.scenarios.identities import partner_auth

    store = registry.state.store
    pin = next(
        (p["ikd_pin"] for p in world["personas"].values() if p["nik"] == nik and "ikd_pin" in p),
        None,
    )
    if pin is None:
        from sandbox.services.identity.people import hash_pin

        pin = ACTIVATED_PIN
        store.db.execute(
            "INSERT OR REPLACE INTO ikd_accounts (nik, pin_hash, wrong_pins) VALUES (?, ?, 0)",
            [nik, hash_pin(pin, rounds=1000)],
        )
    asked = await wire.client(caller, "identity").post(
        "/v1/consent-requests",
        json={"nik": nik, "purpose": PURPOSE_OF[caller], "scopes": SCOPES_OF[caller]},
        auth=partner_auth("identity", caller, world, wire),
    )
    assert asked.status_code == 202, asked.text
    person = wire.client("person", "identity")
    session = await person.post("/ikd/v1/sessions", json={"nik": nik, "pin": pin})
    headers = {"Authorization": f"Bearer {session.json()['session_token']}"}
    approved = await person.post(
        f"/ikd/v1/consent-requests/{asked.json()['request_id']}/approve", headers=headers
    )
    assert approved.status_code == 201, approved.text
    return str(approved.json()["consent_id"])


async def approve_pending(services: Services, nik: str) -> list[str]:
    """She opens her IKD app and approves every request waiting for her: the consent ids."""
    app = await log_in(services, nik)
    pending = await app.get("/ikd/v1/consent-requests")
    assert pending.status_code == 200, pending.text
    consents = []
    for request in pending.json():
        approved = await app.post(f"/ikd/v1/consent-requests/{request['request_id']}/approve")
        assert approved.status_code == 201, approved.text
        consents.append(str(approved.json()["consent_id"]))
    return consents


async def approve_on(wire: Any, world: dict[str, Any], nik: str) -> list[str]:
    """On any wire (a running sandbox's too): she logs in to her IKD app with her persona's
    PIN and approves every request waiting for her; the consent ids."""
    who, persona = next((k, p) for k, p in world["personas"].items() if p["nik"] == nik)
    app = wire.client(who, "identity")
    session = await app.post("/ikd/v1/sessions", json={"nik": nik, "pin": persona["ikd_pin"]})
    assert session.status_code == 201, session.text
    headers = {"Authorization": f"Bearer {session.json()['session_token']}"}
    pending = await app.get("/ikd/v1/consent-requests", headers=headers)
    consents = []
    for request in pending.json():
        approved = await app.post(
            f"/ikd/v1/consent-requests/{request['request_id']}/approve", headers=headers
        )
        assert approved.status_code == 201, approved.text
        consents.append(str(approved.json()["consent_id"]))
    return consents
