"""Account binding (SNAP service 07): a partner may debit a customer's account once she agreed.

1. The partner (the marketplace) sends the phone number she typed in its checkout and its own
   id for her. The bank finds her personal account by that phone, stores a PENDING binding and
   texts her a one-time code (`codes.py`). The partner learns the binding's reference, the
   masked phone and when the code expires - not her name, not her account number.
2. She types the code in the partner's checkout, never in the bank's app: still no jump. The
   partner sends it to `POST /v1.0/otp-verification` (`verification.py`); a right code makes
   the binding ACTIVE and gives the partner a token for her account (`linkageToken`). The bank
   keeps only the token's hash; the partner keeps the token, never her PIN or account number.
3. With the token in `Authorization-Customer: Bearer <token>` (SNAP's B2B2C header), the
   partner debits her account (`debit.py`).

Either side may end a binding: the partner with `POST /v1.0/registration-account-unbinding`
(service 09), the customer in the bank's app (`mobile.py`). A revoked token is refused with a
message saying so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from sandbox.dialects.snap import SNAP_CUSTOMER
from sandbox.framework.contract import secured
from sandbox.framework.errors import ApiError
from sandbox.services.bank import codes, errors, rules, sms
from sandbox.services.bank.auth import Caller
from sandbox.services.bank.context import Bank, BankContext
from sandbox.services.bank.routes import claim, snap_caller
from sandbox.services.bank.schemas import (
    BindingRequest,
    BindingResponse,
    UnbindingRequest,
    UnbindingResponse,
)

router = APIRouter(tags=["SNAP account binding and direct debit (partners)"])
BIND_PATH = "/v1.0/registration-account-binding"
UNBIND_PATH = "/v1.0/registration-account-unbinding"
CUSTOMER_HEADER = "Authorization-Customer"
"""SNAP's B2B2C header: the customer's token, besides the partner's own B2B token."""

BindingCaller = Annotated[Caller, Depends(snap_caller("07"))]


@router.post(
    BIND_PATH,
    status_code=202,
    response_model=BindingResponse,
    summary="Bind a customer's account: the bank texts her a code (SNAP service 07)",
)
async def bind(body: BindingRequest, caller: BindingCaller, bank: Bank) -> dict[str, Any]:
    """202 `2020700`: a code went to her phone; confirm it at `/v1.0/otp-verification`."""
    service, now = "07", bank.clock()
    phone = rules.phone_key(body.phone_no)
    if phone is None:
        raise errors.invalid_format(
            service,
            "phoneNo",
            "phoneNo must be a phone number of 8 to 15 digits, e.g. "
            "+62 812-0000-0001 or 081200000001.",
        )
    merchant = bank.merchant_name(caller.partner)
    with bank.store.atomic():
        claim(bank, caller, service, BIND_PATH, now)
        account = bank.store.personal_account_by_phone(phone)
        if account is None:
            raise errors.unknown_customer(
                service,
                "phone_not_registered",
                "No Bank Contoh account is registered to this phone number. The customer can "
                "check the number in her bank app, or pay another way.",
            )
        binding = bank.store.insert_binding(
            {
                "partner": caller.partner.name,
                "partner_reference_no": body.partner_reference_no,
                "customer_id": body.additional_info.customer_id,
                "account_no": account["account_no"],
                "limit_without_code": rules.LIMIT_WITHOUT_CODE,
                "created_at": now,
            }
        )
        expires_at = codes.issue(
            bank,
            binding["reference_no"],
            "binding",
            caller.partner.name,
            phone,
            lambda code: sms.binding_code(code, merchant),
            now,
        )
    return {
        **errors.in_progress(service),
        "referenceNo": binding["reference_no"],
        "partnerReferenceNo": body.partner_reference_no,
        "additionalInfo": {
            "maskedPhoneNo": rules.mask_phone(phone),
            "otpExpiresAt": rules.wib_iso(expires_at),
        },
    }


def confirm(bank: BankContext, otp: dict[str, Any], now: float) -> dict[str, Any]:
    """The code was right: activate the binding and hand the partner its token (call inside
    the transaction that used the code up). Returns the otp-verification answer's fields."""
    binding = bank.store.binding(otp["reference_no"])
    assert binding is not None and binding["status"] == "PENDING"
    token = rules.binding_token()
    bank.store.activate_binding(binding["id"], rules.token_hash(token), now)
    account = bank.store.account(binding["account_no"])
    assert account is not None
    merchant = bank.merchant_called(binding["partner"])
    notice = sms.bound_notice(account["account_no"], merchant, binding["limit_without_code"], now)
    sms.send(bank.store, account["phone"], notice, now)
    return {
        "originalReferenceNo": binding["reference_no"],
        "originalPartnerReferenceNo": binding["partner_reference_no"],
        "linkageToken": token,
        "account": bound_account(binding),
    }


def fail(bank: BankContext, otp: dict[str, Any]) -> None:
    """The attempt ended (three wrong codes, or too late): the binding never becomes active."""
    binding = bank.store.binding(otp["reference_no"])
    if binding is not None:
        bank.store.fail_binding(binding["id"])


def bound_account(binding: dict[str, Any]) -> dict[str, Any]:
    """What a partner may know of the account behind a binding."""
    return {
        "maskedAccountNo": rules.mask_account(binding["account_no"]),
        "limitWithoutOtp": rules.format_amount(binding["limit_without_code"]),
        "maxDebit": rules.format_amount(rules.MAX_DEBIT),
    }


def customer_binding(
    request: Request, bank: BankContext, caller: Caller, service: str, active: bool = True
) -> dict[str, Any]:
    """The ACTIVE binding behind `Authorization-Customer: Bearer <token>`, for this partner
    (with `active=False`, a revoked one too).

    Unknown and another partner's token are the same "invalid" answer (nobody learns about
    other partners' customers); the caller's own revoked token says it was unbound.
    """
    scheme, _, token = request.headers.get(CUSTOMER_HEADER, "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise errors.missing_field(
            service,
            CUSTOMER_HEADER,
            f"Header '{CUSTOMER_HEADER}: Bearer <linkageToken>' is required: the token the "
            "bank gave you when the customer confirmed the binding.",
        )
    binding = bank.store.binding_by_token(rules.token_hash(token))
    if binding is None or binding["partner"] != caller.partner.name:
        raise errors.invalid_customer_token(
            service,
            "The customer token is unknown to the bank for your partner id; bind "
            "the customer's account first (/v1.0/registration-account-binding).",
        )
    if active and binding["status"] != "ACTIVE":
        raise _revoked(service, binding)
    return binding


@dataclass(frozen=True, slots=True)
class Bound:
    """A verified merchant and the active binding its customer token stands for."""

    caller: Caller
    binding: dict[str, Any]


def bound_customer(service: str, active: bool = True) -> Any:
    """A dependency: the SNAP checks, then the customer token (before the body is read)."""
    verified = snap_caller(service)

    # `= Depends(...)`, not Annotated: `verified` is local, and annotations are strings here.
    @secured(SNAP_CUSTOMER)
    async def found(request: Request, bank: Bank, caller: Caller = Depends(verified)) -> Bound:  # noqa: B008
        return Bound(caller, customer_binding(request, bank, caller, service, active))

    return found


UnbindingCustomer = Annotated[Bound, Depends(bound_customer("09", active=False))]


@router.post(
    UNBIND_PATH,
    response_model=UnbindingResponse,
    summary="End a binding: the token no longer debits (SNAP service 09)",
)
async def unbind_by_partner(
    body: UnbindingRequest, bound: UnbindingCustomer, bank: Bank
) -> dict[str, Any]:
    """200 `2000900`, also for a binding that had already ended (nothing changes then)."""
    service, now = "09", bank.clock()
    with bank.store.atomic():
        claim(bank, bound.caller, service, UNBIND_PATH, now)
        unbind(bank, bound.binding, "partner", now)
    return {
        **errors.success(service),
        "referenceNo": bound.binding["reference_no"],
        "partnerReferenceNo": body.partner_reference_no,
    }


def unbind(bank: BankContext, binding: dict[str, Any], by: str, now: float) -> bool:
    """End an active binding and text her (inside a transaction); False if it had ended."""
    if not bank.store.revoke_binding(binding["id"], by, now):
        return False
    account = bank.store.account(binding["account_no"])
    assert account is not None
    merchant = bank.merchant_called(binding["partner"])
    sms.send(
        bank.store, account["phone"], sms.unbound_notice(account["account_no"], merchant, now), now
    )
    return True


def view(bank: BankContext, binding: dict[str, Any]) -> dict[str, Any]:
    """A binding as its account holder sees it in the bank's app."""
    return {
        "binding_id": binding["id"],
        "merchant": bank.merchant_called(binding["partner"]),
        "status": binding["status"],
        "limit_without_code": binding["limit_without_code"],
        "bound_at": rules.wib_iso(binding["activated_at"]),
        "revoked_at": rules.wib_iso(binding["revoked_at"]) if binding["revoked_at"] else None,
    }


def _revoked(service: str, binding: dict[str, Any]) -> ApiError:
    by = {
        "customer": "by the customer, in her bank app",
        "partner": "by you (registration-account-unbinding)",
        "replaced": "by a newer binding of the same account",
    }.get(str(binding["revoked_by"]), "")
    when = rules.wib_iso(binding["revoked_at"]) if binding["revoked_at"] else "earlier"
    return errors.binding_revoked(
        service,
        f"This account was unbound {by} at {when}; nothing was debited. Ask the "
        "customer to bind her account again.",
    )
