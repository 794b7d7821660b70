"""Helpers for the bank's account binding and direct debit tests: signed calls as a partner,
and the customer's phone (what the bank texted her)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.conftest import Services

BIND, VERIFY, UNBIND = (
    "/v1.0/registration-account-binding",
    "/v1.0/otp-verification",
    "/v1.0/registration-account-unbinding",
)
DEBIT, STATUS, REFUND = (
    "/v1.0/debit/payment-host-to-host",
    "/v1.0/debit/status",
    "/v1.0/debit/refund",
)
BUYER_PHONE = "+62 812-0000-0001"
"""Sari's phone, as she types it."""


def texts(services: Services, phone: str = BUYER_PHONE) -> list[str]:
    """What the bank texted this phone, oldest first."""
    return [m["text"] for m in services.apps["bank"].state.sms_to(phone)]


def last_code(services: Services, phone: str = BUYER_PHONE) -> str:
    """The code in the newest text to this phone."""
    found = re.search(r"\b(\d{6})\b", texts(services, phone)[-1])
    assert found, texts(services, phone)[-1]
    return found.group(1)


def code(response: httpx.Response) -> str:
    return str(response.json()["responseCode"])


class Merchant:
    """A partner of the bank (the marketplace by default) making signed SNAP calls."""

    def __init__(self, services: Services, name: str = "marketplace") -> None:
        self.services = services
        self.client = services.client("bank", name)
        self.auth = services.auth("bank", name)

    async def call(
        self, path: str, body: dict[str, Any], token: str | None = None
    ) -> httpx.Response:
        headers = {"Authorization-Customer": f"Bearer {token}"} if token else {}
        return await self.client.post(path, json=body, auth=self.auth, headers=headers)

    async def bind(self, phone: str = BUYER_PHONE, ref: str = "bind-1") -> httpx.Response:
        return await self.call(
            BIND,
            {
                "partnerReferenceNo": ref,
                "phoneNo": phone,
                "additionalInfo": {"customerId": "50001"},
            },
        )

    async def verify(self, reference: str, typed: str) -> httpx.Response:
        return await self.call(VERIFY, {"originalReferenceNo": reference, "otp": typed})

    async def bound(self, phone: str = BUYER_PHONE) -> str:
        """Bind the account of this phone and return the token."""
        started = await self.bind(phone)
        assert started.status_code == 202, started.text
        done = await self.verify(started.json()["referenceNo"], last_code(self.services, phone))
        assert done.status_code == 200, done.text
        token: str = done.json()["linkageToken"]
        return token

    async def debit(self, token: str, ref: str, amount: str = "185000.00") -> httpx.Response:
        body = {"partnerReferenceNo": ref, "amount": {"value": amount, "currency": "IDR"}}
        return await self.call(DEBIT, body, token)


def balance(services: Services, account_no: str) -> int:
    account = services.apps["bank"].state.store.account(account_no)
    assert account is not None
    return int(account["balance"])
