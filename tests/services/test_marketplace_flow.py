"""The marketplace with the real bank, registry and storefront, all in-process.

These follow the contracts end to end: the VA the marketplace asks for is the one the buyer
pays in her bank app, and the storefront hears about it only through signed webhooks.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Services
from tests.services.consent_helpers import approve_pending, log_in

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
    wrong = await apply_and_approve(services, client, {**form, "birth_date": "2001-07-10"})
    assert wrong.status_code == 200 and wrong.json()["status"] == "REJECTED", wrong.text
    assert wrong.json()["fields"] == ["tgl_lhr"]
    response = await apply_and_approve(services, client, form)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "VERIFIED"
    assert response.json()["consent_id"].startswith("CNS-")
    identity_calls = [
        (c.caller, c.method, c.path.rsplit("/", 1)[-1] if "CRQ-" in c.path else c.path, c.status)
        for c in services.calls
        if c.callee == "identity" and not c.path.startswith("/ikd/v1/sessions")
    ]
    once = [
        ("marketplace", "POST", "/v1/consent-requests", 202),
        ("newcomer", "GET", "/ikd/v1/consent-requests", 200),
        ("newcomer", "POST", "approve", 201),
        ("marketplace", "GET", identity_calls[3][2], 200),
        ("marketplace", "POST", "/v1/verify", 200),
    ]
    assert identity_calls[:5] == once, identity_calls


async def apply_and_approve(
    services: Services, client: httpx.AsyncClient, form: dict[str, Any]
) -> httpx.Response:
    """She sends the form, approves Pasarloka's request in her IKD app, reads the application."""
    sent = await client.post("/seller/v1/registrations", json=form)
    assert sent.status_code == 202, sent.text
    await approve_pending(services, form["nik"])
    return await client.get(f"/seller/v1/registrations/{sent.json()['application_id']}")


async def test_a_seller_who_revokes_before_the_check_gets_no_shop(services: Services) -> None:
    client = services.client("marketplace", "newcomer")
    sent = await client.post("/seller/v1/registrations", json=DEWI)
    [consent_id] = await approve_pending(services, DEWI["nik"])
    app = await log_in(services, DEWI["nik"])
    assert (await app.delete(f"/ikd/v1/consents/{consent_id}")).status_code == 200
    read = await client.get(f"/seller/v1/registrations/{sent.json()['application_id']}")
    assert read.json()["status"] == "REJECTED" and read.json()["code"] == "consent_withdrawn"
    store = services.apps["marketplace"].state.store
    assert store.shop_of_owner(DEWI["nik"]) is None


async def test_a_seller_who_refuses_or_never_answers_gets_no_shop(services: Services) -> None:
    client = services.client("marketplace", "newcomer")
    sent = await client.post("/seller/v1/registrations", json=DEWI)
    app = await log_in(services, DEWI["nik"])
    [waiting] = (await app.get("/ikd/v1/consent-requests")).json()
    assert waiting["purpose"] == "SELLER_KYC" and waiting["partner"] == "marketplace"
    await app.post(f"/ikd/v1/consent-requests/{waiting['request_id']}/decline")
    read = await client.get(f"/seller/v1/registrations/{sent.json()['application_id']}")
    assert read.json()["code"] == "consent_declined"
    again = await client.post("/seller/v1/registrations", json=DEWI)
    services.clock.advance(16 * 60)
    read = await client.get(f"/seller/v1/registrations/{again.json()['application_id']}")
    assert read.json()["code"] == "consent_expired"


DEWI: dict[str, Any] = {
    "nik": "9902014907010001",
    "name": "Dewi Lestari",
    "birth_place": "Tanjung Damai",
    "birth_date": "2001-07-09",
    "sex": "P",
    "shop_name": "Dewi Craft",
    "consent": True,
}
