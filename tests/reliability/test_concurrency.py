"""200 checkouts at once over real HTTP, some racing for the last items in stock.

The sandbox runs as it does for a user (real uvicorn servers on 127.0.0.1, SQLite files); the
buyers tap "buy" in the social app, open the marketplace's checkout page and pay the virtual
account in the bank's app, all at the same moment (each payer logged in to the bank app
beforehand: a PIN check has a real cost now). Afterwards, read from the institutions' own
databases: no order lost, no stock below zero, exactly as many winners as there were items,
every paid order paid exactly once, and every webhook delivered.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.config import Settings
from sandbox.runtime.supervisor import Runtime
from sandbox.scenarios.base import wait_for
from sandbox.wire import Wire
from tests.reliability.conftest import env_int

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

CHECKOUTS = env_int("SANDBOX_CHECKOUTS", 200)
CONTESTED = {(2, 100103): 30, (1034, 300207): 20}
"""(video, product) with one or two items left, and how many buyers race for them."""
PLENTY = [(1004, 300181), (1005, 300338), (1013, 300117), (1021, 300009)]
"""(video, product) with 200 in stock: the rest of the crowd buys these."""
PAID = "AWAITING_SHIPMENT"


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    started = Runtime(Settings(data_dir=tmp_path, port_base=0))
    started.start_in_thread()
    yield started
    started.stop_thread()


def _query(runtime: Runtime, service: str, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
    """Rows from an institution's own database file, read-only beside the running server."""
    db = sqlite3.connect(f"file:{runtime.db_path(service)}?mode=ro", uri=True, timeout=10)
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


def _crowd(world: dict[str, Any]) -> list[tuple[dict[str, Any], int, int, dict[str, Any]]]:
    """(social user, video, product, paying bank account) for every checkout."""
    plan = [vp for vp, n in CONTESTED.items() for _ in range(n)]
    plan += [PLENTY[i % len(PLENTY)] for i in range(max(CHECKOUTS - len(plan), 0))]
    users = world["social"]["users"]
    payers = sorted(
        (
            a
            for a in world["bank"]["accounts"]
            if a["kind"] == "personal" and a["balance"] >= 1_000_000
        ),
        key=lambda a: a["account_no"],
    )
    # A payer pays at most two orders (each under Rp500,000): nobody runs out of money.
    assert len(payers) * 2 >= len(plan)
    return [
        (users[i % len(users)], video, product, payers[i // 2])
        for i, (video, product) in enumerate(plan[:CHECKOUTS])
    ]


async def _sessions(wire: Wire, payers: list[dict[str, Any]]) -> dict[str, str]:
    """A bank app session per payer, opened before the crowd: a PIN check costs about 40 ms
    of CPU on purpose (real PBKDF2 cost), and 160 of them at once would measure the hashing,
    not the races this test is about."""
    bank = wire.client("buyer", "bank")

    async def log_in(payer: dict[str, Any]) -> tuple[str, str]:
        login = await bank.post(
            "/mobile/v1/sessions", json={"account_no": payer["account_no"], "pin": payer["pin"]}
        )
        assert login.status_code == 201, login.text
        return payer["account_no"], str(login.json()["session_token"])

    unique = {p["account_no"]: p for p in payers}
    return dict(await asyncio.gather(*(log_in(p) for p in unique.values())))


async def _checkout(
    wire: Wire,
    sessions: dict[str, str],
    user: dict[str, Any],
    video: int,
    product: int,
    payer: dict[str, Any],
) -> dict[str, Any]:
    """One buyer's whole checkout; returns what happened."""
    me = {"Authorization": f"Bearer {user['session_token']}"}
    bought = await wire.client("buyer", "social").post(
        f"/api/v1/videos/{video}/buy", headers=me, json={"product_id": product, "quantity": 1}
    )
    if bought.status_code != 201:
        return {"product": product, "status": bought.status_code, "body": bought.json()}
    order = bought.json()
    path = "/" + order["checkout_url"].split("://", 1)[-1].split("/", 1)[1]
    page = (await wire.client("buyer", "marketplace").get(path)).json()
    bank = wire.client("buyer", "bank")
    auth = {
        "Authorization": f"Bearer {sessions[payer['account_no']]}",
        "Idempotency-Key": f"pay-{order['order_id']}",
    }
    paid = await bank.post(
        "/mobile/v1/va-payments",
        headers=auth,
        json={
            "virtual_account_no": page["payment"]["virtual_account_no"],
            "amount": page["payment"]["amount"],
        },
    )
    return {
        "product": product,
        "status": 201,
        "order_id": order["order_id"],
        "user": user,
        "amount": order["total_amount"],
        "paid": paid.status_code,
        "va": page["payment"]["virtual_account_no"],
        "payer": payer["account_no"],
    }


def _in_progress(result: dict[str, Any]) -> bool:
    """The storefront's retry found the order still waiting for the bank (a slow machine)."""
    body = result.get("body") or {}
    return result["status"] == 409 and body.get("marketplace_code") == "order_in_progress"


async def test_200_concurrent_checkouts_lose_nothing_and_pay_once(runtime: Runtime) -> None:
    world = runtime.world
    stock = {p["product_id"]: p["stock"] for p in world["marketplace"]["products"]}
    wire = Wire(timeout=120)  # the crowd queues on two cores: patience, not failure
    for name, url in runtime.urls.items():
        wire.set_url(name, url)
    try:
        crowd = _crowd(world)
        sessions = await _sessions(wire, [payer for *_, payer in crowd])
        results = await asyncio.gather(*(_checkout(wire, sessions, *who) for who in crowd))
    finally:
        await wire.aclose()
    orders = [r for r in results if r["status"] == 201]
    sold_out = [r for r in results if r["status"] == 409 and not _in_progress(r)]
    busy = [r for r in results if r["status"] not in (201, 409) or _in_progress(r)]
    # On two loaded cores an internal call can outlast the wire's 5-second timeout; the buyer
    # is then told so (a 5xx JSON error, or, when the social app's retry with the same key
    # finds the first request still waiting for the bank, 409 order_in_progress). Allowed,
    # rarely, as long as nothing is lost by it.
    assert all(
        (500 <= r["status"] < 600 or _in_progress(r)) and r["body"].get("code") for r in busy
    ), busy[:3]
    assert len(busy) <= CHECKOUTS // 20, busy[:3]
    assert all(r["paid"] == 201 for r in orders), [r for r in orders if r["paid"] != 201][:3]

    # The races for the last items: as many winners as items, the others told "out of stock".
    contested = {product for _, product in CONTESTED}
    for (_, product), racers in CONTESTED.items():
        winners = [r for r in orders if r["product"] == product]
        assert len(winners) <= stock[product] < racers
        if not any(r["product"] == product for r in busy):
            assert len(winners) == stock[product]
    assert all(r["product"] in contested for r in sold_out), sold_out[:3]

    # No stock below zero; by the marketplace's own books, stock left plus stock held by
    # orders that are not cancelled is what there was.
    rows = dict(_query(runtime, "marketplace", "SELECT product_id, stock FROM products"))
    held = dict(
        _query(
            runtime,
            "marketplace",
            "SELECT i.product_id, SUM(i.quantity) FROM order_items i JOIN orders o "
            "USING (order_id) WHERE o.order_status NOT IN (0, 10, 15) GROUP BY i.product_id",
        )
    )
    assert min(rows.values()) >= 0
    for product in {r["product"] for r in results}:
        sold = sum(1 for r in orders if r["product"] == product)
        assert rows[product] + held.get(product, 0) == stock[product], product
        assert held.get(product, 0) >= sold, product

    # No order lost: every order a buyer was given exists, once; any other order (a buyer told
    # "busy" after the marketplace had stored it) was never paid.
    ids = {r["order_id"] for r in orders}
    assert len(ids) == len(orders)
    placed = dict(_query(runtime, "marketplace", "SELECT order_id, order_status FROM orders"))
    assert ids <= set(placed)
    unknown = set(placed) - ids
    assert len(unknown) <= len(busy) and all(placed[o] != 220 for o in unknown), unknown
    print(
        f"concurrency: {CHECKOUTS} checkouts, {len(orders)} orders paid, {len(sold_out)} out "
        f"of stock, {len(busy)} refused as busy ({len(unknown)} orders left unpaid)"
    )

    # Every paid order was paid exactly once: one movement per VA, one payment per order.
    moved = _query(
        runtime,
        "bank",
        "SELECT note, COUNT(*), SUM(amount) FROM movements WHERE kind = 'va_payment' GROUP BY note",
    )
    assert {va: (n, total) for va, n, total in moved} == {r["va"]: (1, r["amount"]) for r in orders}

    # Every webhook delivered: nothing pending, and the social app shows every order paid.
    async def all_delivered() -> bool:
        pending: int = sum(
            _query(runtime, name, "SELECT COUNT(*) FROM _outbox WHERE delivered_at IS NULL")[0][0]
            for name in ("bank", "marketplace")
        )
        return pending == 0

    assert await wait_for(all_delivered, within=120, interval=0.5)
    payments = _query(
        runtime, "marketplace", "SELECT order_id, COUNT(*) FROM payments GROUP BY order_id"
    )
    assert dict(payments) == dict.fromkeys(ids, 1)
    shown = dict(_query(runtime, "social", "SELECT order_id, status FROM orders"))
    assert {order_id: shown.get(order_id) for order_id in ids} == dict.fromkeys(ids, PAID)
