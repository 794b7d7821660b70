"""Couriers as marketplace partners: a paid order is offered to the courier, who reports tracking.

The marketplace is rebuilt with a courier in its `accepts` (as a user's own service would be
registered), the other institutions are the real ones, and the courier is a tiny ASGI app that
keeps what it receives.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request

from sandbox.dialects import open_platform as platform
from sandbox.dialects.partners import partner_auth
from sandbox.dialects.snap.payment import PaymentNotification
from sandbox.framework.service import ServiceEnv
from sandbox.runtime.seeding import seed_for
from sandbox.services.marketplace import create_app, rules
from tests.conftest import Services

FS = 7001
SHIRT = 100101  # Toko Batik Budi (shop 1001, Kabupaten Sukamaju), 185000
COURIER = "kurir"
KURIR: dict[str, Any] = {
    "app_key": "kurir-5f2a91",
    "app_secret": "6b1f0d2c9e8a47b3a5d4c3b2a1f0e9d8",
    "fs_id": 7301,
    "webhook_path": "/webhooks/pasarloka",
    "role": "courier",
}
NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")


class FakeCourier:
    """Receives the marketplace's webhooks and keeps them (headers and raw body)."""

    def __init__(self, path: str) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.app = FastAPI()
        self.app.add_api_route(path, self.webhook, methods=["POST"])

    async def webhook(self, request: Request) -> dict[str, str]:
        self.received.append((dict(request.headers), await request.body()))
        return {"status": "accepted"}

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.received]


def rebuild_marketplace(services: Services, extra: dict[str, dict[str, Any]]) -> Any:
    """A marketplace whose `accepts` also holds `extra`, in place of the built-in one."""
    seed = seed_for("marketplace", services.world)
    seed = {**seed, "accepts": {**seed["accepts"], **extra}}
    app = create_app(ServiceEnv("marketplace", services.wire, seed))
    services.apps["marketplace"] = app
    services.wire.mount("marketplace", app)
    return app


@pytest.fixture
def courier(services: Services) -> FakeCourier:
    rebuild_marketplace(services, {COURIER: KURIR})
    fake = FakeCourier(KURIR["webhook_path"])
    services.wire.mount(COURIER, fake.app)
    return fake


def state(services: Services) -> Any:
    return services.apps["marketplace"].state


def as_courier(services: Services, creds: dict[str, Any] = KURIR) -> tuple[httpx.AsyncClient, Any]:
    return services.client("marketplace", COURIER), partner_auth(
        "marketplace", creds, services.clock
    )


async def place(services: Services) -> str:
    response = await services.client("marketplace", "social").post(
        f"/api/v2/fs/{FS}/orders",
        auth=services.auth("marketplace", "social"),
        json={
            "buyer_link_token": services.world["marketplace"]["buyers"][0]["link_token"],
            "items": [{"product_id": SHIRT, "quantity": 1}],
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["order_id"])


async def pay(services: Services, order_id: str) -> None:
    """The buyer pays the order's VA in her bank app; the bank tells the marketplace."""
    buyer = services.world["personas"]["buyer"]
    bank = services.client("bank", "buyer")
    login = await bank.post(
        "/mobile/v1/sessions", json={"account_no": buyer["account_no"], "pin": buyer["pin"]}
    )
    va = state(services).store.order(order_id)["va_no"]
    paid = await bank.post(
        "/mobile/v1/va-payments",
        headers={
            "Idempotency-Key": f"pay-{order_id}",
            "Authorization": f"Bearer {login.json()['session_token']}",
        },
        json={"virtual_account_no": va, "amount": 185000},
    )
    assert paid.status_code == 201, paid.text
    await services.settle()


async def paid_order(services: Services) -> str:
    order_id = await place(services)
    await pay(services, order_id)
    return order_id


async def track(
    services: Services, order_id: str, event_id: str, status: str, **extra: Any
) -> httpx.Response:
    client, auth = as_courier(services)
    return await client.post(
        f"/api/v2/fs/{KURIR['fs_id']}/shipments/{order_id}/tracking",
        auth=auth,
        json={"event_id": event_id, "status": status, "tracking_no": "KRR0000123456", **extra},
    )


# --- the pickup request ---------------------------------------------------------------------


async def test_paid_order_sends_one_signed_pickup_request(
    services: Services, courier: FakeCourier
) -> None:
    order_id = await paid_order(services)
    assert len(courier.received) == 1
    headers, raw = courier.received[0]
    assert headers["authorization"] == platform.webhook_signature(
        KURIR["app_secret"], KURIR["app_key"], raw
    )
    body = json.loads(raw)
    assert (body["type"], body["fs_id"], body["timestamp"]) == (
        "SHIPMENT_REQUEST",
        7301,
        int(services.clock()),
    )
    assert body["notification_id"].startswith("ntf_")
    sari = services.world["marketplace"]["buyers"][0]
    assert body["data"] == {
        "order_id": order_id,
        "shop_id": 1001,
        "shop_name": "Toko Batik Budi",
        "origin_city": "Kabupaten Sukamaju",
        "recipient": {"name": sari["name"], "phone": sari["phone"], "address": sari["address"]},
        "items": [{"product_id": SHIRT, "name": "Kemeja Batik Tulis Sukamaju", "quantity": 1}],
    }
    text = raw.decode()
    assert not NIK.search(text) and "nik" not in text.lower()
    assert services.world["personas"]["buyer"]["nik"] not in text
    assert sari["link_token"] not in text
    assert state(services).outbox.pending() == []


async def test_partner_and_buyer_see_the_requested_shipment(
    services: Services, courier: FakeCourier
) -> None:
    order_id = await paid_order(services)
    view = await services.client("marketplace", "social").get(
        f"/api/v2/fs/{FS}/orders/{order_id}", auth=services.auth("marketplace", "social")
    )
    assert view.status_code == 200, view.text
    expected = {
        "courier": COURIER,
        "status": "REQUESTED",
        "tracking_no": None,
        "updated_at": int(services.clock()),
    }
    assert view.json()["shipment"] == expected
    token = state(services).store.order(order_id)["checkout_token"]
    page = await services.client("marketplace", "buyer").get(f"/checkout/{token}")
    assert page.json()["shipment"] == expected


async def test_first_courier_by_name_gets_the_order(services: Services) -> None:
    other = {**KURIR, "app_key": "antar-01", "fs_id": 7302, "webhook_path": "/hooks"}
    rebuild_marketplace(services, {"zz-kurir": KURIR, "antar": other})
    antar = FakeCourier("/hooks")
    services.wire.mount("antar", antar.app)
    services.wire.mount("zz-kurir", FakeCourier(KURIR["webhook_path"]).app)
    order_id = await paid_order(services)
    assert [b["data"]["order_id"] for b in antar.bodies()] == [order_id]
    assert state(services).store.shipment(order_id)["courier"] == "antar"


async def test_without_a_courier_nothing_is_shipped(services: Services) -> None:
    order_id = await paid_order(services)
    assert state(services).store.order(order_id)["order_status"] == rules.PAID
    assert state(services).store.shipment(order_id) is None
    view = await services.client("marketplace", "social").get(
        f"/api/v2/fs/{FS}/orders/{order_id}", auth=services.auth("marketplace", "social")
    )
    assert view.json()["shipment"] is None


# --- crash safety: the pickup request is part of the payment --------------------------------


def notification(services: Services, order_id: str) -> PaymentNotification:
    va = state(services).store.order(order_id)["va_no"]
    return PaymentNotification.model_validate(
        {
            "partnerServiceId": va[:8],
            "customerNo": order_id,
            "virtualAccountNo": va,
            "trxId": order_id,
            "paymentRequestId": "PAY-0001",
            "paidAmount": {"value": "185000.00", "currency": "IDR"},
        }
    )


async def test_recorded_payment_always_has_its_pickup_request(
    services: Services, courier: FakeCourier
) -> None:
    order_id = await place(services)
    state(services).orders.record_payment(notification(services, order_id))
    # Nothing delivered yet: were the process to die now, the outbox still holds the request.
    assert state(services).store.payment("PAY-0001") is not None
    pending = [json.loads(row["body"]) for row in state(services).outbox.pending()]
    assert [b["data"]["order_id"] for b in pending if b["type"] == "SHIPMENT_REQUEST"] == [order_id]
    assert state(services).store.shipment(order_id)["status"] == "REQUESTED"


async def test_failed_pickup_request_undoes_the_payment(
    services: Services, courier: FakeCourier, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id = await place(services)
    outbox = state(services).outbox
    enqueue = outbox.enqueue

    def crash_on_pickup(**kwargs: Any) -> None:
        if kwargs["body"]["type"] == "SHIPMENT_REQUEST":
            raise RuntimeError("disk full")
        enqueue(**kwargs)

    monkeypatch.setattr(outbox, "enqueue", crash_on_pickup)
    with pytest.raises(RuntimeError):
        state(services).orders.record_payment(notification(services, order_id))
    store = state(services).store
    assert store.payment("PAY-0001") is None
    assert store.order(order_id)["order_status"] == rules.WAITING_PAYMENT
    assert store.shipment(order_id) is None
    assert all(json.loads(r["body"])["data"]["status"] == "UNPAID" for r in outbox.pending())


# --- tracking -------------------------------------------------------------------------------


async def test_tracking_moves_the_shipment_forward(
    services: Services, courier: FakeCourier
) -> None:
    order_id = await paid_order(services)
    steps = ["PICKED_UP", "IN_TRANSIT", "IN_TRANSIT", "FAILED_DELIVERY", "IN_TRANSIT", "DELIVERED"]
    for n, status in enumerate(steps):
        services.clock.advance(60)
        response = await track(services, order_id, f"evt-{n}", status, note=f"scan {n}")
        assert response.status_code == 200, response.text
        assert response.json() == {
            "order_id": order_id,
            "duplicate": False,
            "shipment": {
                "courier": COURIER,
                "status": status,
                "tracking_no": "KRR0000123456",
                "updated_at": int(services.clock()),
            },
        }
    events = state(services).store.shipment_events(order_id)
    assert [e["status"] for e in events] == steps
    assert events[1]["note"] == "scan 1"


async def test_repeated_event_changes_nothing(services: Services, courier: FakeCourier) -> None:
    order_id = await paid_order(services)
    first = await track(services, order_id, "evt-1", "PICKED_UP")
    services.clock.advance(60)
    again = await track(services, order_id, "evt-1", "IN_TRANSIT")
    assert again.status_code == 200, again.text
    assert again.json()["duplicate"] is True
    assert again.json()["shipment"] == first.json()["shipment"]
    assert len(state(services).store.shipment_events(order_id)) == 1


@pytest.mark.parametrize(
    ("done", "status"),
    [
        (["PICKED_UP", "IN_TRANSIT", "DELIVERED"], "IN_TRANSIT"),
        (["PICKED_UP", "IN_TRANSIT"], "PICKED_UP"),
        ([], "FAILED_DELIVERY"),
    ],
)
async def test_backward_move_is_409(
    services: Services, courier: FakeCourier, done: list[str], status: str
) -> None:
    order_id = await paid_order(services)
    for n, step in enumerate(done):
        assert (await track(services, order_id, f"evt-{n}", step)).status_code == 200
    response = await track(services, order_id, "evt-late", status)
    assert response.status_code == 409, response.text
    body = response.json()
    current = done[-1] if done else "REQUESTED"
    assert (body["code"], body["from"], body["to"]) == (
        "invalid_shipment_transition",
        current,
        status,
    )
    assert current in body["message"] and status in body["message"]
    assert state(services).store.shipment(order_id)["status"] == current
    assert state(services).store.shipment_event("evt-late") is None


async def test_unknown_or_unshipped_order_is_404(services: Services, courier: FakeCourier) -> None:
    unpaid = await place(services)
    for order_id in ("240301999999", unpaid):
        response = await track(services, order_id, "evt-1", "PICKED_UP")
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "shipment_not_found"


async def test_other_courier_gets_404_not_403(services: Services) -> None:
    other = {**KURIR, "app_key": "zz-kurir-01", "fs_id": 7309}
    rebuild_marketplace(services, {COURIER: KURIR, "zz-kurir": other})
    services.wire.mount(COURIER, FakeCourier(KURIR["webhook_path"]).app)
    order_id = await paid_order(services)
    client, auth = as_courier(services, other)
    response = await client.post(
        f"/api/v2/fs/7309/shipments/{order_id}/tracking",
        auth=auth,
        json={"event_id": "evt-1", "status": "PICKED_UP", "tracking_no": "ZZ1"},
    )
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "shipment_not_found"
    assert state(services).store.shipment(order_id)["status"] == "REQUESTED"


@pytest.mark.parametrize(
    "body",
    [
        {"event_id": "e1", "status": "LOST", "tracking_no": "K1"},
        {"event_id": "e1", "status": "REQUESTED", "tracking_no": "K1"},
        {"event_id": "", "status": "PICKED_UP", "tracking_no": "K1"},
        {"event_id": "e1", "status": "PICKED_UP", "tracking_no": "K" * 41},
        {"event_id": "e1", "status": "PICKED_UP", "tracking_no": "K1", "note": "n" * 201},
        {"event_id": "e1", "status": "PICKED_UP", "tracking_no": "K1", "weight": 2},
        {"status": "PICKED_UP", "tracking_no": "K1"},
    ],
)
async def test_bad_tracking_event_is_400(
    services: Services, courier: FakeCourier, body: dict[str, Any]
) -> None:
    order_id = await paid_order(services)
    client, auth = as_courier(services)
    response = await client.post(
        f"/api/v2/fs/7301/shipments/{order_id}/tracking", auth=auth, json=body
    )
    assert response.status_code == 400, response.text
    assert response.json()["code"] in ("invalid_field", "missing_field")


# --- roles ----------------------------------------------------------------------------------


async def test_channel_may_not_report_tracking(services: Services, courier: FakeCourier) -> None:
    order_id = await paid_order(services)
    response = await services.client("marketplace", "social").post(
        f"/api/v2/fs/{FS}/shipments/{order_id}/tracking",
        auth=services.auth("marketplace", "social"),
        json={"event_id": "e1", "status": "DELIVERED", "tracking_no": "K1"},
    )
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "wrong_partner_role"
    assert "courier" in response.json()["message"]
    assert state(services).store.shipment(order_id)["status"] == "REQUESTED"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/products"),
        ("GET", "/products/100101"),
        ("POST", "/orders"),
        ("GET", "/orders/240301000001"),
        ("POST", "/orders/240301000001/cancel"),
    ],
)
async def test_courier_may_not_use_channel_endpoints(
    services: Services, courier: FakeCourier, method: str, path: str
) -> None:
    client, auth = as_courier(services)
    body = {"buyer_link_token": "lnk_x", "items": [{"product_id": SHIRT, "quantity": 1}]}
    response = await client.request(
        method,
        f"/api/v2/fs/7301{path}",
        auth=auth,
        json=body if method == "POST" else None,
    )
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "wrong_partner_role"
    assert "channel" in response.json()["message"]


def test_unknown_partner_role_is_refused_at_build(services: Services) -> None:
    with pytest.raises(ValueError, match="role 'driver'"):
        rebuild_marketplace(services, {COURIER: {**KURIR, "role": "driver"}})


def test_partner_may_not_take_the_app_channel_name(services: Services) -> None:
    with pytest.raises(ValueError, match="'app'"):
        rebuild_marketplace(services, {"app": {**KURIR, "role": "channel"}})


async def test_reset_clears_shipments(services: Services, courier: FakeCourier) -> None:
    order_id = await paid_order(services)
    await track(services, order_id, "evt-1", "PICKED_UP")
    store = state(services).store
    store.reset(seed_for("marketplace", services.world))
    assert store.shipment(order_id) is None and store.shipment_event("evt-1") is None


# --- the transition rule --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        ("REQUESTED", "PICKED_UP", True),
        ("PICKED_UP", "PICKED_UP", True),
        ("PICKED_UP", "FAILED_DELIVERY", True),
        ("IN_TRANSIT", "FAILED_DELIVERY", True),
        ("FAILED_DELIVERY", "IN_TRANSIT", True),
        ("IN_TRANSIT", "DELIVERED", True),
        ("DELIVERED", "DELIVERED", True),
        ("REQUESTED", "FAILED_DELIVERY", False),
        ("IN_TRANSIT", "PICKED_UP", False),
        ("FAILED_DELIVERY", "PICKED_UP", False),
        ("DELIVERED", "IN_TRANSIT", False),
        ("DELIVERED", "FAILED_DELIVERY", False),
        ("PICKED_UP", "REQUESTED", False),
    ],
)
def test_shipment_move_allowed(current: str, new: str, allowed: bool) -> None:
    assert rules.shipment_move_allowed(current, new) is allowed
