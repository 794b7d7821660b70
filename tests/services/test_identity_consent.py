"""Consent given by the person: a partner asks, she answers in her IKD app, the partner learns."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from sandbox.dialects import registry
from sandbox.services.identity.store import IdentityStore
from tests.conftest import Services
from tests.services.consent_helpers import approve_pending, ask, granted, log_in, partner

SARI = "9971015403960001"
"""Persona "buyer", who has IKD."""
BUDI = "9901011708850001"
"""Persona "seller"."""
AGUS = "9972013005720001"
"""Persona "patient"."""
SARI_FIELDS = {"nama_lgkp": "SARI WULANDARI", "tgl_lhr": "14-03-1996"}


def _store(services: Services) -> IdentityStore:
    store: IdentityStore = services.apps["identity"].state.store
    return store


async def _verify(
    services: Services, consent_id: str, nik: str = SARI, caller: str = "marketplace"
) -> Any:
    client, auth = partner(services, caller)
    purpose = {"marketplace": "SELLER_KYC", "hospital": "PATIENT_ADMISSION"}[caller]
    body = {"nik": nik, "consent_id": consent_id, "purpose": purpose, **SARI_FIELDS}
    return await client.post("/v1/verify", json=body, auth=auth)


async def _introspect(
    services: Services,
    consent_id: str,
    nik: str = AGUS,
    caller: str = "records",
    purpose: str = "PATIENT_ADMISSION",
) -> Any:
    client, auth = partner(services, caller)
    body = {"consent_id": consent_id, "nik": nik, "purpose": purpose}
    return await client.post("/v1/consent-introspection", json=body, auth=auth)


# --- the whole path ----------------------------------------------------------------------------


async def test_consent_request_waits_for_her_then_approval_lets_the_partner_verify(
    services: Services,
) -> None:
    asked = await ask(services, SARI, reason="Verifikasi pemilik toko")
    assert asked.status_code == 202, asked.text
    request = asked.json()
    assert request["status"] == "PENDING"
    assert request["nik_last4"] == "0001" and SARI not in asked.text
    app = await log_in(services, SARI)
    pending = (await app.get("/ikd/v1/consent-requests")).json()
    assert [p["request_id"] for p in pending] == [request["request_id"]]
    notes = (await app.get("/ikd/v1/notifications")).json()
    assert "marketplace" in notes[0]["body"] and notes[0]["status"] == "PENDING"

    approved = await app.post(f"/ikd/v1/consent-requests/{request['request_id']}/approve")
    assert approved.status_code == 201, approved.text
    consent = approved.json()
    assert consent["status"] == "ACTIVE"
    assert consent["scopes"] == ["identity_verification"]
    client, auth = partner(services, "marketplace")
    status = await client.get(f"/v1/consent-requests/{request['request_id']}", auth=auth)
    assert status.json()["status"] == "APPROVED"
    assert status.json()["consent_id"] == consent["consent_id"]
    verified = await _verify(services, consent["consent_id"])
    assert verified.status_code == 200, verified.text
    assert verified.json()["fields"] == {"nama_lgkp": "SESUAI", "tgl_lhr": "SESUAI"}
    assert (await app.get("/ikd/v1/consent-requests")).json() == []


async def test_approval_is_announced_by_a_webhook_signed_with_the_partners_secret(
    services: Services,
) -> None:
    await granted(services, SARI, "hospital")  # the desk's agreement names a webhook path
    outbox = services.apps["identity"].state.outbox
    rows = list(outbox.db.query("SELECT * FROM _outbox"))
    assert len(rows) == 1
    row = rows[0]
    assert (row["target"], row["path"]) == ("hospital", "/api/v1/consent-notifications")
    body = json.loads(row["body"])
    assert body["type"] == "consent_request.approved" and body["consent_id"]
    assert SARI not in row["body"]
    headers = outbox._signers[row["kind"]](row["path"], row["body"].encode(), services.clock())
    secret = services.world["partners"]["identity"]["hospital"]["client_secret"]
    expected = registry.signature(
        secret,
        "POST",
        row["path"],
        row["body"].encode(),
        headers["X-Timestamp"],
        headers["X-Nonce"],
    )
    assert headers["X-Signature"] == expected


async def test_decline_makes_no_consent_and_cannot_be_approved_afterwards(
    services: Services,
) -> None:
    request_id = (await ask(services, SARI)).json()["request_id"]
    app = await log_in(services, SARI)
    declined = await app.post(f"/ikd/v1/consent-requests/{request_id}/decline")
    assert declined.status_code == 200 and declined.json()["status"] == "DECLINED"
    again = await app.post(f"/ikd/v1/consent-requests/{request_id}/approve")
    assert again.status_code == 409
    assert again.json()["code"] == "consent_request_answered"
    assert (await app.get("/ikd/v1/consents")).json() == []


async def test_an_unanswered_request_expires_after_fifteen_minutes(services: Services) -> None:
    request_id = (await ask(services, SARI)).json()["request_id"]
    services.clock.advance(15 * 60 + 1)
    app = await log_in(services, SARI)
    late = await app.post(f"/ikd/v1/consent-requests/{request_id}/approve")
    assert late.status_code == 409 and late.json()["code"] == "consent_request_expired"
    client, auth = partner(services, "marketplace")
    status = await client.get(f"/v1/consent-requests/{request_id}", auth=auth)
    assert status.json()["status"] == "EXPIRED"


# --- her consents: list, revoke, expiry -------------------------------------------------------


async def test_revoking_in_the_app_stops_verification_and_tells_the_partner(
    services: Services,
) -> None:
    consent_id = await granted(services, SARI, "hospital")
    app = await log_in(services, SARI)
    listed = (await app.get("/ikd/v1/consents")).json()
    assert [c["consent_id"] for c in listed] == [consent_id]
    revoked = await app.delete(f"/ikd/v1/consents/{consent_id}")
    assert revoked.status_code == 200 and revoked.json()["status"] == "REVOKED"
    refused = await _verify(services, consent_id, caller="hospital")
    assert refused.status_code == 403 and refused.json()["code"] == "consent_withdrawn"
    twice = await app.delete(f"/ikd/v1/consents/{consent_id}")
    assert twice.json()["revoked_at"] == revoked.json()["revoked_at"]
    kinds = [
        json.loads(r["body"])["type"]
        for r in services.apps["identity"].state.outbox.db.query("SELECT body FROM _outbox")
    ]
    assert kinds == ["consent_request.approved", "consent.revoked"]


async def test_a_partner_without_a_webhook_path_is_told_nothing_and_asks(
    services: Services,
) -> None:
    """The seller centre names no webhook: her answer is read by asking, never pushed."""
    asked = (await ask(services, SARI)).json()
    await approve_pending(services, SARI)
    assert list(services.apps["identity"].state.outbox.db.query("SELECT * FROM _outbox")) == []
    client, auth = partner(services, "marketplace")
    status = await client.get(f"/v1/consent-requests/{asked['request_id']}", auth=auth)
    assert status.json()["status"] == "APPROVED" and status.json()["consent_id"]


async def test_a_consent_expires_after_24_hours(services: Services) -> None:
    consent_id = await granted(services, SARI)
    services.clock.advance(24 * 3600)
    refused = await _verify(services, consent_id)
    assert refused.status_code == 403 and refused.json()["code"] == "consent_expired"


async def test_another_partners_consent_is_not_found(services: Services) -> None:
    consent_id = await granted(services, SARI)
    client, auth = partner(services, "bank")
    response = await client.get(f"/v1/consents/{consent_id}", auth=auth)
    assert response.status_code == 404
    mine = await client.get(
        f"/v1/consents/{consent_id}", auth=services.auth("identity", "marketplace")
    )
    assert mine.status_code == 200 and mine.json()["status"] == "ACTIVE"


async def test_a_consent_for_another_person_does_not_cover_her(services: Services) -> None:
    consent_id = await granted(services, SARI)
    refused = await _verify(services, consent_id, nik=BUDI)
    assert refused.status_code == 403 and refused.json()["code"] == "consent_nik_mismatch"


async def test_she_cannot_answer_or_revoke_someone_elses(services: Services) -> None:
    request_id = (await ask(services, BUDI)).json()["request_id"]
    sari = await log_in(services, SARI)
    assert (await sari.post(f"/ikd/v1/consent-requests/{request_id}/approve")).status_code == 404
    budi_consent = await granted(services, BUDI)
    assert (await sari.delete(f"/ikd/v1/consents/{budi_consent}")).status_code == 404


# --- the partner's request: what it may ask --------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"scopes": ["health_records"]}, 403, "scope_not_allowed"),
        ({"purpose": "PATIENT_ADMISSION"}, 403, "purpose_not_allowed"),
        ({"nik": "9971015403960000"}, 400, "invalid_nik"),
        ({"nik": "99710154039600０1"}, 400, "invalid_nik"),
        ({"scopes": []}, 400, None),
        ({"scopes": ["everything"]}, 400, None),
        ({"reason": "x" * 500}, 400, None),
    ],
)
async def test_a_request_the_registry_refuses(
    services: Services, body: dict[str, Any], status: int, code: str | None
) -> None:
    response = await ask(services, body.pop("nik", SARI), **body)
    assert response.status_code == status, response.text
    if code:
        assert response.json()["code"] == code


async def test_a_reason_in_any_script_is_shown_as_sent(services: Services) -> None:
    reason = "[b]Verifikasi[/b] toko 🛍️ ‮"
    request_id = (await ask(services, SARI, reason=reason)).json()["request_id"]
    app = await log_in(services, SARI)
    pending = (await app.get("/ikd/v1/consent-requests")).json()
    assert pending[0]["request_id"] == request_id and pending[0]["reason"] == reason


async def test_the_old_partner_asserted_consent_is_not_the_persons(services: Services) -> None:
    client, auth = partner(services, "hospital")
    old = await client.post(
        "/v1/consents", json={"nik": AGUS, "purpose": "PATIENT_ADMISSION"}, auth=auth
    )
    if old.status_code == 201:  # while it still exists, checkers refuse what it makes
        answer = await _introspect(services, old.json()["consent_id"])
        assert answer.json()["code"] == "consent_not_given_by_person"
    else:
        assert old.status_code == 410


# --- introspection: records and insurance check a consent quoted to them ---------------------


async def test_introspection_answers_active_for_the_persons_consent(services: Services) -> None:
    consent_id = await granted(services, AGUS, caller="hospital")
    for checker in ("records", "insurance"):
        answer = await _introspect(services, consent_id, caller=checker)
        assert answer.status_code == 200, answer.text
        assert answer.json()["active"] is True and answer.json()["partner"] == "hospital"
        assert AGUS not in answer.text


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"nik": SARI}, "consent_nik_mismatch"),
        ({"purpose": "SELLER_KYC"}, "consent_purpose_mismatch"),
        ({"consent_id": "CNS-20240301-999999"}, "consent_not_found"),
    ],
)
async def test_introspection_refuses_another_subject_purpose_or_id(
    services: Services, change: dict[str, str], code: str
) -> None:
    consent_id = await granted(services, AGUS, caller="hospital")
    answer = await _introspect(
        services,
        change.get("consent_id", consent_id),
        nik=change.get("nik", AGUS),
        purpose=change.get("purpose", "PATIENT_ADMISSION"),
    )
    assert answer.status_code == 200
    assert answer.json() == {
        "consent_id": change.get("consent_id", consent_id),
        "active": False,
        "code": code,
        "message": answer.json()["message"],
        "partner": None,
        "scopes": [],
        "expires_at": None,
    }


async def test_introspection_of_a_kyc_consent_lacks_the_health_scope(services: Services) -> None:
    consent_id = await granted(services, SARI)
    answer = await _introspect(services, consent_id, nik=SARI, purpose="SELLER_KYC")
    assert answer.json()["code"] == "consent_scope_missing"


async def test_introspection_after_revocation_and_expiry(services: Services) -> None:
    consent_id = await granted(services, AGUS, caller="hospital")
    app = await log_in(services, AGUS)
    await app.delete(f"/ikd/v1/consents/{consent_id}")
    assert (await _introspect(services, consent_id)).json()["code"] == "consent_revoked"
    other = await granted(services, AGUS, caller="hospital")
    services.clock.advance(24 * 3600 + 1)
    assert (await _introspect(services, other)).json()["code"] == "consent_expired"


async def test_only_checkers_may_introspect(services: Services) -> None:
    consent_id = await granted(services, AGUS, caller="hospital")
    answer = await _introspect(services, consent_id, caller="marketplace")
    assert answer.status_code == 403 and answer.json()["code"] == "purpose_not_allowed"


async def test_a_checker_may_not_ask_for_consent_or_verify(services: Services) -> None:
    client, auth = partner(services, "records")
    body = {"nik": AGUS, "purpose": "CONSENT_CHECK", "scopes": ["health_records"]}
    asked = await client.post("/v1/consent-requests", json=body, auth=auth)
    assert asked.status_code == 403


# --- her login -------------------------------------------------------------------------------


async def test_wrong_pins_are_refused_alike_and_five_lock_the_app(services: Services) -> None:
    client = services.client("identity", "buyer")
    unknown = await client.post("/ikd/v1/sessions", json={"nik": UNKNOWN, "pin": "123456"})
    assert unknown.status_code == 401
    codes = []
    for _ in range(5):
        wrong = await client.post("/ikd/v1/sessions", json={"nik": SARI, "pin": "000000"})
        codes.append(wrong.json()["code"])
        assert wrong.json()["message"] in {unknown.json()["message"], wrong.json()["message"]}
    assert codes == ["wrong_credentials"] * 4 + ["ikd_locked"]
    pin = services.world["personas"]["buyer"]["ikd_pin"]
    right = await client.post("/ikd/v1/sessions", json={"nik": SARI, "pin": pin})
    assert right.status_code == 403 and right.json()["code"] == "ikd_locked"


UNKNOWN = "9971015403960099"


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer sess_nope", "Basic abc", "Bearer " + "x" * 300],
)
async def test_her_endpoints_need_a_live_session(
    services: Services, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = await services.client("identity", "buyer").get("/ikd/v1/consents", headers=headers)
    assert response.status_code in {400, 401}, response.text


async def test_a_session_expires_after_fifteen_minutes(services: Services) -> None:
    app = await log_in(services, SARI)
    services.clock.advance(15 * 60)
    response = await app.get("/ikd/v1/consents")
    assert response.status_code == 401 and response.json()["code"] == "invalid_session"


async def test_a_partners_signature_does_not_open_her_app(services: Services) -> None:
    client, auth = partner(services, "marketplace")
    response = await client.get("/ikd/v1/consent-requests", auth=auth)
    assert response.status_code == 401


# --- races -----------------------------------------------------------------------------------


async def test_approve_and_decline_at_once_leave_one_answer(services: Services) -> None:
    request_id = (await ask(services, SARI)).json()["request_id"]
    app = await log_in(services, SARI)
    answers = await asyncio.gather(
        *[
            app.post(f"/ikd/v1/consent-requests/{request_id}/{verb}")
            for verb in ("approve", "decline", "approve", "decline")
        ]
    )
    winners = [a for a in answers if a.status_code in {200, 201}]
    assert len(winners) == 1
    assert all(a.status_code == 409 for a in answers if a not in winners)
    row = _store(services).people.request(request_id)
    assert row is not None
    consents = _store(services).people.consents_of(SARI)
    assert len(consents) == (1 if row["status"] == "APPROVED" else 0)
    assert row["consent_id"] == (consents[0]["consent_id"] if consents else None)


async def test_approve_and_revoke_at_once_leave_a_consistent_state(services: Services) -> None:
    first = await granted(services, SARI)
    request_id = (await ask(services, SARI)).json()["request_id"]
    app = await log_in(services, SARI)
    approve, revoke = await asyncio.gather(
        app.post(f"/ikd/v1/consent-requests/{request_id}/approve"),
        app.delete(f"/ikd/v1/consents/{first}"),
    )
    assert approve.status_code == 201 and revoke.status_code == 200
    states = {
        c["consent_id"]: c["withdrawn_at"] is None
        for c in _store(services).people.consents_of(SARI)
    }
    assert states == {first: False, approve.json()["consent_id"]: True}
    assert (await _verify(services, first)).status_code == 403
    assert (await _verify(services, approve.json()["consent_id"])).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        b'{"nik": "9971015403960001", "pin": "' + b"1" * 2_000_000 + b'"}',
        b'{"nik": "\\ud800", "pin": "1"}',
        b'{"nik": "9971015403960001\\u0000", "pin": "111111"}',
        b"\xff\xfe not json",
        b"[]",
    ],
)
async def test_hostile_logins_get_a_clear_4xx(services: Services, body: bytes) -> None:
    response = await services.client("identity", "buyer").post(
        "/ikd/v1/sessions", content=body, headers={"content-type": "application/json"}
    )
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["code"]


async def test_a_huge_consent_request_is_refused(services: Services) -> None:
    response = await ask(services, SARI, reason="x" * 1_000_000)
    assert 400 <= response.status_code < 500


def test_every_reason_the_registry_gives_is_a_documented_refusal() -> None:
    """Records and the insurer pass the registry's reason on as their 403's code; each one
    must be among the codes their OpenAPI documents list (`consent_check.REFUSALS`)."""
    from sandbox.dialects.consent_check import REFUSALS
    from sandbox.services.identity import rules

    now, nik = 1_700_000_000.0, "9972013005720001"
    good: dict[str, Any] = {
        "source": "person",
        "nik": nik,
        "purpose": "PATIENT_ADMISSION",
        "scopes": ["health_records"],
        "withdrawn_at": None,
        "expires_at": now + 60,
    }
    variants = [
        None,
        {**good, "source": "partner"},
        {**good, "withdrawn_at": now - 1},
        {**good, "expires_at": now - 1},
        {**good, "nik": "9971015403960001"},
        {**good, "purpose": "SELLER_KYC"},
        {**good, "scopes": ["identity_verification"]},
    ]
    codes = set()
    for consent in variants:
        problem = rules.introspection_problem(
            consent, nik, "PATIENT_ADMISSION", "health_records", now
        )
        assert problem is not None, consent
        codes.add(problem[0])
    assert len(codes) == len(variants)  # each variant is refused for its own reason
    assert codes <= set(REFUSALS)
    assert (
        rules.introspection_problem(good, nik, "PATIENT_ADMISSION", "health_records", now) is None
    )
