"""The narrowest crash window of the checkout, reproduced on purpose instead of by luck.

The marketplace reserves stock and stores the order (status 100) in one transaction, then asks
the bank for the virtual account, then stores the VA (status 103). A process that dies between
the two leaves an order with reserved stock and no VA. The random kills of `test_crash.py`
rarely land there (a few milliseconds), so this test makes the bank never answer, abandons the
request at that point as a SIGKILL would, and starts a new marketplace on the same database.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from sandbox.framework.service import ServiceEnv
from sandbox.runtime.seeding import seed_for
from sandbox.services.marketplace import create_app
from tests.conftest import Services

pytestmark = pytest.mark.reliability

PRODUCT = 100101
GRACE = 15 * 60
"""How long after a restart an order may still sit without a virtual account: far less than
the VA's 24-hour lifetime, during which the reserved stock cannot be sold."""


def _marketplace(services: Services, db: Path) -> Any:
    env = ServiceEnv(
        "marketplace", services.wire, seed_for("marketplace", services.world), db_path=db
    )
    app = create_app(env)
    services.wire.mount("marketplace", app)
    return app


async def _bank_that_never_answers(scope: Any, receive: Any, send: Any) -> None:
    await asyncio.Event().wait()


async def test_an_order_left_without_a_va_by_a_crash_is_resolved_soon_after_restart(
    services: Services, tmp_path: Path
) -> None:
    db = tmp_path / "marketplace.db"
    before = _marketplace(services, db)
    stock = before.state.store.products([PRODUCT])[PRODUCT]["stock"]
    services.wire.mount("bank", _bank_that_never_answers)
    buyer = services.world["personas"]["buyer"]
    buy = asyncio.create_task(
        services.client("social", "buyer").post(
            "/api/v1/videos/1/buy",
            json={"product_id": PRODUCT, "quantity": 1},
            headers={"Authorization": f"Bearer {buyer['session_token']}"},
        )
    )
    for _ in range(500):  # the order is stored before the bank is asked
        if before.state.store.db.execute("SELECT COUNT(*) FROM orders").fetchone()[0]:
            break
        await asyncio.sleep(0.01)
    buy.cancel()  # the process dies while the marketplace waits for the bank
    await asyncio.gather(buy, return_exceptions=True)
    order_id, status = before.state.store.db.execute(
        "SELECT order_id, order_status FROM orders"
    ).fetchone()
    assert status == 100

    after = _marketplace(services, db)  # the restart, on the same database file
    services.wire.mount("bank", services.apps["bank"])
    services.apps["marketplace"] = after
    services.clock.advance(GRACE)
    await after.state.orders.expire_due()  # what its background sweep runs every few seconds
    await services.settle()

    order = after.state.store.order(order_id)
    left = after.state.store.products([PRODUCT])[PRODUCT]["stock"]
    if order["order_status"] == 103:  # reconciled: the VA exists at the bank and is payable
        answer = await after.state.orders.bank.va_status(order_id)
        assert answer.body["virtualAccountData"]["paymentFlagStatus"] == "01"
        assert left == stock - 1
    else:  # or given up: cancelled, with its stock back on the shelf
        assert order["order_status"] in (0, 15), order
        assert left == stock
