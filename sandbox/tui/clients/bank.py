"""Bank Contoh's mobile app, logged in as the account holder (the actor logs in once, by PIN)."""

from __future__ import annotations

import secrets
from typing import Any

from sandbox.trace.events import HttpCall
from sandbox.tui.clients.client import AppClient, body_of, took

NOTIFICATION = "/v1.0/transfer-va/payment"
"""Where the bank tells a biller (the marketplace, the hospital) that a VA was paid (SNAP 25)."""
_OWN_PAYMENTS = ("/mobile/v1/va-payments", "/mobile/v1/transfers")
_MERCHANT_MOVES = (
    "/v1.0/debit/payment-host-to-host",
    "/v1.0/otp-verification",
    "/v1.0/debit/refund",
)
"""Where a merchant moves money of a bound account (SNAP 54, its code confirmed, 58)."""


def va_paid(call: HttpCall) -> str | None:
    """The VA's digits when `call` is the bank telling its biller the VA was paid, and the
    biller took the notification."""
    if call.caller != "bank" or not took(call, call.callee, "POST", NOTIFICATION):
        return None
    body = body_of(call)
    va = body.get("virtualAccountNo")
    if not isinstance(va, str) or body.get("paymentFlagStatus", "00") != "00":
        return None
    return "".join(va.split()) or None


class BankClient(AppClient):
    """What the bank app asks the bank: the account, a virtual account, a payment."""

    service = "bank"

    async def account(self) -> dict[str, Any]:
        """The holder's account: number, name and balance."""
        return await self.call("bank", "GET", "/mobile/v1/accounts/me")

    async def inquire(self, va_no: str) -> dict[str, Any]:
        """Who a virtual account pays, how much, and whether it is paid."""
        return await self.call(
            "bank", "POST", "/mobile/v1/va-inquiries", json={"virtual_account_no": va_no}
        )

    async def pay(self, va_no: str, amount: int, key: str) -> dict[str, Any]:
        """Pay a virtual account; the same `key` again returns the first payment, not a new one."""
        return await self.call(
            "bank",
            "POST",
            "/mobile/v1/va-payments",
            json={"virtual_account_no": va_no, "amount": amount},
            headers={"Idempotency-Key": key},
        )

    def moved_money(self, call: HttpCall, account_no: str) -> bool:
        """True when `call` moved money out of this person's account (paid from any device, or
        debited by a merchant she bound it to) or into it (a transfer to `account_no`, a
        merchant's refund)."""
        if any(took(call, "bank", "POST", path) for path in _OWN_PAYMENTS):
            if call.caller == self.who:
                return True
            return body_of(call).get("to_account_no") == account_no
        # A merchant debited (or refunded) a bound account: 200, not 202 (a code was texted,
        # nothing moved yet). The call does not say whose account (her token is redacted),
        # so any such call may be hers: asking for the balance again costs one GET.
        return call.status == 200 and any(
            took(call, "bank", "POST", path) for path in _MERCHANT_MOVES
        )

    @staticmethod
    def new_key() -> str:
        """A fresh idempotency key: a secret of this phone's request, sent and never shown."""
        return secrets.token_hex(12)
