"""The desk and the patient's consent: asked first, approved in her IKD app, quoted on every
call about her, and a revocation that stops the next step."""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest

from sandbox.dialects import registry
from sandbox.dialects.common import timestamp
from sandbox.runtime.seeding import seed_for
from sandbox.services.hospital.consents import WEBHOOK_GRACE_SECONDS
from tests.conftest import Services
from tests.services.consent_helpers import log_in
from tests.services.test_hospital import Desk

AGUS = "9972013005720001"
NOTIFY = "/api/v1/consent-notifications"


@pytest.fixture
async def desk(services: Services) -> AsyncIterator[Desk]:
    yield Desk(services)


def _stay() -> dict[str, Any]:
    return {"service": "inpatient", "icd10": "A91", "requested_class": "1"}


async def test_an_admission_waits_for_the_patient_before_asking_anyone(desk: Desk) -> None:
    asked = await desk.admit("patient", approve=False)
    assert asked.status_code == 202, asked.text
    body = asked.json()
    assert (body["status"], body["consent"]["status"]) == ("AWAITING_CONSENT", "PENDING")
    assert desk.called() == [("identity", "POST", "/v1/consent-requests")]
    app = await log_in(desk.services, AGUS)
    [note] = (await app.get("/ikd/v1/notifications")).json()
    assert "hospital" in note["body"] and body["admission_id"] in note["body"]


async def test_her_approval_runs_the_admission_to_all_four_back_ends(desk: Desk) -> None:
    admitted = await desk.admit("patient", **_stay())
    assert admitted.status_code == 200, admitted.text
    body = admitted.json()
    assert body["status"] == "ADMITTED" and body["consent"]["status"] == "ACTIVE"
    assert body["bill"]["reason"] == "class_upgrade" and body["bill"]["amount"] > 0
    reached = {c[0] for c in desk.called()}
    assert reached == {"identity", "records", "insurance", "bank"}
    # Every call about her to records and insurance quoted the consent she approved.
    quoted = [
        dict(c.request_headers).get("x-consent-id")
        for c in desk.services.calls
        if c.caller == "hospital" and c.callee in {"records", "insurance"} and "token" not in c.path
    ]
    assert quoted and set(quoted) == {body["consent"]["consent_id"]}
    # ...and both checked it at the registry.
    checkers = {c.caller for c in desk.services.calls if c.path == "/v1/consent-introspection"}
    assert checkers == {"records", "insurance"}


async def test_declining_rejects_the_admission_unasked(desk: Desk) -> None:
    asked = await desk.admit("patient", approve=False)
    await desk.approve(AGUS, verb="decline")
    read = await desk.finished(asked.json()["admission_id"])
    assert read.json()["status"] == "REJECTED"
    assert read.json()["consent"]["status"] == "DECLINED"
    assert {c[0] for c in desk.called()} == {"identity"}
    assert "/v1/verify" not in [c[2] for c in desk.called()]


async def test_revoking_on_her_phone_stops_the_next_step(desk: Desk) -> None:
    admitted = (await desk.admit("patient")).json()
    app = await log_in(desk.services, AGUS)
    await app.delete(f"/ikd/v1/consents/{admitted['consent']['consent_id']}")
    await desk.services.settle()  # the registry's webhook tells the desk
    desk.services.calls.clear()
    refused = await desk.client.post(
        f"/api/v1/admissions/{admitted['admission_id']}/diagnoses",
        json={"icd10": "A91"},
        headers={"Authorization": f"Bearer {desk.token}"},
    )
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "consent_refused"
    assert "revoked" in refused.json()["message"] and "IKD" in refused.json()["message"]
    assert desk.called() == []  # the desk knew; it asked nobody


async def test_a_revocation_holds_at_once_without_its_webhook(desk: Desk) -> None:
    """The desk asks the registry afresh before a later step: no webhook delivered, records'
    short cache of "yes" still warm, and the step is refused all the same."""
    admitted = (await desk.admit("patient")).json()
    app = await log_in(desk.services, AGUS)
    await app.delete(f"/ikd/v1/consents/{admitted['consent']['consent_id']}")
    desk.services.calls.clear()
    refused = await desk.client.post(
        f"/api/v1/admissions/{admitted['admission_id']}/diagnoses",
        json={"icd10": "A91"},
        headers={"Authorization": f"Bearer {desk.token}"},
    )
    assert refused.status_code == 403, refused.text
    assert "revoked her consent" in refused.json()["message"]
    assert desk.row(admitted["admission_id"])["consent_status"] == "REVOKED"
    consent_id = admitted["consent"]["consent_id"]
    assert desk.called() == [("identity", "GET", f"/v1/consents/{consent_id}")]


async def test_a_diagnosis_with_her_consent_is_added(desk: Desk) -> None:
    admitted = (await desk.admit("patient")).json()
    added = await desk.client.post(
        f"/api/v1/admissions/{admitted['admission_id']}/diagnoses",
        json={"icd10": "A91"},
        headers={"Authorization": f"Bearer {desk.token}"},
    )
    assert added.status_code == 200, added.text
    assert added.json()["records"]["condition_id"] != admitted["records"]["condition_id"]


async def test_a_lost_approval_webhook_is_caught_when_the_clerk_looks(desk: Desk) -> None:
    asked = await desk.admit("patient", approve=False)
    app = await log_in(desk.services, AGUS)
    [pending] = (await app.get("/ikd/v1/consent-requests")).json()
    await app.post(f"/ikd/v1/consent-requests/{pending['request_id']}/approve")
    outbox = desk.services.apps["identity"].state.outbox
    outbox.db.execute("UPDATE _outbox SET next_at = NULL")  # the webhook is never delivered
    admission_id = asked.json()["admission_id"]
    # At first the desk leaves the registry its chance to tell: it does not ask.
    early = await desk.finished(admission_id)
    assert early.json()["status"] == "AWAITING_CONSENT"
    assert ("identity", "GET", f"/v1/consent-requests/{pending['request_id']}") not in desk.called()
    desk.services.clock.advance(WEBHOOK_GRACE_SECONDS)
    read = await desk.finished(admission_id)
    assert read.json()["status"] == "ADMITTED"
    assert ("identity", "GET", f"/v1/consent-requests/{pending['request_id']}") in desk.called()


async def test_after_a_reset_the_registry_tells_the_desk_again(desk: Desk) -> None:
    # Request ids start again after a reset, and so do the webhooks' event ids: the registry
    # must forget the webhooks it sent before, or it would take the new one for a repeat.
    assert (await desk.admit("patient")).status_code == 200
    for name in ("identity", "hospital", "records", "insurance", "bank"):
        desk.services.apps[name].state.store.reset(seed_for(name, desk.world))
    again = await desk.admit("patient")
    assert again.status_code == 200, again.text
    assert ("hospital", "POST", "/api/v1/consent-notifications") in desk.called("identity")


# --- the webhook endpoint ----------------------------------------------------------------------


def _signed(desk: Desk, body: bytes, secret: str | None = None) -> dict[str, str]:
    creds = desk.world["partners"]["identity"]["hospital"]
    ts, nonce = timestamp(desk.services.clock()), secrets.token_hex(8)
    return {
        "X-Client-Id": creds["client_id"],
        "X-Timestamp": ts,
        "X-Nonce": nonce,
        "X-Signature": registry.signature(
            secret or creds["client_secret"], "POST", NOTIFY, body, ts, nonce
        ),
        "content-type": "application/json",
    }


async def test_a_forged_consent_webhook_is_refused(desk: Desk) -> None:
    asked = (await desk.admit("patient", approve=False)).json()
    event = {
        "event_id": "EVT-forged",
        "type": "consent_request.approved",
        "request_id": asked["consent"]["request_id"],
        "consent_id": "CNS-20240301-000099",
    }
    raw = json.dumps(event).encode()
    forged = await desk.services.client("hospital", "mallory").post(
        NOTIFY, content=raw, headers=_signed(desk, raw, secret="not-the-secret")
    )
    assert forged.status_code == 401
    assert desk.row(asked["admission_id"])["status"] == "AWAITING_CONSENT"


@pytest.mark.parametrize(
    "raw",
    [b"", b"[]", b'{"event_id": 7}', b"\xff\xfe", '{"event_id": "\u202e"}'.encode(), b"x" * 20000],
)
async def test_a_signed_but_malformed_webhook_is_a_400(desk: Desk, raw: bytes) -> None:
    response = await desk.services.client("hospital", "identity-ish").post(
        NOTIFY, content=raw, headers=_signed(desk, raw)
    )
    assert response.status_code in {200, 400}, response.text
    if response.status_code == 200:  # a well-formed but unknown event is acknowledged
        assert response.json()["result"] in {"unknown_request", "ignored"}


async def test_a_repeated_webhook_is_applied_once(desk: Desk) -> None:
    asked = (await desk.admit("patient", approve=False)).json()
    event = {
        "event_id": "EVT-twice",
        "type": "consent_request.declined",
        "request_id": asked["consent"]["request_id"],
    }
    raw = json.dumps(event).encode()
    client = desk.services.client("hospital", "replayer")
    first = await client.post(NOTIFY, content=raw, headers=_signed(desk, raw))
    again = await client.post(NOTIFY, content=raw, headers=_signed(desk, raw))
    assert (first.json()["result"], again.json()["result"]) == ("consent_declined", "duplicate")
