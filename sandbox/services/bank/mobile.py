"""The bank's own mobile app API: log in, see the balance, pay a VA, transfer, open an account,
and see or end the merchants her account is bound to (direct debit).

People (not partners) call these endpoints, so errors are plain `{code, message}`. Endpoints
that move money require an `Idempotency-Key` header: a phone that lost the answer sends the
same request with the same key again and must not pay twice.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Response

from sandbox.dialects import schemes
from sandbox.framework.contract import ENFORCED, secured
from sandbox.framework.errors import ApiError
from sandbox.services.bank import binding, kyc, payments, rules, sessions
from sandbox.services.bank.context import Bank
from sandbox.services.bank.schemas import (
    AccountApplication,
    AccountView,
    BindingView,
    RegistrationRequest,
    SessionRequest,
    SessionResponse,
    TransferRequest,
    TransferResponse,
    VaInquiryRequest,
    VaInquiryResponse,
    VaPaymentRequest,
    VaPaymentResponse,
)

router = APIRouter(prefix="/mobile/v1", tags=["mobile app (customers)"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=64,
        description="A fresh random key per payment; resend the same key only to retry it.",
        json_schema_extra=ENFORCED,
    ),
]


@secured(schemes.SESSION)
async def logged_in(bank: Bank, authorization: Annotated[str | None, Header()] = None) -> str:
    """Dependency: the account number of the logged-in customer."""
    return sessions.customer(bank, authorization)


Customer = Annotated[str, Depends(logged_in)]
"""Endpoint parameter type: the logged-in customer's account number."""


def _required_key(key: str | None) -> str:
    if not key:
        raise ApiError(
            400,
            "missing_idempotency_key",
            "Header Idempotency-Key is required for "
            "payments (a random string up to 64 characters; reuse it only to retry "
            "the same payment).",
        )
    return key


@router.post(
    "/sessions",
    status_code=201,
    response_model=SessionResponse,
    summary="Log in with account number and PIN",
)
@secured(schemes.PIN_LOGIN)
async def log_in(body: SessionRequest, bank: Bank) -> dict[str, Any]:
    """Five wrong PINs in a row lock the account."""
    return await sessions.log_in(bank, body)


@router.get("/accounts/me", response_model=AccountView, summary="My account and balance")
async def my_account(account_no: Customer, bank: Bank) -> dict[str, Any]:
    """The logged-in customer's account."""
    account = bank.store.account(account_no)
    assert account is not None
    return {
        "account_no": account["account_no"],
        "name": account["name"],
        "balance": account["balance"],
    }


@router.post(
    "/va-inquiries",
    response_model=VaInquiryResponse,
    summary="Look up a virtual account before paying it",
)
async def va_inquiry(body: VaInquiryRequest, _: Customer, bank: Bank) -> dict[str, Any]:
    """Who is billing, how much, and whether it can still be paid."""
    va = bank.store.va_by_digits(rules.va_digits(body.virtual_account_no))
    if va is None:
        raise ApiError(
            404,
            "va_not_found",
            f"No virtual account {body.virtual_account_no.strip()}"
            "; check the number on the checkout page.",
        )
    return {
        "virtual_account_no": va["virtual_account_no"],
        "name": va["name"],
        "amount": va["amount"],
        "status": rules.va_state(va["status"], va["expires_at"], bank.clock()),
        "expires_at": rules.wib_iso(va["expires_at"]),
    }


def replayable(what: str) -> dict[str, Any]:
    """The 201 of a payment that a retry with the same key gets again, marked as a replay."""
    return {
        "description": f"The {what}; the same key again gets this first answer back, and no "
        "money moves.",
        "headers": {
            "Idempotent-Replayed": {
                "description": "`true` when this is the first answer again (a retry).",
                "schema": {"type": "string", "enum": ["true"]},
            }
        },
    }


@router.post(
    "/va-payments",
    status_code=201,
    response_model=VaPaymentResponse,
    responses={201: replayable("payment")},
    summary="Pay a virtual account (Idempotency-Key required)",
)
async def pay_va(
    body: VaPaymentRequest,
    response: Response,
    account_no: Customer,
    bank: Bank,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """201 for a new payment; the same request again: 201 with the first result and
    `Idempotent-Replayed: true`, and no money moves."""
    outcome = payments.pay_va(bank, account_no, _required_key(idempotency_key), body)
    return outcome.answer(response)


@router.post(
    "/transfers",
    status_code=201,
    response_model=TransferResponse,
    responses={201: replayable("transfer")},
    summary="Transfer to another account (Idempotency-Key required)",
)
async def transfer(
    body: TransferRequest,
    response: Response,
    account_no: Customer,
    bank: Bank,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """201 for a new transfer; the same request again: 201 with the first result and
    `Idempotent-Replayed: true`, and no money moves."""
    outcome = payments.transfer(bank, account_no, _required_key(idempotency_key), body)
    return outcome.answer(response)


@router.get(
    "/bindings",
    response_model=list[BindingView],
    summary="Merchants that may debit my account (direct debit), newest first",
)
async def my_bindings(account_no: Customer, bank: Bank) -> list[dict[str, Any]]:
    """Active bindings, and those ended by her, by the merchant or by a newer binding."""
    return [binding.view(bank, b) for b in bank.store.bindings_of(account_no)]


@router.delete(
    "/bindings/{binding_id}",
    response_model=BindingView,
    summary="Stop a merchant debiting my account",
)
async def end_binding(
    account_no: Customer, bank: Bank, binding_id: Annotated[int, Path(ge=1, lt=2**62)]
) -> dict[str, Any]:
    """The merchant's next debit with its token is refused, saying she unbound it."""
    found = bank.store.binding_by_id(binding_id)
    if (
        found is None
        or found["account_no"] != account_no
        or found["status"] not in ("ACTIVE", "REVOKED")
    ):
        raise ApiError(
            404,
            "binding_not_found",
            f"No binding {binding_id} on your account; see GET /mobile/v1/bindings.",
        )
    with bank.store.atomic():
        binding.unbind(bank, found, "customer", bank.clock())
    ended = bank.store.binding_by_id(binding_id)
    assert ended is not None
    return binding.view(bank, ended)


@router.post(
    "/registrations",
    status_code=202,
    response_model=AccountApplication,
    response_model_exclude_none=True,
    summary="Apply for an account: approve the identity check in your IKD app",
)
async def register(body: RegistrationRequest, bank: Bank) -> dict[str, Any]:
    """202: the bank asked the civil registry to put a consent request in your IKD app. Once
    you approved, open the application (`GET .../{application_id}`)."""
    return await kyc.register(bank, body)


@router.get(
    "/registrations/{application_id}",
    response_model=AccountApplication,
    response_model_exclude_none=True,
    summary="How an account application went: waiting, opened or rejected",
)
async def registration(
    application_id: Annotated[str, Path(max_length=40, pattern=r"^KYC-[0-9a-f]{24}$")],
    bank: Bank,
    response: Response,
) -> dict[str, Any]:
    """202 while you have not answered; 200 OPENED with the account, or 200 REJECTED with
    why (you declined, the request expired, or the registry did not confirm the details)."""
    view = await kyc.application(bank, application_id)
    if view["status"] in ("AWAITING_CONSENT", "VERIFYING"):
        response.status_code = 202
    return view
