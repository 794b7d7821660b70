"""Pay with Bank Contoh inside the checkout: account binding and direct debit, SNAP style.

The buyer never leaves the storefront's app and never calls the bank. She talks to our checkout
page (buyer -> marketplace); we talk to the bank as a merchant does (marketplace -> bank):

    first time:  POST .../direct-debit {phone}  we bind at the bank; it texts her a code
                 POST .../direct-debit/otp {otp} the bank confirms and gives us a token for her
                                                 account; we debit it              -> PAID
    later:       POST .../direct-debit {}        we debit the bound account        -> PAID
                 (above the bank's limit without a code, the bank texts her one first;
                 she types it at .../direct-debit/otp)

We keep the token per buyer, never her PIN or her account number. Before debiting, the order's
virtual account is closed at the bank (`Orders._closed_va`): if the bank says the VA was paid
meanwhile (another tab, the same millisecond), we do not debit; the VA's notification pays the
order. The order becomes paid once, whichever arrives first of the bank's synchronous answer and
its notification (`/v1.0/debit/notify`): both record the same payment, by the bank's reference.

While a debit may still move money (a request on its way to the bank, or a code she has not
typed yet) the order is not cancelled (`holds`); an order is not debited once cancelled. Each
payment step carries an Idempotency-Key: a phone that lost the answer and sends the step again
gets the first answer back, and the bank is not asked twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import secrets
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from sandbox.framework.errors import ApiError
from sandbox.services.marketplace import errors, rules
from sandbox.services.marketplace.auth import Partner
from sandbox.services.marketplace.clients.bank import BankAnswer
from sandbox.services.marketplace.orders import BANK_NAME, PAID, UNSURE, Orders, va_closed_by
from sandbox.services.marketplace.schemas import (
    DebitNotification,
    DirectDebitCode,
    DirectDebitStart,
    RefundCreate,
)

log = logging.getLogger(__name__)
Answer = tuple[int, dict[str, Any]]
"""(HTTP status, JSON body) of a payment step."""
OTP_SENT, PAID_NOW = 202, 200
RETRYABLE = frozenset({"payment_in_progress", "request_in_progress"})
"""Refusals a retry with the same Idempotency-Key should try again (not replay)."""


class DirectDebits:
    """The buyer's payment steps, the bank's debit notification, and refunds of debits."""

    def __init__(self, orders: Orders) -> None:
        self.orders = orders
        self.store = orders.store
        self.bank = orders.bank
        self.clock = orders.clock
        self._in_flight: set[str] = set()
        """Orders with a request of ours on its way to the bank right now (this process)."""

    # --- the buyer's steps ------------------------------------------------------------------

    async def start(self, token: str, form: DirectDebitStart) -> Answer:
        """Pay with Bank Contoh: debit her bound account, or bind it first (her phone)."""
        order = self._payable(token)
        with self._guard(order["order_id"]):
            binding = self.store.binding(order["buyer_id"])
            if binding is not None and binding["status"] == "ACTIVE":
                return await self._debit(order, binding)
            if form.phone is None:
                raise errors.phone_required()
            return await self._bind(order, form.phone)

    async def confirm(self, token: str, form: DirectDebitCode) -> Answer:
        """The code she typed: it confirms her binding (then we debit) or this payment."""
        order = self._payable(token)
        order_id = order["order_id"]
        with self._guard(order_id):
            debit = self.store.debit(order_id)
            if debit is None or debit["state"] not in ("BINDING", "PENDING_OTP"):
                raise errors.no_code_expected(order_id)
            verified = await self.bank.verify_otp(debit["bank_reference_no"], form.otp)
            if verified.throttled:  # the bank did not look at the code: it still holds
                raise self._busy(order_id, verified)
            if debit["state"] == "BINDING":
                if not verified.ok:
                    raise self._code_refused(order, verified, "binding")
                return await self._debit(order, self._bound(order, debit, verified))
            if verified.ok:
                return self._paid(order, debit["bank_reference_no"])
            if verified.unsure or (verified.status == 404 and verified.case == "10"):
                # The code may have been used by a request whose answer was lost: ask.
                settled = await self._settled_at_bank(order)
                if settled is not None:
                    return settled
            raise self._code_refused(order, verified, "debit")

    async def _bind(self, order: dict[str, Any], phone: str) -> Answer:
        """Ask the bank to text her a code that binds her account to us."""
        order_id = order["order_id"]
        reference = f"bind-{order_id}-{secrets.token_hex(3)}"
        answer = await self.bank.bind(phone, str(order["buyer_id"]), reference)
        if answer.throttled:
            raise self._busy(order_id, answer)
        if answer.pending:
            self._code_sent(
                order_id, answer, "BINDING", amount=order["total_amount"], failed_reason=None
            )
            return OTP_SENT, self._answer(order_id, "OTP_SENT", "binding")
        message = str(answer.body.get("message", ""))
        if answer.status == 404 and answer.case == "11":
            raise errors.bank_refused_phone("phone_not_registered", 422, message)
        if answer.status == 400:
            raise errors.bank_refused_phone("invalid_phone", 400, message)
        raise errors.debit_unsure(order_id, answer.describe())

    def _code_sent(self, order_id: str, answer: BankAnswer, state: str, **more: Any) -> None:
        """The bank texted her a code (to bind her account, or for this debit): keep its
        reference, when the code expires and the masked phone it went to, for `.../otp`."""
        info = answer.body.get("additionalInfo") or {}
        with self.store.transaction():
            self.store.save_debit(
                order_id,
                self.clock(),
                state=state,
                bank_reference_no=str(answer.body.get("referenceNo", "")),
                otp_expires_at=rules.epoch_from_iso(str(info.get("otpExpiresAt", ""))),
                masked_phone=str(info.get("maskedPhoneNo", "")),
                **more,
            )

    def _bound(
        self, order: dict[str, Any], debit: dict[str, Any], verified: BankAnswer
    ) -> dict[str, Any]:
        """Keep the token the bank gave us for her account; returns her binding."""
        account = verified.body.get("account") or {}
        limit = (account.get("limitWithoutOtp") or {}).get("value", "0.00")
        with self.store.transaction():
            self.store.save_binding(
                order["buyer_id"],
                self.clock(),
                status="ACTIVE",
                bank_reference_no=debit["bank_reference_no"],
                linkage_token=str(verified.body.get("linkageToken", "")),
                masked_account=str(account.get("maskedAccountNo", "")),
                limit_without_code=rules.rupiah_or_zero(str(limit)),
            )
        binding = self.store.binding(order["buyer_id"])
        assert binding is not None
        return binding

    async def _debit(self, order: dict[str, Any], binding: dict[str, Any]) -> Answer:
        """Close the order's VA, then debit her bound account (inside the guard)."""
        order_id, amount = order["order_id"], order["total_amount"]
        with self.store.transaction():
            current = self._order(order_id)
            if current["order_status"] != rules.WAITING_PAYMENT:
                raise errors.order_not_payable(
                    order_id, rules.storefront_status(current["order_status"])
                )
            self.store.save_debit(
                order_id, self.clock(), state="STARTED", amount=amount, failed_reason=None
            )
        await self._close_va(order_id)
        answer = await self.bank.debit(str(binding["linkage_token"]), order_id, amount)
        if answer.throttled:  # throttled before the bank looked at it: no money moved
            self._fail(order_id, "bank_busy")
            raise self._busy(order_id, answer)
        if answer.ok:
            return self._paid(order, str(answer.body.get("referenceNo", "")))
        if answer.pending:
            self._code_sent(order_id, answer, "PENDING_OTP")
            return OTP_SENT, self._answer(order_id, "OTP_SENT", "debit")
        if answer.unsure:
            settled = await self._settled_at_bank(order)
            if settled is not None:
                return settled
            raise errors.debit_unsure(order_id, answer.describe())  # still STARTED: retry is safe
        raise self._debit_refused(order, answer)

    async def _close_va(self, order_id: str) -> None:
        """The order's VA must be unpayable before we take the money another way."""
        debit = self.store.debit(order_id)
        if debit is not None and debit["va_closed_at"]:
            return
        answer = await self.bank.delete_va(order_id)
        if answer.throttled:  # the VA is still open, and nothing was debited: ask her to retry
            self._fail(order_id, "bank_busy")
            raise self._busy(order_id, answer)
        closed, detail = va_closed_by(answer)
        if closed == PAID:
            self._fail(order_id, "paid_by_virtual_account")
            raise errors.order_being_paid(order_id)
        if closed == UNSURE:
            self._fail(order_id, "va_not_closed")
            raise errors.va_not_closed(order_id, detail)
        with self.store.transaction():
            self.store.save_debit(order_id, self.clock(), va_closed_at=self.clock())

    async def _settled_at_bank(self, order: dict[str, Any]) -> Answer | None:
        """After an answer we did not get: did the bank debit this order? (SNAP: ask the
        status before deciding.) The paid answer if it did, else None."""
        status = await self.bank.debit_status(order["order_id"])
        if status.ok and status.body.get("latestTransactionStatus") in ("00", "04"):
            return self._paid(order, str(status.body.get("originalReferenceNo", "")))
        return None

    def _paid(self, order: dict[str, Any], bank_reference: str) -> Answer:
        """The bank debited the order: it is paid, once (the notification may have come
        first: both record the same payment, by the bank's reference)."""
        self.record(order["order_id"], bank_reference, order["total_amount"], None)
        return PAID_NOW, self._answer(order["order_id"], "PAID")

    def record(self, order_id: str, bank_reference: str, amount: int, finished: str | None) -> str:
        """Record a debit the bank made; returns what happened (for the notification's ack)."""
        with self.store.transaction():
            if self.store.payment(bank_reference) is not None:
                return "duplicate_payment"
            order = self._order(order_id)
            if order["order_status"] not in rules.UNPAID_STATUSES:
                # Cannot happen: no order is cancelled while its debit may move money (`holds`).
                log.error(
                    "debit %s of order %s, which is %s",
                    bank_reference,
                    order_id,
                    order["order_status"],
                )
                raise errors.snap56_not_payable(order_id)
            self.orders.mark_paid(order_id, bank_reference, amount, bank_reference, finished)
            self.store.save_debit(
                order_id,
                self.clock(),
                state="PAID",
                bank_reference_no=bank_reference,
                amount=amount,
            )
        self.orders.outbox.kick()
        return "payment_recorded"

    def _fail(self, order_id: str, reason: str) -> None:
        with self.store.transaction():
            self.store.save_debit(order_id, self.clock(), state="FAILED", failed_reason=reason)

    @staticmethod
    def _busy(order_id: str, answer: BankAnswer) -> ApiError:
        """The bank throttled this step even after our client waited: ask her to retry."""
        return errors.bank_busy(order_id, answer.retry_after_s or 1.0)

    def _code_refused(self, order: dict[str, Any], answer: BankAnswer, what: str) -> ApiError:
        """The bank's answer to her code, for her."""
        order_id = order["order_id"]
        message = str(answer.body.get("message", answer.describe()))
        if answer.status == 404 and answer.case == "15":
            left = answer.body.get("attempts_left")
            return errors.code_refused("wrong_otp", message, attempts_left=left)
        if answer.unsure:
            return errors.debit_unsure(order_id, answer.describe())
        self._fail(order_id, f"{what}_code_refused")
        if answer.status == 403 and answer.case == "11":
            return errors.code_refused(
                "otp_blocked", f"{message} Choose Pay with Bank Contoh again."
            )
        if answer.status == 403 and answer.case == "12":
            return errors.code_refused(
                "otp_expired", f"{message} Choose Pay with Bank Contoh again."
            )
        if what == "debit":
            return self._debit_refused(order, answer)
        return errors.code_refused(
            "otp_not_accepted",
            f"Bank Contoh did not accept the code ({answer.describe()}); "
            "choose Pay with Bank Contoh again.",
        )

    def _debit_refused(self, order: dict[str, Any], answer: BankAnswer) -> ApiError:
        """The bank will not debit: say why, and forget a binding that has ended."""
        order_id = order["order_id"]
        self._fail(order_id, f"bank {answer.describe()}"[:200])
        message = str(answer.body.get("message", answer.describe()))
        if (answer.status, answer.case) in ((401, "02"), (403, "18")):
            with self.store.transaction():
                self.store.forget_binding(order["buyer_id"])
            return errors.binding_ended(order_id, message)
        if answer.status == 403 and answer.case == "14":
            return errors.debit_refused("insufficient_funds", message)
        if answer.status == 403 and answer.case == "02":
            return errors.debit_refused("over_debit_maximum", message)
        return errors.debit_unsure(order_id, answer.describe())

    def _order(self, order_id: str) -> dict[str, Any]:
        return self.store.order(order_id) or _never(order_id)

    # --- what the buyer sees ----------------------------------------------------------------

    def _payable(self, token: str) -> dict[str, Any]:
        """The order behind a checkout token, if it still waits for payment."""
        order_id = self.store.order_id_by_checkout_token(token)
        if order_id is None:
            raise errors.checkout_not_found()
        order = self._order(order_id)
        if order["order_status"] not in rules.UNPAID_STATUSES:
            raise errors.order_not_payable(order_id, rules.storefront_status(order["order_status"]))
        return order

    def _answer(self, order_id: str, status: str, code_for: str | None = None) -> dict[str, Any]:
        order = self._order(order_id)
        debit = self.store.debit(order_id) or {}
        binding = self.store.binding(order["buyer_id"]) or {}
        amount = order["total_amount"]
        if status == "PAID":
            message = (
                f"Paid: Rp{amount:,} from your {BANK_NAME} account "
                f"{binding.get('masked_account') or ''}."
            ).replace(" .", ".")
        elif code_for == "binding":
            message = (
                f"{BANK_NAME} texted a code to {debit.get('masked_phone')}: type it here "
                "to bind your account to Pasarloka and pay."
            )
        else:
            message = (
                f"{BANK_NAME} texted a code to {debit.get('masked_phone')} to confirm "
                f"this payment of Rp{amount:,}: type it here."
            )
        expires = debit.get("otp_expires_at") if status == "OTP_SENT" else None
        return {
            "order_id": order_id,
            "status": status,
            "code_for": code_for,
            "masked_phone": debit.get("masked_phone") if status == "OTP_SENT" else None,
            "otp_expires_at": rules.iso_wib(expires) if expires else None,
            "masked_account": binding.get("masked_account"),
            "amount": amount,
            "order_status": order["order_status"],
            "message": message,
        }

    def checkout_info(self, order: dict[str, Any]) -> dict[str, Any]:
        """The checkout page's "Pay with Bank Contoh" block."""
        binding = self.store.binding(order["buyer_id"])
        debit = self.store.debit(order["order_id"])
        bound = binding is not None and binding["status"] == "ACTIVE"
        state, code_for = "NOT_STARTED", None
        if debit is not None:
            state, code_for = {
                "BINDING": ("OTP_SENT", "binding"),
                "PENDING_OTP": ("OTP_SENT", "debit"),
                "STARTED": ("PAYING", None),
                "PAID": ("PAID", None),
                "FAILED": ("FAILED", None),
            }[debit["state"]]
        expires = debit["otp_expires_at"] if debit and state == "OTP_SENT" else None
        return {
            "bank": BANK_NAME,
            "bound": bound,
            "masked_account": binding["masked_account"] if bound and binding else None,
            "limit_without_code": binding["limit_without_code"] if bound and binding else None,
            "state": state,
            "code_for": code_for,
            "masked_phone": debit["masked_phone"] if debit and code_for else None,
            "otp_expires_at": rules.iso_wib(expires) if expires else None,
        }

    def paid_with(self, order: dict[str, Any]) -> str | None:
        """How a paid order was paid; None while unpaid."""
        if order["order_status"] in rules.UNPAID_STATUSES + rules.CANCELLED_STATUSES:
            return None
        debit = self.store.debit(order["order_id"])
        return "direct_debit" if debit and debit["state"] == "PAID" else "virtual_account"

    def va_closed(self, order: dict[str, Any]) -> bool:
        """Whether the order's VA was closed because she chose to pay by direct debit."""
        debit = self.store.debit(order["order_id"])
        return bool(debit and debit["va_closed_at"])

    # --- the bank's notification ------------------------------------------------------------

    def notified(self, note: DebitNotification) -> tuple[str, str]:
        """A verified debit notification (SNAP 56): (code, message) for the acknowledgement."""
        try:
            paid = rules.rupiah_from_snap(note.amount.value)
        except ValueError:
            raise errors.snap56_bad_field("amount.value") from None
        order_id = note.original_partner_reference_no
        if note.latest_transaction_status != "00":
            return "debit_not_successful", f"Status {note.latest_transaction_status}: not paid."
        order = self.store.order(order_id)
        if order is None or self.store.debit(order_id) is None:
            raise errors.snap56_not_found(order_id)
        if paid != order["total_amount"]:
            raise errors.snap56_invalid_amount(paid, order["total_amount"])
        code = self.record(order_id, note.original_reference_no, paid, note.finished_time)
        if code == "duplicate_payment":
            return code, f"Debit {note.original_reference_no} was already recorded."
        return code, f"Order {order_id} is paid."

    # --- cancelling and expiring safely -----------------------------------------------------

    def holds(self, order_id: str) -> bool:
        """Whether a debit of this order may still move money: then it is not cancelled."""
        if order_id in self._in_flight:
            return True
        debit = self.store.debit(order_id)
        if debit is None:
            return False
        if debit["state"] == "STARTED":
            return True
        expires = debit["otp_expires_at"] or 0.0
        return debit["state"] == "PENDING_OTP" and self.clock() < expires

    async def settle(self, order_id: str) -> bool:
        """Find out at the bank what became of a debit nobody is waiting for any more (left
        STARTED by a crash, or a code never typed); returns `holds` afterwards."""
        debit = self.store.debit(order_id)
        if order_id in self._in_flight or debit is None:
            return self.holds(order_id)
        if debit["state"] == "STARTED" or (
            debit["state"] == "PENDING_OTP" and not self.holds(order_id)
        ):
            status = await self.bank.debit_status(order_id)
            state = status.body.get("latestTransactionStatus") if status.ok else None
            if state in ("00", "04"):
                self.record(
                    order_id, str(status.body.get("originalReferenceNo", "")), debit["amount"], None
                )
            elif state == "06" or (status.status == 404 and status.case == "01"):
                self._fail(order_id, "not_debited")
            elif state is None and status.unsure:
                return True  # the bank does not say: keep the order open, ask again later
        return self.holds(order_id)

    @contextlib.contextmanager
    def _guard(self, order_id: str) -> Iterator[None]:
        """One payment step per order at a time (two tabs): the second waits for the first."""
        if order_id in self._in_flight:
            raise errors.payment_in_progress(order_id)
        self._in_flight.add(order_id)
        try:
            yield
        finally:
            self._in_flight.discard(order_id)

    # --- retries of the buyer's steps (Idempotency-Key) ------------------------------------

    async def once(
        self,
        token: str,
        key: str | None,
        step: str,
        body: dict[str, Any],
        work: Callable[[], Awaitable[Answer]],
    ) -> Answer:
        """Run a payment step once per Idempotency-Key: a retry gets the first answer (an
        error too, so a wrong code is not counted twice), except when the first did not
        settle (the bank did not answer, or another step was running): then it runs again."""
        if not key:
            raise errors.missing_idempotency_key()
        if self.store.order_id_by_checkout_token(token) is None:
            raise errors.checkout_not_found()
        fingerprint = hashlib.sha256(
            json.dumps({"step": step, **body}, sort_keys=True).encode()
        ).hexdigest()
        earlier = self.store.checkout_request(token, key)
        if earlier is not None:
            if earlier["fingerprint"] != fingerprint:
                raise errors.checkout_key_reused(key)
            if earlier["status"] == 0:
                raise errors.request_in_progress(key)
            return _replayed(earlier)
        with self.store.transaction():
            if not self.store.begin_checkout_request(token, key, fingerprint, self.clock()):
                raise errors.request_in_progress(key)
        try:
            status, answer = await work()
        except ApiError as exc:
            with self.store.transaction():
                if exc.status >= 500 or exc.code in RETRYABLE:
                    self.store.drop_checkout_request(token, key)
                else:
                    kept = {"error": {"code": exc.code, "message": exc.message, **exc.extra}}
                    self.store.finish_checkout_request(token, key, exc.status, kept)
            raise
        except BaseException:
            with self.store.transaction():
                self.store.drop_checkout_request(token, key)
            raise
        with self.store.transaction():
            self.store.finish_checkout_request(token, key, status, answer)
        return status, answer

    # --- refunds ------------------------------------------------------------------------------

    async def refund(self, partner: Partner, order_id: str, form: RefundCreate) -> Answer:
        """Give (part of) a debit-paid order's money back through the bank (SNAP 58)."""
        self.orders.partner_order(partner, order_id)
        earlier = self.store.refund(partner.name, form.refund_id)
        if earlier is not None:
            if earlier["order_id"] != order_id or form.amount not in (None, earlier["amount"]):
                raise errors.refund_id_reused(form.refund_id)
            return 200, json.loads(earlier["response"])
        debit = self.store.debit(order_id)
        if debit is None or debit["state"] != "PAID":
            raise errors.not_paid_by_debit(order_id)
        left = debit["amount"] - debit["refunded"]
        amount = form.amount or left
        if not 0 < amount <= left:
            raise errors.refund_exceeds_paid(order_id, left)
        digest = hashlib.sha256(f"{partner.name}:{form.refund_id}".encode()).hexdigest()[:12]
        refund_no = f"RF-{order_id}-{digest}"  # the same refund_id, the same refund at the bank
        answer = await self.bank.refund(order_id, refund_no, amount, form.reason or "refund")
        if answer.status == 404 and answer.case == "13":
            raise errors.refund_exceeds_paid(order_id, left)
        if not answer.ok:
            raise errors.refund_failed(answer.describe(), 503 if answer.unsure else 502)
        with self.store.transaction():
            again = self.store.refund(partner.name, form.refund_id)
            if again is not None:  # the same refund, made by a request running alongside
                return 200, json.loads(again["response"])
            self.store.add_debit_refund(order_id, amount)
            now_debit = self.store.debit(order_id) or debit
            made = {
                "order_id": order_id,
                "refund_id": form.refund_id,
                "amount": amount,
                "refunded_total": now_debit["refunded"],
                "bank_refund_no": str(answer.body.get("refundNo", "")),
            }
            self.store.insert_refund(
                {
                    "channel": partner.name,
                    "refund_id": form.refund_id,
                    "order_id": order_id,
                    "amount": amount,
                    "bank_refund_no": made["bank_refund_no"],
                    "response": json.dumps(made),
                    "created_at": self.clock(),
                }
            )
        return 201, made


def _never(order_id: str) -> dict[str, Any]:
    raise AssertionError(f"order {order_id} vanished")


def _replayed(earlier: dict[str, Any]) -> Answer:
    """A kept answer again: the same status and body (an error is raised again)."""
    kept: dict[str, Any] = json.loads(earlier["response"])
    if "error" in kept:
        error = dict(kept["error"])
        raise ApiError(int(earlier["status"]), error.pop("code"), error.pop("message"), **error)
    return int(earlier["status"]), kept
