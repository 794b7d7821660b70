"""The marketplace's client for the bank: closed virtual accounts over SNAP.

The marketplace is a biller at the bank. It holds SNAP credentials (`holds["bank"]`) and calls
through the wire, so every call is signed by `SnapAuth` and recorded. Network trouble never
raises out of here: every call returns a `BankAnswer`, and the caller decides what to do.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from sandbox.services.marketplace.rules import iso_wib, snap_amount
from sandbox.wire import Wire
from sandbox.wire.auth import SnapAuth

CREATE_VA = "/v1.0/transfer-va/create-va"
VA_STATUS = "/v1.0/transfer-va/status"
DELETE_VA = "/v1.0/transfer-va/delete-va"


@dataclass(frozen=True, slots=True)
class BankAnswer:
    """What came back: an HTTP status and JSON body, or the failure that prevented one."""

    status: int | None
    body: dict[str, Any] = field(default_factory=dict)
    failure: str | None = None
    """"timeout", "unreachable", ... when there was no answer at all."""
    sent: bool = True
    """False when the request never reached the bank (the connection could not be made): then
    it certainly did nothing, whatever it asked."""

    @property
    def ok(self) -> bool:
        return self.status == 200 and str(self.body.get("responseCode", "")).startswith("200")

    @property
    def unsure(self) -> bool:
        """No answer, a conflict or a server error: the VA may or may not exist.

        DOMAIN.md: a client that gets 409, 5xx or a timeout asks /status before retrying.
        """
        return self.status is None or self.status == 409 or self.status >= 500

    def describe(self) -> str:
        if self.status is None:
            return f"no answer: {self.failure}"
        code = self.body.get("responseCode") or self.body.get("code") or "?"
        message = self.body.get("responseMessage") or self.body.get("message") or ""
        return f"HTTP {self.status}, {code} {message}".strip()


class BankClient:
    """Create, check and delete the closed VA of an order."""

    def __init__(
        self, wire: Wire, holds: Mapping[str, Any] | None, clock: Callable[[], float]
    ) -> None:
        self.wire = wire
        self.creds = dict(holds or {})
        self.auth = (
            SnapAuth(
                self.creds.get("client_key", ""),
                self.creds.get("client_secret", ""),
                self.creds.get("partner_id", ""),
                self.creds.get("channel_id", ""),
                clock,
            )
            if holds
            else None
        )
        self.partner_service_id: str = self.creds.get("partner_service_id", "")

    def va_number(self, customer_no: str) -> str:
        """VA = partnerServiceId (8 chars, left-padded with spaces) + customerNo."""
        return self.partner_service_id + customer_no

    def _va_fields(self, order_id: str) -> dict[str, str]:
        # The order id is all digits, so it doubles as the VA's customerNo.
        return {
            "partnerServiceId": self.partner_service_id,
            "customerNo": order_id,
            "virtualAccountNo": self.va_number(order_id),
        }

    async def create_va(
        self, order_id: str, name: str, amount: int, expires_at: float
    ) -> BankAnswer:
        """A closed VA: exact amount, single use, valid until `expires_at`."""
        return await self._call(
            "POST",
            CREATE_VA,
            {
                **self._va_fields(order_id),
                "virtualAccountName": name[:255],
                "trxId": order_id,
                "totalAmount": snap_amount(amount),
                "expiredDate": iso_wib(expires_at),
                "additionalInfo": {},
            },
        )

    async def va_status(self, order_id: str) -> BankAnswer:
        """Does the order's VA exist at the bank, and is it paid?"""
        return await self._call(
            "POST",
            VA_STATUS,
            {**self._va_fields(order_id), "inquiryRequestId": secrets.token_hex(16)},
        )

    async def delete_va(self, order_id: str) -> BankAnswer:
        """Make the VA unpayable (cancelled or expired order)."""
        return await self._call(
            "DELETE", DELETE_VA, {**self._va_fields(order_id), "trxId": order_id}
        )

    async def _call(self, method: str, path: str, body: dict[str, Any]) -> BankAnswer:
        if self.auth is None:
            return BankAnswer(None, failure="the marketplace holds no bank credentials")
        try:
            client = self.wire.client("marketplace", "bank")
            response = await client.request(method, path, json=body, auth=self.auth)
        except (httpx.ConnectError, httpx.ConnectTimeout, LookupError) as exc:
            # No connection, so no request: the bank cannot have acted on it.
            return BankAnswer(None, failure=f"unreachable ({type(exc).__name__})", sent=False)
        except httpx.TimeoutException:
            return BankAnswer(None, failure="timeout")
        except httpx.HTTPError as exc:
            return BankAnswer(None, failure=f"unreachable ({type(exc).__name__})")
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        return BankAnswer(response.status_code, payload if isinstance(payload, dict) else {})
