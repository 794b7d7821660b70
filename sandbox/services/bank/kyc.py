"""Opening an account: know-your-customer (KYC) at the civil registry.

The bank cannot look a person up at the registry: it sends what the applicant typed and gets
back only "SESUAI" (matches) or "TIDAK SESUAI" per field. First it records the applicant's
consent (purpose ACCOUNT_OPENING), because the registry answers only for a consented purpose.
The account opens only if every field sent matches.
"""

from __future__ import annotations

from typing import Any

import httpx

from sandbox.dialects.auth import IdentityAuth
from sandbox.framework.errors import ApiError
from sandbox.services.bank import rules
from sandbox.services.bank.context import BankContext
from sandbox.services.bank.schemas import RegistrationRequest

PURPOSE = "ACCOUNT_OPENING"
NAME_THRESHOLD = 80
"""How similar (percent) the typed name must be to the registry's to count as SESUAI."""


def _unavailable(detail: str) -> ApiError:
    return ApiError(
        503,
        "registry_unavailable",
        f"The civil registry could not be reached "
        f"({detail}), so the bank cannot verify you now; please try again later. "
        "No account was opened.",
    )


def _refused(response: httpx.Response, step: str) -> ApiError:
    """Turn the registry's refusal into an answer for the applicant."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    code = str(body.get("code", f"http_{response.status_code}"))
    message = str(body.get("message", response.text[:200]))
    if response.status_code == 400:
        # The registry found the applicant's data malformed (e.g. an impossible NIK).
        return ApiError(400, code, f"The civil registry refused the details: {message}")
    if response.status_code >= 500:
        return _unavailable(f"HTTP {response.status_code} on {step}")
    # 401/403/429: the bank's own agreement with the registry is the problem, not the user.
    return ApiError(
        502,
        "registry_refused",
        f"The civil registry refused the bank's {step} "
        f"({code}: {message}); this is a problem on the bank's side. No account "
        "was opened.",
    )


async def _verify(
    bank: BankContext, body: RegistrationRequest, sent: dict[str, str]
) -> dict[str, Any]:
    """Consent, then verify: returns the registry's verification answer."""
    creds = bank.registry_credentials
    if creds is None:
        raise _unavailable("the bank holds no registry credentials")
    auth = IdentityAuth(creds["client_id"], creds["client_secret"], bank.clock)
    client = bank.wire.client("bank", "identity")
    try:
        consent = await client.post(
            "/v1/consents", auth=auth, json={"nik": body.nik, "purpose": PURPOSE}
        )
        if consent.status_code not in (200, 201):
            raise _refused(consent, "consent")
        verify = await client.post(
            "/v1/verify",
            auth=auth,
            json={
                "nik": body.nik,
                "consent_id": consent.json()["consent_id"],
                "purpose": PURPOSE,
                "threshold": NAME_THRESHOLD,
                **sent,
            },
        )
        if verify.status_code != 200:
            raise _refused(verify, "verification")
        answer: dict[str, Any] = verify.json()
    except (httpx.HTTPError, LookupError) as exc:
        raise _unavailable(type(exc).__name__) from None
    except (ValueError, KeyError, TypeError):
        raise _unavailable("it answered something the bank could not read") from None
    return answer


async def register(bank: BankContext, body: RegistrationRequest) -> dict[str, Any]:
    """Verify the applicant at the registry and open an account with balance 0."""
    if not body.consent:
        raise ApiError(
            400,
            "consent_required",
            "The bank may check your details at the civil "
            'registry only with your consent: send "consent": true.',
        )
    if bank.store.account_by_nik(body.nik) is not None:
        raise ApiError(
            409,
            "account_exists",
            "This NIK already has an account at this bank "
            "(one account per person); log in with it instead.",
        )
    sent = rules.registry_fields(
        body.name, body.birth_place, body.birth_date, body.sex, body.address
    )
    answer = await _verify(bank, body, sent)
    answered = answer.get("fields") or {}
    mismatched = rules.kyc_mismatches(sent, answered)
    if mismatched:
        raise ApiError(
            422,
            "kyc_failed",
            "The civil registry did not confirm: "
            f"{', '.join(mismatched)}. Check them against your KTP and try again.",
            mismatched=mismatched,
            fields=answered,
            reason=answer.get("reason"),
        )
    pin_hash = await bank.slowly(rules.hash_pin, body.pin)  # slow on purpose
    with bank.store.atomic():
        # Checked again: another registration for this NIK may have finished meanwhile.
        if bank.store.account_by_nik(body.nik) is not None:
            raise ApiError(
                409,
                "account_exists",
                "This NIK already has an account at this bank (one account per person).",
            )
        account_no = bank.store.open_account(body.nik, body.name, pin_hash, bank.clock())
    return {
        "account_no": account_no,
        "name": body.name,
        "balance": 0,
        "kyc": {"verification_id": str(answer.get("verification_id", "")), "fields": answered},
    }
