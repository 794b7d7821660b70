"""When a biller refuses a payment for good, the bank gives the money back.

A customer can pay a closed VA at the very moment its biller cancels the order behind it: the
money moves, the payment notification goes out, and the biller answers that the bill no longer
exists (SNAP 404 with case 12 VA not found, 13 wrong amount, 14 already paid or 19 expired or
cancelled). Retrying cannot change that answer, and keeping the money would charge a buyer for
nothing. So, in the same transaction that gives the notification up, the bank:

1. moves the amount back from the biller's account to the payer's (a `va_reversal` movement
   with its two ledger rows, so money stays conserved and the books still balance);
2. marks the VA REVERSED (no longer payable; the bank app shows it);
3. notifies the biller of the reversal: the same SNAP notification with `paymentFlagStatus`
   "01" and the reason, so the refusal and its outcome are both visible in the trace.
"""

from __future__ import annotations

import json
from typing import Any

from sandbox.services.bank import notifications, rules
from sandbox.services.bank.auth import Partner
from sandbox.services.bank.context import BankContext
from sandbox.wire.outbox import Refusal

FINAL_CASES = frozenset({"12", "13", "14", "19"})
"""SNAP cases of a payment notification's refusal that no retry can change (service 25)."""
REVERSED_REASON = {
    "english": "Reversed: the biller refused this payment; the money went back to the payer",
    "indonesia": "Dibatalkan: tagihan ditolak penagih; dana dikembalikan ke pembayar",
}


def final_refusal(status: int, body: bytes) -> str | None:
    """The SNAP responseCode of a refusal no retry can change, or None."""
    if status != 404:
        return None
    try:
        answer = json.loads(body)
    except ValueError:
        return None
    code = str(answer.get("responseCode", "")) if isinstance(answer, dict) else ""
    if len(code) == 7 and code.startswith("40425") and code[5:] in FINAL_CASES:
        return code
    return None


def refusal(bank: BankContext, partner: Partner) -> Refusal:
    """The outbox's judge of a refused payment notification to `partner`."""

    def judge(row: dict[str, Any], status: int, body: bytes) -> str | None:
        code = final_refusal(status, body)
        if code is None:
            return None  # a server error or a timeout may pass: keep retrying
        note = json.loads(row["body"])
        if note.get("paymentFlagStatus") != rules.FLAG_PAID:
            return f"{partner.name} refused the reversal notice ({code}); the money is back"
        reference = reverse(bank, partner, str(note["virtualAccountNo"]), row["event_id"])
        if reference is None:
            return f"{partner.name} refused the payment ({code}); it was no longer paid here"
        return f"{partner.name} refused the payment for good ({code}); reversed as {reference}"

    return judge


def reverse(
    bank: BankContext, partner: Partner, virtual_account_no: str, payment_request_id: str
) -> str | None:
    """Give a paid VA's money back to its payer and tell the biller; the reversal's reference,
    or None if the VA is not (or no longer) paid. Call inside a transaction."""
    now = bank.clock()
    with bank.store.atomic():
        va = bank.store.va(virtual_account_no)
        if va is None or va["status"] != "PAID":
            return None
        paid = bank.store.movement(va["reference_no"])
        if paid is None:
            return None
        back = bank.store.move_money(
            "va_reversal",
            paid["to_account"],
            paid["from_account"],
            paid["amount"],
            now,
            note=virtual_account_no,
        )
        bank.store.mark_va_reversed(virtual_account_no, back["reference_no"], now)
        body = notifications.payment_body(va, payment_request_id, back["reference_no"], now)
        body.update(paymentFlagStatus=rules.FLAG_UNPAID, paymentFlagReason=REVERSED_REASON)
        bank.outbox.enqueue(
            event_id=f"{payment_request_id}-REVERSED",
            target=partner.name,
            path=notifications.PAYMENT_PATH,
            kind=notifications.kind(partner),
            body=body,
        )
    bank.outbox.kick()
    return str(back["reference_no"])
