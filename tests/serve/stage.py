"""The stage's server for tests: in the test's own event loop, or `sandbox serve` itself."""

from __future__ import annotations

import asyncio
import contextlib
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from sandbox.serve.server import StageServer
from tests.cli.test_cli import _free_base

TOKEN = "a-join-token-for-tests"


@asynccontextmanager
async def running(
    *, host: str = "127.0.0.1", loopback_only: bool = True, max_pages: int = 60
) -> AsyncIterator[StageServer]:
    """The stage's server listening on `host` (port chosen by the system) until the block ends."""
    server = StageServer(
        "true",
        host=host,
        port=0,
        token=TOKEN,
        loopback_only=loopback_only,
        title="Stage",
        max_pages=max_pages,
    )
    stop, listening = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(server.run(listening, stop))
    waiting = asyncio.create_task(listening.wait())
    await asyncio.wait({task, waiting}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiting.cancel()
        await task  # raises why it could not listen
    try:
        yield server
    finally:
        stop.set()
        await task


@contextmanager
def serving(data_dir: Path, *args: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`sandbox serve ARGS` in its own process on a free port: (the link it printed, process).

    Stopped with SIGTERM at the end, as Ctrl+C would; the sandbox it started stops with it."""
    command = [sys.executable, "-m", "sandbox", "serve", "--port", "0", "--data-dir",
               str(data_dir), "--port-base", str(_free_base()), *args]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in process.stdout or ():
            lines.put(line)

    reader = threading.Thread(target=read)
    reader.start()
    said: list[str] = []
    deadline = time.monotonic() + 60
    link = None
    while link is None and time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(queue.Empty):
            said.append(lines.get(timeout=0.2))
            link = next(iter(re.findall(r"http://\S+", said[-1])), None)
    try:
        assert link is not None, "".join(said)
        yield link, process
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(10)
        if process.stdout is not None:
            process.stdout.close()
