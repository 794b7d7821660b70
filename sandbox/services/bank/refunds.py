"""Refund of a direct debit (SNAP service 58): the merchant gives (part of) a debit back.

Partial or full, never more than was paid in all, idempotent by the merchant's own refund
number (`partnerRefundNo`): the same number again replays the first answer; the same number
for another amount or debit is a 409. The money goes back from the merchant's account to the
customer's in one transaction with the refund's record and her SMS notice.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from sandbox.services.bank import errors, rules, sms
from sandbox.services.bank.auth import Caller
from sandbox.services.bank.context import Bank, BankContext
from sandbox.services.bank.routes import claim, snap_caller
from sandbox.services.bank.schemas import RefundRequest, RefundResponse

router = APIRouter(tags=["SNAP account binding and direct debit (partners)"])
PATH = "/v1.0/debit/refund"
STATUS_PATH = "/v1.0/debit/status"

RefundCaller = Annotated[Caller, Depends(snap_caller("58"))]


@router.post(
    PATH,
    response_model=RefundResponse,
    summary="Give (part of) a direct debit back (SNAP service 58)",
)
async def refund(body: RefundRequest, caller: RefundCaller, bank: Bank) -> dict[str, Any]:
    """200 `2005800`; never more than was paid; the same partnerRefundNo replays."""
    service, now = "58", bank.clock()
    amount = rules.parse_amount(body.refund_amount.value)
    if not amount:
        raise errors.invalid_format(
            service,
            "refundAmount.value",
            "refundAmount.value must be a positive whole rupiah amount with two decimals, "
            "e.g. '50000.00'.",
        )
    with bank.store.atomic():
        claim(bank, caller, service, PATH, now, status_path=STATUS_PATH)
        earlier = bank.store.refund(caller.partner.name, body.partner_refund_no)
        debit = _paid_debit(bank, caller, body)
        if earlier is not None:
            if earlier["amount"] != amount or earlier["debit_id"] != debit["id"]:
                raise errors.duplicate_reference(
                    service,
                    "refund_no_reused",
                    f"partnerRefundNo {body.partner_refund_no!r} already gave back "
                    f"{rules.rupiah_id(earlier['amount'])} of another debit or another amount; "
                    "nothing was refunded. Use a new number for a new refund.",
                )
            answer: dict[str, Any] = earlier["answer"]
            return answer
        return _give_back(bank, caller, body.partner_refund_no, debit, amount, now)


def _paid_debit(bank: BankContext, caller: Caller, body: RefundRequest) -> dict[str, Any]:
    """The merchant's successful debit the refund is for."""
    service = "58"
    reference = body.original_partner_reference_no
    debit = (
        bank.store.debit(body.original_reference_no)
        if body.original_reference_no
        else bank.store.live_debit(caller.partner.name, reference)
    )
    if (
        debit is None
        or debit["partner"] != caller.partner.name
        or debit["partner_reference_no"] != reference
    ):
        raise errors.not_found(
            service, "debit_not_found", f"No debit of yours has partnerReferenceNo {reference!r}."
        )
    if debit["status"] != "SUCCESS":
        raise errors.not_permitted(
            service,
            "debit_not_paid",
            f"Debit {debit['reference_no']} moved no money ({debit['status'].lower()}); "
            "there is nothing to give back.",
        )
    return debit


def _give_back(
    bank: BankContext,
    caller: Caller,
    refund_no: str,
    debit: dict[str, Any],
    amount: int,
    now: float,
) -> dict[str, Any]:
    """Move the money back and record it (inside the transaction)."""
    service = "58"
    left = debit["amount"] - debit["refunded"]
    if amount > left:
        raise errors.invalid_amount(
            service,
            "refund_exceeds_paid",
            f"Only {rules.rupiah_id(left)} of this debit of {rules.rupiah_id(debit['amount'])} "
            f"is left to give back, not {rules.rupiah_id(amount)}; nothing was refunded.",
        )
    merchant = bank.store.account(debit["merchant_account_no"])
    assert merchant is not None
    if merchant["balance"] < amount:
        raise errors.insufficient_funds(
            service, "Your settlement account holds less than the refund; nothing was refunded."
        )
    movement = bank.store.move_money(
        "debit_refund",
        debit["merchant_account_no"],
        debit["account_no"],
        amount,
        now,
        note=debit["reference_no"],
    )
    assert bank.store.add_refunded(debit["id"], amount)  # checked above, in this transaction
    bank_refund_no = bank.store.insert_refund(
        {
            "partner": caller.partner.name,
            "partner_refund_no": refund_no,
            "debit_id": debit["id"],
            "amount": amount,
            "movement_reference_no": movement["reference_no"],
            "created_at": now,
        }
    )
    payer = bank.store.account(debit["account_no"])
    assert payer is not None
    notice = sms.refund_notice(
        debit["account_no"], amount, bank.merchant_name(caller.partner), bank_refund_no, now
    )
    sms.send(bank.store, payer["phone"], notice, now)
    answer = {
        **errors.success(service),
        "originalPartnerReferenceNo": debit["partner_reference_no"],
        "originalReferenceNo": debit["reference_no"],
        "refundNo": bank_refund_no,
        "partnerRefundNo": refund_no,
        "refundAmount": rules.format_amount(amount),
        "refundTime": rules.wib_iso(now),
    }
    bank.store.refund_answer(bank_refund_no, answer)
    return answer
