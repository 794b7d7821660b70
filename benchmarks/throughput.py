"""Throughput and latency of a read and a write at the marketplace, against a plain app.

The read is `GET /api/v2/fs/{fs_id}/products/100101` (one product card) and the write is
`POST /api/v2/fs/{fs_id}/orders` (one item, which reserves stock and makes the marketplace ask
the bank for a virtual account: two recorded calls and two SQLite transactions). Both go over
real HTTP on loopback to a running `sandbox up`, signed as the social app signs them
(`benchmarks/load.py` explains why the requests are prepared before each run). In the same run
the same requests go to `benchmarks.baseline`, a plain FastAPI + uvicorn app answering the very
JSON the marketplace answered. Runs alternate sandbox, plain, sandbox, plain, ... and medians
are reported.

Two kinds of run per target: a throughput run with `connections` open connections (wrk keeps
them all busy, so the server is saturated and latency is mostly queueing) and a latency run
with one connection (one request at a time: what one client waits for on an idle server). The
server's CPU time (all threads, /proc/<pid>/stat) over the throughput run gives calls per
CPU-second: `sandbox up` is one process on one asyncio loop, so that is per core. Over the
latency run, the server's main thread (its event loop) tells from /proc/<pid>/schedstat how
long it ran and how long it waited for a CPU per request: on a machine shared with other work
the one-connection latency is mostly that wait, not a wait inside the server.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from benchmarks import baseline, load
from benchmarks.figures import Aim, Figure
from benchmarks.memory import status_mb
from benchmarks.processes import Sandbox, free_port_base, stop_process, wait_healthy
from benchmarks.recording import cpu_ticks

PARTNER = "social"
READ_PRODUCT = 100101
AIM_RATIO = 0.8
AIM_P99_MS = 2.0
AIM_READS_PER_CPU_RATIO = 0.6
"""Issue 17: a read may cost at most 1/0.6 of what the plain app's costs, per CPU-second."""
AIM_ORDERS_PER_CPU_S = 1_000
"""Issue 17: orders per CPU-second of the server, enough for a flash sale on one core."""
GUESS_RPS = {"read": 3000.0, "write": 500.0}
"""First guess of what the sandbox serves per second, to prepare enough signed requests."""
HEADROOM = 2.0
SECTION = "throughput and latency over HTTP"


@dataclass
class Signer:
    """Signs marketplace partner requests the way `MarketplaceAuth` does, without sending."""

    fs_id: int
    app_key: str
    app_secret: str
    token: str
    stock: dict[int, int] = field(default_factory=dict)
    buyers: list[str] = field(default_factory=list)
    _turn: int = 0

    def sign(self, method: str, path: str, body: str = "") -> load.Prepared:
        """One request signed now, with a fresh nonce."""
        from sandbox.dialects.open_platform import request_signature

        params = {"app_key": self.app_key, "timestamp": str(int(time.time())),
                  "nonce": secrets.token_hex(8)}  # fmt: skip
        params["sign"] = request_signature(self.app_secret, path, params, body.encode())
        return load.Prepared(method, f"{path}?{urlencode(params)}", self.token, body)

    def read(self) -> load.Prepared:
        """The product-card read."""
        return self.sign("GET", f"/api/v2/fs/{self.fs_id}/products/{READ_PRODUCT}")

    def write(self) -> load.Prepared | None:
        """A one-item order for a product with stock left (None when none is left)."""
        for _ in range(len(self.stock)):
            product = next(iter(self.stock))
            left = self.stock.pop(product)
            if left > 0:
                self.stock[product] = left - 1  # to the back of the queue
                break
        else:
            return None
        self._turn += 1
        body = json.dumps({"buyer_link_token": self.buyers[self._turn % len(self.buyers)],
                           "items": [{"product_id": product, "quantity": 1}],
                           "channel_ref": "benchmark"}, separators=(",", ":"))  # fmt: skip
        return self.sign("POST", f"/api/v2/fs/{self.fs_id}/orders", body)

    def give_back(self, unsent: list[load.Prepared]) -> None:
        """Return the stock of prepared orders that were never sent."""
        for request in unsent:
            if request.body:
                for item in json.loads(request.body)["items"]:
                    pid = item["product_id"]
                    self.stock[pid] = self.stock.get(pid, 0) + item["quantity"]

    def prepare(self, kind: str, count: int) -> list[load.Prepared]:
        """`count` signed reads or writes (fewer writes when stock runs out)."""
        out: list[load.Prepared] = []
        for _ in range(count):
            request = self.read() if kind == "read" else self.write()
            if request is None:
                break
            out.append(request)
        return out


def signer_for(marketplace_url: str, world: dict[str, Any], reserved: set[int]) -> Signer:
    """A signer with a fresh access token; write stock excludes the `reserved` products."""
    creds = world["partners"]["marketplace"][PARTNER]
    response = httpx.post(
        f"{marketplace_url}/oauth/token",
        auth=(creds["app_key"], creds["app_secret"]),
        data={"grant_type": "client_credentials"},
    )
    response.raise_for_status()
    stock = {
        p["product_id"]: p["stock"]
        for p in world["marketplace"]["products"]
        if p["product_id"] not in reserved and p["stock"] > 0
    }
    buyers = [b["link_token"] for b in world["marketplace"]["buyers"]]
    return Signer(creds["fs_id"], creds["app_key"], creds["app_secret"],
                  response.json()["access_token"], stock, buyers)  # fmt: skip


def answers(marketplace_url: str, signer: Signer) -> dict[str, Any]:
    """The marketplace's own answers to one read and one write, for the plain app to echo."""
    out = {}
    with httpx.Client(base_url=marketplace_url) as client:
        for name, request in (("product", signer.read()), ("order", signer.write())):
            assert request is not None, "no stock left for one order"
            response = client.request(
                request.method,
                request.path,
                content=request.body.encode() or None,
                headers={"x-tts-access-token": request.token, "content-type": "application/json"},
            )
            response.raise_for_status()
            out[name] = response.json()
    return out


@contextlib.contextmanager
def plain_app(answered: dict[str, Any]) -> Iterator[tuple[str, int]]:
    """The baseline app in a child process: (base URL, pid)."""
    with tempfile.TemporaryDirectory(prefix="sandbox-bench-plain-") as tmp:
        path = Path(tmp) / "answers.json"
        path.write_text(json.dumps(answered))
        port = free_port_base()
        process = subprocess.Popen(
            baseline.command(port, path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_healthy(process, [port], time.perf_counter())
            yield f"http://127.0.0.1:{port}", process.pid
        finally:
            stop_process(process, 15)


def loop_schedstat(pid: int) -> tuple[int, int] | None:
    """Nanoseconds the server's main thread (its event loop) ran on a CPU and waited for one
    in the run queue, from /proc/<pid>/schedstat; None where the kernel does not keep them."""
    try:
        on_cpu, waiting, _ = Path(f"/proc/{pid}/schedstat").read_text().split()
    except (OSError, ValueError):
        return None
    return int(on_cpu), int(waiting)


def _one(
    kind: str, url: str, pid: int, requests: list[load.Prepared], seconds: float, conns: int
) -> dict[str, Any]:
    ticks0, sched0 = cpu_ticks(pid), loop_schedstat(pid)
    result = load.run(kind, url, requests, seconds, conns)
    # The loop's split is taken before the pause below, so both parts cover the same requests.
    sched1 = loop_schedstat(pid)
    time.sleep(0.2)  # let in-flight work (the trace writer, a VA call) finish on the CPU clock
    cpu_s = (cpu_ticks(pid) - ticks0) / os.sysconf("SC_CLK_TCK")
    result["cpu_s"] = cpu_s
    result["per_cpu_s"] = result["requests"] / cpu_s if cpu_s else 0.0
    result["prepared"] = len(requests)
    if sched0 and sched1 and result["requests"]:
        # At one connection a request's latency is the loop's CPU for it, its wait for a CPU
        # (other processes' load) and the client: what is left over is a real wait (a timer,
        # Nagle's algorithm) inside the server.
        result["loop_cpu_ms"] = (sched1[0] - sched0[0]) / 1e6 / result["requests"]
        result["loop_runq_ms"] = (sched1[1] - sched0[1]) / 1e6 / result["requests"]
    return result


def measure(
    sandbox: Sandbox,
    world: dict[str, Any],
    reserved: set[int],
    generator: str,
    seconds: float,
    repeats: int,
    connections: int,
) -> dict[str, Any]:
    """Every run, for both operations and both targets; raw results."""
    marketplace = sandbox.url("marketplace")
    signer = signer_for(marketplace, world, reserved)
    answered = answers(marketplace, signer)
    runs: list[dict[str, Any]] = []
    guess = dict(GUESS_RPS)
    with plain_app(answered) as (plain_url, plain_pid):
        time.sleep(0.3)
        plain_idle = status_mb(plain_pid)
        targets = (("sandbox", marketplace, sandbox.process.pid), ("plain", plain_url, plain_pid))
        for op in ("read", "write"):
            for mode, conns in (("throughput", connections), ("latency", 1)):
                for _ in range(repeats):
                    duration = load.effective_seconds(generator, seconds)
                    count = max(500, math.ceil(guess[op] * duration * HEADROOM))
                    requests = signer.prepare(op, count)
                    for target, url, pid in targets:
                        result = _one(generator, url, pid, requests, seconds, conns)
                        runs.append({"op": op, "mode": mode, "target": target, **result})
                        if target == "sandbox":
                            # Requests go out in order, so those past the count (and the
                            # ones in flight at the end) were never sent: their stock is free.
                            signer.give_back(requests[result["requests"] + conns :])
                            if mode == "throughput":
                                guess[op] = result["rps"]
        plain_loaded = status_mb(plain_pid)
    return {"runs": runs, "answers": answered, "left_stock": sum(signer.stock.values()),
            "plain_memory": {"idle": plain_idle, "loaded": plain_loaded}}  # fmt: skip


def _median(runs: list[dict[str, Any]], op: str, mode: str, target: str, key: str) -> float:
    chosen = [
        r[key] for r in runs if (r["op"], r["mode"], r["target"]) == (op, mode, target) and key in r
    ]
    return statistics.median(chosen) if chosen else 0.0


def figures(raw: dict[str, Any], connections: int) -> list[Figure]:
    """The table rows for the read and the write."""
    runs, out = raw["runs"], []
    for op, what in (("read", "read (GET product)"), ("write", "write (POST order)")):

        def m(mode: str, target: str, key: str, op: str = op) -> float:
            return _median(runs, op, mode, target, key)

        out += [
            Figure(SECTION, f"{what}: requests/s, {connections} connections",
                   m("throughput", "sandbox", "rps"), "/s", m("throughput", "plain", "rps"),
                   "plain app", Aim(">=", AIM_RATIO, of_ratio=True)),
            Figure(SECTION, f"{what}: p50, one connection", m("latency", "sandbox", "p50_ms"),
                   "ms", m("latency", "plain", "p50_ms"), "plain app"),
            Figure(SECTION, f"{what}: p99, one connection", m("latency", "sandbox", "p99_ms"),
                   "ms", m("latency", "plain", "p99_ms"), "plain app", Aim("<", AIM_P99_MS)),
            Figure(SECTION, f"{what}: server loop's CPU per request, one connection",
                   m("latency", "sandbox", "loop_cpu_ms"), "ms",
                   m("latency", "plain", "loop_cpu_ms"), "plain app"),
            Figure(SECTION, f"{what}: server loop's wait for a CPU per request, one connection",
                   m("latency", "sandbox", "loop_runq_ms"), "ms",
                   m("latency", "plain", "loop_runq_ms"), "plain app"),
            Figure(SECTION, f"{what}: p99, {connections} connections (saturated)",
                   m("throughput", "sandbox", "p99_ms"), "ms",
                   m("throughput", "plain", "p99_ms"), "plain app"),
            Figure(SECTION, f"{what}: calls per CPU-second of the server",
                   m("throughput", "sandbox", "per_cpu_s"), "/s",
                   m("throughput", "plain", "per_cpu_s"), "plain app",
                   Aim(">=", AIM_READS_PER_CPU_RATIO, of_ratio=True) if op == "read"
                   else Aim(">=", AIM_ORDERS_PER_CPU_S)),
        ]  # fmt: skip
    errors = sum(r["errors"] for r in runs if r["target"] == "sandbox")
    if errors:
        out.append(
            Figure(
                SECTION,
                "failed or non-2xx requests to the sandbox",
                errors,
                note="requests beyond those prepared are refused as replays",
            )
        )
    return out
