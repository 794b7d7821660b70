"""The marketplace with the real bank, registry and storefront, all in-process.

These follow the contracts end to end: the VA the marketplace asks for is the one the buyer
pays in her bank app, and the storefront hears about it only through signed webhooks.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Services

FS = 7001
SHIRT = 100101


async def _order(services: Services, quantity: int = 1) -> dict[str, Any]:
    response = await services.client("marketplace", "social").post(
        f"/api/v2/fs/{FS}/orders",
        auth=services.auth("marketplace", "social"),
        json={
            "buyer_link_token": services.world["marketplace"]["buyers"][0]["link_token"],
            "items": [{"product_id": SHIRT, "quantity": quantity}],
        },
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _bank_session(services: Services) -> httpx.AsyncClient:
    buyer = services.world["personas"]["buyer"]
    bank = services.client("bank", "buyer")
    login = await bank.post(
        "/mobile/v1/sessions", json={"account_no": buyer["account_no"], "pin": buyer["pin"]}
    )
    assert login.status_code == 201, login.text
    bank.headers["Authorization"] = f"Bearer {login.json()['session_token']}"
    return bank


def _va(services: Services, order_id: str) -> str:
    row = services.apps["marketplace"].state.store.order(order_id)
    return str(row["va_no"])


async def test_paid_va_makes_the_order_paid(services: Services) -> None:
    order = await _order(services)
    assert (order["order_status"], order["total_amount"]) == (103, 185000)
    va = _va(services, order["order_id"])

    bank = await _bank_session(services)
    seen = await bank.post("/mobile/v1/va-inquiries", json={"virtual_account_no": va})
    assert seen.status_code == 200, seen.text
    assert (seen.json()["amount"], seen.json()["status"]) == (185000, "UNPAID")
    paid = await bank.post(
        "/mobile/v1/va-payments",
        headers={"Idempotency-Key": "k-1"},
        json={"virtual_account_no": va, "amount": 185000},
    )
    assert paid.status_code == 201, paid.text
    await services.settle()

    row = services.apps["marketplace"].state.store.order(order["order_id"])
    assert row["order_status"] == 220
    notified = [
        c
        for c in services.calls
        if c.callee == "marketplace" and c.path == "/v1.0/transfer-va/payment"
    ]
    assert [c.status for c in notified] == [200]
    hooks = [c for c in services.calls if c.caller == "marketplace" and c.callee == "social"]
    assert hooks and all(c.status == 200 for c in hooks)
    assert services.apps["marketplace"].state.outbox.pending() == []


async def test_expired_order_deletes_the_va_at_the_bank(services: Services) -> None:
    order = await _order(services, quantity=3)
    va = _va(services, order["order_id"])
    services.clock.advance(24 * 3600)
    assert await services.apps["marketplace"].state.orders.expire_due() == [order["order_id"]]
    delete = [c for c in services.calls if c.path == "/v1.0/transfer-va/delete-va"]
    assert [c.status for c in delete] == [200]
    bank = await _bank_session(services)
    seen = await bank.post("/mobile/v1/va-inquiries", json={"virtual_account_no": va})
    assert seen.json()["status"] in ("DELETED", "EXPIRED")


async def test_newcomer_opens_a_shop_after_kyc(services: Services) -> None:
    client = services.client("marketplace", "newcomer")
    form = {
        "nik": "9902014907010001",
        "name": "Dewi Lestari",
        "birth_place": "Tanjung Damai",
        "birth_date": "2001-07-09",
        "sex": "P",
        "shop_name": "Dewi Craft",
        "consent": True,
    }
    wrong = await client.post("/seller/v1/registrations", json={**form, "birth_date": "2001-07-10"})
    assert wrong.status_code == 422, wrong.text
    assert wrong.json()["fields"] == ["tgl_lhr"]
    response = await client.post("/seller/v1/registrations", json=form)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "VERIFIED"
    identity_calls = [(c.path, c.status) for c in services.calls if c.callee == "identity"]
    assert identity_calls == [("/v1/consents", 201), ("/v1/verify", 200)] * 2
