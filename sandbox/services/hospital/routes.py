"""The front desk's endpoints: admissions for desk staff, payment notifications for the bank.

Desk staff log in with `Authorization: Bearer <desk token>`. The bank proves itself with the
SNAP notification signature instead (see `notifications.py`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request, Response

from sandbox.dialects import schemes
from sandbox.dialects.registry import REGISTRY_WEBHOOK
from sandbox.dialects.snap import SNAP_NOTIFICATION
from sandbox.dialects.snap import payment as snap_payment
from sandbox.dialects.snap.payment import PaymentAck
from sandbox.framework.contract import secured
from sandbox.services.hospital import admissions, consents, errors, rules
from sandbox.services.hospital.admissions import Desk
from sandbox.services.hospital.notifications import BankNotifications
from sandbox.services.hospital.schemas import (
    AdmissionRequest,
    AdmissionSummary,
    ConsentAck,
    DiagnosisRequest,
)
from sandbox.services.hospital.store import HospitalStore

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
    summary="Admit a patient: her consent, then identity, records, insurance and billing",
    responses={
        202: {
            "model": AdmissionSummary,
            "description": "Waiting for the patient to approve the consent request in her IKD "
            "app; the admission continues by itself once she does",
        },
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
    """Ask the patient's consent (202 AWAITING_CONSENT); once she approves in her IKD app,
    verify at identity, open the visit at records, check insurance, bill the rest."""
    desk: Desk = request.app.state.desk
    row, replayed = await admissions.admit(desk, body, staff, idempotency_key)
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    if row["status"] == "AWAITING_CONSENT":
        response.status_code = 202
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
    """The stored admission; the patient's name is not stored here, so it comes back empty.

    One still AWAITING_CONSENT asks the registry first, in case its webhook was lost."""
    row = _admission(request, admission_id, staff)
    return admissions.summary(await consents.refresh(request.app.state.desk, row))


def _admission(request: Request, admission_id: str, staff: dict[str, Any]) -> dict[str, Any]:
    store: HospitalStore = request.app.state.store
    row = store.admission(admission_id)
    if row is None or row["hospital_code"] != staff["hospital_code"]:
        raise errors.not_found(
            "admission_not_found", f"No admission {admission_id!r} at this hospital."
        )
    return row


@router.post(
    "/api/v1/admissions/{admission_id}/diagnoses",
    response_model=AdmissionSummary,
    tags=["admissions"],
    summary="Add the doctor's diagnosis to an admitted visit (quotes the patient's consent)",
    responses={403: {"description": "The patient revoked her consent"}},
)
async def add_diagnosis(
    admission_id: Annotated[str, Path(max_length=40)],
    body: DiagnosisRequest,
    staff: Staff,
    request: Request,
) -> dict[str, Any]:
    """Records the ICD-10 code as a Condition of the visit's encounter at the health platform."""
    row = _admission(request, admission_id, staff)
    return admissions.summary(
        await admissions.add_diagnosis(request.app.state.desk, row, body.icd10)
    )


@router.post(
    "/api/v1/consent-notifications",
    response_model=ConsentAck,
    tags=["civil registry"],
    summary="The patient's answer to a consent request (webhook from the registry)",
)
@secured(REGISTRY_WEBHOOK)
async def consent_notification(request: Request) -> ConsentAck:
    """Signed by the registry with our registry secret; each event is applied once."""
    raw = await request.body()
    desk: Desk = request.app.state.desk
    consents.verify(desk, request.app.state.registry_creds, request.url.path, request.headers, raw)
    event = consents.parse(raw)
    return ConsentAck(event_id=event["event_id"], result=await consents.apply(desk, event))


@router.post(
    "/v1.0/transfer-va/payment",
    response_model=PaymentAck,
    tags=["bank (SNAP)"],
    summary="Payment notification from the bank (SNAP service 25)",
    openapi_extra=snap_payment.openapi_body(),
)
@secured(SNAP_NOTIFICATION)
async def payment_notification(request: Request) -> dict[str, Any]:
    """Mark a bill PAID; a duplicate paymentRequestId is acknowledged again without effect."""
    # Read raw on purpose: the signature covers the exact bytes the bank sent.
    raw = await request.body()
    gate: BankNotifications = request.app.state.bank_notifications
    gate.verify(request.method, request.url.path, request.headers, raw)
    note = gate.parse(raw)
    code, message = gate.record(note)
    return snap_payment.ack(note, code, message)
