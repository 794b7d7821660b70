"""The processes a benchmark starts, and stopping them whatever happens.

Every benchmark runs what it measures in processes of its own: a `sandbox up` on free ports
(`start_sandbox`), a plain command it waits on until it answers `/health` (`wait_healthy`,
`stop_process`), and workers that report back over a pipe (`start_worker`, `in_child`) - a
load generator, the real UI, a store filler. They are all started and stopped here, so each
benchmark stops its children the same way: on exit, on Ctrl+C, on SIGTERM
(`sigterm_interrupts`) and, for `sandbox up`, when the benchmark itself dies
(`die_with_parent`).

Imports only the standard library at the top: a spawned worker imports the module its target
lives in, and the benchmarks' own processes stay light.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import json
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.runtime.state import RuntimeState

HOST = "127.0.0.1"
START_TIMEOUT = 60.0
"""Seconds a `sandbox up` (and the UI on it) may take to serve."""
HEALTH_TIMEOUT = 60.0
"""Seconds a command may take until every port it serves answers `/health`."""
POLL_S = 0.005
"""How often `wait_healthy` asks again."""


# -- commands: `sandbox up` and plain servers --------------------------------------------------


def die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGTERM if this process dies without stopping it."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def free_port_base() -> int:
    """A base port whose control and service ports are all free on 127.0.0.1 right now."""
    from sandbox.runtime.registry import BUILTIN, CONTROL_OFFSET

    offsets = [CONTROL_OFFSET, *(spec.offset for spec in BUILTIN)]
    for _ in range(200):
        base = random.randrange(20_000, 60_000)
        try:
            for offset in offsets:
                with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                    sock.bind((HOST, base + offset))
        except OSError:
            continue
        return base
    raise RuntimeError("no free range of ports found on 127.0.0.1")


def stop_process(process: subprocess.Popen[bytes], timeout: float) -> None:
    """SIGTERM, as Ctrl+C would; SIGKILL if it has not exited after `timeout` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Sandbox:
    """A `sandbox up` we started."""

    process: subprocess.Popen[bytes]
    state: RuntimeState
    log: Path

    def stop(self, timeout: float = 10.0) -> None:
        stop_process(self.process, timeout)

    def url(self, service: str) -> str:
        return self.state.services[service]


def start_sandbox(data_dir: Path, max_calls: int) -> Sandbox:
    """`python -m sandbox up` on `data_dir` with free ports; returns once it serves."""
    from sandbox.runtime.state import RuntimeState

    log = data_dir / "logs" / "bench-runtime.out"
    log.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(5):
        command = [
            sys.executable, "-m", "sandbox", "up", "--data-dir", str(data_dir),
            "--port-base", str(free_port_base()), "--max-calls", str(max_calls),
        ]  # fmt: skip
        with log.open("wb") as sink:
            process = subprocess.Popen(
                command,
                stdout=sink,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=die_with_parent if sys.platform == "linux" else None,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            state = RuntimeState.read(data_dir)
            if state is not None and state.pid == process.pid:
                return Sandbox(process, state, log)
            if process.poll() is not None:
                break
            time.sleep(0.02)
        said = log.read_text(errors="replace").strip().splitlines()
        Sandbox(process, RuntimeState(0, 0, ""), log).stop()
        if said and "already in use" in said[-1]:
            continue  # someone took a port between probing and binding: other ports
        raise RuntimeError(f"the sandbox did not start: {said[-1] if said else 'no output'}")
    raise RuntimeError("the sandbox could not find free ports in five attempts")


def healthy(port: int) -> bool:
    """One raw HTTP/1.1 GET /health; True on a 200 (raw, so the poller stays cheap)."""
    try:
        with socket.create_connection((HOST, port), timeout=0.5) as sock:
            # A loopback Host: the control API answers no other name (DNS rebinding).
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return sock.recv(16).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def wait_healthy(process: subprocess.Popen[bytes], ports: list[int], t0: float) -> float:
    """Seconds from `t0` until every port answers /health with 200."""
    waiting = set(ports)
    deadline = t0 + HEALTH_TIMEOUT
    while waiting:
        if process.poll() is not None:
            raise RuntimeError(f"the process exited with {process.returncode} before serving")
        if time.perf_counter() > deadline:
            raise TimeoutError(f"ports {sorted(waiting)} not healthy after {HEALTH_TIMEOUT:g} s")
        waiting = {port for port in waiting if not healthy(port)}
        if waiting:
            time.sleep(POLL_S)
    return time.perf_counter() - t0


# -- workers: child processes that answer over a pipe -------------------------------------------


def kill(process: BaseProcess) -> None:
    """End a child process we started (SIGTERM, then SIGKILL)."""
    if process.is_alive():
        process.terminate()
        process.join(3)
    if process.is_alive():
        process.kill()
        process.join(3)


def stop_all(processes: list[BaseProcess]) -> None:
    """End every child still running: SIGTERM to all at once, SIGKILL to any left after 3 s."""
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + 3
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        kill(process)


@dataclass
class Worker:
    """A child process started with one end of a pipe as its last argument; we hold the other."""

    process: BaseProcess
    conn: Connection

    def receive(self, timeout: float, late: str) -> dict[str, Any]:
        """What the child sends next; TimeoutError(`late`) if nothing comes in `timeout` s."""
        if not self.conn.poll(timeout):
            raise TimeoutError(late)
        answer: dict[str, Any] = self.conn.recv()
        return answer

    def end(self, timeout: float) -> None:
        """Give the child `timeout` seconds to exit, then make sure it has; close the pipe."""
        self.process.join(timeout)
        kill(self.process)
        self.conn.close()


def start_worker(ctx: Any, target: Callable[..., None], args: tuple[Any, ...], name: str) -> Worker:
    """Start `target(*args, conn)` in a daemon child process of the multiprocessing `ctx`."""
    parent, child = ctx.Pipe()
    process = ctx.Process(target=target, args=(*args, child), name=name, daemon=True)
    process.start()
    child.close()
    return Worker(process, parent)


def call_by_name(target: str, *args: Any) -> None:
    """Worker entry: import `module:function` in the child and call it with `args`, so the
    parent never imports what only the child needs (the UI's Textual, for one)."""
    module, _, function = target.partition(":")
    getattr(importlib.import_module(module), function)(*args)


def in_child(
    ctx: Any, target: Callable[..., None], args: tuple[Any, ...], seconds: float
) -> dict[str, Any]:
    """Run a load generator `target(*args, conn)` in a child process and return what it sends
    back (it is CPU-bound: in a process of its own it takes no GIL time from the measured one)."""
    worker = start_worker(ctx, target, args, "bench-load")
    try:
        return worker.receive(seconds + 60, "the load generator did not finish")
    finally:
        worker.end(5)


# -- signals ---------------------------------------------------------------------------------


def _terminate(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def run_and_print(
    run: Callable[[], dict[str, Any]], as_json: bool, render: Callable[[dict[str, Any]], str]
) -> dict[str, Any]:
    """A benchmark's `main`: `run` with SIGTERM treated as Ctrl+C, then its table (or its
    results as JSON) on stdout; returns the results."""
    with sigterm_interrupts():
        result = run()
    print(json.dumps(result, indent=2) if as_json else render(result))
    return result


def run_main(main: Callable[[], object], stopped: str = "children") -> None:
    """`python -m benchmarks...`: run `main`; an interruption ends with status 130, saying
    what was stopped (the children are, by the benchmark's own `finally`)."""
    try:
        main()
    except KeyboardInterrupt:
        print(f"interrupted; {stopped} stopped", file=sys.stderr)
        sys.exit(130)


@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Treat SIGTERM like Ctrl+C while a benchmark runs, so its children are always stopped."""
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
