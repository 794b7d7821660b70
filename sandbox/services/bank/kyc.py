"""Opening an account: know-your-customer (KYC) at the civil registry.

The bank cannot look a person up at the registry: it sends what the applicant typed and gets
back only "SESUAI" (matches) or "TIDAK SESUAI" per field. The registry answers only for a
consent the applicant gave for ACCOUNT_OPENING, and she gives it in her IKD app, never to the
bank: the bank asks the registry to put a consent request before her.

So opening an account is two steps, like the hospital's admission: `POST
/mobile/v1/registrations` answers 202 with an application waiting for her consent (her PIN
kept only as its hash), and `GET /mobile/v1/registrations/{application_id}` asks the registry
how she answered and, once she approved, verifies her quoting the consent and opens the
account if every field matches.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx

from sandbox.dialects.registry import IdentityAuth
from sandbox.framework.consent_applications import settle_application
from sandbox.framework.errors import ApiError
from sandbox.services.bank import rules
from sandbox.services.bank.context import BankContext
from sandbox.services.bank.kyc_applications import KycApplications
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


def _registry(bank: BankContext) -> tuple[httpx.AsyncClient, IdentityAuth]:
    creds = bank.registry_credentials
    if creds is None:
        raise _unavailable("the bank holds no registry credentials")
    auth = IdentityAuth(creds["client_id"], creds["client_secret"], bank.clock)
    return bank.wire.client("bank", "identity"), auth


async def _ask_consent(bank: BankContext, body: RegistrationRequest) -> str:
    """Put an ACCOUNT_OPENING consent request in her IKD app; its request id."""
    client, auth = _registry(bank)
    try:
        asked = await client.post(
            "/v1/consent-requests",
            auth=auth,
            json={
                "nik": body.nik,
                "purpose": PURPOSE,
                "scopes": ["identity_verification"],
                "reason": "Pembukaan rekening Bank Contoh",
            },
        )
        if asked.status_code != 202:
            raise _refused(asked, "consent request")
        return str(asked.json()["request_id"])[:40]
    except (httpx.HTTPError, LookupError) as exc:
        raise _unavailable(type(exc).__name__) from None
    except (ValueError, KeyError, TypeError):
        raise _unavailable("it answered something the bank could not read") from None


async def _her_answer(bank: BankContext, request_id: str) -> dict[str, Any] | None:
    """The registry's view of our request (status, consent_id), or None if it is away."""
    client, auth = _registry(bank)
    try:
        answer = await client.get(f"/v1/consent-requests/{quote(request_id, safe='')}", auth=auth)
        body = answer.json() if answer.status_code == 200 else None
    except (httpx.HTTPError, LookupError, ValueError):
        return None
    return body if isinstance(body, dict) else None


async def _verify(
    bank: BankContext, nik: str, consent_id: str, sent: dict[str, str]
) -> dict[str, Any]:
    """Verify quoting her consent: returns the registry's verification answer."""
    client, auth = _registry(bank)
    try:
        verify = await client.post(
            "/v1/verify",
            auth=auth,
            json={
                "nik": nik,
                "consent_id": consent_id,
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


def _applications(bank: BankContext) -> KycApplications:
    assert bank.kyc_applications is not None, "create_app gives the bank its applications"
    return bank.kyc_applications


async def register(bank: BankContext, body: RegistrationRequest) -> dict[str, Any]:
    """Ask for her consent and keep the application (202), or say why not."""
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
    applications = _applications(bank)
    waiting = applications.waiting_for(body.nik)
    if waiting is not None:  # one request in her app at a time: the first form waits
        return application_view(waiting)
    request_id = await _ask_consent(bank, body)
    pin_hash = await bank.slowly(rules.hash_pin, body.pin)  # slow on purpose; never the PIN
    form = body.model_dump_json(exclude={"pin"})
    application_id = applications.add(body.nik, form, pin_hash, request_id, bank.clock())
    row = applications.get(application_id)
    assert row is not None
    return application_view(row)


async def application(bank: BankContext, application_id: str) -> dict[str, Any]:
    """The application now: still waiting, or - once she answered - opened or rejected."""
    applications = _applications(bank)
    row = applications.get(application_id)
    if row is None:
        raise ApiError(
            404,
            "application_not_found",
            f"No account application {application_id[:40]!r}: use the application_id "
            "the registration answered.",
        )
    if row["status"] != "AWAITING_CONSENT":
        return application_view(row)
    asked = await _her_answer(bank, row["consent_request_id"])
    said = {
        "DECLINED": "You declined the bank's request in your IKD app; no account was opened.",
        "EXPIRED": "You did not answer the bank's request in 15 minutes; apply again.",
    }
    fresh = await settle_application(
        applications,
        application_id,
        asked or {},
        bank.clock(),
        said,
        "OPENED",
        lambda consent_id: _open(bank, row, consent_id),
    )
    return application_view(fresh)


def application_view(row: dict[str, Any]) -> dict[str, Any]:
    """An application as the bank app shows it (never the NIK, the form or the PIN hash)."""
    view: dict[str, Any] = {
        "application_id": row["application_id"],
        "status": row["status"],
        "consent_request_id": row["consent_request_id"],
    }
    if row["status"] in ("AWAITING_CONSENT", "VERIFYING"):
        view["message"] = (
            "Approve Bank Contoh's request in your IKD app; then open this application again."
        )
    else:
        view.update(row.get("outcome") or {})
    return view


async def _open(bank: BankContext, row: dict[str, Any], consent_id: str) -> dict[str, Any]:
    """She approved: verify quoting her consent, then open the account with balance 0."""
    # The PIN itself was never kept: a placeholder completes the form, and the stored hash of
    # the PIN she chose is what the account gets.
    body = RegistrationRequest.model_validate({**json.loads(row["form"]), "pin": "000000"})
    sent = rules.registry_fields(
        body.name, body.birth_place, body.birth_date, body.sex, body.address
    )
    answer = await _verify(bank, body.nik, consent_id, sent)
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
    pin_hash = str(row["pin_hash"])
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
