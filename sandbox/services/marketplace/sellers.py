"""Seller centre: a person opens a shop after the civil registry confirms who they are.

Know-your-customer (KYC) here means: the owner consents, we register that consent at the
registry, then ask the registry to *verify* what the owner told us. We never receive the stored
record, only SESUAI / TIDAK SESUAI per field - and only a fully matching owner gets a shop.
"""

from __future__ import annotations

from typing import Any

from sandbox.services.marketplace import errors, rules
from sandbox.services.marketplace.clients.identity import RegistryAnswer, RegistryClient
from sandbox.services.marketplace.schemas import SellerRegistration
from sandbox.services.marketplace.store import MarketplaceStore


async def register_seller(
    store: MarketplaceStore, registry: RegistryClient, form: SellerRegistration
) -> dict[str, Any]:
    """Consent, verify, then create a VERIFIED shop; ApiError on any refusal."""
    if not form.consent:
        raise errors.consent_required()
    existing = store.shop_of_owner(form.nik)
    if existing is not None:
        raise errors.seller_exists(existing)

    consent = await registry.register_consent(form.nik)
    _raise_unless(consent, 201)
    consent_id = str(consent.body.get("consent_id", ""))

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
        "status": "VERIFIED",
        "verification_id": verification_id,
    }


def _raise_unless(answer: RegistryAnswer, expected: int) -> None:
    """Pass the registry's 400 (a malformed NIK) on to the person; anything else is ours."""
    if answer.status == expected:
        return
    if answer.status == 400:
        raise errors.bad_request(
            str(answer.body.get("code", "invalid_field")),
            str(answer.body.get("message", "The registry refused the data.")),
        )
    raise errors.registry_unavailable(answer.describe())
