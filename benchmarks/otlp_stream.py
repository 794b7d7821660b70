"""What streaming to a class's collector costs: `python -m benchmarks.otlp_stream [--calls N]`.

Not one of `python -m benchmarks`' parts (the stream is opt-in); run it on its own. Three
figures, all on loopback, with `benchmarks.ui.synthetic_calls` as the calls:

1. throughput: calls offered to an `OtlpStream` (never faster than its queue drains, so none is
   dropped) until a receiver on 127.0.0.1 has accepted them all, in spans per second;
2. a dead endpoint (a closed loopback port): 50,000 calls offered as fast as a loop can, the
   biggest the queue grew, the calls dropped and failed, and how long `close` took;
3. the recording path: `EventStream.publish` with the trace writer subscribed (as in `sandbox
   up`), without and with the stream subscribed, in microseconds per call (median of five runs
   of 5,000), against a live receiver and against a dead endpoint with its queue full.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from benchmarks.ui import synthetic_calls
from sandbox.runtime.registry import BUILTIN
from sandbox.trace.events import HttpCall
from sandbox.trace.otlp_stream import OtlpStream
from sandbox.trace.store import TraceStore
from sandbox.trace.stream import EventStream
from sandbox.trace.writer import TraceWriter

SERVICES = [spec.name for spec in BUILTIN]


class _Sink(BaseHTTPRequestHandler):
    """Reads each body and answers 200: a collector that costs as little as one can."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _receiver() -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def throughput(calls: list[HttpCall]) -> str:
    server, url = _receiver()
    stream = OtlpStream(url, SERVICES, "rina")
    started = time.perf_counter()
    for call in calls:
        while stream.stats()["queued"] >= stream.max_queue - 1:
            time.sleep(0.001)
        stream(call)
    stream.flush(300.0)
    took = time.perf_counter() - started
    stats = stream.stats()
    stream.close()
    server.shutdown()
    return (
        f"throughput: {stats['sent']:,} spans in {took:.2f} s = "
        f"{stats['sent'] / took:,.0f} spans/s (dropped {stats['dropped']}, "
        f"failed {stats['failed']})"
    )


def dead_endpoint(calls: list[HttpCall]) -> str:
    stream = OtlpStream(_dead_url(), SERVICES, "rina")
    biggest = 0
    for call in calls[:50_000]:
        stream(call)
        biggest = max(biggest, stream.stats()["queued"])
    started = time.perf_counter()
    finished = stream.close(2.0)
    took = time.perf_counter() - started
    stats = stream.stats()
    return (
        f"dead endpoint: {min(len(calls), 50_000):,} calls, biggest queue {biggest:,} "
        f"(bound {stream.max_queue:,}), dropped {stats['dropped']:,}, failed "
        f"{stats['failed']:,} in {stats['failed_batches']} batches, sent {stats['sent']}; "
        f"close {'finished' if finished else 'gave up'} in {took:.3f} s"
    )


def _publish_cost(calls: list[HttpCall], extra: OtlpStream | None) -> float:
    with tempfile.TemporaryDirectory() as folder:
        writer = TraceWriter(TraceStore(Path(folder) / "trace.db"))
        stream = EventStream()
        stream.subscribe(writer)
        if extra is not None:
            stream.subscribe(extra)
        runs = []
        for run in range(5):
            chunk = calls[run * 5_000 : (run + 1) * 5_000]
            started = time.perf_counter()
            for call in chunk:
                stream.publish(call)
            runs.append((time.perf_counter() - started) / len(chunk) * 1e6)
            writer.flush(60.0)
            if extra is not None:
                extra.flush(60.0)
        writer.close()
        return statistics.median(runs)


def publish_cost(calls: list[HttpCall]) -> str:
    off = _publish_cost(calls, None)
    server, url = _receiver()
    live = OtlpStream(url, SERVICES, "rina")
    on = _publish_cost(calls, live)
    live.close()
    server.shutdown()
    dead = OtlpStream(_dead_url(), SERVICES, "rina", max_queue=100)
    for call in calls[:200]:
        dead(call)  # a full queue: every further call is dropped
    full = _publish_cost(calls, dead)
    dead.close(0.5)
    return (
        f"recording path per call: stream off {off:.2f} us, on (live receiver) {on:.2f} us, "
        f"on (dead endpoint, queue full) {full:.2f} us"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000, help="calls for the throughput")
    count = max(parser.parse_args().calls, 50_000)
    calls = synthetic_calls(count)
    for figure in (throughput, dead_endpoint, publish_cost):
        print(figure(calls), flush=True)


if __name__ == "__main__":
    main()
