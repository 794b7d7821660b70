"""A checkout whose answer is lost on the way back: the order exists, but does anyone know?

The concurrency test at 300 checkouts showed it: the marketplace creates the order, its answer
to the social app arrives after the social app's timeout, and the buyer is told the
marketplace is unavailable. The order then lives on at the marketplace, unpaid and holding its
stock for 24 hours, and nothing links it to the buyer: the social app records the
marketplace's webhooks about it as "unknown order".
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import Services

pytestmark = pytest.mark.reliability

PRODUCT = 100101


async def test_an_order_whose_answer_was_lost_is_known_to_the_buyer_or_not_kept(
    services: Services,
) -> None:
    marketplace = services.apps["marketplace"]

    async def answer_lost(scope: Any, receive: Any, send: Any) -> None:
        if not (scope["type"] == "http" and scope["path"].endswith("/orders")):
            await marketplace(scope, receive, send)
            return

        async def drop(message: Any) -> None:
            pass  # the marketplace does the work; its answer never reaches the caller

        await marketplace(scope, receive, drop)
        raise httpx.ReadTimeout("the answer was lost")

    services.wire.mount("marketplace", answer_lost)
    buyer = services.world["personas"]["buyer"]
    me = {"Authorization": f"Bearer {buyer['session_token']}"}
    social = services.client("social", "buyer")
    response = await social.post(
        "/api/v1/videos/1/buy", json={"product_id": PRODUCT, "quantity": 1}, headers=me
    )
    assert response.status_code == 502, response.text
    services.wire.mount("marketplace", marketplace)
    await services.settle()

    live = marketplace.state.store.db.execute(
        "SELECT order_id FROM orders WHERE order_status NOT IN (0, 10, 15)"
    ).fetchall()
    mine = (await social.get("/api/v1/me/orders", headers=me)).json()["orders"]
    known = {order["order_id"] for order in mine}
    assert all(order_id in known for (order_id,) in live), (live, known)
