"""Bank Contoh's mobile app, logged in as the account holder (the actor logs in once, by PIN)."""

from __future__ import annotations

import secrets
from typing import Any

from sandbox.tui.clients.client import AppClient


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

    @staticmethod
    def new_key() -> str:
        """A fresh idempotency key: a secret of this phone's request, sent and never shown."""
        return secrets.token_hex(12)
