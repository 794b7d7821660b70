"""The marketplace's client for the civil registry: seller KYC (purpose SELLER_KYC).

Verify, never fetch: we send what the would-be seller told us and get back SESUAI / TIDAK
SESUAI per field. Each check needs a consent registered first, so the registry can show later
that the person agreed to this exact purpose.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from sandbox.dialects.auth import IdentityAuth
from sandbox.wire import Wire

PURPOSE = "SELLER_KYC"
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
    """Consent, then verify, at the registry."""

    def __init__(
        self, wire: Wire, holds: Mapping[str, Any] | None, clock: Callable[[], float]
    ) -> None:
        self.wire = wire
        self.auth = (
            IdentityAuth(holds["client_id"], holds["client_secret"], clock) if holds else None
        )

    async def register_consent(self, nik: str) -> RegistryAnswer:
        """Record that the owner agreed to be checked for SELLER_KYC."""
        return await self._post("/v1/consents", {"nik": nik, "purpose": PURPOSE})

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
        if self.auth is None:
            return RegistryAnswer(None, failure="the marketplace holds no registry credentials")
        try:
            client = self.wire.client("marketplace", "identity")
            response = await client.post(path, json=body, auth=self.auth)
        except httpx.TimeoutException:
            return RegistryAnswer(None, failure="timeout")
        except (httpx.HTTPError, LookupError) as exc:
            return RegistryAnswer(None, failure=f"unreachable ({type(exc).__name__})")
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        return RegistryAnswer(response.status_code, payload if isinstance(payload, dict) else {})
