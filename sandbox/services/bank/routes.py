"""SNAP endpoints for billers: B2B token, create VA, VA status, delete VA.

Every transaction endpoint depends on `snap_caller(...)`, which checks the token and signature
before the body is even validated, so a stranger learns nothing about our field rules.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from sandbox.dialects.snap import SNAP_TOKEN, SNAP_TRANSACTION
from sandbox.framework.contract import secured
from sandbox.services.bank import auth, errors, rules
from sandbox.services.bank.auth import Caller, Partner
from sandbox.services.bank.context import Bank, BankContext
from sandbox.services.bank.schemas import (
    CreateVaRequest,
    DeleteVaRequest,
    StatusRequest,
    TokenRequest,
    TokenResponse,
    VaResponse,
)

router = APIRouter(tags=["SNAP (billers)"])


def snap_caller(service: str) -> Callable[..., Awaitable[Caller]]:
    """A dependency verifying a SNAP transaction for service code `service`."""

    @secured(SNAP_TRANSACTION)
    async def verified(request: Request, bank: Bank) -> Caller:
        bank.refresh_partners()
        now = bank.clock()
        caller = await auth.verify_transaction(request, service, bank.store, bank.partners, now)
        # Throttled after we know who calls, before its X-EXTERNAL-ID is claimed (throttle.py).
        bank.throttle.check(caller.partner.name, bank.rate_limit, service, now)
        return caller

    return verified


CreateVaCaller = Annotated[Caller, Depends(snap_caller("27"))]
StatusCaller = Annotated[Caller, Depends(snap_caller("26"))]
DeleteVaCaller = Annotated[Caller, Depends(snap_caller("31"))]


@router.post(
    "/v1.0/access-token/b2b",
    response_model=TokenResponse,
    summary="Get a B2B access token (SNAP service 73)",
)
@secured(SNAP_TOKEN)
async def access_token(body: TokenRequest, request: Request, bank: Bank) -> dict[str, Any]:
    """Headers X-CLIENT-KEY, X-TIMESTAMP, X-SIGNATURE; the token lasts 900 seconds."""
    bank.refresh_partners()  # a biller registered a moment ago is known now
    token = auth.issue_token(request, bank.store, bank.partners, bank.clock())
    return {
        **errors.success("73"),
        "accessToken": token,
        "tokenType": "Bearer",
        "expiresIn": str(auth.TOKEN_SECONDS),
    }


def _check_va_number(
    service: str,
    partner: Partner,
    partner_service_id: str,
    customer_no: str,
    virtual_account_no: str,
) -> None:
    """The VA number must be the caller's own prefix followed by the customer number."""
    if partner_service_id != partner.partner_service_id:
        raise errors.invalid_format(
            service,
            "partnerServiceId",
            f"partnerServiceId must be "
            f"your own prefix '{partner.partner_service_id}' (8 "
            "characters, left-padded with spaces).",
        )
    expected = rules.va_number(partner_service_id, customer_no)
    if virtual_account_no != expected:
        raise errors.invalid_format(
            service,
            "virtualAccountNo",
            f"virtualAccountNo must be partnerServiceId + customerNo, i.e. '{expected}'.",
        )


def claim(
    bank: BankContext,
    caller: Caller,
    service: str,
    path: str,
    now: float,
    status_path: str = "/v1.0/transfer-va/status",
) -> None:
    """Use up today's X-EXTERNAL-ID (inside the request's transaction) or answer 409.

    `status_path`: where the partner asks what became of the first request.
    """
    if not bank.store.claim_external_id(
        caller.partner.client_key, caller.external_id, rules.wib_day(now), path, now
    ):
        raise errors.conflict(
            service,
            f"X-EXTERNAL-ID {caller.external_id} was already used "
            f"today; nothing was done. Ask {status_path} before "
            "retrying, and use a new X-EXTERNAL-ID for each request.",
        )


def _owned_va(
    bank: BankContext, service: str, partner: Partner, virtual_account_no: str
) -> dict[str, Any]:
    """The caller's VA by number; another biller's VA is "not found", not "forbidden"."""
    va = bank.store.va(virtual_account_no)
    if va is None or va["partner"] != partner.name:
        raise errors.va_not_found(
            service, f"No virtual account '{virtual_account_no}' for this biller."
        )
    return va


def _va_data(va: dict[str, Any], now: float, with_payment: bool) -> dict[str, Any]:
    """The SNAP `virtualAccountData` of a stored VA."""
    data: dict[str, Any] = {
        "partnerServiceId": va["partner_service_id"],
        "customerNo": va["customer_no"],
        "virtualAccountNo": va["virtual_account_no"],
        "virtualAccountName": va["name"],
        "trxId": va["trx_id"],
        "totalAmount": rules.format_amount(va["amount"]),
        "expiredDate": va["expired_date"],
        "additionalInfo": va["additional_info"],
    }
    if with_payment:
        state = rules.va_state(va["status"], va["expires_at"], now)
        data["paymentFlagStatus"] = rules.payment_flag(state)
        if state == "PAID":
            data.update(
                paidAmount=rules.format_amount(va["paid_amount"]),
                paymentRequestId=va["payment_request_id"],
                trxDateTime=rules.wib_iso(va["paid_at"]),
            )
    return data


@router.post(
    "/v1.0/transfer-va/create-va",
    response_model=VaResponse,
    response_model_exclude_none=True,
    summary="Create a closed virtual account (SNAP service 27)",
)
async def create_va(body: CreateVaRequest, caller: CreateVaCaller, bank: Bank) -> dict[str, Any]:
    """A closed VA: paid once, for exactly `totalAmount`, before `expiredDate`."""
    service, now = "27", bank.clock()
    _check_va_number(
        service, caller.partner, body.partner_service_id, body.customer_no, body.virtual_account_no
    )
    amount = rules.parse_amount(body.total_amount.value)
    if not amount:
        raise errors.invalid_format(
            service,
            "totalAmount.value",
            "totalAmount.value must be "
            "a positive whole rupiah amount with two decimals, e.g. "
            "'185000.00'.",
        )
    expires_at = rules.parse_expiry(body.expired_date)
    if expires_at is None:
        raise errors.invalid_format(
            service,
            "expiredDate",
            "expiredDate must be ISO-8601 with an offset, e.g. 2024-03-02T15:00:00+07:00.",
        )
    if expires_at <= now:
        raise errors.invalid_format(
            service,
            "expiredDate",
            f"expiredDate must be in the future; the bank's time is {rules.wib_iso(now)}.",
        )
    va = {
        "virtual_account_no": body.virtual_account_no,
        "digits": rules.va_digits(body.virtual_account_no),
        "partner": caller.partner.name,
        "partner_service_id": body.partner_service_id,
        "customer_no": body.customer_no,
        "name": body.virtual_account_name,
        "trx_id": body.trx_id,
        "amount": amount,
        "expired_date": body.expired_date,
        "expires_at": expires_at,
        "additional_info": body.additional_info,
        "merchant_account_no": caller.partner.account_no,
        "created_at": now,
    }
    with bank.store.atomic():
        claim(bank, caller, service, "/v1.0/transfer-va/create-va", now)
        if bank.store.va_by_digits(rules.va_digits(body.virtual_account_no)) is not None:
            raise errors.duplicate_va(
                service,
                f"Virtual account '{body.virtual_account_no}' "
                "already exists; use a new customerNo for a new bill.",
            )
        bank.store.insert_va(va)
    return {**errors.success(service), "virtualAccountData": _va_data(va, now, False)}


@router.post(
    "/v1.0/transfer-va/status",
    response_model=VaResponse,
    response_model_exclude_none=True,
    summary="Ask whether a virtual account was paid (SNAP service 26)",
)
async def va_status(body: StatusRequest, caller: StatusCaller, bank: Bank) -> dict[str, Any]:
    """paymentFlagStatus "00" paid, "01" unpaid, "02" expired or deleted."""
    service, now = "26", bank.clock()
    _check_va_number(
        service, caller.partner, body.partner_service_id, body.customer_no, body.virtual_account_no
    )
    with bank.store.atomic():
        claim(bank, caller, service, "/v1.0/transfer-va/status", now)
        va = _owned_va(bank, service, caller.partner, body.virtual_account_no)
    return {**errors.success(service), "virtualAccountData": _va_data(va, now, True)}


@router.delete(
    "/v1.0/transfer-va/delete-va",
    response_model=VaResponse,
    response_model_exclude_none=True,
    summary="Cancel an unpaid virtual account (SNAP service 31)",
)
async def delete_va(body: DeleteVaRequest, caller: DeleteVaCaller, bank: Bank) -> dict[str, Any]:
    """After this the VA can no longer be paid; a paid VA cannot be deleted."""
    service, now = "31", bank.clock()
    _check_va_number(
        service, caller.partner, body.partner_service_id, body.customer_no, body.virtual_account_no
    )
    with bank.store.atomic():
        claim(bank, caller, service, "/v1.0/transfer-va/delete-va", now)
        va = _owned_va(bank, service, caller.partner, body.virtual_account_no)
        if va["status"] in ("DELETED", "REVERSED"):
            raise errors.va_not_found(
                service, f"Virtual account '{body.virtual_account_no}' was already deleted."
            )
        if va["status"] == "PAID":
            raise errors.paid_bill(
                service,
                "This virtual account is already paid and cannot "
                "be deleted; refund the customer instead.",
            )
        if va["trx_id"] != body.trx_id:
            raise errors.va_not_found(
                service, f"trxId '{body.trx_id}' does not match this virtual account's trxId."
            )
        bank.store.mark_va_deleted(body.virtual_account_no, now)
    return {**errors.success(service), "virtualAccountData": _va_data(va, now, False)}
