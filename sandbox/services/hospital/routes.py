"""The front desk's endpoints: admissions for desk staff, payment notifications for the bank.

Desk staff log in with `Authorization: Bearer <desk token>`. The bank proves itself with the
SNAP notification signature instead (see `notifications.py`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request, Response

from sandbox.services.hospital import admissions, errors, rules
from sandbox.services.hospital.admissions import Desk
from sandbox.services.hospital.notifications import BankNotifications
from sandbox.services.hospital.schemas import (
    AdmissionRequest,
    AdmissionSummary,
)
from sandbox.services.hospital.store import HospitalStore
from sandbox.wire import schemes, snap_payment
from sandbox.wire.contract import secured
from sandbox.wire.snap_payment import PaymentAck

router = APIRouter()


@secured(schemes.DESK)
async def desk_staff(request: Request) -> dict[str, Any]:
    """FastAPI dependency: the clerk behind `Authorization: Bearer <desk token>`, or a 401."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.unauthorized(
            "missing_token",
            "Header 'Authorization: Bearer <desk token>' is required; each desk clerk has a token.",
        )
    store: HospitalStore = request.app.state.store
    # Looked up by hash: the database never holds a usable token, and comparing fixed-length
    # hashes in SQL leaks nothing useful about the token through timing.
    staff = store.staff_by_token_hash(rules.token_hash(token.strip()))
    if staff is None:
        raise errors.unauthorized("invalid_token", "The desk token is unknown or revoked.")
    return staff


Staff = Annotated[dict[str, Any], Depends(desk_staff)]


@router.post(
    "/api/v1/admissions",
    status_code=201,
    response_model=AdmissionSummary,
    tags=["admissions"],
    summary="Admit a patient: identity, records, insurance and billing in one action",
    responses={
        409: {"description": "The first request with this Idempotency-Key is still running"},
        422: {
            "description": "The civil registry did not confirm the patient, a class the rules "
            "do not allow, or an Idempotency-Key reused for another request"
        },
        502: {"description": "A back end failed; the admission is stored as INCOMPLETE"},
    },
)
async def admit(
    body: AdmissionRequest,
    staff: Staff,
    request: Request,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=64,
            description="Send the same key when you retry: you get the first admission (and "
            "its one bill) back, resumed if a back end had stopped it.",
        ),
    ] = None,
) -> dict[str, Any]:
    """Verify at identity, open the visit at records, check insurance, bill the rest."""
    desk: Desk = request.app.state.desk
    row, replayed = await admissions.admit(desk, body, staff, idempotency_key)
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return admissions.summary(row, name=body.name)


@router.get(
    "/api/v1/admissions/{admission_id}",
    response_model=AdmissionSummary,
    tags=["admissions"],
    summary="One admission (references and statuses only)",
)
async def get_admission(
    admission_id: Annotated[str, Path(max_length=40)], staff: Staff, request: Request
) -> dict[str, Any]:
    """The stored admission; the patient's name is not stored here, so it comes back empty."""
    store: HospitalStore = request.app.state.store
    row = store.admission(admission_id)
    if row is None or row["hospital_code"] != staff["hospital_code"]:
        raise errors.not_found(
            "admission_not_found", f"No admission {admission_id!r} at this hospital."
        )
    return admissions.summary(row)


@router.post(
    "/v1.0/transfer-va/payment",
    response_model=PaymentAck,
    tags=["bank (SNAP)"],
    summary="Payment notification from the bank (SNAP service 25)",
    openapi_extra=snap_payment.openapi_body(),
)
@secured(schemes.SNAP_NOTIFICATION)
async def payment_notification(request: Request) -> dict[str, Any]:
    """Mark a bill PAID; a duplicate paymentRequestId is acknowledged again without effect."""
    # Read raw on purpose: the signature covers the exact bytes the bank sent.
    raw = await request.body()
    gate: BankNotifications = request.app.state.bank_notifications
    gate.verify(request.method, request.url.path, request.headers, raw)
    note = gate.parse(raw)
    code, message = gate.record(note)
    return snap_payment.ack(note, code, message)
