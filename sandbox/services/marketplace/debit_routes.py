"""Endpoints of paying with Bank Contoh inside the checkout (direct debit), its refunds, and
the bank's debit notification. Thin like the others: check, delegate to `DirectDebits`, answer.

- the buyer (inside the storefront app): `POST /checkout/{token}/direct-debit` and
  `POST /checkout/{token}/direct-debit/otp`, each with an Idempotency-Key;
- a channel partner: `POST /api/v2/fs/{fs_id}/orders/{order_id}/refunds`;
- the bank: `POST /v1.0/debit/notify` (SNAP service 56).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request, Response
from pydantic import BaseModel, ValidationError

from sandbox.dialects.snap import SNAP_NOTIFICATION
from sandbox.dialects.snap import payment as snap_payment
from sandbox.framework.contract import ENFORCED, secured
from sandbox.services.marketplace import errors
from sandbox.services.marketplace.auth import BankNotifications
from sandbox.services.marketplace.debits import Answer, DirectDebits
from sandbox.services.marketplace.routes import ChannelPartner
from sandbox.services.marketplace.schemas import (
    DebitNotification,
    DirectDebitAnswer,
    DirectDebitCode,
    DirectDebitStart,
    RefundCreate,
    RefundMade,
)
from sandbox.wire import attribution

router = APIRouter()
CheckoutToken = Annotated[str, Path(max_length=64)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=64,
        description="A new random key per step; the same key again only to retry that step.",
        json_schema_extra=ENFORCED,
    ),
]
OTP_SENT: dict[int | str, dict[str, Any]] = {
    202: {"model": DirectDebitAnswer, "description": "Bank Contoh texted her a code"}
}


def _debits(request: Request) -> DirectDebits:
    debits: DirectDebits = request.app.state.debits
    return debits


async def _once(
    response: Response,
    debits: DirectDebits,
    checkout_token: str,
    idempotency_key: str | None,
    step: str,
    body: BaseModel,
    act: Callable[[], Awaitable[Answer]],
) -> dict[str, Any]:
    """One checkout step under its Idempotency-Key: the first answer, again on a retry."""
    fields = body.model_dump()
    status, answer = await debits.once(checkout_token, idempotency_key, step, fields, act)
    response.status_code = status
    return answer


@router.post(
    "/checkout/{checkout_token}/direct-debit",
    response_model=DirectDebitAnswer,
    responses=OTP_SENT,
    tags=["checkout"],
    summary="Pay with Bank Contoh: debit her bound account, or bind it (her phone) first",
)
async def pay_with_bank(
    request: Request,
    response: Response,
    checkout_token: CheckoutToken,
    body: DirectDebitStart,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """200 PAID, or 202 OTP_SENT: the bank texted her a code to type at `.../otp`."""
    debits = _debits(request)
    return await _once(
        response,
        debits,
        checkout_token,
        idempotency_key,
        "start",
        body,
        lambda: debits.start(checkout_token, body),
    )


@router.post(
    "/checkout/{checkout_token}/direct-debit/otp",
    response_model=DirectDebitAnswer,
    responses=OTP_SENT,
    tags=["checkout"],
    summary="The code Bank Contoh texted her: confirms her binding (then pays) or this payment",
)
async def type_code(
    request: Request,
    response: Response,
    checkout_token: CheckoutToken,
    body: DirectDebitCode,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """200 PAID (or 202 when the payment itself needs one more code); 422 for a wrong code."""
    debits = _debits(request)
    return await _once(
        response,
        debits,
        checkout_token,
        idempotency_key,
        "otp",
        body,
        lambda: debits.confirm(checkout_token, body),
    )


@router.post(
    "/api/v2/fs/{fs_id}/orders/{order_id}/refunds",
    status_code=201,
    response_model=RefundMade,
    tags=["open platform"],
    summary="Refund (part of) an order paid by direct debit, through the bank",
)
async def refund_order(
    request: Request,
    response: Response,
    partner: ChannelPartner,
    order_id: Annotated[str, Path(max_length=20)],
    body: RefundCreate,
) -> dict[str, Any]:
    """201 a new refund; 200 the first answer again for the same `refund_id`."""
    status, made = await _debits(request).refund(partner, order_id, body)
    response.status_code = status
    return made


@router.post(
    "/v1.0/debit/notify",
    tags=["bank (SNAP)"],
    summary="Direct-debit notification from the bank (SNAP service 56)",
    openapi_extra=snap_payment.openapi_body(DebitNotification),
)
@secured(SNAP_NOTIFICATION)
async def debit_notification(request: Request) -> dict[str, Any]:
    # Read raw, like the VA notification: the signature covers the exact bytes the bank sent.
    raw = await request.body()
    gate: BankNotifications = request.app.state.bank_notifications
    problem = gate.problem(request.method, request.url.path, request.headers, raw)
    if problem:
        raise errors.snap56_unauthorized(*problem)
    attribution.verified(gate.bank)
    note = _parse(raw)
    code, message = _debits(request).notified(note)
    return {
        "responseCode": "2005600",
        "responseMessage": "Successful",
        "code": code,
        "message": message,
    }


def _parse(raw: bytes) -> DebitNotification:
    try:
        return DebitNotification.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "body"
        raise errors.snap56_bad_field(field, missing=first["type"] == "missing") from None
