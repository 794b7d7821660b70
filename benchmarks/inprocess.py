"""CPU per read and per order with the institutions in one process and no sockets.

Over HTTP (`throughput.py`) the figures swing with whatever else the machine runs: on the
shared two-core machine two runs of the same code differed by a factor of two (load average
10 to 14, docs/performance.md). Here the social app's signed client, the marketplace, the bank
and the social app run in one child process, wired through `httpx.ASGITransport` as the tests
wire them, on their own SQLite files, recording every call into a list; the child's own CPU
time (`time.process_time`) per operation is what is reported, as the median of rounds. It
leaves out sockets, uvicorn and the trace writer, and keeps everything the institutions' code,
FastAPI, httpx, SQLite and redaction cost: the part of an order that code changes move.

Run as `python -m benchmarks.inprocess [--reads N] [--orders N] [--rounds N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.figures import Aim, Figure

SECTION = "in one process, no sockets (CPU per operation)"
AIM_ORDER_CPU_US = 1_000.0
"""Issue 17's 1,000 orders per CPU-second, as CPU per order."""


async def _measure(reads: int, orders: int, rounds: int, data: Path) -> dict[str, Any]:
    from sandbox.framework.service import ServiceEnv
    from sandbox.runtime.registry import BUILTIN
    from sandbox.runtime.seeding import partner_ids, seed_for
    from sandbox.scenarios.identities import partner_auth
    from sandbox.wire import Wire
    from sandbox.world import load_world

    world = load_world()
    calls: list[Any] = []
    wire = Wire(recorder=calls.append, clock=time.time, partner_ids=partner_ids(world))
    apps = {}
    for spec in BUILTIN:
        env = ServiceEnv(spec.name, wire, seed_for(spec.name, world), db_path=data / spec.name)
        apps[spec.name] = spec.load_factory()(env)
        wire.mount(spec.name, apps[spec.name])
    client = wire.client("social", "marketplace")
    auth = partner_auth("marketplace", "social", world, wire)
    fs_id = world["partners"]["marketplace"]["social"]["fs_id"]
    buyers = [b["link_token"] for b in world["marketplace"]["buyers"]]
    stock = [p["product_id"] for p in world["marketplace"]["products"] if p["stock"] >= 50]
    turn = iter(range(10**9))

    async def read() -> None:
        answer = await client.get(f"/api/v2/fs/{fs_id}/products/100101", auth=auth)
        answer.raise_for_status()

    async def order() -> None:
        i = next(turn)
        body = {"buyer_link_token": buyers[i % len(buyers)],
                "items": [{"product_id": stock[i % len(stock)], "quantity": 1}]}  # fmt: skip
        answer = await client.post(f"/api/v2/fs/{fs_id}/orders", json=body, auth=auth)
        answer.raise_for_status()
        for app in apps.values():  # the webhooks the order caused, as the runtime sends them
            outbox = getattr(app.state, "outbox", None)
            if outbox is not None:
                await outbox.deliver_due()

    out: dict[str, Any] = {"read_us": [], "order_us": [], "calls_per_order": 0.0}
    for _ in range(10):  # warm up: the first token, caches, lazily built validators
        await read()
        await order()
    for _ in range(rounds):
        for key, action, count in (("read_us", read, reads), ("order_us", order, orders)):
            recorded, started = len(calls), time.process_time()
            for _ in range(count):
                await action()
            out[key].append((time.process_time() - started) / count * 1e6)
            if action is order:
                out["calls_per_order"] = (len(calls) - recorded) / count
    await wire.aclose()
    return out


def run(reads: int, orders: int, rounds: int) -> dict[str, Any]:
    """Measure in a child process (so nothing of this one is counted); its raw results."""
    command = [sys.executable, "-m", "benchmarks.inprocess", "--json", "--reads", str(reads),
               "--orders", str(orders), "--rounds", str(rounds)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def figures(raw: dict[str, Any]) -> list[Figure]:
    """CPU per read and per order, medians of the rounds."""
    read, order = statistics.median(raw["read_us"]), statistics.median(raw["order_us"])
    return [
        Figure(SECTION, "CPU per read (GET product, signed)", read, "us"),
        Figure(SECTION, "CPU per order (order, VA at the bank, webhook)", order, "us", read,
               "one read", Aim("<=", AIM_ORDER_CPU_US),
               note=f"{raw['calls_per_order']:.0f} recorded calls per order; rounds: "
                    f"{', '.join(f'{v:.0f}' for v in raw['order_us'])} us"),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.inprocess")
    parser.add_argument("--reads", type=int, default=300)
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sandbox-bench-inproc-") as tmp:
        raw = asyncio.run(_measure(args.reads, args.orders, args.rounds, Path(tmp)))
    if args.json:
        print(json.dumps(raw))
    else:
        for f in figures(raw):
            print(f"{f.name}: {f.value:.0f} {f.unit}")


if __name__ == "__main__":
    main()
