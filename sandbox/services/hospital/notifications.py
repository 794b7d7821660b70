"""Payment notifications from the bank (SNAP service 25): verify, deduplicate, mark PAID once.

The bank signs each notification with the notification secret it shares with us (from
`holds["bank"]`): base64 HMAC-SHA512 over "POST:path:lowerhex(sha256(minified body)):X-TIMESTAMP".
The checks are the marketplace's (the other biller), one NotificationGate in
dialects/snap/payment.py: our partner id, a fresh timestamp, then the signature in constant
time. There is no nonce: a replayed notification carries a paymentRequestId we already
recorded, and SNAP says to acknowledge a duplicate without effect.
A *different* payment of a bill that is already paid is refused (4042514 "Paid Bill"), so a
bill is paid once; the bank takes that answer as final and gives the second payment back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sandbox.dialects.snap import payment as snap_payment
from sandbox.dialects.snap.payment import PaymentNotification
from sandbox.services.hospital import errors, rules
from sandbox.services.hospital.store import HospitalStore


class BankNotifications(snap_payment.NotificationGate):
    """Checks that a notification really comes from our bank (the gate every biller shares,
    dialects/snap/payment.py), then applies it."""

    def __init__(
        self, holds: Mapping[str, Any] | None, store: HospitalStore, clock: Callable[[], float]
    ) -> None:
        super().__init__(holds, clock)
        self.store = store

    @staticmethod
    def parse(raw: bytes) -> PaymentNotification:
        """The SNAP body; errors become 4002501 (format) / 4002502 (mandatory)."""
        return snap_payment.parse(raw)

    def record(self, note: PaymentNotification) -> tuple[str, str]:
        """Apply a verified notification; returns (code, message). Duplicates change nothing."""
        paid = rules.parse_snap_amount(note.paid_amount.value)
        if paid is None:
            raise snap_payment.bad_field("paidAmount.value", missing=False)
        with self.store.atomic():
            if self.store.payment(note.payment_request_id) is not None:
                return "duplicate_payment", (
                    f"Payment {note.payment_request_id} was already recorded; nothing changed."
                )
            admission = self.store.admission_by_va(note.virtual_account_no)
            if admission is None or (note.trx_id and note.trx_id != admission["admission_id"]):
                raise errors.snap_va_not_found(note.virtual_account_no)
            if note.payment_flag_status != "00":
                return "payment_not_successful", (
                    f"paymentFlagStatus {note.payment_flag_status}: nothing was paid."
                )
            if admission["bill_status"] == "PAID":
                # Another payment (another paymentRequestId) already paid this bill. Refused
                # with SNAP's "Paid Bill", a final answer: the bank gives this money back.
                raise errors.snap_paid_bill(admission["admission_id"])
            if paid != admission["amount"]:
                raise errors.snap_invalid_amount(paid, admission["amount"])
            now = self.clock()
            recorded = self.store.record_payment(
                {
                    "payment_request_id": note.payment_request_id,
                    "admission_id": admission["admission_id"],
                    "paid_amount": paid,
                    "reference_no": note.reference_no,
                    "trx_date_time": note.trx_date_time,
                    "received_at": now,
                },
                now,
            )
            if not recorded:  # paid between our read and our write: the store said no
                raise errors.snap_paid_bill(admission["admission_id"])
        return "payment_recorded", f"The bill of admission {admission['admission_id']} is paid."
