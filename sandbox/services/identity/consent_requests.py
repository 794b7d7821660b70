"""Consent requests: the partner asks, the person answers in her IKD app, the partner learns.

The person's consent is hers to give. A partner (the hospital desk, the marketplace) cannot
record it itself any more: it asks the registry to put a request in front of the person
(`POST /v1/consent-requests`), the registry notifies her IKD app, she approves or declines
there (see `ikd`), and the registry tells the partner the outcome by a signed webhook, retried
until acknowledged (`consent_webhooks`). The partner may also ask the request's status at any
time, so a lost webhook never leaves it waiting forever.

Institutions that are *quoted* a consent (health records, insurance) check it here by
introspection (`POST /v1/consent-introspection`): the registry, which alone knows whether she
revoked it a minute ago, answers whether the consent covers that call.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request

from sandbox.dialects.common import timestamp
from sandbox.services.identity import consent_webhooks, errors, rules
from sandbox.services.identity.auth import Partner, authenticate_partner, require_purpose
from sandbox.services.identity.consent_schemas import (
    ConsentRequestCreate,
    ConsentRequestView,
    ConsentView,
    IntrospectionRequest,
    IntrospectionResult,
)
from sandbox.services.identity.store import IdentityStore

router = APIRouter()
PartnerDep = Annotated[Partner, Depends(authenticate_partner)]
RequestId = Annotated[str, Path(max_length=40)]


def _store(request: Request) -> IdentityStore:
    store: IdentityStore = request.app.state.store
    return store


def _now(request: Request) -> float:
    now: float = request.app.state.clock()
    return now


def request_view(row: dict[str, Any], now: float) -> ConsentRequestView:
    """A stored request as the wire shows it (the NIK by its last 4 digits only)."""
    return ConsentRequestView(
        request_id=row["request_id"],
        status=rules.request_status(row, now),
        partner=row["partner"],
        purpose=row["purpose"],
        scopes=list(row["scopes"]),
        reason=row["reason"],
        nik_last4=row["nik"][-4:],
        created_at=timestamp(row["created_at"]),
        expires_at=timestamp(row["expires_at"]),
        answered_at=timestamp(row["answered_at"]) if row["answered_at"] else None,
        consent_id=row["consent_id"],
        consent_valid_seconds=rules.CONSENT_SECONDS,
    )


def consent_view(row: dict[str, Any], now: float) -> ConsentView:
    """A stored consent as the wire shows it."""
    scopes = row["scopes"] if isinstance(row["scopes"], list) else json.loads(row["scopes"] or "[]")
    return ConsentView(
        consent_id=row["consent_id"],
        status=rules.consent_status(row, now),
        partner=row["partner"],
        purpose=row["purpose"],
        scopes=scopes,
        nik_last4=row["nik"][-4:],
        request_id=row["request_id"],
        granted_at=timestamp(row["granted_at"]),
        expires_at=timestamp(row["expires_at"]),
        revoked_at=timestamp(row["withdrawn_at"]) if row["withdrawn_at"] else None,
    )


@router.post(
    "/v1/consent-requests",
    status_code=202,
    response_model=ConsentRequestView,
    tags=["consent"],
    summary="Ask the person for consent (she answers in her IKD app)",
)
async def create_consent_request(
    body: ConsentRequestCreate, partner: PartnerDep, request: Request
) -> ConsentRequestView:
    """202: the request waits for her (15 minutes). The outcome comes by webhook to the path
    your agreement names, and `GET /v1/consent-requests/{request_id}` answers it any time.

    A well-formed NIK of someone without the IKD app is accepted too, and simply never
    answered: the endpoint must not tell a partner whether a NIK exists or who uses IKD.
    """
    store, now = _store(request), _now(request)
    require_purpose(partner, body.purpose)
    problem = rules.scope_problem(body.purpose, body.scopes)
    if problem:
        raise errors.forbidden("scope_not_allowed", problem, field="scopes")
    bad_nik = rules.nik_problem(body.nik, store.known_districts, now)
    if bad_nik is not None:
        raise errors.bad_request("invalid_nik", bad_nik, field="nik")
    day = rules.wib_day(now)
    title, text = consent_webhooks.notice(partner.name, body.purpose, body.scopes, body.reason)
    with store.db.atomic():
        request_id = store.people.add_request(
            {
                "request_id": f"CRQ-{day}-{{seq:06d}}",
                "partner": partner.name,
                "nik": body.nik,
                "purpose": body.purpose,
                "scopes": list(dict.fromkeys(body.scopes)),
                "reason": body.reason,
                "created_at": now,
                "expires_at": now + rules.REQUEST_SECONDS,
            },
            {"notification_id": "NTF-{seq:06d}", "title": title, "body": text},
        )
    row = store.people.request(request_id)
    assert row is not None
    return request_view(row, now)


@router.get(
    "/v1/consent-requests/{request_id}",
    response_model=ConsentRequestView,
    tags=["consent"],
    summary="The status of your consent request",
)
async def get_consent_request(
    request_id: RequestId, partner: PartnerDep, request: Request
) -> ConsentRequestView:
    """PENDING until she answers; APPROVED carries the `consent_id` to quote from then on."""
    row = _store(request).people.request(request_id)
    if row is None or row["partner"] != partner.name:
        raise errors.not_found(
            "consent_request_not_found", f"No consent request {request_id!r} exists for you."
        )
    return request_view(row, _now(request))


@router.get(
    "/v1/consents/{consent_id}",
    response_model=ConsentView,
    tags=["consent"],
    summary="One of your consents: whether it still holds",
)
async def get_consent(consent_id: RequestId, partner: PartnerDep, request: Request) -> ConsentView:
    """Only the partner the person gave it to may read a consent (another's is "not found")."""
    consent = _store(request).consent(consent_id)
    if consent is None or consent["partner"] != partner.name:
        raise errors.not_found("consent_not_found", f"No consent {consent_id!r} exists for you.")
    return consent_view(consent, _now(request))


@router.post(
    "/v1/consent-introspection",
    response_model=IntrospectionResult,
    tags=["consent"],
    summary="Does a consent quoted to you cover your call? (records, insurance)",
)
async def introspect(
    body: IntrospectionRequest, partner: PartnerDep, request: Request
) -> IntrospectionResult:
    """For institutions a consent is *quoted* to: 200 with `active` true or false and why.

    Like OAuth token introspection (RFC 7662), an unknown consent is simply not active, so a
    checker cannot probe for the consents of others. The subject is checked by the NIK the
    checker was asked about; the answer never names the person.
    """
    scope = rules.CHECKER_SCOPES.get(partner.name)
    if partner.purpose != rules.CONSENT_CHECK or scope is None:
        raise errors.forbidden(
            "purpose_not_allowed",
            "Consent introspection is for institutions with a CONSENT_CHECK agreement.",
        )
    store, now = _store(request), _now(request)
    consent = store.consent(body.consent_id)
    if consent is not None:
        consent = {**consent, "scopes": json.loads(consent["scopes"] or "[]")}
    problem = rules.introspection_problem(consent, body.nik, body.purpose, scope, now)
    if problem:
        return IntrospectionResult(
            consent_id=body.consent_id, active=False, code=problem[0], message=problem[1]
        )
    assert consent is not None
    return IntrospectionResult(
        consent_id=body.consent_id,
        active=True,
        partner=consent["partner"],
        scopes=consent["scopes"],
        expires_at=timestamp(consent["expires_at"]),
    )
