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
    """Log in to her IKD app with her NIK and PIN."""
    key = person_key(services, nik)
    client = services.client("identity", key)
    pin = pin if pin is not None else services.world["personas"][key]["ikd_pin"]
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
