"""Direct debit of a bound account (SNAP 54), its status (55), and the merchant's notification (56).

The merchant sends its B2B token and signature as for any SNAP call, plus the customer's token
in `Authorization-Customer`, its own reference (`partnerReferenceNo`: the order) and the amount:

- at or under the binding's limit without a code, the money moves at once (200 `2005400`);
- above it, the bank texts her a code and answers pending (202 `2025400`); the merchant sends
  the code she typed to `/v1.0/otp-verification`, and the money moves then;
- above the bank's maximum for one debit, or more than her balance, it is refused.

The money movement, the debit's record, her SMS notice and the merchant's notification (in the
outbox, signed and retried like a VA payment notification) are written in one transaction.
The same `partnerReferenceNo` from the same merchant replays the debit's answer, status and
body, and moves nothing; the same reference with another amount is a 409. A merchant that got
no answer (a timeout) may therefore simply send the debit again, or ask `/v1.0/debit/status`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response

from sandbox.framework.errors import ApiError
from sandbox.services.bank import codes, errors, notifications, rules, sms
from sandbox.services.bank.auth import Caller, Partner
from sandbox.services.bank.binding import Bound, bound_customer
from sandbox.services.bank.context import Bank, BankContext
from sandbox.services.bank.payments import declined
from sandbox.services.bank.routes import claim, snap_caller
from sandbox.services.bank.schemas import (
    DebitRequest,
    DebitResponse,
    DebitStatusRequest,
    DebitStatusResponse,
)

router = APIRouter(tags=["SNAP account binding and direct debit (partners)"])
DEBIT_PATH, STATUS_PATH = "/v1.0/debit/payment-host-to-host", "/v1.0/debit/status"
DONE, WAITING = 200, 202


DebitCustomer = Annotated[Bound, Depends(bound_customer("54"))]
StatusCaller = Annotated[Caller, Depends(snap_caller("55"))]


@router.post(
    DEBIT_PATH,
    response_model=DebitResponse,
    response_model_exclude_none=True,
    responses={202: {"model": DebitResponse, "description": "A code was texted to her"}},
    summary="Debit a bound account (SNAP service 54)",
)
async def debit(
    body: DebitRequest, bound: DebitCustomer, response: Response, bank: Bank
) -> dict[str, Any]:
    """200 `2005400` debited; 202 `2025400` waiting for her code (`/v1.0/otp-verification`)."""
    service, now = "54", bank.clock()
    partner = bound.caller.partner
    amount = rules.parse_amount(body.amount.value)
    if not amount:
        raise errors.invalid_format(
            service,
            "amount.value",
            "amount.value must be a positive whole rupiah amount with two decimals, e.g. "
            "'185000.00'.",
        )
    with bank.store.atomic():
        claim(bank, bound.caller, service, DEBIT_PATH, now, status_path=STATUS_PATH)
        earlier = _earlier(bank, partner, body.partner_reference_no, now)
        if earlier is not None:
            status, answer = _replayed(service, earlier, bound.binding, amount)
            response.headers["Idempotent-Replayed"] = "true"
        else:
            status, answer = _new_debit(bank, bound, body.partner_reference_no, amount, now)
    bank.outbox.kick()
    response.status_code = status
    return answer


def _earlier(
    bank: BankContext, partner: Partner, reference: str, now: float
) -> dict[str, Any] | None:
    """The live debit for this reference; a pending one whose code expired is failed first,
    which leaves the reference free for a new try."""
    earlier = bank.store.live_debit(partner.name, reference)
    if earlier is None or earlier["status"] != "PENDING":
        return earlier
    otp = bank.store.otp(earlier["reference_no"])
    if rules.debit_state(earlier, otp["expires_at"] if otp else None, now) == "FAILED":
        bank.store.debit_failed(earlier["id"], "otp_expired")
        return None
    return earlier


def _replayed(
    service: str, earlier: dict[str, Any], bound: dict[str, Any], amount: int
) -> tuple[int, dict[str, Any]]:
    """The first answer again, if this is the same debit; a 409 if it is another one."""
    if earlier["amount"] != amount or earlier["binding_id"] != bound["id"]:
        raise errors.duplicate_reference(
            service,
            "partner_reference_reused",
            f"partnerReferenceNo {earlier['partner_reference_no']!r} was already used for a "
            f"debit of {rules.rupiah_id(earlier['amount'])} from another customer token or "
            "with another amount; nothing was debited. Use a new reference for a new debit.",
        )
    return int(earlier["answer_status"]), dict(earlier["answer"])


def _new_debit(
    bank: BankContext, bound: Bound, reference: str, amount: int, now: float
) -> tuple[int, dict[str, Any]]:
    """Debit now, or text her a code; refuse what can never be paid. Inside the transaction."""
    service, partner = "54", bound.caller.partner
    account = bank.store.account(bound.binding["account_no"])
    assert account is not None
    problem = rules.debit_problem(amount, account["balance"])
    if problem == "over_maximum":
        raise errors.over_limit(
            service,
            f"One direct debit may take at most {rules.rupiah_id(rules.MAX_DEBIT)}; "
            "nothing was debited.",
        )
    if problem == "insufficient_funds":
        raise errors.insufficient_funds(
            service,
            f"The customer's balance is less than {rules.rupiah_id(amount)}; "
            "nothing was debited. She may pay another way.",
        )
    if declined(bank, "debit", account["account_no"]):
        raise errors.do_not_honor(
            service,
            "Bank Contoh will not debit this account; nothing was debited (a refusal forced "
            "in the sandbox: `sandbox force show`). She may pay another way.",
        )
    row = bank.store.insert_debit(
        {
            "partner": partner.name,
            "partner_reference_no": reference,
            "binding_id": bound.binding["id"],
            "account_no": account["account_no"],
            "merchant_account_no": partner.account_no,
            "amount": amount,
            "created_at": now,
        }
    )
    if rules.needs_code(amount, bound.binding["limit_without_code"]):
        merchant = bank.merchant_name(partner)
        expires_at = codes.issue(
            bank,
            row["reference_no"],
            "debit",
            partner.name,
            account["phone"],
            lambda code: sms.debit_code(code, amount, merchant),
            now,
        )
        status, answer = WAITING, _waiting(row, account["phone"], expires_at)
    else:
        status, answer = DONE, move(bank, row, now)
    bank.store.debit_answer(row["id"], status, answer)
    return status, answer


def move(bank: BankContext, row: dict[str, Any], now: float) -> dict[str, Any]:
    """Move a debit's money, text her the notice and notify the merchant; inside the
    transaction that records it. Returns the debit's success answer."""
    partner = bank.partner_named(row["partner"])
    movement = bank.store.move_money(
        "direct_debit",
        row["account_no"],
        row["merchant_account_no"],
        row["amount"],
        now,
        note=row["reference_no"],
    )
    bank.store.debit_paid(row["id"], movement["reference_no"], now)
    account = bank.store.account(row["account_no"])
    assert account is not None
    notice = sms.debit_notice(
        row["account_no"],
        row["amount"],
        bank.merchant_name(partner),
        row["partner_reference_no"],
        row["reference_no"],
        now,
    )
    sms.send(bank.store, account["phone"], notice, now)
    bank.outbox.enqueue(
        event_id=f"{row['reference_no']}-PAID",
        target=partner.name,
        path=notifications.DEBIT_PATH,
        kind=notifications.debit_kind(partner),
        body=notifications.debit_body(row, partner, now),
    )
    return {
        **errors.success("54"),
        **_debit_fields(row, "SUCCESS"),
        "paidTime": rules.wib_iso(now),
    }


def _waiting(row: dict[str, Any], phone: str | None, expires_at: float) -> dict[str, Any]:
    return {
        **errors.in_progress("54"),
        **_debit_fields(row, "PENDING"),
        "additionalInfo": {
            "maskedPhoneNo": rules.mask_phone(phone) if phone else "",
            "otpExpiresAt": rules.wib_iso(expires_at),
        },
    }


def _debit_fields(row: dict[str, Any], state: str) -> dict[str, Any]:
    status, words = rules.DEBIT_STATES[state]
    return {
        "referenceNo": row["reference_no"],
        "partnerReferenceNo": row["partner_reference_no"],
        "amount": rules.format_amount(row["amount"]),
        "latestTransactionStatus": status,
        "transactionStatusDesc": words,
    }


# -- confirming a debit with her code (from /v1.0/otp-verification) ---------------------------


def confirm(
    bank: BankContext, otp: dict[str, Any], now: float
) -> tuple[dict[str, Any] | None, ApiError | None]:
    """The code was right: move the money, unless her binding or balance changed meanwhile.
    Inside the transaction that used the code up. Returns (answer fields, refusal)."""
    row = bank.store.debit(otp["reference_no"])
    assert row is not None
    service = "04"
    bound = bank.store.binding_by_id(row["binding_id"])
    if bound is None or bound["status"] != "ACTIVE":
        bank.store.debit_failed(row["id"], "binding_revoked")
        return None, errors.binding_revoked(
            service,
            "The customer unbound her account before confirming; nothing was debited.",
        )
    account = bank.store.account(row["account_no"])
    assert account is not None
    if account["balance"] < row["amount"]:
        bank.store.debit_failed(row["id"], "insufficient_funds")
        return None, errors.insufficient_funds(
            service,
            f"The customer's balance is now less than {rules.rupiah_id(row['amount'])}; "
            "nothing was debited.",
        )
    answer = move(bank, row, now)
    bank.store.debit_answer(row["id"], DONE, answer)
    return {
        "originalReferenceNo": row["reference_no"],
        "originalPartnerReferenceNo": row["partner_reference_no"],
        "amount": answer["amount"],
        "latestTransactionStatus": answer["latestTransactionStatus"],
    }, None


def fail(bank: BankContext, otp: dict[str, Any], reason: str) -> None:
    """The code was wrong three times or too late: the debit will never move money."""
    row = bank.store.debit(otp["reference_no"])
    if row is not None:
        bank.store.debit_failed(row["id"], reason)


# -- status --------------------------------------------------------------------------------------


@router.post(
    STATUS_PATH,
    response_model=DebitStatusResponse,
    response_model_exclude_none=True,
    summary="What became of a direct debit (SNAP service 55)",
)
async def debit_status(
    body: DebitStatusRequest, caller: StatusCaller, bank: Bank
) -> dict[str, Any]:
    """`latestTransactionStatus` "00" success, "03" pending, "04" refunded in full, "06" failed."""
    service, now = "55", bank.clock()
    with bank.store.atomic():
        claim(bank, caller, service, STATUS_PATH, now, status_path=STATUS_PATH)
        row = (
            bank.store.debit(body.original_reference_no)
            if body.original_reference_no
            else bank.store.latest_debit(caller.partner.name, body.original_partner_reference_no)
        )
        if (
            row is None
            or row["partner"] != caller.partner.name
            or row["partner_reference_no"] != body.original_partner_reference_no
        ):
            raise errors.not_found(
                service,
                "debit_not_found",
                f"No debit of yours has partnerReferenceNo "
                f"{body.original_partner_reference_no!r}; nothing was debited for it.",
            )
    otp = bank.store.otp(row["reference_no"])
    state = rules.debit_state(row, otp["expires_at"] if otp else None, now)
    status, words = rules.DEBIT_STATES[state]
    return {
        **errors.success(service),
        "originalPartnerReferenceNo": row["partner_reference_no"],
        "originalReferenceNo": row["reference_no"],
        "serviceCode": "54",
        "latestTransactionStatus": status,
        "transactionStatusDesc": words,
        "amount": rules.format_amount(row["amount"]),
        "refundedAmount": rules.format_amount(row["refunded"]),
        "paidTime": rules.wib_iso(row["paid_at"]) if row["paid_at"] else None,
    }
