"""The credentials between institutions (who may call whom, with which keys and agreement),
drawn from the seed, and the registry's admin token.
"""

from __future__ import annotations

from typing import Any

from sandbox.world.sources import _secret


def _partners(seed: int, named: dict[str, Any]) -> dict[str, Any]:
    """Credentials between institutions, keyed by callee then caller."""
    merchant = named["merchants"][0]
    hospital_merchant = named["merchants"][1]
    hospital = named["hospitals"][0]
    verify_fields = ["nama_lgkp", "tmpt_lhr", "tgl_lhr", "jenis_klmin", "alamat", "kab_name"]
    return {
        "identity": {
            "marketplace": {
                "client_id": "PASARLOKA-KYC",
                "client_secret": _secret(seed, "identity", "marketplace"),
                "purpose": "SELLER_KYC",
                "allowed_fields": verify_fields,
                "quota": 100_000,
                "valid_until": "2027-12-31",
                "status": "ACTIVE",
                # No consent webhook: the seller centre asks how she answered when the
                # would-be seller reads the application (GET /seller/v1/registrations/...).
            },
            "bank": {
                "client_id": "BANKCONTOH-KYC",
                "client_secret": _secret(seed, "identity", "bank"),
                "purpose": "ACCOUNT_OPENING",
                "allowed_fields": verify_fields,
                "quota": 100_000,
                "valid_until": "2027-12-31",
                "status": "ACTIVE",
            },
            "hospital": {
                "client_id": "RSUD-SUKAMAJU-KYC",
                "client_secret": _secret(seed, "identity", "hospital"),
                "purpose": "PATIENT_ADMISSION",
                "allowed_fields": verify_fields,
                "quota": 100_000,
                "valid_until": "2027-12-31",
                "status": "ACTIVE",
                "consent_webhook_path": "/api/v1/consent-notifications",
            },
            # The health platform and the insurer only check consents the desk quotes to
            # them (introspection); they may verify nobody.
            "records": {
                "client_id": "SATUSEHAT-CONSENT",
                "client_secret": _secret(seed, "identity", "records"),
                "purpose": "CONSENT_CHECK",
                "allowed_fields": [],
                "quota": 1_000_000,
                "valid_until": "2027-12-31",
                "status": "ACTIVE",
            },
            "insurance": {
                "client_id": "BPJSK-CONSENT",
                "client_secret": _secret(seed, "identity", "insurance"),
                "purpose": "CONSENT_CHECK",
                "allowed_fields": [],
                "quota": 1_000_000,
                "valid_until": "2027-12-31",
                "status": "ACTIVE",
            },
        },
        "bank": {
            "marketplace": {
                "client_key": "PASARLOKA-SNAP",
                "client_secret": _secret(seed, "bank", "marketplace"),
                "partner_id": "88001",
                "channel_id": "95221",
                "partner_service_id": merchant["partner_service_id"],
                "account_no": merchant["account_no"],
                "notification_secret": _secret(seed, "bank", "notify"),
            },
            "hospital": {
                "client_key": "RSUD-SUKAMAJU-SNAP",
                "client_secret": _secret(seed, "bank", "hospital"),
                "partner_id": "77001",
                "channel_id": "95231",
                "partner_service_id": hospital_merchant["partner_service_id"],
                "account_no": hospital_merchant["account_no"],
                "notification_secret": _secret(seed, "bank", "notify-hospital"),
            },
        },
        "records": {
            "hospital": {
                "client_id": "rsud-sukamaju-" + _secret(seed, "records", "id")[:8],
                "client_secret": _secret(seed, "records", "hospital"),
                "org_id": hospital["org_id"],
                "org_name": hospital["name"],
            },
        },
        "insurance": {
            "hospital": {
                "cons_id": "31001",
                "secret": _secret(seed, "insurance", "hospital"),
                "user_key": _secret(seed, "insurance", "user-key")[:24],
                "ppk_code": hospital["code"],
            },
        },
        "marketplace": {
            "social": {
                "app_key": "klip-shop-7001",
                "app_secret": _secret(seed, "marketplace", "social"),
                "fs_id": 7001,
                "webhook_path": "/webhooks/marketplace",
            },
        },
        "admin": {"identity": "adm_" + _secret(seed, "admin", "identity")},
    }
