"""The person's IKD app (Identitas Kependudukan Digital, Dukcapil's digital ID app) endpoints.

She logs in with her NIK and PIN (`people`), sees the consent requests partners sent her,
approves or declines each, lists the consents she gave and revokes any of them. These are the
only endpoints where the *person* acts; partners never reach them (their signatures mean
nothing here) and she never reaches a partner endpoint.

Answering is a race the registry settles: approve and decline (or two phones) at the same
moment cannot both win, because answering is one conditional UPDATE inside the transaction
that also makes the consent and queues the partner's webhook.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Request

from sandbox.dialects import schemes
from sandbox.dialects.common import timestamp
from sandbox.framework.contract import secured
from sandbox.framework.errors import ApiError
from sandbox.services.identity import consent_webhooks, errors, people, rules
from sandbox.services.identity.consent_requests import consent_view, request_view
from sandbox.services.identity.consent_schemas import (
    ConsentRequestView,
    ConsentView,
    Notification,
    SessionCreated,
    SessionRequest,
)
from sandbox.services.identity.store import IdentityStore

router = APIRouter(prefix="/ikd/v1", tags=["IKD app (the person)"])
Id = Annotated[str, Path(max_length=40)]


def _store(request: Request) -> IdentityStore:
    store: IdentityStore = request.app.state.store
    return store


def _now(request: Request) -> float:
    now: float = request.app.state.clock()
    return now


def _wrong() -> ApiError:
    # One message whether the NIK is unknown, has no IKD, or the PIN is wrong: the login
    # must not tell a stranger who uses IKD.
    return errors.unauthorized("wrong_credentials", "NIK or PIN is wrong.")


def _locked() -> ApiError:
    return errors.forbidden(
        "ikd_locked",
        f"IKD is locked after {people.MAX_WRONG_PINS} wrong PINs in a row; reactivate it at "
        "the civil registry office (in the sandbox: `sandbox reset`).",
    )


@secured(schemes.IKD_SESSION)
async def person(
    request: Request, authorization: Annotated[str | None, Header(max_length=200)] = None
) -> str:
    """FastAPI dependency: the NIK behind `Authorization: Bearer <session_token>`, or 401."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise errors.unauthorized(
            "missing_session", "Log in first (POST /ikd/v1/sessions) and send the session token."
        )
    nik = _store(request).people.session_nik(people.token_hash(token), _now(request))
    if nik is None:
        raise errors.unauthorized("invalid_session", "This session is unknown or has expired.")
    return nik


Person = Annotated[str, Depends(person)]


@router.post(
    "/sessions", status_code=201, response_model=SessionCreated, summary="Log in with NIK and PIN"
)
@secured(schemes.IKD_LOGIN)
async def log_in(body: SessionRequest, request: Request) -> SessionCreated:
    """A 15-minute session. Five wrong PINs in a row lock the app."""
    store, now = _store(request), _now(request)
    account = store.people.account(body.nik)
    if account is None:
        raise _wrong()
    if account["wrong_pins"] >= people.MAX_WRONG_PINS:
        raise _locked()
    # About 40 ms of hashing, off the event loop so the other institutions keep serving.
    if not await asyncio.to_thread(people.pin_matches, body.pin, account["pin_hash"]):
        if store.people.wrong_pin(body.nik) >= people.MAX_WRONG_PINS:
            raise _locked()
        raise _wrong()
    token = people.new_session_token()
    store.people.right_pin(body.nik, people.token_hash(token), now + people.SESSION_SECONDS)
    return SessionCreated(session_token=token, expires_in=people.SESSION_SECONDS)


@router.get(
    "/consent-requests",
    response_model=list[ConsentRequestView],
    summary="Consent requests waiting for my answer",
)
async def pending(nik: Person, request: Request) -> list[ConsentRequestView]:
    """Oldest first; a request nobody answered in 15 minutes is no longer shown."""
    now = _now(request)
    return [request_view(r, now) for r in _store(request).people.pending_for(nik, now)]


def _mine(store: IdentityStore, request_id: str, nik: str) -> dict[str, object]:
    row = store.people.request(request_id)
    if row is None or row["nik"] != nik:  # someone else's request is "not found" to her
        raise errors.not_found(
            "consent_request_not_found", f"You have no consent request {request_id!r}."
        )
    return row


def _not_pending(row: dict[str, object], now: float) -> ApiError:
    status = rules.request_status(row, now)
    message = f"This request is {status}; it can no longer be answered."
    if status == "EXPIRED":
        return errors.conflict("consent_request_expired", message)
    return errors.conflict("consent_request_answered", message)


@router.post(
    "/consent-requests/{request_id}/approve",
    status_code=201,
    response_model=ConsentView,
    summary="Approve a request: the consent is made",
)
async def approve(request_id: Id, nik: Person, request: Request) -> ConsentView:
    """Creates the consent (24 hours from now) and tells the partner by webhook."""
    store, now, app = _store(request), _now(request), request.app
    row = _mine(store, request_id, nik)
    with store.db.atomic():
        if not store.people.answer(request_id, "APPROVED", now):
            raise _not_pending(row, now)
        consent_id = store.people.grant(
            row, f"CNS-{rules.wib_day(now)}-{{seq:06d}}", now, now + rules.CONSENT_SECONDS
        )
        consent = store.consent(consent_id)
        assert consent is not None
        consent_webhooks.announce(app.state.outbox, app.state.consent_webhooks, row, consent, now)
    app.state.outbox.kick()
    return consent_view(consent, now)


@router.post(
    "/consent-requests/{request_id}/decline",
    response_model=ConsentRequestView,
    summary="Decline a request: no consent is made",
)
async def decline(request_id: Id, nik: Person, request: Request) -> ConsentRequestView:
    """The partner is told by webhook; it may not verify her or reach her records."""
    store, now, app = _store(request), _now(request), request.app
    row = _mine(store, request_id, nik)
    with store.db.atomic():
        if not store.people.answer(request_id, "DECLINED", now):
            raise _not_pending(row, now)
        consent_webhooks.announce(app.state.outbox, app.state.consent_webhooks, row, None, now)
    app.state.outbox.kick()
    answered = store.people.request(request_id)
    assert answered is not None
    return request_view(answered, now)


@router.get("/consents", response_model=list[ConsentView], summary="The consents I gave")
async def my_consents(nik: Person, request: Request) -> list[ConsentView]:
    """Newest first, active, revoked and expired alike."""
    now = _now(request)
    return [consent_view(c, now) for c in _store(request).people.consents_of(nik)]


@router.delete(
    "/consents/{consent_id}", response_model=ConsentView, summary="Revoke a consent I gave"
)
async def revoke(consent_id: Id, nik: Person, request: Request) -> ConsentView:
    """From now on the registry, the records platform and the insurer refuse it. Revoking
    twice is harmless: the first time is kept, and the partner is told once."""
    store, now, app = _store(request), _now(request), request.app
    with store.db.atomic():
        before = store.consent(consent_id)
        if before is None or not store.people.revoke(consent_id, nik, now):
            raise errors.not_found("consent_not_found", f"You gave no consent {consent_id!r}.")
        consent = store.consent(consent_id)
        assert consent is not None
        if before["withdrawn_at"] is None:
            consent_webhooks.announce_revoked(
                app.state.outbox, app.state.consent_webhooks, consent, now
            )
    app.state.outbox.kick()
    return consent_view(consent, now)


@router.get("/notifications", response_model=list[Notification], summary="What my IKD app was told")
async def notifications(nik: Person, request: Request) -> list[Notification]:
    """Oldest first, each with its request's status now."""
    now = _now(request)
    return [
        Notification(
            notification_id=n["notification_id"],
            request_id=n["request_id"],
            title=n["title"],
            body=n["body"],
            status=rules.request_status({"status": n["status"], "expires_at": _expiry(n, now)}, now)
            if n["status"]
            else None,
            created_at=timestamp(n["created_at"]),
        )
        for n in _store(request).people.notifications(nik)
    ]


def _expiry(note: dict[str, object], now: float) -> float:
    created = note["created_at"]
    assert isinstance(created, float | int)
    return float(created) + rules.REQUEST_SECONDS
