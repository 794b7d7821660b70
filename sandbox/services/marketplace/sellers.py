"""Seller centre: a person opens a shop after the civil registry confirms who they are.

Know-your-customer (KYC) here means: we ask the registry to put a consent request in the
owner's IKD app (her consent is hers to give, never ours to record), she approves or refuses
there, and only then do we ask the registry to *verify* what she told us. We never receive the
stored record, only SESUAI / TIDAK SESUAI per field - and only a fully matching owner gets a
shop.

So signing up is two steps, like the hospital's admission: `POST /seller/v1/registrations`
answers 202 with an application waiting for her consent, and
`GET /seller/v1/registrations/{application_id}` asks the registry how she answered and, once
she approved, verifies and opens the shop (or says why not). The application remembers the
form, so she never types it twice.
"""

from __future__ import annotations

from typing import Any

from sandbox.framework.consent_applications import WAITING, settle_application
from sandbox.services.marketplace import errors, rules
from sandbox.services.marketplace.clients.identity import RegistryAnswer, RegistryClient
from sandbox.services.marketplace.schemas import SellerRegistration
from sandbox.services.marketplace.seller_applications import SellerApplications
from sandbox.services.marketplace.store import MarketplaceStore


async def register_seller(
    store: MarketplaceStore,
    applications: SellerApplications,
    registry: RegistryClient,
    form: SellerRegistration,
    now: float,
) -> dict[str, Any]:
    """Ask for her consent and keep the application; ApiError on any refusal."""
    if not form.consent:
        raise errors.consent_required()
    existing = store.shop_of_owner(form.nik)
    if existing is not None:
        raise errors.seller_exists(existing)
    waiting = applications.waiting_for(form.nik)
    if waiting is not None:  # one request in her app at a time: the form she sent first waits
        return application_view(waiting)
    asked = await registry.ask_consent(
        form.nik, f"Verifikasi pemilik toko {form.shop_name.strip()} di Pasarloka"
    )
    _raise_unless(asked, 202)
    request_id = str(asked.body.get("request_id", ""))[:40]
    if not request_id:
        raise errors.registry_unavailable("the registry's answer had no request_id")
    application_id = applications.add(form.nik, form.model_dump_json(), request_id, now)
    row = applications.get(application_id)
    assert row is not None
    return application_view(row)


async def application_status(
    store: MarketplaceStore,
    applications: SellerApplications,
    registry: RegistryClient,
    application_id: str,
    now: float,
) -> dict[str, Any]:
    """The application now: still waiting, or - once she answered - verified or rejected."""
    row = applications.get(application_id)
    if row is None:
        raise errors.application_not_found(application_id)
    if row["status"] != WAITING:
        return application_view(row)
    asked = await registry.consent_request(row["consent_request_id"])
    if asked.status != 200:
        return application_view(row)  # the registry is away: the application keeps waiting
    said = {
        "DECLINED": "The owner declined the consent request in her IKD app; no shop opened.",
        "EXPIRED": "The owner did not answer the consent request in 15 minutes; "
        "register again to ask her again.",
    }
    fresh = await settle_application(
        applications,
        application_id,
        asked.body,
        now,
        said,
        "VERIFIED",
        lambda consent_id: _open_from_form(store, registry, row, consent_id),
    )
    return application_view(fresh)


async def _open_from_form(
    store: MarketplaceStore, registry: RegistryClient, row: dict[str, Any], consent_id: str
) -> dict[str, Any]:
    """She approved: verify quoting her consent, then open a VERIFIED shop."""
    form = SellerRegistration.model_validate_json(row["form"])
    return await _open_shop(store, registry, form, consent_id)


async def _open_shop(
    store: MarketplaceStore, registry: RegistryClient, form: SellerRegistration, consent_id: str
) -> dict[str, Any]:
    name = form.name.strip().upper()  # the register keeps names in capitals, as on the KTP
    result = await registry.verify(
        form.nik,
        consent_id,
        {
            "nama_lgkp": name,
            "tmpt_lhr": form.birth_place.strip().upper(),
            "tgl_lhr": rules.registry_birth_date(form.birth_date.isoformat()),
            "jenis_klmin": rules.registry_sex(form.sex),
        },
    )
    _raise_unless(result, 200)
    verification_id = result.body.get("verification_id")
    mismatched = rules.kyc_mismatches(result.body)
    if mismatched:
        raise errors.kyc_failed(mismatched, verification_id)
    existing = store.shop_of_owner(form.nik)
    if existing is not None:  # another application of hers opened one meanwhile
        raise errors.seller_exists(existing)
    shop_id = store.add_seller(
        shop_name=form.shop_name.strip(),
        owner_nik=form.nik,
        owner_name=name,
        city=form.city,
        consent_id=consent_id,
        verification_id=str(verification_id),
    )
    return {
        "shop_id": shop_id,
        "shop_name": form.shop_name.strip(),
        "verification_id": verification_id,
        "consent_id": consent_id,
    }


def application_view(row: dict[str, Any]) -> dict[str, Any]:
    """An application as the seller centre answers it (the NIK never, the form never)."""
    outcome = row.get("outcome") or {}
    view: dict[str, Any] = {
        "application_id": row["application_id"],
        "status": row["status"],
        "consent_request_id": row["consent_request_id"],
    }
    if row["status"] in (WAITING, "VERIFYING"):
        view["message"] = (
            "Approve Pasarloka's request in your IKD app; then read this application again."
        )
    elif row["status"] == "VERIFIED":
        view.update(
            {k: outcome.get(k) for k in ("shop_id", "shop_name", "verification_id", "consent_id")}
        )
    else:
        view.update(outcome)
    return view


def _raise_unless(answer: RegistryAnswer, expected: int) -> None:
    """Pass the registry's 400 (a malformed NIK) on to the person; anything else is ours."""
    if answer.status == expected:
        return
    code = str(answer.body.get("code", ""))
    if answer.status == 403 and code.startswith("consent"):  # she revoked it meanwhile
        raise errors.consent_refused(code, str(answer.body.get("message", "")))
    if answer.status == 400:
        raise errors.bad_request(
            str(answer.body.get("code", "invalid_field")),
            str(answer.body.get("message", "The registry refused the data.")),
        )
    raise errors.registry_unavailable(answer.describe())
