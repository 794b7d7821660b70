"""The order lifecycle: place, pay, cancel, expire - and tell the storefront each time.

    placed (100) --VA created--> waiting for payment (103) --bank notifies--> paid (220)
        |                              |            \\
        +-- bank failed: cancelled (0) +-- expired:  cancelled (0), reason PAYMENT_EXPIRED
                                       +-- buyer:    cancelled (15)

An order is cancelled only after its VA is closed at the bank (`_close_va`): a VA still open
while the order is cancelled would let a buyer pay for nothing. If the bank says the VA is
already paid, the order is not cancelled (the payment notification is on its way); if the bank
does not answer, the order stays open and the cancellation is tried again.

Orders come from partner storefronts (`channel` = the partner's name) and from our own buyer
app (`channel` "app", see app_orders.py); both go through `open`. Each status change and the
webhook announcing it are written in ONE transaction (the outbox pattern): if the change is
saved, the webhook will be delivered, retried until acknowledged. Payment also asks a courier
to pick the parcel up (shipping.py), in that same transaction.
Calls to the bank happen outside transactions, because nothing may wait on the network while
holding the database.
"""

from __future__ import annotations

import logging
import secrets
import sqlite3
from collections.abc import Callable
from typing import Any, Protocol

from sandbox.dialects.snap import payment as snap_payment
from sandbox.dialects.snap.payment import PaymentNotification
from sandbox.services.marketplace import errors, rules
from sandbox.services.marketplace.auth import Partner, PartnerGate, webhook_kind
from sandbox.services.marketplace.clients.bank import BankAnswer, BankClient
from sandbox.services.marketplace.schemas import OrderItemIn
from sandbox.services.marketplace.shipping import Shipping
from sandbox.services.marketplace.store import MarketplaceStore, OutOfStock
from sandbox.wire.outbox import Outbox

log = logging.getLogger(__name__)
BANK_NAME = "Bank Contoh"
"""The bank that holds the marketplace's virtual accounts, as buyers see it."""
CLOSED, PAID, UNSURE = "closed", "paid", "unsure"
"""What the bank said when asked to close an order's VA (`Orders._close_va`)."""


class PaymentHold(Protocol):
    """Another way to pay than the VA (the direct debit, `debits.py`), as orders see it."""

    def holds(self, order_id: str) -> bool:
        """Whether a payment of this order may still move money (then it is not cancelled)."""
        ...

    async def settle(self, order_id: str) -> bool:
        """Ask the bank about a payment nobody waits for any more; `holds` afterwards."""
        ...

    def checkout_info(self, order: dict[str, Any]) -> dict[str, Any]:
        """Its block on the checkout page."""
        ...

    def paid_with(self, order: dict[str, Any]) -> str | None:
        """How a paid order was paid."""
        ...

    def va_closed(self, order: dict[str, Any]) -> bool:
        """Whether the VA was closed because the buyer chose this way."""
        ...


class Orders:
    """Everything that changes an order, coordinating the store, the bank and the outbox."""

    def __init__(
        self,
        store: MarketplaceStore,
        outbox: Outbox,
        bank: BankClient,
        partners: PartnerGate,
        clock: Callable[[], float],
        own_url: Callable[[], str],
        shipping: Shipping,
    ) -> None:
        self.store = store
        self.shipping = shipping
        self.outbox = outbox
        self.bank = bank
        self.partners = partners
        self.clock = clock
        self.own_url = own_url
        self.debits: PaymentHold | None = None
        """Paying by direct debit, set by the app once built (it needs these orders)."""

    # --- place ------------------------------------------------------------------------------

    async def place(
        self,
        partner: Partner,
        buyer_link_token: str,
        items: list[OrderItemIn],
        channel_ref: str | None,
        idempotency_key: str | None = None,
    ) -> tuple[dict[str, Any], bool]:
        """A partner's order for a linked buyer: the partner API's create response, and
        whether it is the first answer again (a replay of the same Idempotency-Key).

        With an Idempotency-Key, a retry (after a timeout, a double tap) gets the order the
        first request created instead of a second one.
        """
        buyer = self.store.buyer_by_link_token(buyer_link_token)
        if buyer is None:
            raise errors.unknown_buyer()
        if buyer.get("channel") not in (None, partner.name):
            # A link token is the storefront's that linked her account (as account-linking
            # tokens are per app): another channel holding it got it from somewhere else.
            raise errors.buyer_linked_elsewhere()
        key = idempotency_key or ""
        first = self.store.order_id_by_key(partner.name, key) if key else None
        if first is None:
            try:
                order = await self.open(
                    partner.name, partner.fs_id, buyer, items, channel_ref, idempotency_key
                )
            except sqlite3.IntegrityError:  # the same key, sent twice at the same moment
                first = self.store.order_id_by_key(partner.name, key) if key else None
                if first is None:
                    raise
        if first is not None:
            order = self._replayed(first, key, buyer, items)
        return {
            "order_id": order["order_id"],
            "order_status": order["order_status"],
            "status": rules.storefront_status(order["order_status"]),
            "total_amount": order["total_amount"],
            "expires_at": rules.iso_wib(order["expires_at"]),
            "checkout_url": f"{self.own_url()}/checkout/{order['checkout_token']}",
        }, first is not None

    async def open(
        self,
        channel: str,
        fs_id: int,
        buyer: dict[str, Any],
        items: list[OrderItemIn],
        channel_ref: str | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Reserve stock, create the order, get its VA from the bank; the order as stored.

        Every channel goes through here: partner storefronts and our own buyer app alike.
        `buyer` is a buyers row, or a new buyer without `buyer_id` (the buyer app), saved in
        the order's own transaction so that a refused order leaves no stray buyer behind.
        Raises ApiError: unknown products, sold out (409), a bank without a VA (502).
        """
        wanted = [item.model_dump() for item in items]
        products = self.store.products([item["product_id"] for item in wanted])
        shop_id = rules.check_order_items(wanted, products)
        lines = [
            {
                "product_id": i["product_id"],
                "name": products[i["product_id"]]["name"],
                "price": products[i["product_id"]]["price"],
                "quantity": i["quantity"],
            }
            for i in wanted
        ]
        total = rules.order_total(wanted, {pid: p["price"] for pid, p in products.items()})
        now = self.clock()
        expires_at = now + rules.VA_LIFETIME_SECONDS
        try:
            with self.store.transaction():
                buyer_id = buyer.get("buyer_id") or self.store.add_buyer(
                    name=buyer["name"],
                    phone=buyer["phone"],
                    address=buyer["address"],
                    link_token=buyer["link_token"],
                    channel=channel,
                )
                order_id = rules.order_id_for(now, self.store.next_order_sequence())
                self.store.insert_order(
                    {
                        "order_id": order_id,
                        "channel": channel,
                        "fs_id": fs_id,
                        "channel_ref": channel_ref,
                        "idempotency_key": idempotency_key,
                        "buyer_id": buyer_id,
                        "shop_id": shop_id,
                        "order_status": rules.CREATED,
                        "total_amount": total,
                        # The checkout token is the buyer's key to the checkout page: unguessable,
                        # so nobody can read another buyer's order by counting order ids.
                        "checkout_token": secrets.token_urlsafe(24),
                        "expires_at": expires_at,
                        "created_at": now,
                        "update_time": now,
                    },
                    lines,
                )
        except OutOfStock as exc:
            raise errors.out_of_stock(exc.product_id, exc.stock) from None

        va_no, failure, detail, maybe = await self._open_virtual_account(
            order_id, buyer["name"], total, expires_at
        )
        if va_no is None:
            # A clear refusal, or a request that never reached the bank, created nothing; after
            # a timeout the VA may exist after all, so it is closed first. Unconfirmed, the
            # order waits for the stranded sweep.
            closed = not maybe or await self._close_va(order_id) == CLOSED
            if closed:
                # The caller gets a 502 and never learns this order id: no webhook is sent.
                with self.store.transaction():
                    if self.store.change_status(
                        order_id,
                        rules.CANCELLED_BY_SELLER,
                        (rules.CREATED,),
                        self.clock(),
                        reason="BANK_UNAVAILABLE",
                    ):
                        self.store.return_stock(order_id)
                        # The caller got a 502 and no order: its retry with the same key
                        # starts afresh instead of finding this cancelled order.
                        self.store.release_key(order_id)
            raise errors.bank_failed(failure, detail, order_id, cancelled=closed)

        with self.store.transaction():
            placed = self.store.set_virtual_account(
                order_id, va_no, rules.WAITING_PAYMENT, self.clock()
            )
            if placed:
                # The order as the webhook tells it is the order as committed: no second read.
                order = self._announce(order_id)
        if not placed:  # given up meanwhile: its new VA must not stay payable
            await self._close_va(order_id)
            order = self._order(order_id)
        self.outbox.kick()
        return order

    async def _open_virtual_account(
        self, order_id: str, name: str, total: int, expires_at: float
    ) -> tuple[str | None, str, str, bool]:
        """(VA number, "", "", True) or (None, error code, what went wrong, whether a VA may
        exist all the same)."""
        created = await self.bank.create_va(order_id, name, total, expires_at)
        if created.ok:
            data = created.body.get("virtualAccountData") or {}
            return data.get("virtualAccountNo") or self.bank.va_number(order_id), "", "", True
        if not created.unsure:
            return None, "bank_refused", created.describe(), False
        # A timeout or a 5xx does not say whether the bank created the VA before failing.
        # Creating again could make a second VA; asking first is the SNAP way.
        status = await self.bank.va_status(order_id)
        data = status.body.get("virtualAccountData") or {}
        if status.ok and data.get("paymentFlagStatus") in ("00", "01"):
            log.info(
                "VA of order %s exists although create-va failed (%s)", order_id, created.describe()
            )
            return data.get("virtualAccountNo") or self.bank.va_number(order_id), "", "", True
        return None, "bank_unavailable", created.describe(), created.sent

    def _replayed(
        self, order_id: str, key: str, buyer: dict[str, Any], items: list[OrderItemIn]
    ) -> dict[str, Any]:
        """The order a first request with `key` created, if this request asks the same."""
        order = self._order(order_id)
        asked = sorted((i.product_id, i.quantity) for i in items)
        has = sorted((i["product_id"], i["quantity"]) for i in order["items"])
        if order["buyer_id"] != buyer["buyer_id"] or asked != has:
            raise errors.idempotency_key_reused(key, order_id)
        if order["order_status"] == rules.CREATED:
            raise errors.order_in_progress(key, order_id)
        return order

    # --- read -------------------------------------------------------------------------------

    def partner_order(self, partner: Partner, order_id: str) -> dict[str, Any]:
        """An order placed through this partner; others are "not found", not "forbidden",
        so a partner cannot probe which order ids exist."""
        order = self.store.order(order_id)
        if order is None or order["channel"] != partner.name:
            raise errors.order_not_found(order_id)
        return order

    def view(self, order: dict[str, Any]) -> dict[str, Any]:
        """The partner API's view of an order."""
        return {
            "order_id": order["order_id"],
            "order_status": order["order_status"],
            "status": rules.storefront_status(order["order_status"]),
            "total_amount": order["total_amount"],
            "shop_id": order["shop_id"],
            "items": order["items"],
            "cancel_reason": order["cancel_reason"],
            "update_time": int(order["update_time"]),
            "shipment": self.shipping.view(order["order_id"]),
        }

    def checkout_page(self, token: str) -> dict[str, Any]:
        """What the buyer sees inside the storefront app: amount, VA, deadline, status."""
        order_id = self.store.order_id_by_checkout_token(token)
        if order_id is None:
            raise errors.checkout_not_found()
        order = self._order(order_id)
        payment = None
        state = rules.payment_state(order["order_status"], order["cancel_reason"])
        if self.debits is not None and state in ("UNPAID", "PAID") and self.debits.va_closed(order):
            state = "CLOSED"  # she chose to pay by direct debit: the VA can no longer be paid
        if order["va_no"]:
            payment = {
                "bank": BANK_NAME,
                "virtual_account_no": order["va_no"],
                "amount": order["total_amount"],
                "expires_at": rules.iso_wib(order["expires_at"]),
                "status": state,
            }
        return {
            "order_id": order_id,
            "status": rules.storefront_status(order["order_status"]),
            "order_status": order["order_status"],
            "total_amount": order["total_amount"],
            "shop_name": self.store.shop_name(order["shop_id"]),
            "payment": payment,
            "direct_debit": self.debits.checkout_info(order) if self.debits else None,
            "paid_with": self.debits.paid_with(order) if self.debits else None,
            "items": order["items"],
            "shipment": self.shipping.view(order_id),
        }

    # --- cancel and expire ------------------------------------------------------------------

    async def cancel_by_buyer(self, partner: Partner, order_id: str) -> dict[str, Any]:
        """Status 15, stock back, once the VA is closed at the bank.

        A paid order cannot be cancelled here (409); nor can one whose VA the bank says is
        paid (409 `order_being_paid`), nor one still waiting for its VA (409); and if the bank
        cannot confirm the VA is closed, the order stays open (503): it could still be paid.
        """
        status = self.partner_order(partner, order_id)["order_status"]
        if status == rules.CREATED:
            raise errors.order_being_set_up(order_id)
        if self.debits is not None and await self.debits.settle(order_id):
            raise errors.order_being_paid(order_id)  # a direct debit may still take the money
        if status == rules.WAITING_PAYMENT:
            closed, detail = await self._closed_va(order_id)
            if closed == PAID:
                raise errors.order_being_paid(order_id)
            if closed == UNSURE:
                raise errors.va_not_closed(order_id, detail)
        order = self._cancel(order_id, rules.CANCELLED_BY_BUYER, "CANCELLED_BY_BUYER")
        if order is None:
            if self.debits is not None and self.debits.holds(order_id):
                raise errors.order_being_paid(order_id)
            current = self._order(order_id)
            raise errors.order_not_cancellable(
                order_id, rules.storefront_status(current["order_status"])
            )
        return self.view(order)

    def expire_now(self, order_id: str) -> bool:
        """Let an unpaid order's payment time run out now (sandbox-only, `sandbox force
        expire-order`); the next sweep (`expiry.ExpirySweep`) cancels it as any other.
        False when the order is not waiting for payment."""
        return self.store.expire_now(order_id, self.clock(), (rules.WAITING_PAYMENT,))

    async def expire_due(self) -> list[str]:
        """Cancel every unpaid order whose VA has expired, once the bank closed it; returns
        their ids. An order whose VA the bank says is paid waits for its notification; one the
        bank does not answer about is tried again at the next sweep.

        Run every second by the service's lifespan (tests call it after moving the clock).
        """
        expired = []
        for order_id in self.store.unpaid_due(self.clock(), (rules.WAITING_PAYMENT,)):
            if self.debits is not None and await self.debits.settle(order_id):
                continue  # a direct debit may still take the money: not yet
            closed, detail = await self._closed_va(order_id)
            if closed != CLOSED:
                log.info("order %s is due but its VA is %s (%s)", order_id, closed, detail)
                continue
            if self._cancel(order_id, rules.CANCELLED_BY_SELLER, "PAYMENT_EXPIRED") is not None:
                expired.append(order_id)
        return expired + await self._give_up_stranded()

    async def _give_up_stranded(self) -> list[str]:
        """Cancel orders a crash left without a virtual account (see rules.STRANDED_SECONDS).

        The bank may have created the VA just before the crash, so it is deleted first; only a
        clear answer (deleted, or no such VA) lets the order go, otherwise the next sweep tries
        again - a VA that might still be payable must not outlive its cancelled order.
        """
        given_up = []
        cutoff = self.clock() - rules.STRANDED_SECONDS
        for order_id in self.store.stranded(cutoff, rules.CREATED):
            closed, detail = await self._closed_va(order_id)
            if closed != CLOSED:
                log.warning(
                    "order %s has no VA and the bank says %s (%s); retrying later",
                    order_id,
                    closed,
                    detail,
                )
                continue
            if self._cancel(order_id, rules.CANCELLED_BY_SELLER, "BANK_UNAVAILABLE"):
                self.store.release_key(order_id)  # its caller only ever heard 409: retry anew
                given_up.append(order_id)
        return given_up

    def _cancel(self, order_id: str, status: int, reason: str) -> dict[str, Any] | None:
        """Cancel an unpaid order, return its stock and announce it; None if not unpaid."""
        with self.store.transaction():
            if self.debits is not None and self.debits.holds(order_id):
                return None  # a debit started meanwhile: it wins, as a payment would
            if not self.store.change_status(
                order_id, status, rules.UNPAID_STATUSES, self.clock(), reason=reason
            ):
                return None
            self.store.return_stock(order_id)
            order = self._announce(order_id)
        self.outbox.kick()
        return order

    async def _close_va(self, order_id: str) -> str:
        """Make the order's VA unpayable at the bank: CLOSED, PAID or UNSURE."""
        return (await self._closed_va(order_id))[0]

    async def _closed_va(self, order_id: str) -> tuple[str, str]:
        """(CLOSED | PAID | UNSURE, what the bank said). Closed means deleted now, or no such
        VA (never created, or deleted before a crash): either way nobody can pay it."""
        return va_closed_by(await self.bank.delete_va(order_id))

    # --- payment (from the bank) ------------------------------------------------------------

    def record_payment(self, note: PaymentNotification) -> tuple[str, str]:
        """Apply a verified payment notification; returns (code, message) for the answer.

        Deduplicated by paymentRequestId: the bank retries a notification until it sees
        2002500, so the same payment may arrive twice and must count once.
        """
        try:
            paid = rules.rupiah_from_snap(note.paid_amount.value)
        except ValueError:
            raise snap_payment.bad_field("paidAmount.value", missing=False) from None
        order_id = note.trx_id or note.customer_no
        with self.store.transaction():
            if self.store.payment(note.payment_request_id) is not None:
                return "duplicate_payment", (
                    f"Payment {note.payment_request_id} was already recorded; nothing changed."
                )
            order = self.store.order(order_id)
            # Compare without the padding spaces of partnerServiceId: some senders trim them.
            if order is None or (order["va_no"] or "").strip() != note.virtual_account_no.strip():
                raise errors.snap_va_not_found(order_id)
            if note.payment_flag_status != "00":
                return "payment_not_successful", (
                    f"paymentFlagStatus {note.payment_flag_status}: nothing was paid."
                )
            if order["order_status"] in rules.CANCELLED_STATUSES:
                raise errors.snap_expired_bill(order_id)
            if order["order_status"] not in rules.UNPAID_STATUSES:
                raise errors.snap_paid_bill(order_id)
            if paid != order["total_amount"]:
                raise errors.snap_invalid_amount(paid, order["total_amount"])
            self.mark_paid(
                order_id, note.payment_request_id, paid, note.reference_no, note.trx_date_time
            )
        self.outbox.kick()
        return "payment_recorded", f"Order {order_id} is paid."

    def mark_paid(
        self,
        order_id: str,
        payment_id: str,
        paid: int,
        reference_no: str | None,
        trx_date_time: str | None,
    ) -> None:
        """Record a payment of an unpaid order and move it to paid (inside the transaction
        that checked it): the storefront's webhook and the courier's pickup go with it."""
        now = self.clock()
        self.store.insert_payment(
            {
                "payment_request_id": payment_id,
                "order_id": order_id,
                "paid_amount": paid,
                "reference_no": reference_no,
                "trx_date_time": trx_date_time,
                "received_at": now,
            }
        )
        self.store.change_status(order_id, rules.PAID, rules.UNPAID_STATUSES, now)
        order = self._announce(order_id)
        # Same transaction: a recorded payment always has its courier's pickup request.
        self.shipping.request_pickup(order)

    # --- webhooks ---------------------------------------------------------------------------

    def _announce(self, order_id: str) -> dict[str, Any]:
        """Queue the ORDER_STATUS_CHANGE webhook to the channel the order came from; the order
        as it read it (callers use it rather than read the row again).

        Call inside the transaction that made the change: both are saved, or neither.
        """
        order = self._order(order_id)
        partner = self.partners.by_name.get(order["channel"])
        if partner is None:
            return order
        notification_id = "ntf_" + secrets.token_hex(10)
        self.outbox.enqueue(
            event_id=notification_id,
            target=partner.name,
            path=partner.webhook_path,
            kind=webhook_kind(partner),
            body={
                "type": "ORDER_STATUS_CHANGE",
                "notification_id": notification_id,
                "shop_id": order["shop_id"],
                "fs_id": partner.fs_id,
                "timestamp": int(self.clock()),
                "data": {
                    "order_id": order_id,
                    "order_status": order["order_status"],
                    "status": rules.storefront_status(order["order_status"]),
                    "update_time": int(order["update_time"]),
                    # The partner's own reference, echoed: it lets a storefront whose create
                    # call lost its answer recognise the order when this webhook arrives.
                    "channel_ref": order["channel_ref"],
                },
            },
        )
        return order

    def _order(self, order_id: str) -> dict[str, Any]:
        order = self.store.order(order_id)
        assert order is not None, f"order {order_id} vanished"
        return order


def va_closed_by(answer: BankAnswer) -> tuple[str, str]:
    """What the bank's answer to deleting a VA says: (CLOSED | PAID | UNSURE, its words)."""
    if answer.ok:
        return CLOSED, answer.describe()
    case = str(answer.body.get("responseCode", ""))[-2:] if answer.status == 404 else ""
    if case == "12":
        return CLOSED, answer.describe()
    if case == "14":
        return PAID, answer.describe()
    return UNSURE, answer.describe()
