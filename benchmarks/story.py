"""The checkout story end to end, one buyer at a time and 20 buyers at once.

`sandbox.scenarios.checkout` runs unchanged against a running `sandbox up`, from this process,
as `sandbox run checkout` does. Each run is one whole story: video, buy (the marketplace asks
the bank for a virtual account), checkout page, bank login, payment and its retry, the
bank's and the marketplace's notifications, polling until the social app shows the order paid
(every 50 ms, as the story does), and the balance check.

Concurrent buyers must be distinct people (one bank session and one balance each), so they are
taken from the seeded world as it is: app users whose marketplace buyer (by link token) has a
personal bank account under the same name; the world has over a hundred. Each story gets a
video and one of its products with stock left, so no run fails for want of stock, and a buyer
is only given a product her balance covers. Nothing is created through the APIs.

Reported: stories per second, end-to-end p50 and p99 of a story, and the recorded calls per
second inside the sandbox (calls are counted in its `trace.db` before and after).
"""

from __future__ import annotations

import asyncio
import copy
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.figures import Aim, Figure
from benchmarks.processes import Sandbox
from benchmarks.recording import percentile, trace_rows

CONCURRENT = 20
SECTION = "checkout story"
AIM_CHECKOUTS_PER_S = 200
"""Issue 17: whole checkouts per second, with recording on, to stage a flash sale."""


@dataclass
class Buyer:
    """What the checkout story needs of its buyer."""

    name: str
    session_token: str
    account_no: str
    pin: str
    balance: int


def buyers(world: dict[str, Any]) -> list[Buyer]:
    """App users who are marketplace buyers with a personal bank account in their name."""
    by_link = {b["link_token"]: b for b in world["marketplace"]["buyers"]}
    accounts = {a["name"]: a for a in world["bank"]["accounts"] if a.get("kind") == "personal"}
    out = []
    for user in world["social"]["users"]:
        buyer = by_link.get(user.get("link_token"))
        account = accounts.get(buyer["name"].upper()) if buyer else None
        if buyer and account:
            out.append(Buyer(buyer["name"], user["session_token"], account["account_no"],
                             account["pin"], account["balance"]))  # fmt: skip
    return out


@dataclass
class Shelf:
    """Products shown in videos, with the stock left for stories."""

    items: list[tuple[int, int, int]]
    """(video_id, product_id, price)."""
    stock: dict[int, int]

    @classmethod
    def of(cls, world: dict[str, Any]) -> Shelf:
        """Every product shown in a video, with its seeded stock."""
        products = {p["product_id"]: p for p in world["marketplace"]["products"]}
        items = [
            (video["video_id"], pid, products[pid]["price"])
            for video in world["social"]["videos"]
            for pid in video["product_ids"]
            if pid in products
        ]
        return cls(items, {pid: products[pid]["stock"] for _, pid, _ in items})

    def take(self, buyer: Buyer) -> tuple[int, int]:
        """A (video, product) with stock left that `buyer` can afford; reserves it."""
        for i, (video, product, price) in enumerate(self.items):
            if self.stock[product] > 0 and price <= buyer.balance:
                self.stock[product] -= 1
                buyer.balance -= price
                self.items.append(self.items.pop(i))  # spread stories over the shelf
                return video, product
        raise RuntimeError(f"no product left that {buyer.name} can afford")

    def products(self) -> set[int]:
        """The products stories may buy (kept away from other load)."""
        return set(self.stock)


async def _one_story(wire: Any, world: dict[str, Any], buyer: Buyer, shelf: Shelf) -> float:
    """Seconds one checkout took for `buyer`."""
    from sandbox.scenarios.checkout import checkout

    video, product = shelf.take(buyer)
    own = copy.copy(world)
    own["personas"] = {**world["personas"], "buyer": {
        "name": buyer.name, "session_token": buyer.session_token,
        "account_no": buyer.account_no, "pin": buyer.pin}}  # fmt: skip
    t0 = time.perf_counter()
    # The virtual account, as the baselines measured: a crowd of buyers, each a bank session.
    await checkout(wire, own, report=lambda _: None, video_id=video, product_id=product, pay="va")
    return time.perf_counter() - t0


async def _stories(
    sandbox: Sandbox, world: dict[str, Any], people: list[Buyer], shelf: Shelf,
    sequential: int, rounds: int,
) -> dict[str, Any]:  # fmt: skip
    from sandbox.wire import Wire

    wire = Wire()  # the sandbox records these calls on its side
    for name, url in sandbox.state.services.items():
        wire.set_url(name, url)
    trace_db = _data_dir(sandbox) / "trace.db"
    out: dict[str, Any] = {}
    try:
        await _one_story(wire, world, people[-1], shelf)  # warm: pools, tokens, caches
        plan = (("sequential", sequential, 1), ("concurrent", rounds, CONCURRENT))
        for label, count, width in plan:
            latencies: list[float] = []
            elapsed = 0.0
            calls0 = trace_rows(trace_db)
            for i in range(count):
                group = [people[(i * width + j) % len(people)] for j in range(width)]
                t0 = time.perf_counter()
                latencies += await asyncio.gather(
                    *(_one_story(wire, world, b, shelf) for b in group)
                )
                elapsed += time.perf_counter() - t0
            await asyncio.sleep(0.5)  # the trace writer flushes every few hundred ms
            calls = trace_rows(trace_db) - calls0
            latencies.sort()
            out[label] = {
                "stories": len(latencies),
                "seconds": elapsed,
                "stories_per_s": len(latencies) / elapsed,
                "calls_per_s": calls / elapsed,
                "calls_per_story": calls / len(latencies),
                "p50_ms": percentile(latencies, 0.5) * 1000,
                "p99_ms": percentile(latencies, 0.99) * 1000,
            }
    finally:
        await wire.aclose()
    return out


def _data_dir(sandbox: Sandbox) -> Path:
    return sandbox.log.parent.parent  # start_sandbox logs to <data dir>/logs/


def measure(sandbox: Sandbox, world: dict[str, Any], sequential: int, rounds: int,
            shelf: Shelf | None = None) -> dict[str, Any]:  # fmt: skip
    """Run `sequential` stories one by one, then `rounds` of 20 at once; raw results."""
    people = buyers(world)
    if len(people) < CONCURRENT + 1:
        raise RuntimeError(f"the world has only {len(people)} buyers with bank accounts")
    return asyncio.run(
        _stories(sandbox, world, people, shelf or Shelf.of(world), sequential, rounds)
    )


def figures(raw: dict[str, Any]) -> list[Figure]:
    """Table rows: stories/s and latency, sequential next to concurrent."""
    seq, par = raw["sequential"], raw["concurrent"]
    return [
        Figure(SECTION, "stories/s, one buyer at a time", seq["stories_per_s"], "/s"),
        Figure(SECTION, "recorded calls/s, one buyer at a time", seq["calls_per_s"], "/s",
               note=f"{seq['calls_per_story']:.0f} recorded calls per story"),
        Figure(SECTION, "story p50, one buyer at a time", seq["p50_ms"], "ms"),
        Figure(SECTION, "story p99, one buyer at a time", seq["p99_ms"], "ms"),
        Figure(SECTION, f"stories/s, {CONCURRENT} buyers at once", par["stories_per_s"], "/s",
               seq["stories_per_s"], "one at a time", Aim(">=", AIM_CHECKOUTS_PER_S),
               note="issue 17's checkouts per second end to end, recording on"),
        Figure(SECTION, f"recorded calls/s, {CONCURRENT} buyers at once", par["calls_per_s"],
               "/s", seq["calls_per_s"], "one at a time"),
        Figure(SECTION, f"story p50, {CONCURRENT} buyers at once", par["p50_ms"], "ms",
               seq["p50_ms"], "one at a time"),
        Figure(SECTION, f"story p99, {CONCURRENT} buyers at once", par["p99_ms"], "ms",
               seq["p99_ms"], "one at a time"),
    ]  # fmt: skip
