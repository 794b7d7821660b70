"""The social app against the real marketplace (and, for the paid flow, the real bank).

Skipped while those services are still placeholders; `test_social.py` covers the same
behaviour against a fake marketplace.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

import sandbox.services
from tests.conftest import Services

_SERVICES = Path(sandbox.services.__file__).parent
pytestmark = pytest.mark.skipif(
    not (_SERVICES / "marketplace" / "routes.py").exists(),
    reason="the real marketplace is not built yet",
)
_needs_bank = pytest.mark.skipif(
    not (_SERVICES / "bank" / "routes.py").exists(), reason="the real bank is not built yet"
)

_SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)|\*{12}\d{4}")
_AUTH_PARAMS = {"sign", "nonce", "timestamp", "app_key"}


def _as(services: Services, persona: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {services.world['personas'][persona]['session_token']}"}


async def _buy(services: Services, video_id: int, product_id: int, quantity: int = 1) -> Any:
    return await services.client("social", "buyer").post(
        f"/api/v1/videos/{video_id}/buy",
        json={"product_id": product_id, "quantity": quantity},
        headers=_as(services, "buyer"),
    )


async def _my_order(services: Services, order_id: str) -> dict[str, Any]:
    response = await services.client("social", "buyer").get(
        f"/api/v1/me/orders/{order_id}", headers=_as(services, "buyer")
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _assert_storefront_only(services: Services) -> None:
    """SOC-PAY and SOC-DATA over everything social sent."""
    sent = [c for c in services.calls if c.caller == "social"]
    assert sent, "social called nobody"
    assert {c.callee for c in sent} == {"marketplace"}
    for call in sent:
        data = [v for k, v in parse_qsl(call.path.partition("?")[2]) if k not in _AUTH_PARAMS]
        assert not _SIXTEEN_DIGITS.search(" ".join(data) + call.request_body), call.path


async def test_video_cards_come_from_the_real_marketplace(services: Services) -> None:
    response = await services.client("social", "buyer").get(
        "/api/v1/videos/1", headers=_as(services, "buyer")
    )
    assert response.status_code == 200
    video = response.json()
    assert video["products_unavailable"] is None
    assert [p["product_id"] for p in video["products"]] == [100101, 100102]
    assert video["products"][0]["name"] == "Kemeja Batik Tulis Sukamaju"
    assert video["products"][0]["price"] == 185000
    _assert_storefront_only(services)


async def test_buy_at_the_real_marketplace_and_hear_back(services: Services) -> None:
    response = await _buy(services, 1, 100101, quantity=2)
    assert response.status_code == 201, response.text
    order = response.json()
    assert order["status"] == "UNPAID"
    assert order["total_amount"] == 370000
    assert order["checkout_url"].startswith("http://marketplace.sandbox/checkout/")
    await services.settle()
    webhooks = [c for c in services.calls if c.caller == "marketplace" and c.callee == "social"]
    assert webhooks and all(c.status == 200 for c in webhooks)
    assert (await _my_order(services, order["order_id"]))["status"] == "UNPAID"
    _assert_storefront_only(services)


async def test_real_out_of_stock_is_409_with_the_marketplace_message(services: Services) -> None:
    response = await _buy(services, 2, 100103, quantity=2)
    assert response.status_code == 409
    assert response.json()["code"] == "out_of_stock"
    assert "100103" in response.json()["message"]


@_needs_bank
async def test_paying_at_the_bank_reaches_my_orders(services: Services) -> None:
    order = (await _buy(services, 1, 100101)).json()
    buyer = services.world["personas"]["buyer"]
    marketplace = services.client("marketplace", "buyer")
    checkout = await marketplace.get(urlsplit(order["checkout_url"]).path)
    assert checkout.status_code == 200, checkout.text
    payment = checkout.json()["payment"]
    bank = services.client("bank", "buyer")
    session = await bank.post(
        "/mobile/v1/sessions", json={"account_no": buyer["account_no"], "pin": buyer["pin"]}
    )
    assert session.status_code == 201, session.text
    paid = await bank.post(
        "/mobile/v1/va-payments",
        json={"virtual_account_no": payment["virtual_account_no"], "amount": payment["amount"]},
        headers={
            "Authorization": f"Bearer {session.json()['session_token']}",
            "Idempotency-Key": "social-test-1",
        },
    )
    assert paid.status_code == 201, paid.text
    await services.settle()
    assert (await _my_order(services, order["order_id"]))["status"] == "AWAITING_SHIPMENT"
    _assert_storefront_only(services)
