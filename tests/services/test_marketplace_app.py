"""The marketplace's own buyer app (/app/v1): ordering without an integrated storefront.

End to end with the real bank: the buyer types the product into our app, pays the VA from her
bank app, and our app shows the order paid.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import Services
from tests.services.test_marketplace_fakes import FakeBank

SHIRT = 100101  # 185000, stock 25
SOLD_OUT = 300004  # stock 0
LAST_ONE = 100103  # stock 1
RINA = {"name": "Rina Kartika", "phone": "+6281299990001", "address": "Jl. Kenanga No. 3"}


def app_client(services: Services) -> httpx.AsyncClient:
    return services.client("marketplace", "buyer")


async def order(services: Services, **changes: Any) -> httpx.Response:
    body = {"product_id": SHIRT, "quantity": 2, "buyer": RINA, **changes}
    return await app_client(services).post("/app/v1/orders", json=body)


def buyers(services: Services) -> list[dict[str, Any]]:
    return list(services.apps["marketplace"].state.store.db.query("SELECT * FROM buyers"))


async def pay_in_bank_app(services: Services, va: str, amount: int) -> httpx.Response:
    persona = services.world["personas"]["buyer"]
    bank = services.client("bank", "buyer")
    login = await bank.post(
        "/mobile/v1/sessions", json={"account_no": persona["account_no"], "pin": persona["pin"]}
    )
    assert login.status_code == 201, login.text
    return await bank.post(
        "/mobile/v1/va-payments",
        headers={
            "Idempotency-Key": "app-order-1",
            "Authorization": f"Bearer {login.json()['session_token']}",
        },
        json={"virtual_account_no": va, "amount": amount},
    )


async def test_app_order_is_paid_from_the_bank_app(services: Services) -> None:
    before = len(buyers(services))
    created = await order(services)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body == {
        "order_id": "240301000001",
        "status": "UNPAID",
        "order_status": 103,
        "total_amount": 370000,
        "bank": "Bank Contoh",
        "va_number": "   88001240301000001",
        "expires_at": "2024-03-02T15:00:00+07:00",
    }
    new = buyers(services)[before:]
    assert [(b["name"], b["phone"], b["address"]) for b in new] == [
        (RINA["name"], RINA["phone"], RINA["address"])
    ]
    assert new[0]["link_token"] not in created.text

    paid = await pay_in_bank_app(services, body["va_number"], 370000)
    assert paid.status_code == 201, paid.text
    await services.settle()

    shown = await app_client(services).get(f"/app/v1/orders/{body['order_id']}")
    assert shown.status_code == 200, shown.text
    view = shown.json()
    assert (view["status"], view["order_status"], view["shipment"]) == (
        "AWAITING_SHIPMENT",
        220,
        None,
    )
    assert view["items"] == [
        {"product_id": SHIRT, "name": "Kemeja Batik Tulis Sukamaju", "price": 185000, "quantity": 2}
    ]
    assert RINA["name"] not in shown.text and RINA["phone"] not in shown.text
    # Our own channel: no storefront is told anything.
    assert not [c for c in services.calls if c.caller == "marketplace" and c.callee == "social"]
    notified = [c for c in services.calls if c.path == "/v1.0/transfer-va/payment"]
    assert [c.status for c in notified] == [200]


async def test_app_order_reserves_stock(services: Services) -> None:
    assert (await order(services, product_id=LAST_ONE, quantity=1)).status_code == 201
    again = await order(services, product_id=LAST_ONE, quantity=1)
    assert again.status_code == 409, again.text
    assert (again.json()["code"], again.json()["stock"]) == ("out_of_stock", 0)


async def test_sold_out_is_409_and_leaves_no_buyer(services: Services) -> None:
    before = len(buyers(services))
    response = await order(services, product_id=SOLD_OUT, quantity=1)
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "out_of_stock"
    assert len(buyers(services)) == before


async def test_unknown_product_is_404(services: Services) -> None:
    response = await order(services, product_id=999999)
    assert response.status_code == 404
    assert response.json()["code"] == "product_not_found"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": 100}, "quantity"),
        ({"product_id": 0}, "product_id"),
        ({"buyer": {**RINA, "phone": "0812-999"}}, "buyer.phone"),
        ({"buyer": {**RINA, "phone": "0812 99x9 9999"}}, "buyer.phone"),
        ({"buyer": {**RINA, "phone": "+62812999900011234"}}, "buyer.phone"),
        ({"buyer": {**RINA, "name": ""}}, "buyer.name"),
        ({"buyer": {**RINA, "address": "x" * 201}}, "buyer.address"),
        ({"buyer": {**RINA, "nik": "9971015403960001"}}, "buyer.nik"),
        ({"coupon": "FREE"}, "coupon"),
    ],
)
async def test_bad_app_order_is_400(
    services: Services, changes: dict[str, Any], field: str
) -> None:
    response = await order(services, **changes)
    assert response.status_code == 400, response.text
    assert response.json()["code"] in ("invalid_field", "missing_field")
    assert response.json()["field"] == field


async def test_missing_buyer_is_400(services: Services) -> None:
    response = await app_client(services).post(
        "/app/v1/orders", json={"product_id": SHIRT, "quantity": 1}
    )
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("missing_field", "buyer")


async def test_partner_order_is_not_shown_in_the_app(services: Services) -> None:
    placed = await services.client("marketplace", "social").post(
        "/api/v2/fs/7001/orders",
        auth=services.auth("marketplace", "social"),
        json={
            "buyer_link_token": services.world["marketplace"]["buyers"][0]["link_token"],
            "items": [{"product_id": SHIRT, "quantity": 1}],
        },
    )
    assert placed.status_code == 201, placed.text
    for order_id in (placed.json()["order_id"], "240301999999"):
        response = await app_client(services).get(f"/app/v1/orders/{order_id}")
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "order_not_found"


async def test_bank_down_is_the_partner_path_502(services: Services) -> None:
    fake = FakeBank(services.world["partners"]["bank"]["marketplace"], create="error500")
    services.wire.mount("bank", fake.app)
    response = await order(services)
    assert response.status_code == 502, response.text
    assert response.json()["code"] == "bank_unavailable"
    stock = services.apps["marketplace"].state.store.product_cards([SHIRT])[0]["stock"]
    assert stock == 25


async def test_a_phone_number_is_taken_as_people_write_it(services: Services) -> None:
    response = await order(services, buyer={**RINA, "phone": "+62 812-9999.0001"})
    assert response.status_code == 201, response.text
    stored = (
        services.apps["marketplace"]
        .state.store.db.execute("SELECT phone FROM buyers ORDER BY buyer_id DESC LIMIT 1")
        .fetchone()
    )
    assert stored[0] == "+6281299990001"
