"""Crash: kill `sandbox up` (SIGKILL) at random points of checkouts, restart, check the money.

Each round starts the sandbox on the same data directory, checks what the last crash left,
then runs a few checkouts at once and kills the process after a random number of their
requests (plus a random fraction of a request's time), so the kill lands anywhere: while the
marketplace reserves stock, while the bank creates the virtual account, mid-payment, while a
webhook is on its way. After every restart, read from the institutions' own databases:

- every order is paid with its money moved exactly once, or unpaid and still payable (the
  test pays it), or cancelled/expired with its stock back;
- no money was made or lost at the bank and no virtual account was paid twice;
- webhooks pending at the crash are delivered after the restart, so the social app shows what
  the marketplace knows.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.runtime.registry import BUILTIN
from sandbox.runtime.state import RuntimeState
from sandbox.scenarios.base import wait_for
from sandbox.world import load_world
from tests.reliability.conftest import env_int

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

ROUNDS = env_int("SANDBOX_CRASH_ROUNDS", 20)
SEED = env_int("SANDBOX_CRASH_SEED", 20231211)
"""Seeds where each kill lands; the same seed kills at the same requests."""
BUYERS_PER_ROUND = 3
PRODUCTS = [(1004, 300181), (1005, 300338), (1013, 300117), (1021, 300009)]
"""(video, product) with plenty of stock."""
STOREFRONT = {
    100: "UNPAID",
    103: "UNPAID",
    220: "AWAITING_SHIPMENT",
    0: "CANCELLED",
    15: "CANCELLED",
}
WORLD = load_world()


@dataclass
class Sandbox:
    """`sandbox up` as a child process on one data directory, started again after each kill."""

    data_dir: Path
    proc: subprocess.Popen[bytes] | None = None
    urls: dict[str, str] = field(default_factory=dict)

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sandbox",
                "up",
                "--data-dir",
                str(self.data_dir),
                "--port-base",
                str(_free_base()),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while True:
            state = RuntimeState.read(self.data_dir)
            if state is not None and state.pid == self.proc.pid:
                self.urls = dict(state.services)
                return
            if self.proc.poll() is not None:
                raise AssertionError(self.proc.communicate()[1].decode()[-2000:])
            assert time.monotonic() < deadline, "sandbox up did not start"
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: no shutdown handler, no flush, no goodbye."""
        if self.proc is not None:
            _kill(self.proc)
            self.proc.communicate(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.communicate(timeout=30)

    def query(self, service: str, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        db = sqlite3.connect(f"file:{self.data_dir / service}.db?mode=ro", uri=True, timeout=10)
        try:
            return db.execute(sql, params).fetchall()
        finally:
            db.close()


def _free_base() -> int:
    """A base port whose next ports (one per institution, plus control) are free right now."""
    for _ in range(50):
        base = random.randint(20_000, 60_000)
        socks: list[socket.socket] = []
        try:
            for port in range(base, base + len(BUILTIN) + 1):
                socks.append(socket.socket())
                socks[-1].bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free ports")


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)


@dataclass
class Tally:
    """What the checks found over all rounds."""

    seen: dict[str, int] = field(default_factory=dict)
    """Every order by id, with the status it had at its last check."""
    later: set[str] = field(default_factory=set)
    """Orders left unpaid by a crash and paid by a check after the restart."""
    stuck: set[str] = field(default_factory=set)
    """Orders a crash left without a virtual account (see test_crash_window.py)."""


class Killer:
    """Counts the test's requests and kills this round's sandbox at the chosen one."""

    def __init__(self, proc: subprocess.Popen[bytes], at_request: int, delay: float) -> None:
        self.proc, self.at_request, self.delay = proc, at_request, delay
        self.sent = 0

    async def on_request(self, request: httpx.Request) -> None:
        self.sent += 1
        if self.sent == self.at_request:
            asyncio.get_running_loop().call_later(self.delay, _kill, self.proc)


async def _checkout(
    clients: dict[str, httpx.AsyncClient],
    user: dict[str, Any],
    video: int,
    product: int,
    payer: dict[str, Any],
) -> None:
    """One buyer's checkout, abandoned wherever the crash stops it."""
    me = {"Authorization": f"Bearer {user['session_token']}"}
    try:
        bought = await clients["social"].post(
            f"/api/v1/videos/{video}/buy", headers=me, json={"product_id": product, "quantity": 1}
        )
        if bought.status_code != 201:
            return
        path = "/" + bought.json()["checkout_url"].split("://", 1)[-1].split("/", 1)[1]
        payment = (await clients["marketplace"].get(path)).json()["payment"]
        await _pay(
            clients["bank"],
            payer,
            payment["virtual_account_no"],
            payment["amount"],
            key=f"pay-{bought.json()['order_id']}",
        )
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return  # the sandbox died under us: that is the point


async def _pay(
    bank: httpx.AsyncClient, payer: dict[str, Any], va: str, amount: int, key: str
) -> httpx.Response:
    login = await bank.post(
        "/mobile/v1/sessions", json={"account_no": payer["account_no"], "pin": payer["pin"]}
    )
    headers = {"Authorization": f"Bearer {login.json()['session_token']}", "Idempotency-Key": key}
    return await bank.post(
        "/mobile/v1/va-payments", headers=headers, json={"virtual_account_no": va, "amount": amount}
    )


def _clients(sandbox: Sandbox, killer: Killer | None = None) -> dict[str, httpx.AsyncClient]:
    hooks = {"request": [killer.on_request]} if killer else {}
    return {
        name: httpx.AsyncClient(base_url=url, timeout=30, event_hooks=hooks)
        for name, url in sandbox.urls.items()
    }


async def _check(
    sandbox: Sandbox,
    total: int,
    payers: list[dict[str, Any]],
    tally: Tally,
    final: bool,
) -> None:
    """What the last crash left must be consistent; unpaid orders must still be payable."""

    async def delivered() -> bool:
        pending: int = sum(
            sandbox.query(name, "SELECT COUNT(*) FROM _outbox WHERE delivered_at IS NULL")[0][0]
            for name in ("bank", "marketplace")
        )
        return pending == 0

    assert await wait_for(delivered, within=90, interval=0.2), [
        sandbox.query(
            name,
            "SELECT target, path, attempts, next_at, last_status, last_error, created_at "
            "FROM _outbox WHERE delivered_at IS NULL",
        )
        for name in ("bank", "marketplace")
    ]
    vas = {
        va: (status, amount)
        for va, status, amount in sandbox.query(
            "bank", "SELECT virtual_account_no, status, amount FROM vas"
        )
    }
    moved = dict(
        sandbox.query(
            "bank", "SELECT note, COUNT(*) FROM movements WHERE kind = 'va_payment' GROUP BY note"
        )
    )
    assert sandbox.query("bank", "SELECT SUM(balance) FROM accounts")[0][0] == total
    assert sandbox.query("bank", "SELECT MIN(balance) FROM accounts")[0][0] >= 0
    assert all(count == 1 for count in moved.values()), moved
    orders = sandbox.query(
        "marketplace", "SELECT order_id, order_status, va_no, total_amount FROM orders"
    )
    payable = []
    for order_id, status, va_no, amount in orders:
        tally.seen[order_id] = status
        if status == 220:
            assert moved.get(va_no) == 1 and vas[va_no] == ("PAID", amount), order_id
        elif status in (100, 103) and va_no is None:
            # Killed between storing the order and storing its VA: a known marketplace bug,
            # reproduced on purpose in test_crash_window.py. Counted, not failed, here.
            tally.stuck.add(order_id)
        elif status in (100, 103):
            assert vas[va_no][0] == "UNPAID", f"order {order_id}: bank says {vas[va_no]}"
            payable.append((order_id, va_no, amount))
        else:
            assert status in (0, 15), f"order {order_id} in status {status}"
            assert va_no is None or moved.get(va_no) is None, order_id
    shown = dict(sandbox.query("social", "SELECT order_id, status FROM orders"))
    by_id = {order_id: status for order_id, status, _, _ in orders}
    assert {o: STOREFRONT[by_id[o]] for o in shown} == shown, "the social app is behind"
    if payable:  # still payable: pay them now; the next check sees them paid
        clients = _clients(sandbox)
        try:
            for order_id, va_no, amount in payable:
                tally.later.add(order_id)
                payer = payers[int(order_id) % len(payers)]
                paid = await _pay(clients["bank"], payer, va_no, amount, key=f"later-{order_id}")
                assert paid.status_code == 201, f"order {order_id} is not payable: {paid.text}"
        finally:
            for client in clients.values():
                await client.aclose()
    if final:
        assert not payable


async def test_killed_checkouts_leave_money_and_orders_consistent(tmp_path: Path) -> None:
    dice = random.Random(SEED)
    users = WORLD["social"]["users"]
    payers = [
        a
        for a in WORLD["bank"]["accounts"]
        if a["kind"] == "personal" and a["balance"] >= 3_000_000
    ]
    total = sum(a["balance"] for a in WORLD["bank"]["accounts"])
    sandbox = Sandbox(tmp_path)
    tally = Tally()
    kills = 0
    try:
        for round_no in range(ROUNDS):
            sandbox.start()
            await _check(sandbox, total, payers, tally, final=False)
            assert sandbox.proc is not None
            killer = Killer(
                sandbox.proc,
                at_request=dice.randint(1, 4 * BUYERS_PER_ROUND),
                delay=dice.uniform(0, 0.03),
            )
            clients = _clients(sandbox, killer)
            buyers = [
                (
                    users[(round_no * BUYERS_PER_ROUND + i) % len(users)],
                    *PRODUCTS[dice.randrange(len(PRODUCTS))],
                    payers[(round_no * BUYERS_PER_ROUND + i) % len(payers)],
                )
                for i in range(BUYERS_PER_ROUND)
            ]
            await asyncio.gather(*(_checkout(clients, *b) for b in buyers))
            for client in clients.values():
                await client.aclose()
            await asyncio.sleep(killer.delay)
            sandbox.kill()  # (if the checkouts finished before the chosen request, now)
            kills += 1
        sandbox.start()
        await _check(sandbox, total, payers, tally, final=False)
        sandbox.stop()
        sandbox.start()  # the payments made by the last check, announced and recorded
        await _check(sandbox, total, payers, tally, final=True)
    finally:
        sandbox.stop()
    assert kills == ROUNDS
    assert len(tally.seen) >= ROUNDS, "the crashes left too few orders to say anything"
    statuses = list(tally.seen.values())
    print(
        f"crash: {kills} kills, {len(tally.seen)} orders, final statuses "
        f"{ {status: statuses.count(status) for status in set(statuses)} }, paid after a "
        f"restart: {len(tally.later)}, left without a VA: {len(tally.stuck)}"
    )
