"""Checking a consent quoted to you at the civil registry: the health platform and the insurer.

The hospital desk quotes the patient's consent with every call about her (`X-Consent-Id`). The
records platform and the insurer cannot judge it themselves: only the registry knows whether
she approved it, for whom, for what, and whether she revoked it a minute ago. So they ask it
(`POST /v1/consent-introspection`, signed with their own CONSENT_CHECK agreement).

An answer that the consent holds is cached for a few seconds (`TTL_SECONDS`, on the service's
clock): one admission quotes the same consent to the same institution several times within a
second (find the patient, open the encounter, add the condition), and asking the registry each
time would triple its load for nothing. Longer would let a revoked consent keep working; a
refusal is never cached, so a consent she approves again works at once. The desk also hears of
a revocation by webhook and stops before calling anyone.

Shared here (not in a service) because two institutions use the same contract with the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from sandbox.dialects.registry import IdentityAuth
from sandbox.framework.contract import Security
from sandbox.wire.client import Wire

HEADER = "X-Consent-Id"
"""Where the desk quotes the consent on calls to records and insurance."""
TTL_SECONDS = 5.0
HEALTH_PURPOSE = "PATIENT_ADMISSION"
"""The purpose a consent must name for the health platform and the insurer to act on it."""
REFUSALS = (
    "consent_missing",
    "consent_not_found",
    "consent_not_given_by_person",
    "consent_revoked",
    "consent_expired",
    "consent_nik_mismatch",
    "consent_purpose_mismatch",
    "consent_scope_missing",
    "consent_not_active",
    "consent_unverifiable",
)
"""Every code a refused check carries (403): ours, and the registry's reasons, which it names
in its introspection answer. A reason the registry adds later arrives as consent_not_active."""

QUOTED = Security(
    {},
    (
        {
            "name": HEADER,
            "in": "header",
            "required": True,
            "description": "The consent the patient approved in her IKD app for "
            f"{HEALTH_PURPOSE}; checked at the civil registry on every call about her.",
            "schema": {"type": "string", "maxLength": 40, "examples": ["CNS-20240301-000001"]},
        },
    ),
    errors={403: REFUSALS},
)
"""What an endpoint about a person asks besides the caller's credentials: her consent,
quoted in `X-Consent-Id` (`contract.secured(QUOTED)` documents the header and its refusals)."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a quoted consent covers the call, and if not, why (the registry's words)."""

    ok: bool
    code: str = ""
    message: str = ""


class ConsentChecker:
    """Asks the registry about consents quoted to one institution; caches yes for a moment."""

    def __init__(
        self, wire: Wire, caller: str, creds: Mapping[str, Any] | None, clock: Callable[[], float]
    ) -> None:
        self.wire = wire
        self.caller = caller
        self.clock = clock
        creds = creds or {}
        self.auth = (
            IdentityAuth(str(creds["client_id"]), str(creds["client_secret"]), clock)
            if creds.get("client_id")
            else None
        )
        self._yes: dict[tuple[str, str], float] = {}

    async def check(self, consent_id: str | None, nik: str) -> Verdict:
        """The verdict on `consent_id` for a call about `nik`."""
        if not consent_id:
            return Verdict(
                False,
                "consent_missing",
                f"Header {HEADER} is required: quote the consent the patient approved in her "
                "IKD app for this purpose.",
            )
        if len(consent_id) > 40 or not consent_id.isascii() or not consent_id.isprintable():
            return Verdict(False, "consent_not_found", f"{HEADER} is not a consent id.")
        now = self.clock()
        key = (consent_id, nik)
        if self._yes.get(key, 0.0) > now:
            return Verdict(True)
        if self.auth is None:
            return Verdict(False, "consent_unverifiable", "No agreement with the registry.")
        try:
            response = await self.wire.client(self.caller, "identity").post(
                "/v1/consent-introspection",
                json={"consent_id": consent_id, "nik": nik, "purpose": HEALTH_PURPOSE},
                auth=self.auth,
            )
            answer = response.json() if response.status_code == 200 else {}
        except (httpx.HTTPError, LookupError, ValueError):
            answer = {}
        if not isinstance(answer, dict) or "active" not in answer:
            return Verdict(
                False,
                "consent_unverifiable",
                "The civil registry could not confirm the consent now; try again shortly.",
            )
        if answer["active"] is True:
            self._yes[key] = now + TTL_SECONDS
            return Verdict(True)
        self._yes.pop(key, None)
        code = str(answer.get("code"))
        return Verdict(
            False,
            code if code in REFUSALS else "consent_not_active",
            str(answer.get("message") or "The civil registry says this consent is not active."),
        )
