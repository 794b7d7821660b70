"""The notifications the bank sends a partner: a VA was paid (SNAP 25), a debit was made (56).

The notification is enqueued in the outbox inside the transaction that moved the money, so a
paid VA always gets its notification and a rolled-back payment never does. It is signed when
it is sent, not when it is enqueued, so a retry an hour later still carries a fresh timestamp.
"""

from __future__ import annotations

import secrets
from typing import Any

from sandbox.dialects import snap
from sandbox.dialects.common import timestamp
from sandbox.services.bank import rules
from sandbox.services.bank.auth import Partner
from sandbox.wire.outbox import Signer

PAYMENT_PATH = "/v1.0/transfer-va/payment"
"""Where the biller receives payment notifications (on the biller's own service)."""
DEBIT_PATH = "/v1.0/debit/notify"
"""Where a merchant receives direct-debit notifications (SNAP service 56)."""


def kind(partner: Partner) -> str:
    """The outbox kind of a partner's notifications: each partner has its own secret."""
    return f"snap-payment:{partner.name}"


def debit_kind(partner: Partner) -> str:
    """The outbox kind of a partner's debit notifications (signed alike, never reversed)."""
    return f"snap-debit:{partner.name}"


def debit_body(debit: dict[str, Any], partner: Partner, paid_at: float) -> dict[str, Any]:
    """The SNAP direct-debit notification body: this debit moved the money."""
    return {
        "originalPartnerReferenceNo": debit["partner_reference_no"],
        "originalReferenceNo": debit["reference_no"],
        "merchantId": partner.partner_id,
        "amount": rules.format_amount(debit["amount"]),
        "latestTransactionStatus": "00",
        "transactionStatusDesc": "Success",
        "finishedTime": rules.wib_iso(paid_at),
        "additionalInfo": {},
    }


def payment_body(
    va: dict[str, Any], payment_request_id: str, reference_no: str, paid_at: float
) -> dict[str, Any]:
    """The SNAP payment notification body for a paid closed VA (key order as SNAP lists it)."""
    amount = rules.format_amount(va["amount"])
    return {
        "partnerServiceId": va["partner_service_id"],
        "customerNo": va["customer_no"],
        "virtualAccountNo": va["virtual_account_no"],
        "virtualAccountName": va["name"],
        "trxId": va["trx_id"],
        "paymentRequestId": payment_request_id,
        "paidAmount": amount,
        "totalAmount": amount,
        "trxDateTime": rules.wib_iso(paid_at),
        "referenceNo": reference_no,
        "paymentFlagStatus": rules.FLAG_PAID,
        "paymentFlagReason": {"english": "Success", "indonesia": "Sukses"},
    }


def signer(partner: Partner) -> Signer:
    """Headers for one delivery attempt: fresh timestamp, signature and external id."""

    def sign(path: str, body: bytes, now: float) -> dict[str, str]:
        ts = timestamp(now)
        return {
            "X-TIMESTAMP": ts,
            "X-SIGNATURE": snap.notification_signature(
                partner.notification_secret, "POST", path, body, ts
            ),
            "X-PARTNER-ID": partner.partner_id,
            # A new external id per attempt: a retry is a new request, and the biller
            # deduplicates the payment itself by paymentRequestId.
            "X-EXTERNAL-ID": str(secrets.randbelow(10**18)).zfill(18),
            "CHANNEL-ID": partner.channel_id,
        }

    return sign
