"""The marketplace's client for the civil registry: seller KYC (purpose SELLER_KYC).

Verify, never fetch: we send what the would-be seller told us and get back SESUAI / TIDAK
SESUAI per field. Each check needs her consent for this exact purpose, and consent is hers to
give: we ask the registry to put a consent request in her IKD app (`ask_consent`), then ask how
she answered (`consent_request`) and verify quoting the consent she gave.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from sandbox.dialects.registry import IdentityAuth
from sandbox.wire import Wire

PURPOSE = "SELLER_KYC"
SCOPES = ("identity_verification",)
"""All a seller check needs her consent for: matching what she told us against the register."""
NAME_THRESHOLD = 80
"""Name similarity (percent) the registry must see to call the name SESUAI."""


@dataclass(frozen=True, slots=True)
class RegistryAnswer:
    """HTTP status and JSON body, or the failure that prevented an answer."""

    status: int | None
    body: dict[str, Any] = field(default_factory=dict)
    failure: str | None = None

    def describe(self) -> str:
        if self.status is None:
            return f"no answer: {self.failure}"
        return f"HTTP {self.status} {self.body.get('code', '')}".strip()


class RegistryClient:
    """Ask for her consent, learn her answer, then verify, at the registry."""

    def __init__(
        self, wire: Wire, holds: Mapping[str, Any] | None, clock: Callable[[], float]
    ) -> None:
        self.wire = wire
        self.auth = (
            IdentityAuth(holds["client_id"], holds["client_secret"], clock) if holds else None
        )

    async def ask_consent(self, nik: str, reason: str) -> RegistryAnswer:
        """Put a SELLER_KYC consent request in the owner's IKD app (202: it waits for her)."""
        body = {"nik": nik, "purpose": PURPOSE, "scopes": list(SCOPES), "reason": reason[:120]}
        return await self._send("POST", "/v1/consent-requests", body)

    async def consent_request(self, request_id: str) -> RegistryAnswer:
        """How she answered our request: PENDING, APPROVED (with `consent_id`), DECLINED or
        EXPIRED."""
        return await self._send("GET", f"/v1/consent-requests/{quote(request_id, safe='')}")

    async def verify(self, nik: str, consent_id: str, fields: Mapping[str, str]) -> RegistryAnswer:
        """Ask whether `fields` match the register's entry for `nik`."""
        return await self._post(
            "/v1/verify",
            {
                "nik": nik,
                "consent_id": consent_id,
                "purpose": PURPOSE,
                "threshold": NAME_THRESHOLD,
                **fields,
            },
        )

    async def _post(self, path: str, body: dict[str, Any]) -> RegistryAnswer:
        return await self._send("POST", path, body)

    async def _send(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> RegistryAnswer:
        if self.auth is None:
            return RegistryAnswer(None, failure="the marketplace holds no registry credentials")
        try:
            client = self.wire.client("marketplace", "identity")
            response = await client.request(method, path, json=body, auth=self.auth)
        except httpx.TimeoutException:
            return RegistryAnswer(None, failure="timeout")
        except (httpx.HTTPError, LookupError) as exc:
            return RegistryAnswer(None, failure=f"unreachable ({type(exc).__name__})")
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        return RegistryAnswer(response.status_code, payload if isinstance(payload, dict) else {})
