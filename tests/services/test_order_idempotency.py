"""Creating an order twice with one Idempotency-Key makes one order, from the storefront's Buy
down to the marketplace's partner API."""

from __future__ import annotations

from typing import Any

import httpx

from sandbox.scenarios.identities import partner_auth
from tests.conftest import Services

SHIRT = 100101


def _buyer(services: Services) -> dict[str, str]:
    token = services.world["personas"]["buyer"]["session_token"]
    return {"Authorization": f"Bearer {token}"}


async def _buy(services: Services, key: str | None, quantity: int = 1) -> httpx.Response:
    headers = _buyer(services) | ({"Idempotency-Key": key} if key else {})
    return await services.client("social", "buyer").post(
        "/api/v1/videos/1/buy", json={"product_id": SHIRT, "quantity": quantity}, headers=headers
    )


def _orders(services: Services) -> list[Any]:
    store = services.apps["marketplace"].state.store
    rows: list[Any] = store.db.execute("SELECT order_id FROM orders").fetchall()
    return rows


def _stock(services: Services) -> int:
    store = services.apps["marketplace"].state.store
    return int(store.products([SHIRT])[SHIRT]["stock"])


async def test_a_second_buy_with_the_same_key_is_the_same_order(services: Services) -> None:
    stock = _stock(services)
    first, again = await _buy(services, "tap-1"), await _buy(services, "tap-1")
    assert first.status_code == again.status_code == 201, again.text
    assert first.json()["order_id"] == again.json()["order_id"]
    assert len(_orders(services)) == 1 and _stock(services) == stock - 1
    mine = (
        await services.client("social", "buyer").get("/api/v1/me/orders", headers=_buyer(services))
    ).json()["orders"]
    assert [o["order_id"] for o in mine] == [first.json()["order_id"]]
    other = await _buy(services, "tap-2")
    assert other.json()["order_id"] != first.json()["order_id"]
    assert len(_orders(services)) == 2


async def test_without_a_key_every_buy_is_a_new_order(services: Services) -> None:
    await _buy(services, None)
    await _buy(services, None)
    assert len(_orders(services)) == 2


async def test_the_marketplace_refuses_a_key_reused_for_another_order(services: Services) -> None:
    creds = services.world["partners"]["marketplace"]["social"]
    link = (
        services.apps["social"]
        .state.store.db.execute("SELECT link_token FROM users WHERE user_id = 1")
        .fetchone()[0]
    )
    client = services.client("marketplace", "social")
    auth = partner_auth("marketplace", "social", services.world, services.wire)
    path = f"/api/v2/fs/{creds['fs_id']}/orders"

    async def create(quantity: int) -> httpx.Response:
        return await client.post(
            path,
            auth=auth,
            headers={"Idempotency-Key": "k-1"},
            json={"buyer_link_token": link, "items": [{"product_id": SHIRT, "quantity": quantity}]},
        )

    first, same, changed = await create(1), await create(1), await create(2)
    assert first.status_code == same.status_code == 201
    assert first.json()["order_id"] == same.json()["order_id"]
    assert changed.status_code == 422
    assert changed.json()["code"] == "idempotency_key_reused"
    assert changed.json()["order_id"] == first.json()["order_id"]
