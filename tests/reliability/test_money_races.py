"""Paying while the order is cancelled, or while it expires: no buyer pays for nothing.

Over real HTTP on loopback, as people and partners would do it. A storefront places an order
at the marketplace (its partner API), then, at the same moment, the storefront cancels it (or
its payment deadline passes) and the buyer pays its virtual account in the bank's app. Each
race is run hundreds of times with jittered starts, so every interleaving the machine can
produce shows up. Afterwards, read from the institutions' own database files:

- no buyer is charged for an order that is not paid: every rupiah taken for a VA belongs to a
  paid order, or was given back (a reversal);
- every paid order was charged exactly once, for its amount;
- the bank's total is what it was (money is only moved), and debits equal credits;
- no payment lands on a cancelled order (so the bank never has to reverse one), and every
  webhook was acknowledged: none pending, none given up.

`SANDBOX_MONEY_RACES` raises the count (default 200 per race).
"""

from __future__ import annotations

import asyncio
import math
import random
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.config import Settings
from sandbox.dialects.open_platform import MarketplaceAuth
from sandbox.runtime.supervisor import Runtime
from sandbox.scenarios.base import wait_for
from sandbox.services import marketplace as marketplace_service
from sandbox.wire.faults import Fault
from tests.reliability.conftest import env_int

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

RACES = env_int("SANDBOX_MONEY_RACES", 200)
PRODUCTS = (300181, 300117, 300009, 300338)
"""Products with 200 in stock each: every race gets its item."""
AT_ONCE = 8
"""Races run side by side (the rest wait their turn): enough to load two cores."""
DAY = 24 * 3600


class ShiftedClock:
    """The machine's time plus an offset the test moves: the institutions' one clock."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@dataclass
class Race:
    """One order, its VA, and who pays it."""

    order_id: str
    amount: int
    va: str
    payer: dict[str, Any]
    paid: int | None = None
    """The bank app's status code for the payment."""
    cancelled: int | None = None
    """The partner API's status code for the cancellation (cancel races only)."""


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    # The expiry sweep runs every 5 ms instead of every second, so it meets the payments in
    # every order (the sweep's code is the same; only how often it looks changes).
    monkeypatch.setattr(marketplace_service, "SWEEP_INTERVAL", 0.005)
    started = Runtime(Settings(data_dir=tmp_path, port_base=0), clock=ShiftedClock())
    started.start_in_thread()
    yield started
    started.stop_thread()


def _query(runtime: Runtime, service: str, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
    db = sqlite3.connect(f"file:{runtime.db_path(service)}?mode=ro", uri=True, timeout=10)
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


def _bank_total(runtime: Runtime) -> int:
    return int(_query(runtime, "bank", "SELECT SUM(balance) FROM accounts")[0][0])


def _payers(runtime: Runtime) -> list[dict[str, Any]]:
    accounts = runtime.world["bank"]["accounts"]
    rich = [a for a in accounts if a["kind"] == "personal" and a["balance"] >= 1_000_000]
    return sorted(rich, key=lambda a: a["account_no"])


async def _place(
    runtime: Runtime, partner: httpx.AsyncClient, i: int, payer: dict[str, Any]
) -> Race:
    buyers = runtime.world["marketplace"]["buyers"]
    creds = runtime.world["partners"]["marketplace"]["social"]
    response = await partner.post(
        f"/api/v2/fs/{creds['fs_id']}/orders",
        json={
            "buyer_link_token": buyers[i % len(buyers)]["link_token"],
            "items": [{"product_id": PRODUCTS[i % len(PRODUCTS)], "quantity": 1}],
        },
    )
    assert response.status_code == 201, response.text
    order = response.json()
    [(va,)] = _query(
        runtime, "marketplace", "SELECT va_no FROM orders WHERE order_id = ?", (order["order_id"],)
    )
    return Race(order["order_id"], order["total_amount"], va, payer)


async def _sessions(bank: httpx.AsyncClient, payers: list[dict[str, Any]]) -> dict[str, str]:
    async def log_in(payer: dict[str, Any]) -> tuple[str, str]:
        response = await bank.post(
            "/mobile/v1/sessions", json={"account_no": payer["account_no"], "pin": payer["pin"]}
        )
        assert response.status_code == 201, response.text
        return payer["account_no"], response.json()["session_token"]

    return dict(await asyncio.gather(*(log_in(p) for p in payers)))


async def _pay(bank: httpx.AsyncClient, race: Race, session: str, delay: float) -> None:
    await asyncio.sleep(delay)
    response = await bank.post(
        "/mobile/v1/va-payments",
        json={"virtual_account_no": race.va, "amount": race.amount},
        headers={"Authorization": f"Bearer {session}", "Idempotency-Key": f"race-{race.va}"},
    )
    race.paid = response.status_code


async def _cancel(partner: httpx.AsyncClient, runtime: Runtime, race: Race, delay: float) -> None:
    await asyncio.sleep(delay)
    fs_id = runtime.world["partners"]["marketplace"]["social"]["fs_id"]
    response = await partner.post(f"/api/v2/fs/{fs_id}/orders/{race.order_id}/cancel")
    race.cancelled = response.status_code


async def _in_batches(races: list[Callable[[], Awaitable[Any]]]) -> None:
    """Run the races AT_ONCE at a time (each is started only when its batch starts)."""
    for start in range(0, len(races), AT_ONCE):
        await asyncio.gather(*(race() for race in races[start : start + AT_ONCE]))


def _clients(runtime: Runtime) -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
    creds = runtime.world["partners"]["marketplace"]["social"]
    clock = runtime.wire.clock
    partner = httpx.AsyncClient(
        base_url=runtime.urls["marketplace"],
        timeout=60,
        auth=MarketplaceAuth(creds["app_key"], creds["app_secret"], clock),
    )
    bank = httpx.AsyncClient(base_url=runtime.urls["bank"], timeout=60)
    return partner, bank


async def _warm(runtime: Runtime, partner: httpx.AsyncClient, bank: httpx.AsyncClient) -> None:
    """Open AT_ONCE connections in each client's pool before racing: otherwise the first
    requests of a batch share one connection and the rest wait for new ones, which decides
    the race before it starts."""
    fs_id = runtime.world["partners"]["marketplace"]["social"]["fs_id"]
    await asyncio.gather(
        *(partner.get(f"/api/v2/fs/{fs_id}/products/{PRODUCTS[0]}") for _ in range(AT_ONCE)),
        *(bank.get("/health") for _ in range(AT_ONCE)),
    )


async def _settled(runtime: Runtime) -> None:
    """Every webhook acknowledged or given up, in both institutions that send them."""

    async def quiet() -> bool:
        return all(
            _query(
                runtime,
                name,
                "SELECT COUNT(*) FROM _outbox WHERE delivered_at IS NULL AND next_at IS NOT NULL",
            )[0][0]
            == 0
            for name in ("bank", "marketplace")
        )

    assert await wait_for(quiet, within=120, interval=0.2), "webhooks still pending"


def _verdict(runtime: Runtime, races: list[Race], total_before: int) -> dict[str, int]:
    """Check the books; returns the figures the docs quote."""
    status = dict(_query(runtime, "marketplace", "SELECT order_id, order_status FROM orders"))
    moved: dict[str, dict[str, int]] = {}
    for note, kind, n, amount in _query(
        runtime,
        "bank",
        "SELECT note, kind, COUNT(*), SUM(amount) FROM movements "
        "WHERE kind IN ('va_payment', 'va_reversal') GROUP BY note, kind",
    ):
        moved.setdefault(note, {})[kind] = amount
        assert kind != "va_payment" or n == 1, f"{note} paid {n} times"
    payments = dict(
        _query(runtime, "marketplace", "SELECT order_id, COUNT(*) FROM payments GROUP BY order_id")
    )
    charged_without_order = 0
    for race in races:
        taken = moved.get(race.va, {})
        net = taken.get("va_payment", 0) - taken.get("va_reversal", 0)
        if status[race.order_id] == 220:
            assert net == race.amount, (race, taken)
            assert payments.get(race.order_id) == 1, race
        elif net != 0:
            charged_without_order += 1
    assert charged_without_order == 0, f"{charged_without_order} buyers charged for nothing"
    assert _bank_total(runtime) == total_before, "the bank made or lost money"
    debit, credit = _query(
        runtime,
        "bank",
        "SELECT SUM(CASE WHEN direction = 'D' THEN amount END), "
        "SUM(CASE WHEN direction = 'C' THEN amount END) FROM ledger",
    )[0]
    assert debit == credit
    given_up = "SELECT event_id FROM _outbox WHERE delivered_at IS NULL AND next_at IS NULL"
    dead = _query(runtime, "bank", given_up) + _query(runtime, "marketplace", given_up)
    reversed_ = sum(1 for taken in moved.values() if "va_reversal" in taken)
    # The VA is closed before an order goes, so no payment ever lands on a cancelled order:
    # the bank's reversal (its safety net) is never needed, and no webhook is given up.
    assert reversed_ == 0, f"{reversed_} payments landed on cancelled orders"
    assert dead == [], dead
    paid = sum(1 for race in races if status[race.order_id] == 220)
    return {
        "races": len(races),
        "paid": paid,
        "not_paid": len(races) - paid,
        "reversed": reversed_,
        "charged_without_order": charged_without_order,
        "dead_letters": len(dead),
    }


async def test_cancel_while_paying_never_charges_for_a_cancelled_order(runtime: Runtime) -> None:
    rng = random.Random(13)
    total_before = _bank_total(runtime)
    payers = _payers(runtime)
    partner, bank = _clients(runtime)
    try:
        races = [await _place(runtime, partner, i, payers[i % len(payers)]) for i in range(RACES)]
        sessions = await _sessions(bank, payers[:RACES])

        def both(race: Race, lead: float) -> Callable[[], Awaitable[Any]]:
            session = sessions[race.payer["account_no"]]
            return lambda: asyncio.gather(
                _pay(bank, race, session, max(lead, 0)),
                _cancel(partner, runtime, race, max(-lead, 0)),
            )

        # Either may start first: the cancel takes two hops (the storefront's, then the
        # marketplace's to the bank) and, in a batch, some 80 ms to reach the bank, so the
        # payment starts 0-120 ms after it. About half the buyers pay first and half are
        # refused, many of them within a millisecond or two of the other.
        await _in_batches([both(race, rng.uniform(-0.01, 0.12)) for race in races])
    finally:
        await partner.aclose()
        await bank.aclose()
    await _settled(runtime)
    for race in races:
        assert race.paid in (201, 404), race  # paid, or refused: the VA was closed first
        assert race.cancelled in (200, 409), race  # cancelled, or "being paid"
    figures = _verdict(runtime, races, total_before)
    cancelled = sum(1 for race in races if race.cancelled == 200)
    assert cancelled + figures["paid"] == len(races)
    print(f"cancel-while-paying: {figures}, cancelled {cancelled}")


async def test_expire_while_paying_never_charges_for_an_expired_order(runtime: Runtime) -> None:
    rng = random.Random(31)
    clock: ShiftedClock = runtime.wire.clock  # type: ignore[assignment]
    total_before = _bank_total(runtime)
    payers = _payers(runtime)
    partner, bank = _clients(runtime)
    try:
        races = []
        for i in range(RACES):
            # Orders are placed in groups starting on a whole second of the clock: the VA's
            # deadline, which the marketplace sends in whole seconds, then falls from a few to
            # a hundred-odd milliseconds before the order's own, and the sweep meets the
            # payments right at both.
            if i % AT_ONCE == 0:
                clock.offset += math.ceil(clock()) - clock()
            races.append(await _place(runtime, partner, i, payers[i % len(payers)]))
        # The bank's deadline of each VA: the marketplace sends it in whole seconds, so it
        # comes up to a second before the marketplace's own, whose sweep then follows.
        deadlines = dict(_query(runtime, "bank", "SELECT virtual_account_no, expires_at FROM vas"))
        # A day later, a little before the first deadline: sessions are opened then (the
        # bank's last only 30 minutes), and then the deadlines pass while the buyers pay.
        first = min(deadlines[race.va] for race in races)
        clock.offset += first - clock() - 60.0
        sessions = await _sessions(bank, payers[:RACES])
        await _warm(runtime, partner, bank)
        # A slow biller: the bank's payment notifications take 150 ms to be served, so many
        # are still on their way when the marketplace's deadline passes.
        runtime.wire.set_fault("marketplace", Fault(latency_ms=150))
        clock.offset += first - clock() - 0.2  # logging in took a while: start afresh
        start = clock()
        jobs = []
        for race in races:
            # Each buyer pays around her own VA's deadline: from 100 ms before it (a request
            # takes a few dozen ms to be served while the sweep keeps the loop busy) to 30 ms
            # after, so about half are in time.
            at = deadlines[race.va] - start + rng.uniform(-0.1, 0.03)
            jobs.append(_pay(bank, race, sessions[race.payer["account_no"]], max(at, 0)))
        await asyncio.gather(*jobs)
    finally:
        await partner.aclose()
        await bank.aclose()
    await asyncio.sleep(0.5)  # the sweep's last pass over the deadlines
    runtime.wire.set_fault("marketplace", Fault())
    await _settled(runtime)
    for race in races:
        # Paid in time, or told the VA expired (410), or that it is closed (404: the sweep
        # closed it at the deadline, before the late payment arrived).
        assert race.paid in (201, 404, 410), race
    figures = _verdict(runtime, races, total_before)
    status = dict(_query(runtime, "marketplace", "SELECT order_id, order_status FROM orders"))
    assert all(status[race.order_id] in (0, 220) for race in races), "every order settled"
    late = sum(1 for race in races if race.paid != 201)
    print(f"expire-while-paying: {figures}, refused as expired or closed {late}")
