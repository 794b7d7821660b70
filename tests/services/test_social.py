"""The social app (Klip) over HTTP, against a small fake marketplace.

The fake checks the storefront's partner signature with the real signing functions, so these
tests prove Klip signs correctly without depending on the real marketplace being finished.
`test_social_marketplace.py` runs the main flows against the real one.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from sandbox.dialects import open_platform
from sandbox.dialects.common import FRESHNESS_SECONDS
from sandbox.runtime.seeding import seed_for
from tests.conftest import FakeClock, Services

FAKE_TOKEN = "tok_fake_marketplace"


class FakeMarketplace:
    """Just enough of the marketplace partner API for the storefront, with real signatures."""

    def __init__(self, world: dict[str, Any], clock: FakeClock) -> None:
        creds = world["partners"]["marketplace"]["social"]
        self.app_key: str = creds["app_key"]
        self.app_secret: str = creds["app_secret"]
        self.fs_id: int = creds["fs_id"]
        self.clock = clock
        shops = {s["shop_id"]: s["shop_name"] for s in world["marketplace"]["sellers"]}
        self.products = {
            p["product_id"]: {**p, "shop_name": shops[p["shop_id"]]}
            for p in world["marketplace"]["products"]
        }
        self.buyers = {b["link_token"] for b in world["marketplace"]["buyers"]}
        self.fail_with: int | None = None
        self.orders: list[dict[str, Any]] = []
        self.signed: list[str] = []
        """Paths of partner requests whose signature checked out."""
        self.app = self._build()

    def _check(self, request: Request, body: bytes) -> JSONResponse | None:
        params = dict(request.query_params)
        if (
            params.get("app_key") != self.app_key
            or request.headers.get("x-tts-access-token") != FAKE_TOKEN
        ):
            return JSONResponse({"code": "invalid_credentials", "message": "no"}, 401)
        if abs(self.clock() - int(params.get("timestamp", "0"))) > FRESHNESS_SECONDS:
            return JSONResponse({"code": "stale_timestamp", "message": "stale"}, 401)
        expected = open_platform.request_signature(
            self.app_secret,
            request.url.path,
            {k: v for k, v in params.items() if k != "sign"},
            body,
        )
        if not open_platform.matches(expected, params.get("sign")):
            return JSONResponse({"code": "invalid_sign", "message": "bad sign"}, 401)
        self.signed.append(request.url.path)
        return None

    def _build(self) -> FastAPI:
        app = FastAPI()

        @app.post("/oauth/token")
        async def token(request: Request) -> JSONResponse:
            basic = base64.b64encode(f"{self.app_key}:{self.app_secret}".encode()).decode()
            if request.headers.get("authorization") != f"Basic {basic}":
                return JSONResponse({"code": "invalid_client", "message": "no"}, 401)
            return JSONResponse(
                {"access_token": FAKE_TOKEN, "token_type": "Bearer", "expires_in": 7200}
            )

        @app.get("/api/v2/fs/{fs_id}/products")
        async def products(request: Request, fs_id: int, ids: str) -> JSONResponse:
            refused = self._check(request, b"")
            if refused:
                return refused
            if self.fail_with:
                return JSONResponse({"code": "internal_error", "message": "boom"}, self.fail_with)
            cards = [self.products[int(i)] for i in ids.split(",") if int(i) in self.products]
            return JSONResponse({"products": cards})

        @app.post("/api/v2/fs/{fs_id}/orders")
        async def orders(request: Request, fs_id: int) -> JSONResponse:
            body = await request.body()
            refused = self._check(request, body)
            if refused:
                return refused
            if self.fail_with:
                return JSONResponse({"code": "internal_error", "message": "boom"}, self.fail_with)
            order = json.loads(body)
            if order["buyer_link_token"] not in self.buyers:
                return JSONResponse({"code": "unknown_buyer", "message": "who?"}, 404)
            item = order["items"][0]
            product = self.products[item["product_id"]]
            if product["stock"] < item["quantity"]:
                return JSONResponse(
                    {
                        "code": "out_of_stock",
                        "message": (
                            f"Product {product['product_id']} has {product['stock']} left, fewer "
                            "than the quantity asked."
                        ),
                    },
                    409,
                )
            order_id = f"ORD-{len(self.orders) + 1:06d}"
            self.orders.append({"order_id": order_id, **order})
            return JSONResponse(
                {
                    "order_id": order_id,
                    "order_status": 103,
                    "status": "UNPAID",
                    "total_amount": product["price"] * item["quantity"],
                    "expires_at": "x",
                    "checkout_url": f"/checkout/chk_{order_id}",
                },
                201,
            )

        return app


async def _unreachable(scope: Any, receive: Any, send: Any) -> None:
    """An ASGI app that behaves like a marketplace whose port refuses connections."""
    raise httpx.ConnectError("connection refused")


@pytest.fixture
def fake(services: Services) -> FakeMarketplace:
    marketplace = FakeMarketplace(services.world, services.clock)
    services.wire.mount("marketplace", marketplace.app)
    return marketplace


def _user(services: Services, user_id: int) -> dict[str, Any]:
    return next(u for u in services.world["social"]["users"] if u["user_id"] == user_id)


def _as(services: Services, user_id: int) -> dict[str, str]:
    return {"Authorization": f"Bearer {_user(services, user_id)['session_token']}"}


def _klip(services: Services) -> httpx.AsyncClient:
    return services.client("social", caller="buyer")


BUYER, CREATOR = 1, 2


# --- authentication -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/feed"),
        ("GET", "/api/v1/videos/1"),
        ("GET", "/api/v1/users/rinagaya"),
        ("POST", "/api/v1/videos/1/buy"),
        ("GET", "/api/v1/me/orders"),
        ("GET", "/api/v1/me/orders/ORD-1"),
    ],
)
async def test_every_person_endpoint_needs_a_session(
    services: Services, fake: FakeMarketplace, method: str, path: str
) -> None:
    response = await _klip(services).request(method, path, json={"product_id": 1, "quantity": 1})
    assert response.status_code == 401
    assert response.json()["code"] == "missing_session"
    assert "Bearer" in response.json()["message"]
    assert fake.orders == []


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Basic dXNlcjpwYXNz", "invalid_authorization"),
        ("Bearer", "invalid_authorization"),
        ("Bearer sess_not_a_real_session", "invalid_session"),
        ("Bearer " + "x" * 500, "invalid_session"),
    ],
)
async def test_wrong_sessions_are_refused_with_a_reason(
    services: Services, header: str, code: str
) -> None:
    response = await _klip(services).get("/api/v1/feed", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["code"] == code


async def test_link_token_is_not_a_session(services: Services) -> None:
    link = _user(services, BUYER)["link_token"]
    response = await _klip(services).get(
        "/api/v1/feed", headers={"Authorization": f"Bearer {link}"}
    )
    assert response.status_code == 401


# --- feed -----------------------------------------------------------------------------------


async def test_feed_is_newest_first_with_creators(services: Services) -> None:
    response = await _klip(services).get("/api/v1/feed", headers=_as(services, BUYER))
    assert response.status_code == 200
    page = response.json()
    assert len(page["videos"]) == 20
    keys = [(v["posted_at"], v["video_id"]) for v in page["videos"]]
    assert keys == sorted(keys, reverse=True)
    newest = max(services.world["social"]["videos"], key=lambda v: (v["posted_at"], v["video_id"]))
    assert page["videos"][0]["video_id"] == newest["video_id"]
    assert page["videos"][0]["creator"]["handle"]
    assert page["next_cursor"]


async def test_feed_pages_cover_every_video_once(services: Services) -> None:
    klip, seen, cursor = _klip(services), [], None
    for _ in range(20):
        params: dict[str, Any] = {"limit": 50, **({"cursor": cursor} if cursor else {})}
        page = (await klip.get("/api/v1/feed", params=params, headers=_as(services, BUYER))).json()
        seen += [v["video_id"] for v in page["videos"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    expected = sorted(
        services.world["social"]["videos"],
        key=lambda v: (v["posted_at"], v["video_id"]),
        reverse=True,
    )
    assert seen == [v["video_id"] for v in expected]
    assert len(seen) == len(set(seen)) == 302


async def test_feed_video_lists_tagged_products(services: Services) -> None:
    page = (
        await _klip(services).get(
            "/api/v1/feed", params={"limit": 50}, headers=_as(services, BUYER)
        )
    ).json()
    video_1 = next(v for v in page["videos"] if v["video_id"] == 1)
    assert video_1["product_ids"] == [100101, 100102]
    assert video_1["creator"] == {
        "user_id": 2,
        "handle": "rinagaya",
        "display_name": "Rina | Gaya Lokal",
    }


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 51}, {"limit": "many"}, {"cursor": "bm9wZQ"}, {"cursor": "x" * 201}],
)
async def test_feed_refuses_bad_paging(services: Services, params: dict[str, Any]) -> None:
    response = await _klip(services).get(
        "/api/v1/feed", params=params, headers=_as(services, BUYER)
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] in ("invalid_field", "invalid_cursor")
    assert body["field"] in ("limit", "cursor")


# --- a video with live product cards --------------------------------------------------------


async def test_video_shows_live_product_cards(services: Services, fake: FakeMarketplace) -> None:
    response = await _klip(services).get("/api/v1/videos/1", headers=_as(services, BUYER))
    assert response.status_code == 200
    video = response.json()
    assert [p["product_id"] for p in video["products"]] == [100101, 100102]
    card = video["products"][0]
    assert card == {
        "product_id": 100101,
        "shop_id": 1001,
        "shop_name": "Toko Batik Budi",
        "name": "Kemeja Batik Tulis Sukamaju",
        "price": 185000,
        "stock": 25,
        "category": "Fashion Pria",
    }
    assert video["products_unavailable"] is None
    assert fake.signed == ["/api/v2/fs/7001/products"]


async def test_video_cards_follow_the_marketplace_live(
    services: Services, fake: FakeMarketplace
) -> None:
    fake.products[100101]["price"] = 99000
    video = (await _klip(services).get("/api/v1/videos/1", headers=_as(services, BUYER))).json()
    assert video["products"][0]["price"] == 99000  # never cached or stored by the storefront


async def test_unknown_video_is_404(services: Services, fake: FakeMarketplace) -> None:
    response = await _klip(services).get("/api/v1/videos/999999", headers=_as(services, BUYER))
    assert response.status_code == 404
    assert response.json()["code"] == "video_not_found"
    assert fake.signed == []


async def test_video_survives_an_unreachable_marketplace(services: Services) -> None:
    services.wire.mount("marketplace", _unreachable)
    response = await _klip(services).get("/api/v1/videos/1", headers=_as(services, BUYER))
    assert response.status_code == 200
    video = response.json()
    assert video["caption"].startswith("Batik buat kondangan")
    assert video["products"] == []
    assert "could not be reached" in video["products_unavailable"]


async def test_video_survives_a_failing_marketplace(
    services: Services, fake: FakeMarketplace
) -> None:
    fake.fail_with = 503
    video = (await _klip(services).get("/api/v1/videos/1", headers=_as(services, BUYER))).json()
    assert video["products"] == []
    assert "HTTP 503" in video["products_unavailable"]


# --- buying ---------------------------------------------------------------------------------


async def _buy(
    services: Services, user_id: int = BUYER, video_id: int = 1, **body: Any
) -> httpx.Response:
    payload = {"product_id": 100101, "quantity": 1, **body}
    return await _klip(services).post(
        f"/api/v1/videos/{video_id}/buy", json=payload, headers=_as(services, user_id)
    )


async def test_buy_creates_the_order_at_the_marketplace(
    services: Services, fake: FakeMarketplace
) -> None:
    response = await _buy(services, quantity=2)
    assert response.status_code == 201
    assert fake.orders[0]["channel_ref"].startswith("video:1/p")
    assert response.json() == {
        "order_id": "ORD-000001",
        "status": "UNPAID",
        "total_amount": 370000,
        "checkout_url": "http://marketplace.sandbox/checkout/chk_ORD-000001",
    }
    assert fake.orders == [
        {
            "order_id": "ORD-000001",
            "buyer_link_token": _user(services, BUYER)["link_token"],
            "items": [{"product_id": 100101, "quantity": 2}],
            "channel_ref": fake.orders[0]["channel_ref"],  # the video, and the purchase
        }
    ]
    assert fake.signed[-1] == "/api/v2/fs/7001/orders"
    mine = (await _klip(services).get("/api/v1/me/orders", headers=_as(services, BUYER))).json()
    assert mine == {
        "orders": [
            {
                "order_id": "ORD-000001",
                "status": "UNPAID",
                "updated_at": "2024-03-01T15:00:00+07:00",
                "video_id": 1,
            }
        ]
    }


async def test_buy_refuses_a_product_not_tagged_in_the_video(
    services: Services, fake: FakeMarketplace
) -> None:
    response = await _buy(services, product_id=100103)
    assert response.status_code == 400
    assert response.json()["code"] == "product_not_in_video"
    assert "100103" in response.json()["message"]
    assert fake.orders == []


async def test_buy_from_an_unknown_video_is_404(services: Services, fake: FakeMarketplace) -> None:
    response = await _buy(services, video_id=999999)
    assert response.status_code == 404
    assert fake.orders == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": 11}, "quantity"),
        ({"quantity": "2"}, "quantity"),
        ({"product_id": -1}, "product_id"),
        ({"nik": "9901011501900001"}, "nik"),
        ({"virtual_account_no": "x"}, "virtual_account_no"),
    ],
)
async def test_buy_validates_the_intent(
    services: Services, fake: FakeMarketplace, body: dict[str, Any], field: str
) -> None:
    response = await _buy(services, **body)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert fake.orders == []


async def test_buy_without_product_is_a_clear_400(services: Services) -> None:
    response = await _klip(services).post(
        "/api/v1/videos/1/buy", json={"quantity": 1}, headers=_as(services, BUYER)
    )
    assert response.status_code == 400
    assert response.json()["code"] == "missing_field"


async def test_out_of_stock_passes_the_marketplace_message(
    services: Services, fake: FakeMarketplace
) -> None:
    response = await _buy(services, video_id=2, product_id=100103, quantity=2)
    assert response.status_code == 409
    assert response.json()["code"] == "out_of_stock"
    assert response.json()["message"] == (
        "Product 100103 has 1 left, fewer than the quantity asked."
    )
    assert (
        await _klip(services).get("/api/v1/me/orders", headers=_as(services, BUYER))
    ).json() == {"orders": []}


async def test_unlinked_buyer_gets_account_not_linked(
    services: Services, fake: FakeMarketplace
) -> None:
    fake.buyers.discard(_user(services, BUYER)["link_token"])
    response = await _buy(services)
    assert response.status_code == 409
    assert response.json()["code"] == "account_not_linked"


async def test_buy_while_marketplace_unreachable_is_502_and_stores_nothing(
    services: Services,
) -> None:
    services.wire.mount("marketplace", _unreachable)
    response = await _buy(services)
    assert response.status_code == 502
    assert response.json()["code"] == "marketplace_unavailable"
    assert "no order was created" in response.json()["message"]
    assert (
        await _klip(services).get("/api/v1/me/orders", headers=_as(services, BUYER))
    ).json() == {"orders": []}


async def test_buy_while_marketplace_fails_is_502(
    services: Services, fake: FakeMarketplace
) -> None:
    fake.fail_with = 500
    response = await _buy(services)
    assert response.status_code == 502
    assert response.json()["code"] == "marketplace_unavailable"
    assert (
        await _klip(services).get("/api/v1/me/orders", headers=_as(services, BUYER))
    ).json() == {"orders": []}


# --- my orders ------------------------------------------------------------------------------


async def test_people_see_only_their_own_orders(services: Services, fake: FakeMarketplace) -> None:
    order_id = (await _buy(services)).json()["order_id"]
    klip = _klip(services)
    mine = await klip.get(f"/api/v1/me/orders/{order_id}", headers=_as(services, BUYER))
    assert mine.status_code == 200
    assert mine.json()["status"] == "UNPAID"
    theirs = await klip.get(f"/api/v1/me/orders/{order_id}", headers=_as(services, CREATOR))
    assert theirs.status_code == 404
    assert theirs.json()["code"] == "order_not_found"
    listed = await klip.get("/api/v1/me/orders", headers=_as(services, CREATOR))
    assert listed.json() == {"orders": []}


# --- webhooks -------------------------------------------------------------------------------


def _event(
    services: Services,
    order_id: str,
    status: str,
    update_time: int,
    notification_id: str,
    fs_id: int = 7001,
) -> bytes:
    return json.dumps(
        {
            "type": "ORDER_STATUS_CHANGE",
            "notification_id": notification_id,
            "shop_id": 1001,
            "fs_id": fs_id,
            "timestamp": update_time,
            "data": {
                "order_id": order_id,
                "order_status": 220,
                "status": status,
                "update_time": update_time,
            },
        }
    ).encode()


async def _deliver(
    services: Services, body: bytes, signature: str | None = "sign"
) -> httpx.Response:
    creds = services.world["partners"]["marketplace"]["social"]
    headers = {"content-type": "application/json"}
    if signature == "sign":
        headers["Authorization"] = open_platform.webhook_signature(
            creds["app_secret"], creds["app_key"], body
        )
    elif signature is not None:
        headers["Authorization"] = signature
    return await services.client("social", caller="marketplace").post(
        "/webhooks/marketplace", content=body, headers=headers
    )


async def _status(services: Services, order_id: str) -> str:
    response = await _klip(services).get(
        f"/api/v1/me/orders/{order_id}", headers=_as(services, BUYER)
    )
    status: str = response.json()["status"]
    return status


NOW = 1_709_280_000


async def test_webhook_updates_the_order_status(services: Services, fake: FakeMarketplace) -> None:
    order_id = (await _buy(services)).json()["order_id"]
    response = await _deliver(
        services, _event(services, order_id, "AWAITING_SHIPMENT", NOW + 60, "n-1")
    )
    assert response.status_code == 200
    assert response.json() == {"code": "success", "message": "received"}
    view = (
        await _klip(services).get(f"/api/v1/me/orders/{order_id}", headers=_as(services, BUYER))
    ).json()
    assert view == {
        "order_id": order_id,
        "status": "AWAITING_SHIPMENT",
        "updated_at": "2024-03-01T15:01:00+07:00",
        "video_id": 1,
    }


@pytest.mark.parametrize(
    ("signature", "code"),
    [(None, "missing_signature"), ("0" * 64, "invalid_signature"), ("", "missing_signature")],
)
async def test_webhook_refuses_bad_signatures(
    services: Services, fake: FakeMarketplace, signature: str | None, code: str
) -> None:
    order_id = (await _buy(services)).json()["order_id"]
    response = await _deliver(
        services, _event(services, order_id, "CANCELLED", NOW + 5, "n"), signature=signature
    )
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert await _status(services, order_id) == "UNPAID"


async def test_webhook_signature_covers_the_exact_body(
    services: Services, fake: FakeMarketplace
) -> None:
    order_id = (await _buy(services)).json()["order_id"]
    creds = services.world["partners"]["marketplace"]["social"]
    signed = _event(services, order_id, "AWAITING_SHIPMENT", NOW + 5, "n-1")
    tampered = signed.replace(b"AWAITING_SHIPMENT", b"CANCELLED")
    response = await _deliver(
        services,
        tampered,
        signature=open_platform.webhook_signature(creds["app_secret"], creds["app_key"], signed),
    )
    assert response.status_code == 401
    assert await _status(services, order_id) == "UNPAID"


async def test_duplicate_webhook_has_no_effect(services: Services, fake: FakeMarketplace) -> None:
    order_id = (await _buy(services)).json()["order_id"]
    assert (
        await _deliver(services, _event(services, order_id, "AWAITING_SHIPMENT", NOW + 5, "n-1"))
    ).status_code == 200
    # The same notification id again, even with other content, is acknowledged and ignored.
    again = await _deliver(services, _event(services, order_id, "CANCELLED", NOW + 9, "n-1"))
    assert again.status_code == 200
    assert again.json()["code"] == "success"
    assert await _status(services, order_id) == "AWAITING_SHIPMENT"


async def test_out_of_order_webhook_does_not_go_back_in_time(
    services: Services, fake: FakeMarketplace
) -> None:
    order_id = (await _buy(services)).json()["order_id"]
    await _deliver(services, _event(services, order_id, "IN_TRANSIT", NOW + 300, "n-3"))
    late = await _deliver(
        services, _event(services, order_id, "AWAITING_SHIPMENT", NOW + 100, "n-2")
    )
    assert late.status_code == 200
    assert await _status(services, order_id) == "IN_TRANSIT"


async def test_webhook_for_an_unknown_order_is_acknowledged_and_ignored(
    services: Services, fake: FakeMarketplace
) -> None:
    response = await _deliver(services, _event(services, "ORD-999999", "COMPLETED", NOW, "n-9"))
    assert response.status_code == 200
    for user_id in (BUYER, CREATOR):
        orders = (
            await _klip(services).get("/api/v1/me/orders", headers=_as(services, user_id))
        ).json()
        assert orders == {"orders": []}


async def test_webhook_that_overtakes_the_create_answer_is_applied(
    services: Services, fake: FakeMarketplace
) -> None:
    # The marketplace may notify before its answer to our create call reaches us.
    await _deliver(services, _event(services, "ORD-000001", "AWAITING_SHIPMENT", NOW + 5, "n"))
    order_id = (await _buy(services)).json()["order_id"]
    assert order_id == "ORD-000001"
    assert await _status(services, order_id) == "AWAITING_SHIPMENT"


async def test_webhook_for_another_app_is_403(services: Services, fake: FakeMarketplace) -> None:
    order_id = (await _buy(services)).json()["order_id"]
    response = await _deliver(
        services, _event(services, order_id, "CANCELLED", NOW, "n", fs_id=7002)
    )
    assert response.status_code == 403
    assert response.json()["code"] == "wrong_fs_id"
    assert await _status(services, order_id) == "UNPAID"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"not json", "invalid_json"),
        (
            b'{"type": "ORDER_STATUS_CHANGE", "notification_id": "n", "fs_id": 7001}',
            "missing_field",
        ),
        (
            b'{"type": "ORDER_STATUS_CHANGE", "notification_id": "n", "fs_id": 7001, "data": '
            b'{"order_id": "O", "status": "UNPAID", "update_time": "soon"}}',
            "invalid_field",
        ),
    ],
)
async def test_malformed_webhook_is_400(services: Services, body: bytes, code: str) -> None:
    response = await _deliver(services, body)
    assert response.status_code == 400
    assert response.json()["code"] == code


# --- profiles -------------------------------------------------------------------------------


async def test_profile_shows_public_fields_and_videos(services: Services) -> None:
    response = await _klip(services).get("/api/v1/users/rinagaya", headers=_as(services, BUYER))
    assert response.status_code == 200
    profile = response.json()
    assert profile["display_name"] == "Rina | Gaya Lokal"
    assert profile["is_creator"] is True
    assert profile["followers"] == _user(services, CREATOR)["followers"]
    assert {1, 2} <= {v["video_id"] for v in profile["videos"]}
    assert "sess_" not in response.text and "lnk_" not in response.text


async def test_unknown_profile_is_404(services: Services) -> None:
    response = await _klip(services).get("/api/v1/users/nobody", headers=_as(services, BUYER))
    assert response.status_code == 404
    assert response.json()["code"] == "user_not_found"


# --- the audit rules: a storefront, not a payment system ------------------------------------

_SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)|\*{12}\d{4}")
"""A NIK-shaped number, raw or as the recorder masks it."""
_AUTH_PARAMS = {"sign", "nonce", "timestamp", "app_key"}
"""Added by MarketplaceAuth (random or hashes), not data the storefront sends."""


async def test_social_sends_no_personal_numbers_and_never_calls_the_bank(
    services: Services, fake: FakeMarketplace
) -> None:
    raw: list[httpx.Request] = []

    async def keep(request: httpx.Request) -> None:
        raw.append(request)

    services.wire.client("social", "marketplace").event_hooks["request"].append(keep)
    klip = _klip(services)
    await klip.get("/api/v1/feed", headers=_as(services, BUYER))
    await klip.get("/api/v1/videos/1", headers=_as(services, BUYER))
    order_id = (await _buy(services)).json()["order_id"]
    await _deliver(services, _event(services, order_id, "COMPLETED", NOW + 5, "n-1"))
    await _buy(services, nik="9901011501900001")  # refused before anything is sent

    sent = [c for c in services.calls if c.caller == "social"]
    assert {c.callee for c in sent} == {"marketplace"}
    assert not [c for c in services.calls if c.callee == "bank"]
    for call in sent:
        query = call.path.partition("?")[2]
        data = [v for k, v in parse_qsl(query) if k not in _AUTH_PARAMS]
        assert not _SIXTEEN_DIGITS.search(" ".join(data) + call.request_body), call.path
    assert len(raw) >= 3  # token, products, order
    for request in raw:
        data = [v for k, v in request.url.params.multi_items() if k not in _AUTH_PARAMS]
        assert not _SIXTEEN_DIGITS.search(" ".join(data) + request.content.decode())


async def test_social_exposes_no_payment_endpoint(services: Services) -> None:
    schema = (await _klip(services).get("/openapi.json")).json()
    words = json.dumps(schema).lower()
    for forbidden in ("virtual_account", "virtualaccount", "/pay", "nik"):
        assert forbidden not in words
    # As a word: the error code `account_not_linked` is about linking, not an account.
    assert not re.search(r"(?<![a-z0-9_])account_no(?![a-z0-9_])", words)
    assert set(schema["paths"]) == {
        "/health",
        "/api/v1/feed",
        "/api/v1/videos/{video_id}",
        "/api/v1/users/{handle}",
        "/api/v1/videos/{video_id}/buy",
        "/api/v1/me/orders",
        "/api/v1/me/orders/{order_id}",
        "/webhooks/marketplace",
    }


async def test_reset_restores_the_seeded_world(services: Services, fake: FakeMarketplace) -> None:
    await _buy(services)
    store = services.apps["social"].state.store
    store.reset(seed_for("social", services.world))
    listed = await _klip(services).get("/api/v1/me/orders", headers=_as(services, BUYER))
    assert listed.json() == {"orders": []}
    feed = await _klip(services).get("/api/v1/feed", headers=_as(services, BUYER))
    assert len(feed.json()["videos"]) == 20


async def test_an_order_whose_create_answer_was_lost_is_recognised_by_its_webhook(
    services: Services, fake: FakeMarketplace
) -> None:
    """The webhook echoes our purchase reference, so the order becomes the buyer's."""
    store = services.apps["social"].state.store
    store.start_purchase("p1234", _user(services, BUYER)["user_id"], 1, 0.0)
    assert (
        store.receive_update("ntf-a", "ORD-9", "UNPAID", 10.0, 11.0, purchase_id="p1234")
        == "recovered"
    )
    assert store.order_of(_user(services, BUYER)["user_id"], "ORD-9")["status"] == "UNPAID"
    # Another webhook for the same purchase changes nothing more; a stranger's is unknown.
    assert (
        store.receive_update("ntf-b", "ORD-9", "AWAITING_SHIPMENT", 20.0, 21.0, purchase_id="p1234")
        == "applied"
    )
    assert (
        store.receive_update("ntf-c", "ORD-10", "UNPAID", 10.0, 11.0, purchase_id="nope")
        == "unknown_order"
    )
