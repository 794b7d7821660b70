"""The marketplace's client for the bank: closed virtual accounts, account binding and direct
debit over SNAP.

The marketplace is a biller at the bank. It holds SNAP credentials (`holds["bank"]`) and calls
through the wire, so every call is signed by `SnapAuth` and recorded. Network trouble never
raises out of here: every call returns a `BankAnswer`, and the caller decides what to do.

A bank under load may throttle us: SNAP `429xx00` with `Retry-After`. We wait that long (at most
`MAX_WAIT_S`, plus a little jitter) and send the same request again with the same X-EXTERNAL-ID,
a few times at most; the bank throttles before it looks at the request, so a retried call is
done once.
"""

from __future__ import annotations

import asyncio
import random
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from sandbox.dialects.snap import SnapAuth
from sandbox.services.marketplace.rules import iso_wib, snap_amount
from sandbox.wire import Wire
from sandbox.wire.context import random_hex

CREATE_VA = "/v1.0/transfer-va/create-va"
VA_STATUS = "/v1.0/transfer-va/status"
DELETE_VA = "/v1.0/transfer-va/delete-va"
BIND = "/v1.0/registration-account-binding"
VERIFY_OTP = "/v1.0/otp-verification"
UNBIND = "/v1.0/registration-account-unbinding"
DEBIT = "/v1.0/debit/payment-host-to-host"
DEBIT_STATUS = "/v1.0/debit/status"
DEBIT_REFUND = "/v1.0/debit/refund"
THROTTLED = 429
MAX_THROTTLED = 3
"""How many times a throttled call is sent again before its 429 is the answer."""
MAX_WAIT_S = 5.0
"""The longest we wait for one `Retry-After`: a buyer is waiting on the other end."""
JITTER_S = 0.5
"""Up to this much more than `Retry-After`, drawn anew each time: a crowd throttled in the same
second would otherwise come back in the same second and be throttled again."""
_jitter = random.SystemRandom()


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
    retry_after_s: float | None = None
    """When the bank was still throttling us after our retries: how long it asked us to wait."""

    @property
    def ok(self) -> bool:
        return self.status == 200 and str(self.body.get("responseCode", "")).startswith("200")

    @property
    def pending(self) -> bool:
        """Accepted, waiting for the customer: a code was texted to her (SNAP 202xx00)."""
        return self.status == 202 and str(self.body.get("responseCode", "")).startswith("202")

    @property
    def throttled(self) -> bool:
        """The bank is busy (SNAP 429xx00): it throttled the request before looking at it, so
        the request did nothing and may be sent again later, unchanged."""
        return self.status == THROTTLED

    @property
    def case(self) -> str:
        """The SNAP case of the answer: the last two digits of `responseCode` ("" if none)."""
        code = str(self.body.get("responseCode", ""))
        return code[-2:] if len(code) == 7 else ""

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
        self,
        wire: Wire,
        holds: Mapping[str, Any] | None,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.wire = wire
        self.sleep = sleep
        """How we wait out a `Retry-After` (a test's fake clock moves instead)."""
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
            {**self._va_fields(order_id), "inquiryRequestId": random_hex(16)},
        )

    async def delete_va(self, order_id: str) -> BankAnswer:
        """Make the VA unpayable (cancelled or expired order)."""
        return await self._call(
            "DELETE", DELETE_VA, {**self._va_fields(order_id), "trxId": order_id}
        )

    # --- account binding and direct debit ---------------------------------------------------

    async def bind(self, phone: str, customer_id: str, reference: str) -> BankAnswer:
        """Ask the bank to text the account holder of `phone` a code to bind her account."""
        return await self._call(
            "POST",
            BIND,
            {
                "partnerReferenceNo": reference,
                "phoneNo": phone,
                "additionalInfo": {"customerId": customer_id},
            },
        )

    async def verify_otp(self, reference: str, otp: str) -> BankAnswer:
        """The code the buyer typed, for the binding or debit the bank named `reference`."""
        return await self._call("POST", VERIFY_OTP, {"originalReferenceNo": reference, "otp": otp})

    async def debit(self, token: str, order_id: str, amount: int) -> BankAnswer:
        """Debit the bound account behind `token` for an order (its id is the reference, so a
        repeat is recognised by the bank and moves nothing)."""
        return await self._call(
            "POST",
            DEBIT,
            {"partnerReferenceNo": order_id, "amount": snap_amount(amount)},
            customer=token,
        )

    async def debit_status(self, order_id: str) -> BankAnswer:
        """What became of an order's debit."""
        return await self._call(
            "POST", DEBIT_STATUS, {"originalPartnerReferenceNo": order_id, "serviceCode": "54"}
        )

    async def refund(self, order_id: str, refund_no: str, amount: int, reason: str) -> BankAnswer:
        """Give (part of) an order's debit back; the same `refund_no` is the same refund."""
        return await self._call(
            "POST",
            DEBIT_REFUND,
            {
                "originalPartnerReferenceNo": order_id,
                "partnerRefundNo": refund_no,
                "refundAmount": snap_amount(amount),
                "reason": reason[:256],
            },
        )

    async def unbind(self, token: str, reference: str) -> BankAnswer:
        """End the binding behind `token`."""
        return await self._call("POST", UNBIND, {"partnerReferenceNo": reference}, customer=token)

    async def _call(
        self, method: str, path: str, body: dict[str, Any], customer: str | None = None
    ) -> BankAnswer:
        if self.auth is None:
            return BankAnswer(None, failure="the marketplace holds no bank credentials")
        # SNAP's B2B2C header: the customer's token, besides our own B2B token. One
        # X-EXTERNAL-ID for every attempt: a throttled request sent again is the same request.
        headers = {"X-EXTERNAL-ID": str(secrets.randbelow(10**18)).zfill(18)}
        if customer:
            headers["Authorization-Customer"] = f"Bearer {customer}"
        try:
            client = self.wire.client("marketplace", "bank")
            for attempt in range(MAX_THROTTLED + 1):
                response = await client.request(
                    method, path, json=body, auth=self.auth, headers=headers
                )
                if response.status_code != THROTTLED or attempt == MAX_THROTTLED:
                    break
                wait = retry_after(response.headers.get("Retry-After"))
                await self.sleep(wait + _jitter.uniform(0, JITTER_S))
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
        body = payload if isinstance(payload, dict) else {}
        if response.status_code == THROTTLED:
            wait = retry_after(response.headers.get("Retry-After"))
            return BankAnswer(response.status_code, body, retry_after_s=wait)
        return BankAnswer(response.status_code, body)


def retry_after(value: str | None) -> float:
    """Seconds to wait from a `Retry-After` header: a number of seconds, within 0 and
    `MAX_WAIT_S`; 1 when it is missing, a date, or anything else."""
    try:
        seconds = float(value or "1")
    except ValueError:
        return 1.0
    if seconds != seconds:  # NaN
        return 1.0
    return min(MAX_WAIT_S, max(0.0, seconds))
