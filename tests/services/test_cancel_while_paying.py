"""No buyer pays for a cancelled order: the VA is closed at the bank before the order goes.

The marketplace, the bank and the storefront run in-process with their real code. Each test
puts the buyer's payment and the order's cancellation (by the buyer, or by expiry) in one of
the orders they can happen in; `tests/reliability/test_money_races.py` runs them at the same
moment over real HTTP, hundreds of times.
"""

from __future__ import annotations

from typing import Any

import httpx

from sandbox.wire.faults import Fault
from tests.conftest import Services
from tests.services.test_marketplace_flow import FS, _bank_session, _order, _va

PAID, WAITING = 220, 103


def _status(services: Services, order_id: str) -> int:
    return int(services.apps["marketplace"].state.store.order(order_id)["order_status"])


async def _cancel(services: Services, order_id: str) -> httpx.Response:
    return await services.client("marketplace", "social").post(
        f"/api/v2/fs/{FS}/orders/{order_id}/cancel", auth=services.auth("marketplace", "social")
    )


async def _pay(bank: httpx.AsyncClient, va: str, key: str) -> httpx.Response:
    return await bank.post(
        "/mobile/v1/va-payments",
        headers={"Idempotency-Key": key},
        json={"virtual_account_no": va, "amount": 185000},
    )


def _charged(services: Services, va: str) -> int:
    """Net rupiah the bank took for this VA (payments minus reversals)."""
    rows = (
        services.apps["bank"]
        .state.store.db.execute(
            "SELECT kind, SUM(amount) FROM movements WHERE note = ? GROUP BY kind", [va]
        )
        .fetchall()
    )
    moved: dict[str, Any] = dict(rows)
    return int(moved.get("va_payment", 0)) - int(moved.get("va_reversal", 0))


async def test_a_cancel_after_the_payment_waits_for_it(services: Services) -> None:
    """Paid at the bank, the notification not yet delivered: the cancel is refused."""
    order = await _order(services)
    va = _va(services, order["order_id"])
    bank = await _bank_session(services)
    assert (await _pay(bank, va, "k-1")).status_code == 201
    refused = await _cancel(services, order["order_id"])
    assert (refused.status_code, refused.json()["code"]) == (409, "order_being_paid")
    await services.settle()
    assert _status(services, order["order_id"]) == PAID and _charged(services, va) == 185000


async def test_a_cancel_closes_the_va_before_the_order(services: Services) -> None:
    order = await _order(services)
    va = _va(services, order["order_id"])
    assert (await _cancel(services, order["order_id"])).status_code == 200
    bank = await _bank_session(services)
    late = await _pay(bank, va, "k-1")
    assert (late.status_code, late.json()["code"]) == (404, "va_deleted")
    assert _charged(services, va) == 0


async def test_a_bank_that_does_not_answer_leaves_the_order_payable(services: Services) -> None:
    order = await _order(services)
    services.wire.set_fault("bank", Fault(offline=True))
    refused = await _cancel(services, order["order_id"])
    assert (refused.status_code, refused.json()["code"]) == (503, "bank_unavailable")
    assert _status(services, order["order_id"]) == WAITING
    services.wire.set_fault("bank", Fault())
    bank = await _bank_session(services)
    assert (await _pay(bank, _va(services, order["order_id"]), "k-1")).status_code == 201
    await services.settle()
    assert _status(services, order["order_id"]) == PAID


async def test_expiry_spares_an_order_paid_a_second_before(services: Services) -> None:
    order = await _order(services)
    va = _va(services, order["order_id"])
    services.clock.advance(24 * 3600 - 1)
    bank = await _bank_session(services)
    assert (await _pay(bank, va, "k-1")).status_code == 201  # the last second
    services.clock.advance(1)
    orders = services.apps["marketplace"].state.orders
    assert await orders.expire_due() == [], "paid at the bank: not expired"
    await services.settle()
    assert _status(services, order["order_id"]) == PAID and _charged(services, va) == 185000
    assert await orders.expire_due() == []


async def test_expiry_closes_an_unpaid_va_first(services: Services) -> None:
    order = await _order(services)
    services.clock.advance(24 * 3600)
    assert await services.apps["marketplace"].state.orders.expire_due() == [order["order_id"]]
    va = services.apps["bank"].state.store.va(_va(services, order["order_id"]))
    assert va["status"] == "DELETED"
