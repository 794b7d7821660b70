"""Money leaving a customer's account from the app: paying a VA, transferring to someone.

Each runs as one transaction: the idempotency record, both ledger rows, both balances, the VA's
new status and (for a VA) the biller's notification are written together or not at all.
A phone that lost the answer retries with the same `Idempotency-Key`; it then gets the first
result back and no money moves a second time.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sandbox.framework.errors import ApiError
from sandbox.services.bank import notifications, rules
from sandbox.services.bank.context import BankContext
from sandbox.services.bank.schemas import TransferRequest, VaPaymentRequest

CREATED = 201
"""A new payment answers 201; the same request again answers 201 with the first result and
`Idempotent-Replayed: true` (docs/contracts.md, Idempotency: a replay is the first answer)."""


def _earlier_result(
    bank: BankContext, account_no: str, key: str, fingerprint: str
) -> dict[str, Any] | None:
    """The first result for this key, if the same request was made before."""
    earlier = bank.store.idempotent_result(account_no, key)
    if earlier is None:
        return None
    if earlier["fingerprint"] != fingerprint:
        raise ApiError(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was already used for a different request; use a "
            "new key for a new payment.",
        )
    response: dict[str, Any] = earlier["response"]
    return response


def _va_refusal(
    problem: rules.PaymentProblem, va: dict[str, Any], offered: int, balance: int
) -> ApiError:
    """The customer-facing error for a refused VA payment."""
    if problem == "va_deleted":
        return ApiError(
            404, problem, "The biller cancelled this virtual account; ask them for a new one."
        )
    if problem == "va_already_paid":
        return ApiError(409, problem, "This virtual account is already paid; nothing was charged.")
    if problem == "va_expired":
        return ApiError(
            410,
            problem,
            f"This virtual account expired at {va['expired_date']}; ask the biller for a new one.",
        )
    if problem == "wrong_amount":
        return ApiError(
            400,
            problem,
            f"A closed virtual account is paid with exactly its bill: "
            f"Rp{va['amount']:,}, not Rp{offered:,}.",
        )
    return ApiError(422, problem, f"Your balance (Rp{balance:,}) is less than Rp{offered:,}.")


class Outcome(NamedTuple):
    """A payment's answer: its status and body, and whether it is the first one again."""

    status: int
    result: dict[str, Any]
    replayed: bool = False

    def answer(self, response: Any) -> dict[str, Any]:
        """Set `response`'s status (and `Idempotent-Replayed: true` on a replay); the body."""
        if self.replayed:
            response.headers["Idempotent-Replayed"] = "true"
        response.status_code = self.status
        return self.result


def declined(bank: BankContext, action: str, account_no: str) -> bool:
    """Whether a developer forced this payment to fail (`sandbox force`: the next `action`,
    or every payment from the account); a real bank declines for reasons of its own."""
    return bank.forcing.declines(account_no) or bank.forcing.take(action)


DECLINED = (
    "Bank Contoh declined this payment; nothing was charged (a decline forced in the "
    "sandbox: `sandbox force show`)."
)


def pay_va(bank: BankContext, account_no: str, key: str, body: VaPaymentRequest) -> Outcome:
    """Pay a closed VA from the customer's account; returns its outcome."""
    now = bank.clock()
    digits = rules.va_digits(body.virtual_account_no)
    fingerprint = rules.fingerprint({"pay_va": digits, "amount": body.amount})
    with bank.store.atomic():
        earlier = _earlier_result(bank, account_no, key, fingerprint)
        if earlier is not None:
            return Outcome(CREATED, earlier, replayed=True)
        va = bank.store.va_by_digits(digits)
        if va is None:
            raise ApiError(
                404,
                "va_not_found",
                f"No virtual account {digits}; check the number on the checkout page.",
            )
        payer = bank.store.account(account_no)
        assert payer is not None  # the session proved it exists
        state = rules.va_state(va["status"], va["expires_at"], now)
        problem = rules.payment_problem(state, va["amount"], body.amount, payer["balance"])
        if problem is not None:
            raise _va_refusal(problem, va, body.amount, payer["balance"])
        partner = bank.biller(va["partner"])
        if partner is None:  # removed from the sandbox: nobody would be told it was paid
            raise ApiError(
                404,
                "biller_not_found",
                f"Virtual account {digits} belongs to a biller that no longer takes payments "
                "at Bank Contoh; nothing was charged. Ask the biller how to pay.",
            )
        if declined(bank, "va-payment", account_no):
            raise ApiError(403, "payment_declined", DECLINED)
        movement = bank.store.move_money(
            "va_payment",
            account_no,
            va["merchant_account_no"],
            body.amount,
            now,
            note=va["virtual_account_no"],
        )
        payment_request_id = f"PRQ{movement['reference_no']}"
        bank.store.mark_va_paid(
            va["virtual_account_no"], body.amount, payment_request_id, movement["reference_no"], now
        )
        bank.outbox.enqueue(
            event_id=payment_request_id,
            target=partner.name,
            path=notifications.PAYMENT_PATH,
            kind=notifications.kind(partner),
            body=notifications.payment_body(va, payment_request_id, movement["reference_no"], now),
        )
        result = {
            "payment_id": f"PAY-{movement['id']:06d}",
            "status": "PAID",
            "amount": body.amount,
            "balance_after": movement["balance_after"],
            "reference_no": movement["reference_no"],
        }
        bank.store.remember_result(account_no, key, fingerprint, result, now)
    bank.outbox.kick()  # deliver now, after the commit; the outbox retries if the biller is down
    return Outcome(CREATED, result)


def transfer(bank: BankContext, account_no: str, key: str, body: TransferRequest) -> Outcome:
    """Move money to another account of this bank; returns its outcome."""
    now = bank.clock()
    fingerprint = rules.fingerprint({"transfer": body.model_dump()})
    with bank.store.atomic():
        earlier = _earlier_result(bank, account_no, key, fingerprint)
        if earlier is not None:
            return Outcome(CREATED, earlier, replayed=True)
        payee = bank.store.account(body.to_account_no)
        if payee is None:
            raise ApiError(
                404,
                "account_not_found",
                f"No account {body.to_account_no} at this bank; check the number.",
            )
        payer = bank.store.account(account_no)
        assert payer is not None
        problem = rules.transfer_problem(
            account_no, body.to_account_no, payer["balance"], body.amount
        )
        if problem == "same_account":
            raise ApiError(400, problem, "You cannot transfer to your own account.")
        if problem == "insufficient_funds":
            raise ApiError(
                422,
                problem,
                f"Your balance (Rp{payer['balance']:,}) is less than Rp{body.amount:,}.",
            )
        if declined(bank, "transfer", account_no):
            raise ApiError(403, "payment_declined", DECLINED)
        movement = bank.store.move_money(
            "transfer", account_no, body.to_account_no, body.amount, now, note=body.note
        )
        result = {
            "transfer_id": f"TRF-{movement['id']:06d}",
            "status": "COMPLETED",
            "amount": body.amount,
            "to_account_no": body.to_account_no,
            "to_name": payee["name"],
            "balance_after": movement["balance_after"],
            "reference_no": movement["reference_no"],
        }
        bank.store.remember_result(account_no, key, fingerprint, result, now)
    return Outcome(CREATED, result)
