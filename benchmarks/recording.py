"""What recording costs: the same endpoint served with recording ON and OFF, side by side.

Run as `python -m benchmarks.recording [--seconds 5] [--repeats 3] [--connections 16]`.

Two uvicorn servers run as child processes, so their CPU time is measured apart from the load
generator's. Both serve the same product-card endpoint built on `sandbox.framework.app.new_app`:

- A (ON): the runtime's wiring - `Wire(recorder=stream.publish)` with a `TraceWriter` on a
  `TraceStore` subscribed to the stream - so each call is redacted, queued and written to
  `trace.db` in batches by the writer thread, exactly as `sandbox up` does it.
- B (OFF): `Wire(recorder=None)`; the `TraceMiddleware` is still installed, as in the runtime.

A third process generates load: `wrk` when it is on PATH, else a Python (httpx + asyncio)
generator. Runs alternate A, B, A, B, ... so machine noise hits both, and medians are reported.
This is a measurement script, not a test: it reports numbers next to the aims and never fails
because of them. Everything runs on 127.0.0.1, in a temporary directory removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import platform
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from benchmarks.processes import in_child, kill, run_and_print, run_main, start_worker, stop_all

HOST = "127.0.0.1"
PRODUCT_ID = 100101
PATH = f"/api/v2/products/{PRODUCT_ID}"
PRODUCT_CARD: dict[str, Any] = {
    "id": PRODUCT_ID,
    "sku": "MKT-100101-250G",
    "name": "Kopi Arabika Gayo Wine Process 250 g",
    "shop": {"id": 2001, "name": "Toko Kopi Nusantara", "city": "Jakarta Selatan"},
    "price": 89000,
    "currency": "IDR",
    "stock": 42,
    "rating": 4.8,
    "sold": 1250,
    "category": ["Makanan & Minuman", "Kopi"],
    "image": "https://img.marketplace.sandbox/p/100101-1.jpg",
    "updated_at": "2024-03-01T08:00:00+07:00",
}
"""About 300 bytes of JSON, shaped like a marketplace product card."""

AIM_THROUGHPUT_RATIO = 0.80
"""Recording may cost at most 20% of throughput."""
AIM_ADDED_CPU_US = 40.0
"""Added server CPU per recorded call, in microseconds (issue 17; it was 25 before)."""
AIM_BYTES_PER_CALL = 512.0
"""Bytes of trace.db per stored call."""
AIM_P99_RATIO = 1.10
"""p99 not worse: ON/OFF at most 1.10, a 10% allowance for run-to-run noise."""

TRACE_FILE = "trace.db"


# -- the servers (child processes) -----------------------------------------------------------


def _serve(recording: bool, db_path: str, process: bool, conn: Connection) -> None:
    """Child process: serve the product card on 127.0.0.1, port 0, until told to stop.

    The parent talks to it over `conn` (never over HTTP, so control traffic is not recorded):
    `"flush"` waits for the trace writer and answers how many product calls were served;
    `"stop"` ends the server. If the parent goes away, the child exits at once.
    """
    import uvicorn

    from sandbox.framework.app import new_app
    from sandbox.framework.service import ServiceEnv
    from sandbox.trace.store import TraceStore
    from sandbox.trace.stream import EventStream
    from sandbox.trace.writer import TraceWriter
    from sandbox.wire import Wire

    store: TraceStore | None = None
    writer: TraceWriter | None = None
    if recording:
        store = TraceStore(Path(db_path))
        writer = TraceWriter(store, process=process)
        stream = EventStream()
        stream.subscribe(writer)
        wire = Wire(recorder=stream.publish)
    else:
        wire = Wire(recorder=None)
    env = ServiceEnv("marketplace", wire, seed={})
    app = new_app(env, "Marketplace (benchmark)", "One product card, served for the benchmark.")
    served = [0]

    @app.get("/api/v2/products/{product_id}")
    async def get_product(product_id: int) -> dict[str, Any]:
        served[0] += 1
        return {**PRODUCT_CARD, "id": product_id}

    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose proto
    # is IPPROTO_TCP. With proto 0, keep-alive responses wait ~40 ms for a delayed ACK (Nagle)
    # and every run would measure that instead of the server.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind((HOST, 0))
    sock.listen(2048)
    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        lifespan="on",
        ws="none",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)

    def control() -> None:
        while True:
            try:
                command = conn.recv()
            except (EOFError, OSError):
                os._exit(0)  # the parent is gone: leave no server behind
            if command == "flush":
                flushed = writer.flush(30.0) if writer is not None else True
                conn.send({"served": served[0], "flushed": flushed})
            elif command == "stop":
                server.should_exit = True
                return

    conn.send({"port": sock.getsockname()[1], "pid": os.getpid()})
    threading.Thread(target=control, name="bench-control", daemon=True).start()
    try:
        server.run(sockets=[sock])
    finally:
        if writer is not None and store is not None:
            writer.close(30.0)
            store.close()
        sock.close()


@dataclass
class Server:
    """A running child server, as the parent sees it."""

    label: str
    process: BaseProcess
    conn: Connection
    pid: int = 0
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}{PATH}"

    def ask(self, command: str) -> dict[str, Any]:
        self.conn.send(command)
        if not self.conn.poll(60):
            raise TimeoutError(f"server {self.label} did not answer {command!r}")
        answer: dict[str, Any] = self.conn.recv()
        return answer

    def settle(self) -> int:
        """Wait until in-flight calls are done and the trace writer has flushed; served count."""
        last = self.ask("flush")["served"]
        while True:
            time.sleep(0.05)
            now = self.ask("flush")["served"]
            if now == last:
                return int(now)
            last = now

    def stop(self, timeout: float = 10.0) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.conn.send("stop")
        self.process.join(timeout)
        kill(self.process)


def start_servers(ctx: Any, db_path: Path, process: bool = False) -> tuple[Server, Server]:
    """Start A (recording ON) and B (OFF) together; return once both have bound a port. With
    `process`, A's trace writer writes through its own process (`TraceWriter(process=True)`)."""
    servers = []
    for label, recording in (("on", True), ("off", False)):
        worker = start_worker(ctx, _serve, (recording, str(db_path), process), f"bench-{label}")
        servers.append(Server(label, worker.process, worker.conn))
    try:
        for server in servers:
            if not server.conn.poll(60):
                raise TimeoutError(f"server {server.label} did not start")
            hello = server.conn.recv()
            server.port, server.pid = hello["port"], hello["pid"]
    except BaseException:
        stop_all([server.process for server in servers])
        raise
    return servers[0], servers[1]


def cpu_ticks(pid: int) -> int:
    """utime + stime of every thread of `pid` and of its live child processes (a trace
    writer process is part of what recording costs), in clock ticks."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat.rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5)
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError, ValueError):
            for child in (task / "children").read_text().split():
                ticks += cpu_ticks(int(child))
    return ticks


# -- load generators -------------------------------------------------------------------------

_WRK_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def _wrk_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise ValueError(f"unexpected wrk time {text!r}")
    return float(match.group(1)) * _WRK_UNITS[match.group(2)]


def parse_wrk(output: str) -> dict[str, Any]:
    """Requests/sec, p50, p99, request and error counts from `wrk --latency` output."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m|h)", output)
    if not (rps and p50 and p99 and total):
        raise ValueError(f"could not parse wrk output:\n{output}")
    errors = 0
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    return {
        "requests": int(total.group(1)),
        "rps": float(rps.group(1)),
        "p50_ms": _wrk_ms(p50.group(1)),
        "p99_ms": _wrk_ms(p99.group(1)),
        "errors": errors,
    }


def run_wrk(url: str, seconds: float, connections: int, threads: int) -> dict[str, Any]:
    duration = max(1, round(seconds))  # wrk takes whole seconds
    command = [
        "wrk",
        f"-t{min(threads, connections)}",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 30)
    if done.returncode != 0:
        raise RuntimeError(f"wrk exited with {done.returncode}: {done.stderr.strip()}")
    return parse_wrk(done.stdout)


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return 0.0
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


async def drive(
    base_url: str,
    send: Callable[[Any], Awaitable[Any]],
    seconds: float,
    connections: int,
    ok: Callable[[int], bool],
) -> dict[str, Any]:
    """`connections` workers, each with its own one-connection keep-alive client (one shared
    pool of N connections is much slower in httpcore), each calling `send(client)` until the
    deadline; an answer whose status is not `ok` counts as an error."""
    import httpx

    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [
        httpx.AsyncClient(base_url=base_url, limits=limits, timeout=10.0)
        for _ in range(connections)
    ]
    start = time.perf_counter()
    deadline = start + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            try:
                response = await send(client)
            except httpx.HTTPError:
                errors += 1
                continue
            latencies.append((time.perf_counter() - t0) * 1000)
            if not ok(response.status_code):
                errors += 1

    try:
        await asyncio.gather(*(worker(client) for client in clients))
        elapsed = time.perf_counter() - start
    finally:
        for client in clients:
            await client.aclose()
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 0.50),
        "p99_ms": percentile(latencies, 0.99),
        "errors": errors,
    }


async def _drive(url: str, seconds: float, connections: int) -> dict[str, Any]:
    """GETs of `url` until the deadline."""
    return await drive(
        "", lambda client: client.get(url), seconds, connections, lambda status: status == 200
    )


def _python_generator(url: str, seconds: float, connections: int, conn: Connection) -> None:
    """Child process: drive `url` for `seconds` with `connections` concurrent connections."""
    conn.send(asyncio.run(_drive(url, seconds, connections)))


def run_python(ctx: Any, url: str, seconds: float, connections: int) -> dict[str, Any]:
    return in_child(ctx, _python_generator, (url, seconds, connections), seconds)


# -- the benchmark ---------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def stored(db_path: Path) -> dict[str, Any]:
    """Calls in trace.db and its size after a checkpoint and VACUUM (servers stopped)."""
    from sandbox.trace.store import TraceStore

    store = TraceStore(db_path)
    try:
        calls = store.count()
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.db.execute("VACUUM")
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = sum(
            p.stat().st_size
            for p in (db_path, db_path.with_name(db_path.name + "-wal"))
            if p.exists()
        )
    finally:
        store.close()
    return {"calls": calls, "bytes": size, "bytes_per_call": size / calls if calls else 0.0}


def trace_rows(db_path: Path) -> int:
    """Rows in trace.db, read through a separate read-only connection."""
    if not db_path.exists():
        return 0
    with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
        try:
            return int(conn.execute("SELECT count(*) FROM calls").fetchone()[0])
        except sqlite3.OperationalError:
            return 0


def measure(server: Server, drive: Any, seconds: float) -> dict[str, Any]:
    """One load run against `server`, with its CPU time per served call."""
    served0 = server.settle()
    ticks0 = cpu_ticks(server.pid)
    load = drive(server.url, seconds)
    served1 = server.settle()  # in-flight calls done and, for A, the writer flushed
    ticks1 = cpu_ticks(server.pid)
    served = served1 - served0
    cpu_s = (ticks1 - ticks0) / os.sysconf("SC_CLK_TCK")
    return {
        "label": server.label,
        **load,
        "served": served,
        "cpu_s": cpu_s,
        "cpu_us_per_call": cpu_s * 1e6 / served if served else 0.0,
    }


def summarize(runs: list[dict[str, Any]]) -> dict[str, float]:
    return {
        key: statistics.median(r[key] for r in runs)
        for key in ("rps", "p50_ms", "p99_ms", "cpu_us_per_call", "requests", "served", "errors")
    }


def run_benchmark(
    seconds: float = 5.0,
    repeats: int = 3,
    connections: int = 16,
    generator: str = "auto",
    threads: int = 1,
    warmup: float | None = None,
    writer: str = "thread",
) -> dict[str, Any]:
    """Run the whole benchmark and return its results (see `main` for the printed form)."""
    if generator == "auto":
        generator = "wrk" if shutil.which("wrk") else "python"
    if generator == "wrk" and not shutil.which("wrk"):
        raise SystemExit("wrk is not on PATH; use --generator python")
    ctx = multiprocessing.get_context("spawn")
    if generator == "wrk":
        version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
        load_name = version.split("Copyright")[0].strip() or "wrk"

        def drive(url: str, secs: float) -> dict[str, Any]:
            return run_wrk(url, secs, connections, threads)
    else:
        import httpx

        load_name = f"python httpx {httpx.__version__} asyncio (one process)"

        def drive(url: str, secs: float) -> dict[str, Any]:
            return run_python(ctx, url, secs, connections)

    tmp = Path(tempfile.mkdtemp(prefix="sandbox-bench-"))
    db_path = tmp / TRACE_FILE
    servers: list[Server] = []
    runs: list[dict[str, Any]] = []
    try:
        on, off = start_servers(ctx, db_path, process=writer == "process")
        servers = [on, off]
        warm = min(1.0, seconds) if warmup is None else warmup
        if warm > 0:
            for server in servers:
                drive(server.url, warm)
        for _ in range(repeats):
            for server in servers:
                run = measure(server, drive, seconds)
                if server is on:
                    run["stored_rows"] = trace_rows(db_path)
                runs.append(run)
        served_on = on.settle()
        for server in servers:
            server.stop()
        storage = stored(db_path)
        storage["served"] = served_on
    finally:
        stop_all([server.process for server in servers])
        shutil.rmtree(tmp, ignore_errors=True)

    on_runs = [r for r in runs if r["label"] == "on"]
    off_runs = [r for r in runs if r["label"] == "off"]
    pairs = list(zip(on_runs, off_runs, strict=True))
    throughput = statistics.median(a["rps"] / b["rps"] for a, b in pairs)
    p99 = statistics.median(a["p99_ms"] / b["p99_ms"] for a, b in pairs)
    added = statistics.median(a["cpu_us_per_call"] - b["cpu_us_per_call"] for a, b in pairs)
    bytes_per_call = storage["bytes_per_call"]
    return {
        "machine": machine(),
        "load_generator": {
            "name": load_name,
            "kind": generator,
            "connections": connections,
            "threads": threads if generator == "wrk" else None,
            "seconds": seconds,
            "repeats": repeats,
            "writer": writer,
        },
        "endpoint": {"method": "GET", "path": PATH, "response_bytes": _card_bytes()},
        "on": summarize(on_runs),
        "off": summarize(off_runs),
        "ratios": {
            "throughput_on_off": throughput,
            "p99_on_off": p99,
            "added_cpu_us_per_call": added,
            "bytes_per_call": bytes_per_call,
        },
        "aims": {
            "throughput_on_off": {
                "aim": f">= {AIM_THROUGHPUT_RATIO:.2f}",
                "met": throughput >= AIM_THROUGHPUT_RATIO,
            },
            "p99_on_off": {"aim": f"<= {AIM_P99_RATIO:.2f}", "met": p99 <= AIM_P99_RATIO},
            "added_cpu_us_per_call": {
                "aim": f"<= {AIM_ADDED_CPU_US:g}",
                "met": added <= AIM_ADDED_CPU_US,
            },
            "bytes_per_call": {
                "aim": f"<= {AIM_BYTES_PER_CALL:g}",
                "met": bytes_per_call <= AIM_BYTES_PER_CALL,
            },
        },
        "storage": storage,
        "runs": runs,
    }


def _card_bytes() -> int:
    return len(json.dumps(PRODUCT_CARD, separators=(",", ":"), ensure_ascii=False).encode())


def render(result: dict[str, Any]) -> str:
    """The result as one plain-text table."""
    m, g = result["machine"], result["load_generator"]
    on, off, ratios, aims = result["on"], result["off"], result["ratios"], result["aims"]
    cores = f"{m['cores']} cores" + (
        f" ({m['usable_cores']} usable)" if m["usable_cores"] not in (None, m["cores"]) else ""
    )
    lines = [
        "Recording cost - the same endpoint with recording ON (A) and OFF (B)",
        f"machine:   {m['cpu']}, {cores}, Python {m['python']}",
        f"load:      {g['name']}, {g['connections']} connections, "
        f"{g['seconds']:g} s x {g['repeats']} runs each, alternating A/B (medians)",
        f"endpoint:  {result['endpoint']['method']} {result['endpoint']['path']} "
        f"({result['endpoint']['response_bytes']} bytes of JSON)",
        "",
        f"{'':<14}{'requests/s':>12}{'p50 ms':>10}{'p99 ms':>10}{'CPU us/call':>13}",
    ]
    for name, row in (("recording ON", on), ("recording OFF", off)):
        lines.append(
            f"{name:<14}{row['rps']:>12.0f}{row['p50_ms']:>10.2f}{row['p99_ms']:>10.2f}"
            f"{row['cpu_us_per_call']:>13.1f}"
        )
    lines.append("")
    lines.append(f"{'':<32}{'value':>10}  {'aim':<10}")
    rows = (
        ("throughput ON/OFF", "throughput_on_off", f"{ratios['throughput_on_off']:.3f}"),
        ("p99 ON/OFF", "p99_on_off", f"{ratios['p99_on_off']:.3f}"),
        (
            "added CPU us / recorded call",
            "added_cpu_us_per_call",
            f"{ratios['added_cpu_us_per_call']:.1f}",
        ),
        ("bytes stored / call", "bytes_per_call", f"{ratios['bytes_per_call']:.0f}"),
    )
    for title, key, value in rows:
        verdict = "ok" if aims[key]["met"] else "MISSED"
        lines.append(f"{title:<32}{value:>10}  {aims[key]['aim']:<10} {verdict}")
    s = result["storage"]
    lines.append("")
    lines.append(
        f"trace.db: {s['calls']} calls stored ({s['served']} served by A), "
        f"{s['bytes']} bytes after checkpoint + VACUUM"
    )
    errors = sum(r["errors"] for r in result["runs"])
    if errors:
        lines.append(f"warning: {errors} failed or non-200 requests during the runs")
    return "\n".join(lines)


def figures(result: dict[str, Any]) -> list[Any]:
    """The result as rows of the `python -m benchmarks` table."""
    from benchmarks.figures import Aim, Figure

    section = "recording overhead (same endpoint, recording on vs off)"
    on, off, ratios = result["on"], result["off"], result["ratios"]
    return [
        Figure(section, "requests/s, recording on", on["rps"], "/s", off["rps"], "off",
               Aim(">=", AIM_THROUGHPUT_RATIO, of_ratio=True)),
        Figure(section, "p99, recording on (saturated)", on["p99_ms"], "ms", off["p99_ms"],
               "off", Aim("<=", AIM_P99_RATIO, of_ratio=True)),
        Figure(section, "server CPU per call, recording on", on["cpu_us_per_call"], "us",
               off["cpu_us_per_call"], "off"),
        Figure(section, "added CPU per recorded call", ratios["added_cpu_us_per_call"], "us",
               aim=Aim("<=", AIM_ADDED_CPU_US)),
        Figure(section, "trace.db bytes per stored call", ratios["bytes_per_call"], "B",
               aim=Aim("<=", AIM_BYTES_PER_CALL)),
    ]  # fmt: skip


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.recording", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each run")
    parser.add_argument("--repeats", type=int, default=3, help="A/B pairs of runs")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    parser.add_argument(
        "--generator",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="load generator (auto: wrk when on PATH, else Python)",
    )
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--warmup", type=float, default=None, help="seconds of warm-up per server")
    parser.add_argument(
        "--writer",
        choices=("thread", "process"),
        default="thread",
        help="where A's trace writer packs and inserts: its thread, or a child process",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.repeats < 1 or args.connections < 1 or args.threads < 1:
        parser.error("--seconds, --repeats, --connections and --threads must be positive")
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark, print the table (or JSON) and return the results."""
    args = parse_args(argv)
    settings = {
        key: getattr(args, key)
        for key in ("seconds", "repeats", "connections", "generator", "threads", "warmup", "writer")
    }
    return run_and_print(lambda: run_benchmark(**settings), args.json, render)


if __name__ == "__main__":
    run_main(main, "servers")
