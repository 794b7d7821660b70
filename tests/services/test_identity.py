"""The civil registry over HTTP: consent, verification, partner signatures, agreements, admin."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import httpx
import pytest

from sandbox.dialects import registry
from sandbox.dialects.common import timestamp
from sandbox.runtime.seeding import seed_for
from sandbox.services.identity.store import IdentityStore
from tests.conftest import Services
from tests.services.consent_helpers import activate_ikd, granted

SARI = "9971015403960001"
"""Persona "buyer": SARI WULANDARI, born 14-03-1996 in BANDAR CONTOH, female."""
BUDI = "9901011708850001"
UNKNOWN = "9971015403960099"
"""Well formed (district 997101, 14-03-1996, woman) but nobody has serial 0099."""
SARI_FIELDS = {
    "nama_lgkp": "SARI WULANDARI",
    "tmpt_lhr": "BANDAR CONTOH",
    "tgl_lhr": "14-03-1996",
    "jenis_klmin": "PEREMPUAN",
    "alamat": "Jl. Melati No. 12",
    "kab_name": "KOTA BANDAR CONTOH",
}


_ASK = b'{"nik": "9971015403960001", "purpose": "SELLER_KYC", "scopes": ["identity_verification"]}'
"""A consent request: the signed partner POST the authentication tests send."""


def _partner(
    services: Services, caller: str = "marketplace"
) -> tuple[httpx.AsyncClient, httpx.Auth]:
    return services.client("identity", caller), services.auth("identity", caller)


async def _consent(services: Services, nik: str = SARI, caller: str = "marketplace") -> str:
    """A consent she approved in her IKD app for `caller` (given IKD first if she has none)."""
    if nik not in {p["nik"] for p in services.world["personas"].values()}:
        activate_ikd(services, nik)
    return await granted(services, nik, caller)


async def _verify(
    services: Services, consent_id: str, nik: str = SARI, caller: str = "marketplace", **fields: Any
) -> httpx.Response:
    client, auth = _partner(services, caller)
    purpose = {"marketplace": "SELLER_KYC", "bank": "ACCOUNT_OPENING"}[caller]
    body = {"nik": nik, "consent_id": consent_id, "purpose": purpose, **fields}
    return await client.post("/v1/verify", json=body, auth=auth)


def _store(services: Services) -> IdentityStore:
    store: IdentityStore = services.apps["identity"].state.store
    return store


def _admin(services: Services) -> dict[str, str]:
    return {"X-Admin-Key": services.world["partners"]["admin"]["identity"]}


def _signed(
    services: Services,
    path: str,
    body: bytes,
    *,
    caller: str = "marketplace",
    secret: str | None = None,
    ts: str | None = None,
    nonce: str = "a1b2c3d4e5f60718",
    method: str = "POST",
) -> dict[str, str]:
    """Headers signed by hand, so a test can get one piece wrong on purpose."""
    creds = services.world["partners"]["identity"][caller]
    ts = ts or timestamp(services.clock())
    return {
        "X-Client-Id": creds["client_id"],
        "X-Timestamp": ts,
        "X-Nonce": nonce,
        "X-Signature": registry.signature(
            secret or creds["client_secret"], method, path, body, ts, nonce
        ),
        "content-type": "application/json",
    }


def _seed(services: Services) -> dict[str, Any]:
    """The identity slice of the world, as the runtime hands it to the service."""
    return copy.deepcopy(seed_for("identity", services.world))


async def _reseed(services: Services, **agreement: Any) -> None:
    """Reset the registry with the marketplace's agreement changed."""
    seed = _seed(services)
    seed["accepts"]["marketplace"].update(agreement)
    _store(services).reset(seed)


# --- health and the endpoints that must not exist ----------------------------------------------


async def test_health_says_sandbox(services: Services) -> None:
    response = await services.client("identity").get("/health")
    assert response.json() == {
        "status": "ok",
        "service": "identity",
        "title": "SANDBOX Registri Penduduk",
        "sandbox": True,
    }


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", f"/v1/persons/{SARI}", 404),
        ("GET", "/v1/persons", 404),
        ("GET", "/v1/verify", 405),
        ("GET", f"/v1/verify?nik={SARI}", 405),
    ],
)
async def test_identity_has_no_lookup_or_list_endpoint(
    services: Services, method: str, path: str, status: int
) -> None:
    client, auth = _partner(services)
    response = await client.request(method, path, auth=auth)
    assert response.status_code == status
    assert "SARI" not in response.text


@pytest.mark.parametrize("path", ["/v1/verify", "/v1/consents", "/v1/consent-requests"])
async def test_a_wrong_method_on_a_known_path_is_405_with_allow_before_credentials(
    services: Services, path: str
) -> None:
    """As at every other institution (the bank, for one): the method is checked before who
    is asking, and the answer says which methods the path takes."""
    stranger = services.client("identity", "external")
    response = await stranger.request("PUT", path)
    assert response.status_code == 405, response.text
    assert "POST" in response.headers["Allow"]
    assert response.json()["code"] == "method_not_allowed"
    partner, auth = _partner(services)
    assert (await partner.request("PUT", path, auth=auth)).headers["Allow"] == response.headers[
        "Allow"
    ]
    bank = await services.client("bank", "external").get("/v1.0/transfer-va/create-va")
    assert bank.status_code == 405 and bank.headers["Allow"] == "POST"
    unknown = await stranger.get("/v1/persons")
    assert unknown.status_code == 401  # a path that does not exist: who asks comes first


# --- consent -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"nik": SARI, "purpose": "SELLER_KYC"},
        {"nik": SARI, "purpose": "SELLER_KYC", "granted_at": "2024-03-01T09:00:00+07:00"},
        {"nik": "\x00" * 10, "purpose": "../../admin"},
        {"x": "y" * 100_000},
    ],
)
async def test_a_partner_can_no_longer_record_consent_itself(
    services: Services, body: dict[str, Any]
) -> None:
    """The old partner-asserted consent is refused in the registry's dialect, saying what to
    use instead, and records nothing."""
    client, auth = _partner(services)
    response = await client.post("/v1/consents", json=body, auth=auth)
    assert response.status_code == 410
    assert response.json()["code"] == "consent_endpoint_retired"
    assert "/v1/consent-requests" in response.json()["message"]
    assert _store(services).consent("CNS-20240301-000001") is None
    unsigned = await services.client("identity").post("/v1/consents", json=body)
    assert unsigned.status_code == 401  # who asks is checked first, as everywhere


async def test_a_consent_request_for_an_unknown_nik_looks_the_same(services: Services) -> None:
    client, auth = _partner(services)
    body = {"purpose": "SELLER_KYC", "scopes": ["identity_verification"]}
    known = await client.post("/v1/consent-requests", json={**body, "nik": SARI}, auth=auth)
    unknown = await client.post("/v1/consent-requests", json={**body, "nik": UNKNOWN}, auth=auth)
    assert unknown.status_code == known.status_code == 202
    assert set(unknown.json()) == set(known.json())
    assert unknown.json()["nik_last4"] == "0099"


@pytest.mark.parametrize(
    ("nik", "words"),
    [
        ("997101540396001", "NIK must be 16 digits; got 15."),
        ("9971013503960001", "41-71"),
        ("9803015403960001", "province code '98'"),
    ],
)
async def test_consent_request_with_malformed_nik_is_400(
    services: Services, nik: str, words: str
) -> None:
    client, auth = _partner(services)
    body = {"nik": nik, "purpose": "SELLER_KYC", "scopes": ["identity_verification"]}
    response = await client.post("/v1/consent-requests", json=body, auth=auth)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_nik"
    assert words in response.json()["message"]


async def test_consent_withdrawn_then_verify_is_refused(services: Services) -> None:
    consent_id = await _consent(services)
    client, auth = _partner(services)
    services.clock.advance(60)
    first = await client.delete(f"/v1/consents/{consent_id}", auth=auth)
    services.clock.advance(60)
    again = await client.delete(f"/v1/consents/{consent_id}", auth=auth)
    assert first.status_code == again.status_code == 200
    assert (
        first.json()
        == again.json()
        == {
            "consent_id": consent_id,
            "status": "WITHDRAWN",
            "withdrawn_at": "2024-03-01T15:01:00+07:00",
        }
    )
    response = await _verify(services, consent_id, nama_lgkp="SARI WULANDARI")
    assert response.status_code == 403
    assert response.json()["code"] == "consent_withdrawn"


async def test_consent_of_another_partner_cannot_be_withdrawn(services: Services) -> None:
    consent_id = await _consent(services, caller="bank")
    client, auth = _partner(services, "marketplace")
    response = await client.delete(f"/v1/consents/{consent_id}", auth=auth)
    assert response.status_code == 404
    assert response.json()["code"] == "consent_not_found"
    assert _store(services).consent(consent_id)["withdrawn_at"] is None  # type: ignore[index]


# --- verification ------------------------------------------------------------------------------


async def test_verify_all_fields_match(services: Services) -> None:
    consent_id = await _consent(services)
    response = await _verify(services, consent_id, **SARI_FIELDS)
    assert response.status_code == 200
    assert response.json() == {
        "verification_id": "VRF-20240301-000001",
        "nik_last4": "0001",
        "found": True,
        "reason": None,
        "fields": dict.fromkeys(SARI_FIELDS, "SESUAI"),
        "name_score": 100,
        "threshold": 80,
        "purpose": "SELLER_KYC",
        "consent_id": consent_id,
    }


async def test_verify_flags_only_sent_fields_and_never_stored_values(services: Services) -> None:
    consent_id = await _consent(services)
    response = await _verify(services, consent_id, nama_lgkp="SITI AMINAH", tgl_lhr="15-03-1996")
    body = response.json()
    assert body["fields"] == {"nama_lgkp": "TIDAK SESUAI", "tgl_lhr": "TIDAK SESUAI"}
    assert body["name_score"] < 80
    for stored in ("SARI", "WULANDARI", "14-03-1996", "1996-03-14", "BANDAR", "Melati", SARI):
        assert stored not in response.text


async def test_verify_name_threshold_decides_the_flag(services: Services) -> None:
    consent_id = await _consent(services)
    loose = await _verify(services, consent_id, nama_lgkp="SARI WULANDARY", threshold=90)
    strict = await _verify(services, consent_id, nama_lgkp="SARI WULANDARY", threshold=95)
    assert loose.json()["fields"] == {"nama_lgkp": "SESUAI"}
    assert strict.json()["fields"] == {"nama_lgkp": "TIDAK SESUAI"}
    assert loose.json()["name_score"] == strict.json()["name_score"] == 93


async def test_verify_unknown_nik_matches_nothing(services: Services) -> None:
    consent_id = await _consent(services, nik=UNKNOWN)
    response = await _verify(services, consent_id, nik=UNKNOWN, **SARI_FIELDS)
    assert response.status_code == 200
    body = response.json()
    assert (body["found"], body["reason"], body["name_score"]) == (False, "NIK_NOT_FOUND", 0)
    assert body["fields"] == dict.fromkeys(SARI_FIELDS, "TIDAK SESUAI")
    # the partner asked, she (given IKD here) logged in and approved, the partner verified
    assert [call.callee for call in services.calls] == ["identity"] * 4


async def test_verify_by_the_bank_for_account_opening(services: Services) -> None:
    consent_id = await _consent(services, nik=BUDI, caller="bank")
    response = await _verify(
        services,
        consent_id,
        nik=BUDI,
        caller="bank",
        nama_lgkp="BUDI SANTOSO",
        jenis_klmin="LAKI-LAKI",
    )
    assert response.status_code == 200
    assert response.json()["fields"] == {"nama_lgkp": "SESUAI", "jenis_klmin": "SESUAI"}


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"tgl_lhr": "1996-03-14"}, 400, "invalid_field", "tgl_lhr"),
        ({"tgl_lhr": "31-02-1996"}, 400, "invalid_field", "tgl_lhr"),
        ({"jenis_klmin": "WANITA"}, 400, "invalid_field", "jenis_klmin"),
        ({"threshold": 10}, 400, "invalid_field", "threshold"),
        ({"nama_lgkp": "A" * 101}, 400, "invalid_field", "nama_lgkp"),
        ({"nama_lengkap": "SARI"}, 400, "invalid_field", "nama_lengkap"),
        ({"nik": "9971015403960001 "}, 400, "invalid_nik", "nik"),
        ({"purpose": "ACCOUNT_OPENING"}, 403, "purpose_not_allowed", "purpose"),
    ],
)
async def test_verify_refuses_bad_input(
    services: Services, change: dict[str, Any], status: int, code: str, field: str
) -> None:
    consent_id = await _consent(services)
    client, auth = _partner(services)
    body = {
        "nik": SARI,
        "consent_id": consent_id,
        "purpose": "SELLER_KYC",
        "nama_lgkp": "SARI WULANDARI",
        **change,
    }
    response = await client.post("/v1/verify", json=body, auth=auth)
    assert response.status_code == status, response.text
    assert (response.json()["code"], response.json().get("field")) == (code, field)


async def test_verify_without_fields_says_which_are_possible(services: Services) -> None:
    consent_id = await _consent(services)
    response = await _verify(services, consent_id)
    assert response.status_code == 400
    assert response.json()["code"] == "no_fields"
    assert "nama_lgkp" in response.json()["message"]


async def test_verify_field_outside_the_agreement_is_forbidden(services: Services) -> None:
    await _reseed(services, allowed_fields=["nama_lgkp"])
    consent_id = await _consent(services)
    response = await _verify(
        services, consent_id, nama_lgkp="SARI WULANDARI", alamat="Jl. Melati No. 12"
    )
    assert response.status_code == 403
    assert (response.json()["code"], response.json()["field"]) == ("field_not_allowed", "alamat")


@pytest.mark.parametrize(
    ("consent", "code", "status"),
    [
        ("CNS-20240301-999999", "consent_not_found", 404),
        ("bank", "consent_not_found", 404),
        ("budi", "consent_nik_mismatch", 403),
        ("expired", "consent_expired", 403),
    ],
)
async def test_verify_needs_a_matching_consent(
    services: Services, consent: str, code: str, status: int
) -> None:
    if consent == "bank":
        consent = await _consent(services, caller="bank")
    elif consent == "budi":
        consent = await _consent(services, nik=BUDI)
    elif consent == "expired":
        consent = await _consent(services)
        services.clock.advance(24 * 3600)
    response = await _verify(services, consent, nama_lgkp="SARI WULANDARI")
    assert response.status_code == status
    assert response.json()["code"] == code


async def test_verification_is_logged_with_the_nik_masked(services: Services) -> None:
    consent_id = await _consent(services)
    await _verify(services, consent_id, nama_lgkp="SARI WULANDARI", tgl_lhr="01-01-1990")
    [row] = _store(services).verifications()
    assert row["partner"] == "marketplace"
    assert row["purpose"] == "SELLER_KYC"
    assert row["consent_id"] == consent_id
    assert row["nik_masked"] == "************0001"
    assert json.loads(row["fields_asked"]) == ["nama_lgkp", "tgl_lhr"]
    assert json.loads(row["result"]) == {"nama_lgkp": "SESUAI", "tgl_lhr": "TIDAK SESUAI"}
    assert row["created_at"] == services.clock()
    assert SARI not in json.dumps(row)


# --- partner authentication --------------------------------------------------------------------


@pytest.mark.parametrize("header", ["X-Client-Id", "X-Timestamp", "X-Nonce", "X-Signature"])
async def test_missing_header_is_named(services: Services, header: str) -> None:
    body = _ASK
    headers = _signed(services, "/v1/consent-requests", body)
    del headers[header]
    response = await services.client("identity").post(
        "/v1/consent-requests", content=body, headers=headers
    )
    assert response.status_code == 401
    assert response.json()["code"] == "missing_header"
    assert header in response.json()["message"]


async def test_unknown_client_id_is_401(services: Services) -> None:
    body = _ASK
    headers = {**_signed(services, "/v1/consent-requests", body), "X-Client-Id": "SOMEONE-ELSE"}
    response = await services.client("identity").post(
        "/v1/consent-requests", content=body, headers=headers
    )
    assert (response.status_code, response.json()["code"]) == (401, "unknown_client")


@pytest.mark.parametrize("what", ["secret", "body", "path"])
async def test_wrong_signature_is_401(services: Services, what: str) -> None:
    body = _ASK
    signed_body = _ASK.replace(SARI.encode(), BUDI.encode()) if what == "body" else body
    headers = _signed(
        services,
        "/v1/verify" if what == "path" else "/v1/consent-requests",
        signed_body,
        secret="not-the-secret" if what == "secret" else None,
    )
    response = await services.client("identity").post(
        "/v1/consent-requests", content=body, headers=headers
    )
    assert (response.status_code, response.json()["code"]) == (401, "invalid_signature")


async def test_signature_ignores_whitespace_in_the_body(services: Services) -> None:
    signed = b'{"nik":"9971015403960001","purpose":"SELLER_KYC","scopes":["identity_verification"]}'
    sent = (
        b'{ "nik" : "9971015403960001",\n  "purpose": "SELLER_KYC",'
        b'  "scopes" : [ "identity_verification" ] }'
    )
    headers = _signed(services, "/v1/consent-requests", signed)
    response = await services.client("identity").post(
        "/v1/consent-requests", content=sent, headers=headers
    )
    assert response.status_code == 202


@pytest.mark.parametrize(
    ("offset", "ts", "code"),
    [
        (-301, None, "stale_timestamp"),
        (301, None, "stale_timestamp"),
        (0, "2024-03-01 15:00:00", "invalid_timestamp"),
    ],
)
async def test_bad_timestamp_is_401(
    services: Services, offset: int, ts: str | None, code: str
) -> None:
    body = _ASK
    headers = _signed(
        services, "/v1/consent-requests", body, ts=ts or timestamp(services.clock() + offset)
    )
    response = await services.client("identity").post(
        "/v1/consent-requests", content=body, headers=headers
    )
    assert (response.status_code, response.json()["code"]) == (401, code)


async def test_timestamp_within_five_minutes_is_fine(services: Services) -> None:
    body = _ASK
    headers = _signed(services, "/v1/consent-requests", body, ts=timestamp(services.clock() - 299))
    response = await services.client("identity").post(
        "/v1/consent-requests", content=body, headers=headers
    )
    assert response.status_code == 202


async def test_replayed_request_is_refused(services: Services) -> None:
    body = _ASK
    headers = _signed(services, "/v1/consent-requests", body)
    client = services.client("identity")
    first = await client.post("/v1/consent-requests", content=body, headers=headers)
    services.clock.advance(10)
    replay = await client.post("/v1/consent-requests", content=body, headers=headers)
    assert first.status_code == 202
    assert (replay.status_code, replay.json()["code"]) == (401, "replayed_request")
    assert _store(services).people.request("CRQ-20240301-000002") is None  # asked once


async def test_same_nonce_from_another_partner_is_not_a_replay(services: Services) -> None:
    body = _ASK
    bank_body = _ASK.replace(b"SELLER_KYC", b"ACCOUNT_OPENING")
    client = services.client("identity")
    first = await client.post(
        "/v1/consent-requests",
        content=body,
        headers=_signed(services, "/v1/consent-requests", body),
    )
    second = await client.post(
        "/v1/consent-requests",
        content=bank_body,
        headers=_signed(services, "/v1/consent-requests", bank_body, caller="bank"),
    )
    assert (first.status_code, second.status_code) == (202, 202)


# --- agreements, quota and usage ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code"), [("SUSPENDED", "agreement_suspended"), ("REVOKED", "agreement_revoked")]
)
async def test_suspended_or_revoked_partner_is_403(
    services: Services, status: str, code: str
) -> None:
    admin = services.client("identity")
    changed = await admin.patch(
        "/admin/v1/agreements/marketplace", json={"status": status}, headers=_admin(services)
    )
    assert changed.json() == {"partner": "marketplace", "status": status}
    client, auth = _partner(services)
    response = await client.post(
        "/v1/consent-requests",
        json={"nik": SARI, "purpose": "SELLER_KYC", "scopes": ["identity_verification"]},
        auth=auth,
    )
    assert (response.status_code, response.json()["code"]) == (403, code)
    other = await _consent(services, caller="bank")
    assert other.startswith("CNS-")  # the bank's agreement is untouched


async def test_expired_agreement_is_403(services: Services) -> None:
    await _reseed(services, valid_until="2024-02-29")
    client, auth = _partner(services)
    response = await client.post(
        "/v1/consent-requests",
        json={"nik": SARI, "purpose": "SELLER_KYC", "scopes": ["identity_verification"]},
        auth=auth,
    )
    assert (response.status_code, response.json()["code"]) == (403, "agreement_expired")
    assert "2024-02-29" in response.json()["message"]


async def test_quota_used_up_is_429(services: Services) -> None:
    await _reseed(services, quota=2)
    client, auth = _partner(services)
    statuses = []
    for _ in range(3):
        response = await client.post(
            "/v1/consent-requests",
            json={"nik": SARI, "purpose": "SELLER_KYC", "scopes": ["identity_verification"]},
            auth=auth,
        )
        statuses.append(response.status_code)
    assert statuses == [202, 202, 429]
    assert response.json()["code"] == "quota_exceeded"


async def test_usage_counts_authenticated_calls_refused_or_not(services: Services) -> None:
    consent_id = await _consent(services)  # 1, served
    await _verify(services, consent_id, nama_lgkp="SARI WULANDARI")  # 2, served
    await _verify(services, "CNS-NOPE", nama_lgkp="SARI WULANDARI")  # 3, refused 404
    await services.client("identity").post("/v1/verify", json={})  # unsigned: not counted
    response = await services.client("identity").get(
        "/admin/v1/usage?semester=2024-1", headers=_admin(services)
    )
    assert response.status_code == 200
    lines = {line["partner"]: line for line in response.json()["partners"]}
    assert (lines["marketplace"]["calls"], lines["marketplace"]["verifications"]) == (3, 1)
    assert (lines["bank"]["calls"], lines["bank"]["verifications"]) == (0, 0)
    other = await services.client("identity").get(
        "/admin/v1/usage?semester=2024-2", headers=_admin(services)
    )
    assert {line["calls"] for line in other.json()["partners"]} == {0}


# --- admin ---------------------------------------------------------------------------------------


NEWBORN = {
    "nik": "9971016502240001",
    "name": "Anisa Putri",
    "birth_place": "Bandar Contoh",
    "birth_date": "2024-02-25",
    "sex": "P",
    "district_code": "997101",
    "street": "Jl. Melati No. 12",
}


async def test_admin_registers_a_birth_that_partners_can_verify(services: Services) -> None:
    admin = services.client("identity")
    response = await admin.post("/admin/v1/persons", json=NEWBORN, headers=_admin(services))
    assert response.status_code == 201
    assert response.json() == {
        "nik_last4": "0001",
        "district_code": "997101",
        "registered_at": "2024-03-01T15:00:00+07:00",
    }
    consent_id = await _consent(services, nik=NEWBORN["nik"])
    verified = await _verify(
        services,
        consent_id,
        nik=NEWBORN["nik"],
        nama_lgkp="ANISA PUTRI",
        kab_name="Kota Bandar Contoh",
        tgl_lhr="25-02-2024",
    )
    assert verified.json()["found"] is True
    assert set(verified.json()["fields"].values()) == {"SESUAI"}


async def test_admin_cannot_register_a_nik_twice(services: Services) -> None:
    admin = services.client("identity")
    body = {**NEWBORN, "nik": SARI, "birth_date": "1996-03-14"}
    response = await admin.post("/admin/v1/persons", json=body, headers=_admin(services))
    assert (response.status_code, response.json()["code"]) == (409, "nik_exists")


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        ({"birth_date": "2024-02-26"}, "nik_mismatch", "birth date 2024-02-25"),
        ({"sex": "L"}, "nik_mismatch", "sex P"),
        ({"district_code": "997102"}, "nik_mismatch", "district 997101"),
        ({"district_code": "997109"}, "unknown_district", "997109"),
        ({"birth_date": "2024-02-30"}, "invalid_field", "not a real date"),
        ({"nik": "9971013502240001"}, "invalid_nik", "41-71"),
    ],
)
async def test_admin_registration_checks_the_nik_structure(
    services: Services, change: dict[str, Any], code: str, words: str
) -> None:
    admin = services.client("identity")
    response = await admin.post(
        "/admin/v1/persons", json={**NEWBORN, **change}, headers=_admin(services)
    )
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert words in response.json()["message"]


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "missing_header"),
        ({"X-Admin-Key": "adm_guess"}, 401, "invalid_admin_key"),
    ],
)
async def test_admin_api_needs_the_admin_key(
    services: Services, headers: dict[str, str], status: int, code: str
) -> None:
    admin = services.client("identity")
    for response in (
        await admin.post("/admin/v1/persons", json=NEWBORN, headers=headers),
        await admin.get("/admin/v1/usage", headers=headers),
    ):
        assert (response.status_code, response.json()["code"]) == (status, code)


async def test_partner_credentials_do_not_open_the_admin_api(services: Services) -> None:
    client, auth = _partner(services)
    response = await client.get("/admin/v1/usage", auth=auth)
    assert response.status_code == 401


async def test_admin_usage_refuses_a_bad_semester(services: Services) -> None:
    response = await services.client("identity").get(
        "/admin/v1/usage?semester=2024-3", headers=_admin(services)
    )
    assert (response.status_code, response.json()["field"]) == (400, "semester")


async def test_admin_unknown_partner_agreement_is_404(services: Services) -> None:
    response = await services.client("identity").patch(
        "/admin/v1/agreements/social", json={"status": "REVOKED"}, headers=_admin(services)
    )
    assert (response.status_code, response.json()["code"]) == (404, "partner_not_found")


# --- store ---------------------------------------------------------------------------------------


async def test_reset_restores_the_seeded_register(services: Services) -> None:
    await services.client("identity").post(
        "/admin/v1/persons", json=NEWBORN, headers=_admin(services)
    )
    await _consent(services)
    store = _store(services)
    store.reset(_seed(services))
    assert store.person(NEWBORN["nik"]) is None
    assert store.person(SARI)["name"] == "SARI WULANDARI"  # type: ignore[index]
    assert store.consent("CNS-20240301-000001") is None
    assert len(store.agreements()) == len(services.world["partners"]["identity"])


def test_seeding_is_fast(world: dict[str, Any]) -> None:
    seed = seed_for("identity", world)
    started = time.perf_counter()
    store = IdentityStore.open(None, seed)
    assert time.perf_counter() - started < 0.1
    assert store.db["persons"].count == len(world["persons"])
