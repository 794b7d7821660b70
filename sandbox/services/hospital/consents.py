"""The patient's answer reaches the desk: the registry's consent webhooks, and asking again.

The registry signs each webhook with the secret the desk holds there (`holds["identity"]`), in
the registry's own partner scheme, so the desk checks it with the same function a partner's
request is signed with: our client id, a fresh timestamp, then the signature in constant time.
Each event is applied once (its `event_id` is remembered); a retry is acknowledged again.

- approved: the admission waiting for her runs (identity, records, insurance, bank), quoting
  the consent; whatever happens is recorded on the admission, and the webhook is acknowledged.
- declined: the admission is REJECTED and nothing about her is asked anywhere.
- revoked: every admission quoting the consent says so; the next step that needs it stops.

A lost webhook does not leave an admission waiting forever: reading it (`GET`) asks the
registry the request's status and acts the same way (`refresh`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sandbox.dialects import registry
from sandbox.dialects.common import FRESHNESS_SECONDS, parse_timestamp
from sandbox.framework.errors import ApiError
from sandbox.services.hospital import admissions, errors
from sandbox.services.hospital.admissions import Desk
from sandbox.services.hospital.clients import BackendFailure
from sandbox.services.hospital.schemas import AdmissionRequest
from sandbox.wire import attribution

MAX_BODY = 16_384
WEBHOOK_GRACE_SECONDS = 5.0
"""How long after asking the desk waits for the registry's webhook before it asks the registry
itself. The webhook is how the registry tells the desk; asking is the fallback for a webhook that
was lost. Asking at once would race the webhook the registry is about to send (the clerk's screen
reads the admission every few seconds), so the trace would show the desk polling where the
story is a notification."""


def verify(
    desk: Desk, creds: Mapping[str, Any], path: str, headers: Mapping[str, str], body: bytes
) -> None:
    """Raise a 401 naming the problem, or return if the registry really sent this."""
    client_id = headers.get("X-Client-Id") or ""
    ts = headers.get("X-Timestamp") or ""
    nonce = headers.get("X-Nonce") or ""
    given = headers.get("X-Signature")
    if client_id != creds.get("client_id") or not ts or not nonce or not given:
        raise errors.unauthorized(
            "invalid_signature", "Consent webhooks come signed by the civil registry."
        )
    moment = parse_timestamp(ts)
    if moment is None or abs(desk.clock() - moment) > FRESHNESS_SECONDS:
        raise errors.unauthorized("stale_timestamp", "X-Timestamp is missing or not fresh.")
    expected = registry.signature(str(creds["client_secret"]), "POST", path, body, ts, nonce)
    if not registry.matches(expected, given):
        raise errors.unauthorized("invalid_signature", "X-Signature does not match the body.")
    attribution.verified("identity")  # the only other holder of our registry secret


def parse(raw: bytes) -> dict[str, Any]:
    """The webhook's JSON object, or a 400."""
    if len(raw) > MAX_BODY:
        raise errors.bad_request("invalid_body", "The webhook body is too large.")
    try:
        event = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        event = None
    if not isinstance(event, dict) or not isinstance(event.get("event_id"), str):
        raise errors.bad_request("invalid_body", "Expected a JSON object with an event_id.")
    return event


async def apply(desk: Desk, event: Mapping[str, Any]) -> str:
    """Apply one verified event; returns what was done (for the acknowledgement)."""
    if not desk.store.first_event(str(event["event_id"])[:80], desk.clock()):
        return "duplicate"
    kind = event.get("type")
    if kind == "consent.revoked":
        desk.store.consent_revoked(str(event.get("consent_id")))
        return "revoked"
    row = desk.store.admission_by_consent_request(str(event.get("request_id")))
    if row is None:
        return "unknown_request"
    if kind == "consent_request.approved":
        return await _approved(desk, row, str(event.get("consent_id") or ""))
    if kind == "consent_request.declined":
        return _closed(desk, row, "DECLINED")
    return "ignored"


async def refresh(desk: Desk, row: dict[str, Any]) -> dict[str, Any]:
    """An admission still waiting: ask the registry, in case a webhook was lost."""
    if row["status"] != "AWAITING_CONSENT" or not row["consent_request_id"]:
        return row
    waiting_since = float(row.get("updated_at") or row["created_at"])
    if desk.clock() - waiting_since < WEBHOOK_GRACE_SECONDS:
        return row  # the registry's webhook has not had its chance yet
    try:
        asked = await desk.registry.consent_request(row["consent_request_id"])
    except BackendFailure:
        return row  # the registry is away: the admission just keeps waiting
    status = asked.get("status")
    if status == "APPROVED" and asked.get("consent_id"):
        await _approved(desk, row, str(asked["consent_id"]))
    elif status in {"DECLINED", "EXPIRED"}:
        _closed(desk, row, str(status))
    fresh = desk.store.admission(row["admission_id"])
    assert fresh is not None
    return fresh


async def _approved(desk: Desk, row: Mapping[str, Any], consent_id: str) -> str:
    admission_id = row["admission_id"]
    held = desk.store.held(admission_id)
    if not consent_id or held is None or not desk.store.claim_consented(admission_id, consent_id):
        return "already_running"
    body = AdmissionRequest.model_validate_json(held)
    staff = {"staff_id": row["staff_id"], "hospital_code": row["hospital_code"]}
    try:
        await admissions.run(desk, admission_id, body, staff)
    except ApiError as stopped:
        # Nobody waits on this webhook for the answer: the admission keeps it for the clerk.
        outcome: dict[str, Any] = {k: v for k, v in stopped.extra.items() if v is not None}
        outcome["status"] = outcome.pop("admission_status", None)
        outcome.update(http_status=stopped.status, code=stopped.code, message=stopped.message)
        desk.store.update_admission(admission_id, {"outcome": json.dumps(outcome, default=str)})
    return "admission_continued"


def _closed(desk: Desk, row: Mapping[str, Any], status: str) -> str:
    """She declined, or never answered: nothing about her may be asked anywhere."""
    with desk.store.atomic():
        desk.store.update_admission(
            row["admission_id"],
            {
                "status": "REJECTED",
                "consent_status": status,
                "failure": f"consent_{status.lower()}",
                "updated_at": desk.clock(),
            },
        )
        desk.store.release(row["admission_id"])
    return f"consent_{status.lower()}"
