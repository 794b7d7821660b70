"""The marketplace over HTTP: partner auth, catalogue, orders, VA, payments, webhooks, expiry."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from sandbox.dialects import open_platform as platform
from sandbox.dialects import snap
from sandbox.dialects.common import timestamp
from tests.conftest import Services
from tests.services.test_marketplace_fakes import FakeBank, FakeRegistry, FakeStorefront

FS = 7001
BUDI_SHIRT, BUDI_CLOTH, BUDI_LAST_ONE = 100101, 100102, 100103  # shop 1001; stock 25, 40, 1
SOLD_OUT = 300004  # stock 0, shop 2050
OTHER_SHOP = 300001  # shop 2038
SARI = "lnk_c65b48fdae2decd2d86b8d01"  # Sari Wulandari's link token
PAYMENT_PATH = "/v1.0/transfer-va/payment"


# --- helpers --------------------------------------------------------------------------------


def creds(services: Services, callee: str = "marketplace", caller: str = "social") -> Any:
    return services.world["partners"][callee][caller]


def partner(services: Services) -> httpx.AsyncClient:
    """The storefront's recorded client; pass `auth=` per call."""
    return services.client("marketplace", "social")


def auth(services: Services) -> httpx.Auth:
    return services.auth("marketplace", "social")


def app_state(services: Services) -> Any:
    return services.apps["marketplace"].state


async def token(services: Services) -> str:
    c = creds(services)
    response = await partner(services).post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(c["app_key"], c["app_secret"]),
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


async def raw_signed(
    services: Services,
    method: str,
    path: str,
    *,
    access: str | None,
    body: bytes = b"",
    query: dict[str, str] | None = None,
    drop: str | None = None,
    **override: str,
) -> httpx.Response:
    """A hand-signed partner request; `override` replaces a parameter after signing."""
    c = creds(services)
    params = {
        "app_key": c["app_key"],
        "timestamp": str(int(services.clock())),
        "nonce": override.pop("nonce_before_sign", "n-" + str(len(services.calls))),
        **(query or {}),
    }
    params["sign"] = platform.request_signature(c["app_secret"], path, params, body)
    params.update(override)
    if drop:
        params.pop(drop)
    headers = {"content-type": "application/json"}
    if access is not None:
        headers["x-tts-access-token"] = access
    return await partner(services).request(
        method, path, params=params, content=body, headers=headers
    )


@pytest.fixture
def bank(services: Services) -> FakeBank:
    fake = FakeBank(creds(services, "bank", "marketplace"))
    services.wire.mount("bank", fake.app)
    return fake


@pytest.fixture
def storefront(services: Services) -> FakeStorefront:
    fake = FakeStorefront()
    services.wire.mount("social", fake.app)
    return fake


async def place(
    services: Services, items: list[dict[str, int]] | None = None, buyer: str = SARI
) -> httpx.Response:
    return await partner(services).post(
        f"/api/v2/fs/{FS}/orders",
        auth=auth(services),
        json={
            "buyer_link_token": buyer,
            "items": items or [{"product_id": BUDI_SHIRT, "quantity": 2}],
            "channel_ref": "video-1",
        },
    )


def stock(services: Services, product_id: int) -> int:
    return int(app_state(services).store.product_cards([product_id])[0]["stock"])


def order_row(services: Services, order_id: str) -> dict[str, Any]:
    row = app_state(services).store.order(order_id)
    assert row is not None
    return dict(row)


def webhooks(services: Services) -> list[dict[str, Any]]:
    return [json.loads(row["body"]) for row in app_state(services).outbox.pending()]


def notification(
    services: Services,
    order: dict[str, Any],
    *,
    paid: int | None = None,
    request_id: str = "PAY-0001",
) -> dict[str, Any]:
    va = order["va_no"]
    return {
        "partnerServiceId": va[:8],
        "customerNo": order["order_id"],
        "virtualAccountNo": va,
        "virtualAccountName": "Sari Wulandari",
        "trxId": order["order_id"],
        "paymentRequestId": request_id,
        "paidAmount": {"value": f"{paid or order['total_amount']}.00", "currency": "IDR"},
        "totalAmount": {"value": f"{order['total_amount']}.00", "currency": "IDR"},
        "trxDateTime": timestamp(services.clock()),
        "referenceNo": "REF0001",
        "paymentFlagStatus": "00",
        "paymentFlagReason": {"english": "Success", "indonesia": "Sukses"},
    }


async def notify(
    services: Services,
    body: dict[str, Any],
    *,
    secret: str | None = None,
    ts: str | None = None,
    partner_id: str | None = None,
) -> httpx.Response:
    bank_creds = creds(services, "bank", "marketplace")
    raw = json.dumps(body).encode()
    ts = ts or timestamp(services.clock())
    signature = snap.notification_signature(
        secret or bank_creds["notification_secret"], "POST", PAYMENT_PATH, raw, ts
    )
    return await services.client("marketplace", "bank").post(
        PAYMENT_PATH,
        content=raw,
        headers={
            "content-type": "application/json",
            "X-TIMESTAMP": ts,
            "X-SIGNATURE": signature,
            "X-PARTNER-ID": partner_id or bank_creds["partner_id"],
            "X-EXTERNAL-ID": "123456",
        },
    )


async def placed_order(services: Services) -> dict[str, Any]:
    response = await place(services)
    assert response.status_code == 201, response.text
    return order_row(services, response.json()["order_id"])


# --- health and token -----------------------------------------------------------------------


async def test_health_says_sandbox(services: Services) -> None:
    response = await services.client("marketplace").get("/health")
    assert response.json()["title"].startswith("SANDBOX")
    assert (await services.client("marketplace").get("/openapi.json")).status_code == 200


async def test_token_issued_for_basic_credentials(services: Services) -> None:
    c = creds(services)
    response = await partner(services).post(
        "/oauth/token",
        auth=(c["app_key"], c["app_secret"]),
        data={"grant_type": "client_credentials"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 7200
    assert len(body["access_token"]) > 30


@pytest.mark.parametrize(
    ("basic", "code"),
    [
        (None, "missing_basic_auth"),
        (("klip-shop-7001", "not-the-secret"), "invalid_app_secret"),
        (("nobody", "x"), "unknown_app_key"),
    ],
)
async def test_token_refused_with_bad_credentials(
    services: Services, basic: Any, code: str
) -> None:
    response = await partner(services).post(
        "/oauth/token", auth=basic, data={"grant_type": "client_credentials"}
    )
    assert response.status_code == 401
    assert response.json()["code"] == code


async def test_token_needs_client_credentials_grant(services: Services) -> None:
    c = creds(services)
    response = await partner(services).post(
        "/oauth/token", auth=(c["app_key"], c["app_secret"]), data={"grant_type": "password"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "unsupported_grant_type"


async def test_garbled_basic_header_is_401(services: Services) -> None:
    response = await partner(services).post(
        "/oauth/token", headers={"authorization": "Basic " + base64.b64encode(b"no-colon").decode()}
    )
    assert response.json()["code"] == "invalid_basic_auth"


# --- signed partner requests ----------------------------------------------------------------

PRODUCTS = f"/api/v2/fs/{FS}/products/{BUDI_SHIRT}"


async def test_hand_signed_request_is_accepted(services: Services) -> None:
    response = await raw_signed(services, "GET", PRODUCTS, access=await token(services))
    assert response.status_code == 200, response.text
    assert response.json()["shop_name"] == "Toko Batik Budi"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"drop": "sign"}, "missing_sign"),
        ({"sign": "0" * 64}, "invalid_sign"),
        ({"drop": "app_key"}, "missing_app_key"),
        ({"drop": "timestamp"}, "missing_timestamp"),
        ({"timestamp": "yesterday"}, "invalid_timestamp"),
        ({"drop": "nonce"}, "missing_nonce"),
        ({"nonce": "changed-after-signing"}, "invalid_sign"),
    ],
)
async def test_bad_signature_parts_are_401(
    services: Services, change: dict[str, Any], code: str
) -> None:
    response = await raw_signed(services, "GET", PRODUCTS, access=await token(services), **change)
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert response.json()["message"]


async def test_body_is_covered_by_the_sign(services: Services) -> None:
    access = await token(services)
    c = creds(services)
    path = f"/api/v2/fs/{FS}/orders"
    signed_body = b'{"buyer_link_token":"x","items":[{"product_id":1,"quantity":1}]}'
    params = {"app_key": c["app_key"], "timestamp": str(int(services.clock())), "nonce": "abc"}
    params["sign"] = platform.request_signature(c["app_secret"], path, params, signed_body)
    tampered = signed_body.replace(b'"quantity":1', b'"quantity":9')
    response = await partner(services).post(
        path,
        params=params,
        content=tampered,
        headers={"x-tts-access-token": access, "content-type": "application/json"},
    )
    assert response.json()["code"] == "invalid_sign"


async def test_stale_timestamp_is_401(services: Services) -> None:
    access = await token(services)
    c = creds(services)
    params = {"app_key": c["app_key"], "timestamp": str(int(services.clock()) - 301), "nonce": "n1"}
    params["sign"] = platform.request_signature(c["app_secret"], PRODUCTS, params, b"")
    response = await partner(services).get(
        PRODUCTS, params=params, headers={"x-tts-access-token": access}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "stale_timestamp"


async def test_replayed_request_is_401(services: Services) -> None:
    access = await token(services)
    first = await raw_signed(services, "GET", PRODUCTS, access=access, nonce_before_sign="same")
    again = await raw_signed(services, "GET", PRODUCTS, access=access, nonce_before_sign="same")
    assert first.status_code == 200
    assert again.status_code == 401
    assert again.json()["code"] == "replayed_request"


@pytest.mark.parametrize(
    ("access", "code"), [(None, "missing_access_token"), ("made-up-token", "invalid_access_token")]
)
async def test_missing_or_wrong_token_is_401(
    services: Services, access: str | None, code: str
) -> None:
    response = await raw_signed(services, "GET", PRODUCTS, access=access)
    assert response.status_code == 401
    assert response.json()["code"] == code


async def test_expired_token_is_401(services: Services) -> None:
    access = await token(services)
    services.clock.advance(2 * 3600)
    response = await raw_signed(services, "GET", PRODUCTS, access=access)
    assert response.json()["code"] == "expired_access_token"


async def test_other_fs_id_is_403(services: Services) -> None:
    response = await partner(services).get(
        f"/api/v2/fs/7002/products/{BUDI_SHIRT}", auth=auth(services)
    )
    assert response.status_code == 403
    assert response.json()["code"] == "fs_id_mismatch"


# --- catalogue ------------------------------------------------------------------------------


async def test_catalogue_by_ids_has_shop_names(services: Services) -> None:
    response = await partner(services).get(
        f"/api/v2/fs/{FS}/products",
        params={"ids": f"{BUDI_CLOTH},{BUDI_SHIRT},999"},
        auth=auth(services),
    )
    assert response.status_code == 200
    cards = response.json()["products"]
    assert [c["product_id"] for c in cards] == [BUDI_SHIRT, BUDI_CLOTH]
    assert cards[0] == {
        "product_id": BUDI_SHIRT,
        "shop_id": 1001,
        "shop_name": "Toko Batik Budi",
        "name": "Kemeja Batik Tulis Sukamaju",
        "price": 185000,
        "stock": 25,
        "category": "Fashion Pria",
    }
    assert "owner_nik" not in json.dumps(cards)


async def test_catalogue_pages_follow_the_cursor(services: Services) -> None:
    client, a = partner(services), auth(services)
    first = (await client.get(f"/api/v2/fs/{FS}/products", params={"limit": 2}, auth=a)).json()
    second = (
        await client.get(
            f"/api/v2/fs/{FS}/products", params={"limit": 2, "cursor": first["next_cursor"]}, auth=a
        )
    ).json()
    assert [c["product_id"] for c in first["products"]] == [BUDI_SHIRT, BUDI_CLOTH]
    assert [c["product_id"] for c in second["products"]] == [BUDI_LAST_ONE, 300001]


@pytest.mark.parametrize("ids", ["abc", "1,,x", ",".join(str(i) for i in range(1, 102))])
async def test_catalogue_refuses_bad_ids(services: Services, ids: str) -> None:
    response = await partner(services).get(
        f"/api/v2/fs/{FS}/products", params={"ids": ids}, auth=auth(services)
    )
    assert response.status_code == 400
    assert response.json()["code"] in ("invalid_ids", "too_many_ids")


async def test_unknown_product_is_404(services: Services) -> None:
    response = await partner(services).get(f"/api/v2/fs/{FS}/products/999999", auth=auth(services))
    assert response.status_code == 404
    assert response.json()["code"] == "product_not_found"


# --- order creation -------------------------------------------------------------------------


async def test_order_reserves_stock_and_gets_a_va(services: Services, bank: FakeBank) -> None:
    response = await place(services)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["order_id"] == "240301000001"
    assert (body["order_status"], body["status"], body["total_amount"]) == (103, "UNPAID", 370000)
    assert body["expires_at"] == "2024-03-02T15:00:00+07:00"
    assert body["checkout_url"].startswith("http://marketplace.sandbox/checkout/")
    assert stock(services, BUDI_SHIRT) == 23

    [(path, sent, valid)] = bank.calls
    assert path == "/v1.0/transfer-va/create-va" and valid
    assert sent["customerNo"] == "240301000001" and sent["trxId"] == "240301000001"
    assert sent["virtualAccountNo"] == "   88001240301000001"
    assert sent["virtualAccountName"] == "Sari Wulandari"
    assert sent["totalAmount"] == {"value": "370000.00", "currency": "IDR"}
    assert sent["expiredDate"] == "2024-03-02T15:00:00+07:00"
    assert order_row(services, "240301000001")["va_no"] == "   88001240301000001"

    [hook] = webhooks(services)
    assert hook["type"] == "ORDER_STATUS_CHANGE" and hook["fs_id"] == FS
    assert hook["shop_id"] == 1001
    assert hook["data"] == {
        "order_id": "240301000001",
        "order_status": 103,
        "status": "UNPAID",
        "update_time": int(services.clock()),
        "channel_ref": "video-1",
    }


async def test_order_ids_follow_a_sequence(services: Services, bank: FakeBank) -> None:
    ids = [(await place(services)).json()["order_id"] for _ in range(2)]
    assert ids == ["240301000001", "240301000002"]


async def test_unknown_buyer_is_404(services: Services, bank: FakeBank) -> None:
    response = await place(services, buyer="lnk_nobody")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_buyer"
    assert bank.calls == []


async def test_items_of_two_shops_are_refused(services: Services, bank: FakeBank) -> None:
    response = await place(
        services,
        [{"product_id": BUDI_SHIRT, "quantity": 1}, {"product_id": OTHER_SHOP, "quantity": 1}],
    )
    assert response.status_code == 422
    assert response.json()["code"] == "mixed_shops"
    assert stock(services, BUDI_SHIRT) == 25


async def test_sold_out_product_is_409(services: Services, bank: FakeBank) -> None:
    response = await place(services, [{"product_id": SOLD_OUT, "quantity": 1}])
    assert response.status_code == 409
    assert response.json()["code"] == "out_of_stock"
    assert response.json()["stock"] == 0


async def test_last_item_sells_once(services: Services, bank: FakeBank) -> None:
    first = await place(services, [{"product_id": BUDI_LAST_ONE, "quantity": 1}])
    second = await place(services, [{"product_id": BUDI_LAST_ONE, "quantity": 1}])
    assert (first.status_code, second.status_code) == (201, 409)
    assert stock(services, BUDI_LAST_ONE) == 0


async def test_failed_line_undoes_the_whole_order(services: Services, bank: FakeBank) -> None:
    response = await place(
        services,
        [{"product_id": BUDI_SHIRT, "quantity": 2}, {"product_id": BUDI_LAST_ONE, "quantity": 2}],
    )
    assert response.status_code == 409
    assert stock(services, BUDI_SHIRT) == 25  # the first line's reservation was rolled back
    assert app_state(services).store.order("240301000001") is None


@pytest.mark.parametrize(
    "items",
    [
        [{"product_id": BUDI_SHIRT, "quantity": 0}],
        [{"product_id": BUDI_SHIRT, "quantity": 100}],
        [],
        [{"product_id": -1, "quantity": 1}],
    ],
)
async def test_bad_quantities_are_400(
    services: Services, bank: FakeBank, items: list[dict[str, int]]
) -> None:
    response = await partner(services).post(
        f"/api/v2/fs/{FS}/orders",
        auth=auth(services),
        json={"buyer_link_token": SARI, "items": items},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_field"


async def test_same_product_twice_is_400(services: Services, bank: FakeBank) -> None:
    response = await place(services, [{"product_id": BUDI_SHIRT, "quantity": 1}] * 2)
    assert response.json()["code"] == "duplicate_item"


# --- bank trouble ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("behaviour", "code"),
    [
        ("error500", "bank_unavailable"),
        ("timeout", "bank_unavailable"),
        ("refuse400", "bank_refused"),
    ],
)
async def test_bank_failure_cancels_and_returns_stock(
    services: Services, bank: FakeBank, behaviour: str, code: str
) -> None:
    bank.create = behaviour
    response = await place(services)
    assert response.status_code == 502
    assert response.json()["code"] == code
    assert stock(services, BUDI_SHIRT) == 25
    order = order_row(services, "240301000001")
    assert (order["order_status"], order["cancel_reason"]) == (0, "BANK_UNAVAILABLE")
    # Unsure answers make the marketplace ask /status first; a clear refusal does not.
    asked = "/v1.0/transfer-va/status" in bank.paths()
    assert asked == (behaviour != "refuse400")
    assert webhooks(services) == []


async def _place_with_key(services: Services, key: str) -> httpx.Response:
    return await partner(services).post(
        f"/api/v2/fs/{FS}/orders",
        auth=auth(services),
        json={"buyer_link_token": SARI, "items": [{"product_id": BUDI_SHIRT, "quantity": 2}]},
        headers={"Idempotency-Key": key},
    )


async def test_a_retry_after_a_bank_failure_starts_afresh(
    services: Services, bank: FakeBank
) -> None:
    """Idempotency (docs/contracts.md): the first attempt left no order its caller knows of,
    so the same key again is a new attempt, not the cancelled order with a 201 (never a mix)."""
    bank.create = "error500"
    failed = await _place_with_key(services, "buy-1")
    assert failed.status_code == 502
    bank.create = "ok"
    retried = await _place_with_key(services, "buy-1")
    assert retried.status_code == 201, retried.text
    assert "Idempotent-Replayed" not in retried.headers
    assert retried.json()["order_id"] != "240301000001", "a new order"
    assert retried.json()["status"] == "UNPAID"
    assert stock(services, BUDI_SHIRT) == 23, "one order holds stock"
    again = await _place_with_key(services, "buy-1")
    assert (again.status_code, again.headers["Idempotent-Replayed"]) == (201, "true")
    assert again.json() == retried.json()


async def test_a_va_the_bank_cannot_deny_keeps_the_order_until_it_can(
    services: Services, bank: FakeBank
) -> None:
    """After a timeout the VA may exist: unless the bank confirms it is closed, the order is
    not cancelled (a payable VA of a cancelled order would charge a buyer for nothing)."""
    bank.create, bank.delete = "timeout", "timeout"
    response = await place(services)
    assert response.status_code == 502 and "as soon as the bank confirms" in response.text
    assert order_row(services, "240301000001")["order_status"] == 100
    assert stock(services, BUDI_SHIRT) == 23, "held until the bank answers"
    services.clock.advance(5 * 60)
    orders = app_state(services).orders
    assert await orders.expire_due() == []
    bank.delete = "ok"
    assert await orders.expire_due() == ["240301000001"]
    assert stock(services, BUDI_SHIRT) == 25


async def test_an_order_whose_va_is_paid_is_not_given_up(
    services: Services, bank: FakeBank
) -> None:
    bank.create, bank.delete = "timeout", "paid"
    assert (await place(services)).status_code == 502
    services.clock.advance(5 * 60)
    assert await app_state(services).orders.expire_due() == []
    assert order_row(services, "240301000001")["order_status"] == 100


async def test_timeout_but_va_exists_keeps_the_order(services: Services, bank: FakeBank) -> None:
    bank.create, bank.status = "timeout", "unpaid"
    response = await place(services)
    assert response.status_code == 201
    assert bank.paths() == ["/v1.0/transfer-va/create-va", "/v1.0/transfer-va/status"]
    assert order_row(services, "240301000001")["order_status"] == 103


# --- reading, checkout page, cancel ---------------------------------------------------------


async def test_get_order(services: Services, bank: FakeBank) -> None:
    order = await placed_order(services)
    response = await partner(services).get(
        f"/api/v2/fs/{FS}/orders/{order['order_id']}", auth=auth(services)
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["order_status"], body["status"], body["total_amount"]) == (103, "UNPAID", 370000)
    assert body["items"] == [
        {
            "product_id": BUDI_SHIRT,
            "name": "Kemeja Batik Tulis Sukamaju",
            "price": 185000,
            "quantity": 2,
        }
    ]


async def test_unknown_order_is_404(services: Services) -> None:
    response = await partner(services).get(
        f"/api/v2/fs/{FS}/orders/240301999999", auth=auth(services)
    )
    assert response.status_code == 404
    assert response.json()["code"] == "order_not_found"


async def test_checkout_page_shows_the_va(services: Services, bank: FakeBank) -> None:
    created = (await place(services)).json()
    path = "/checkout/" + created["checkout_url"].rsplit("/", 1)[1]
    page = (await services.client("marketplace", "buyer").get(path)).json()
    assert page["status"] == "UNPAID" and page["shop_name"] == "Toko Batik Budi"
    assert page["payment"] == {
        "bank": "Bank Contoh",
        "virtual_account_no": "   88001240301000001",
        "amount": 370000,
        "expires_at": "2024-03-02T15:00:00+07:00",
        "status": "UNPAID",
    }
    missing = await services.client("marketplace", "buyer").get("/checkout/guess")
    assert missing.status_code == 404 and missing.json()["code"] == "checkout_not_found"


async def test_buyer_cancel_returns_stock_and_deletes_va(
    services: Services, bank: FakeBank
) -> None:
    order = await placed_order(services)
    path = f"/api/v2/fs/{FS}/orders/{order['order_id']}/cancel"
    response = await partner(services).post(path, auth=auth(services))
    assert response.status_code == 200
    assert (response.json()["order_status"], response.json()["status"]) == (15, "CANCELLED")
    assert stock(services, BUDI_SHIRT) == 25
    assert bank.paths()[-1] == "/v1.0/transfer-va/delete-va"
    assert [h["data"]["status"] for h in webhooks(services)] == ["UNPAID", "CANCELLED"]
    again = await partner(services).post(path, auth=auth(services))
    assert again.status_code == 409 and again.json()["code"] == "order_not_cancellable"
    assert stock(services, BUDI_SHIRT) == 25  # not returned twice


async def test_paid_order_cannot_be_cancelled(services: Services, bank: FakeBank) -> None:
    order = await placed_order(services)
    assert (await notify(services, notification(services, order))).status_code == 200
    response = await partner(services).post(
        f"/api/v2/fs/{FS}/orders/{order['order_id']}/cancel", auth=auth(services)
    )
    assert response.status_code == 409
    assert "paid" in response.json()["message"]


# --- payment notification -------------------------------------------------------------------


async def test_payment_marks_the_order_paid(services: Services, bank: FakeBank) -> None:
    order = await placed_order(services)
    response = await notify(services, notification(services, order))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["responseCode"] == "2002500" and body["code"] == "payment_recorded"
    assert body["virtualAccountData"]["paymentRequestId"] == "PAY-0001"
    assert order_row(services, order["order_id"])["order_status"] == 220
    assert [h["data"]["status"] for h in webhooks(services)] == ["UNPAID", "AWAITING_SHIPMENT"]


async def test_duplicate_payment_counts_once(services: Services, bank: FakeBank) -> None:
    order = await placed_order(services)
    note = notification(services, order)
    await notify(services, note)
    again = await notify(services, note)
    assert again.status_code == 200
    assert (again.json()["responseCode"], again.json()["code"]) == ("2002500", "duplicate_payment")
    assert len(webhooks(services)) == 2  # UNPAID and one AWAITING_SHIPMENT, not two


async def test_second_payment_of_a_paid_bill_is_refused(services: Services, bank: FakeBank) -> None:
    order = await placed_order(services)
    await notify(services, notification(services, order))
    other = await notify(services, notification(services, order, request_id="PAY-0002"))
    assert other.status_code == 404
    assert other.json()["responseCode"] == "4042514"


async def test_wrong_amount_is_refused(services: Services, bank: FakeBank) -> None:
    order = await placed_order(services)
    response = await notify(services, notification(services, order, paid=1000))
    assert response.status_code == 404
    assert (response.json()["responseCode"], response.json()["code"]) == (
        "4042513",
        "invalid_amount",
    )
    assert order_row(services, order["order_id"])["order_status"] == 103


async def test_unknown_va_is_refused(services: Services, bank: FakeBank) -> None:
    order = await placed_order(services)
    note = notification(services, order)
    note["virtualAccountNo"] = "   88001999999999999"
    response = await notify(services, note)
    assert response.status_code == 404
    assert response.json()["responseCode"] == "4042512"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"secret": "not-the-secret"}, "invalid_signature"),
        ({"ts": "2024-03-01T10:00:00+07:00"}, "invalid_timestamp"),
        ({"partner_id": "99999"}, "unknown_partner_id"),
    ],
)
async def test_notification_must_be_signed_by_our_bank(
    services: Services, bank: FakeBank, kwargs: dict[str, str], code: str
) -> None:
    order = await placed_order(services)
    response = await notify(services, notification(services, order), **kwargs)
    assert response.status_code == 401
    assert (response.json()["responseCode"], response.json()["code"]) == ("4012500", code)
    assert order_row(services, order["order_id"])["order_status"] == 103


async def test_notification_missing_field_is_snap_400(services: Services, bank: FakeBank) -> None:
    order = await placed_order(services)
    note = notification(services, order)
    del note["paymentRequestId"]
    response = await notify(services, note)
    assert response.status_code == 400
    assert response.json()["responseCode"] == "4002502"
    assert "paymentRequestId" in response.json()["responseMessage"]


# --- webhooks -------------------------------------------------------------------------------


async def test_webhooks_reach_the_storefront_signed(
    services: Services, bank: FakeBank, storefront: FakeStorefront
) -> None:
    order = await placed_order(services)
    await notify(services, notification(services, order))
    await services.settle()
    c = creds(services)
    assert [b["data"]["status"] for b in storefront.bodies()] == ["UNPAID", "AWAITING_SHIPMENT"]
    for headers, raw in storefront.received:
        assert headers["authorization"] == platform.webhook_signature(
            c["app_secret"], c["app_key"], raw
        )
    assert len({b["notification_id"] for b in storefront.bodies()}) == 2
    assert app_state(services).outbox.pending() == []


# --- expiry ---------------------------------------------------------------------------------


async def test_expired_order_is_cancelled_and_stock_returned(
    services: Services, bank: FakeBank
) -> None:
    order = await placed_order(services)
    orders = app_state(services).orders
    services.clock.advance(24 * 3600 - 1)
    assert await orders.expire_due() == []
    services.clock.advance(1)
    assert await orders.expire_due() == [order["order_id"]]
    row = order_row(services, order["order_id"])
    assert (row["order_status"], row["cancel_reason"]) == (0, "PAYMENT_EXPIRED")
    assert stock(services, BUDI_SHIRT) == 25
    assert bank.paths()[-1] == "/v1.0/transfer-va/delete-va"
    assert webhooks(services)[-1]["data"]["status"] == "CANCELLED"
    late = await notify(services, notification(services, order))
    assert late.json()["responseCode"] == "4042519"
    assert await orders.expire_due() == []


async def test_reset_restores_the_seeded_world(services: Services, bank: FakeBank) -> None:
    await placed_order(services)
    state = app_state(services)
    state.store.reset({"seed": services.world["seed"], "data": services.world["marketplace"]})
    assert stock(services, BUDI_SHIRT) == 25
    assert state.store.order("240301000001") is None
    assert state.outbox.pending() == []


# --- seller centre --------------------------------------------------------------------------

NEWCOMER = {
    "nik": "9902014907010001",
    "name": "Dewi Lestari",
    "birth_place": "Tanjung Damai",
    "birth_date": "2001-07-09",
    "sex": "P",
    "shop_name": "Dewi Craft",
    "consent": True,
}


def registry(services: Services, **kwargs: Any) -> FakeRegistry:
    fake = FakeRegistry(creds(services, "identity", "marketplace"), **kwargs)
    services.wire.mount("identity", fake.app)
    return fake


async def apply(services: Services) -> httpx.Response:
    """The would-be seller sends the form: the application waits for her consent."""
    response = await services.client("marketplace", "seller").post(
        "/seller/v1/registrations", json=NEWCOMER
    )
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "AWAITING_CONSENT"
    return response


async def read_application(services: Services, application_id: str) -> httpx.Response:
    return await services.client("marketplace", "seller").get(
        f"/seller/v1/registrations/{application_id}"
    )


async def test_seller_verified_at_the_registry_once_she_approves(services: Services) -> None:
    fake = registry(services, answer="PENDING")
    application = (await apply(services)).json()
    assert application["consent_request_id"] == "CRQ-0001" and "IKD" in application["message"]
    waiting = await read_application(services, application["application_id"])
    assert waiting.status_code == 202 and waiting.json()["status"] == "AWAITING_CONSENT"
    fake.answer = "APPROVED"  # she approves in her IKD app
    response = await read_application(services, application["application_id"])
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "VERIFIED" and response.json()["shop_id"] == 2051
    paths = [path for path, _body, _ok in fake.calls]
    assert paths == [
        "/v1/consent-requests",
        "/v1/consent-requests/CRQ-0001",
        "/v1/consent-requests/CRQ-0001",
        "/v1/verify",
    ]
    assert all(ok for _path, _body, ok in fake.calls)  # every call signed as Pasarloka
    asked, verify = fake.calls[0][1], fake.calls[-1][1]
    assert (asked["nik"], asked["purpose"], asked["scopes"]) == (
        NEWCOMER["nik"],
        "SELLER_KYC",
        ["identity_verification"],
    )
    assert verify["consent_id"] == "CNS-0001" and verify["tgl_lhr"] == "09-07-2001"
    assert (verify["nama_lgkp"], verify["jenis_klmin"]) == ("DEWI LESTARI", "PEREMPUAN")
    again = await read_application(services, application["application_id"])
    assert again.json()["shop_id"] == 2051 and len(fake.calls) == 4  # replay: asks nobody


async def test_seller_with_mismatched_data_is_rejected(services: Services) -> None:
    registry(services, flags={"tgl_lhr": "TIDAK SESUAI"})
    application = (await apply(services)).json()
    response = await read_application(services, application["application_id"])
    assert response.status_code == 200 and response.json()["status"] == "REJECTED"
    assert (response.json()["code"], response.json()["fields"]) == ("kyc_failed", ["tgl_lhr"])
    assert app_state(services).store.shop_of_owner(NEWCOMER["nik"]) is None


@pytest.mark.parametrize("answer", ["DECLINED", "EXPIRED"])
async def test_seller_who_declines_or_never_answers_gets_no_shop(
    services: Services, answer: str
) -> None:
    fake = registry(services, answer=answer)
    application = (await apply(services)).json()
    response = await read_application(services, application["application_id"])
    assert response.json()["status"] == "REJECTED"
    assert response.json()["code"] == f"consent_{answer.lower()}"
    assert "/v1/verify" not in [path for path, _body, _ok in fake.calls]  # nobody was checked
    assert app_state(services).store.shop_of_owner(NEWCOMER["nik"]) is None


async def test_a_second_form_while_she_has_not_answered_asks_her_once(services: Services) -> None:
    fake = registry(services, answer="PENDING")
    first = (await apply(services)).json()
    second = (await apply(services)).json()
    assert first["application_id"] == second["application_id"]
    assert [path for path, _body, _ok in fake.calls] == ["/v1/consent-requests"]


async def test_two_reads_at_once_open_one_shop(services: Services) -> None:
    import asyncio

    fake = registry(services)
    application = (await apply(services)).json()
    answers = await asyncio.gather(
        *(read_application(services, application["application_id"]) for _ in range(4))
    )
    assert all(a.status_code in (200, 202) for a in answers)
    final = await read_application(services, application["application_id"])
    assert final.json()["status"] == "VERIFIED"
    assert [path for path, _body, _ok in fake.calls].count("/v1/verify") == 1
    rows = app_state(services).store.db.query(
        "SELECT COUNT(*) AS n FROM sellers WHERE owner_nik = ?", [NEWCOMER["nik"]]
    )
    assert next(iter(rows))["n"] == 1


@pytest.mark.parametrize(
    "application_id",
    ["SAP-" + "0" * 24, "SAP-%00" + "0" * 21, "..%2F..%2Fv1%2Forders", "SAP-" + "f" * 400],
)
async def test_someone_elses_or_a_made_up_application_is_not_found(
    services: Services, application_id: str
) -> None:
    registry(services)
    response = await read_application(services, application_id)
    assert 400 <= response.status_code < 500
    assert "code" in response.json()  # the marketplace's own error dialect


async def test_a_huge_or_broken_form_is_refused(services: Services) -> None:
    fake = registry(services)
    client = services.client("marketplace", "seller")
    huge = await client.post(
        "/seller/v1/registrations", json={**NEWCOMER, "shop_name": "x" * 2_000_000}
    )
    nul = await client.post("/seller/v1/registrations", json={**NEWCOMER, "name": "De\x00wi"})
    assert 400 <= huge.status_code < 500 and 400 <= nul.status_code < 500
    assert fake.calls == [] or all(p != "/v1/verify" for p, _b, _o in fake.calls)


async def test_seller_needs_consent_and_one_shop(services: Services) -> None:
    fake = registry(services)
    client = services.client("marketplace", "seller")
    no_consent = await client.post("/seller/v1/registrations", json={**NEWCOMER, "consent": False})
    assert no_consent.status_code == 400 and no_consent.json()["code"] == "consent_required"
    budi = await client.post(
        "/seller/v1/registrations", json={**NEWCOMER, "nik": "9901011708850001"}
    )
    assert budi.status_code == 409 and budi.json()["code"] == "seller_exists"
    assert fake.calls == []


async def test_registry_down_is_502(services: Services) -> None:
    registry(services, fail=True)
    response = await services.client("marketplace", "seller").post(
        "/seller/v1/registrations", json=NEWCOMER
    )
    assert response.status_code == 502
    assert response.json()["code"] == "registry_unavailable"
