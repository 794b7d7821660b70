"""The trace writer's own process: packing and inserting calls off the servers' interpreter.

In-process, `TraceStore.add` costs about 24 us a call alone but about 50 us next to a busy
event loop: the writer thread and the servers hand one interpreter lock back and forth (zlib
and SQLite let go of it around their C work). Here the writer thread only sends each batch,
as plain tuples (`marshal`, in C), down a pipe to a child process that owns the writing
connection, and waits for its answer without holding the lock.

The guarantees stay the writer's: a batch is answered only once its transaction committed,
so `TraceWriter.flush` still means "stored"; a clean stop sends what is queued and waits for
it; the child writes each batch in one SQLite transaction, so a kill of either process at any
moment leaves `trace.db` whole (the batch on its way is lost, as a thread's queue is). If the
child dies, the writer goes back to writing in its own thread (`TraceWriter`).

Protocol, both ways framed by a 4-byte little-endian length: the parent sends a batch of
calls as `marshal` of a list of field tuples; the child answers `ok` or `failed`. An empty
frame asks it to close the store and exit; so does the end of its input (the parent died).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import marshal
import operator
import struct
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

from sandbox.trace.events import HttpCall

log = logging.getLogger(__name__)
_FIELDS = operator.attrgetter(*(f.name for f in dataclasses.fields(HttpCall)))
_LENGTH = struct.Struct("<I")
OK, FAILED = b"ok", b"failed"


def encode(calls: list[HttpCall]) -> bytes:
    """A batch as the pipe carries it: every field of every call, in declaration order."""
    return marshal.dumps([_FIELDS(c) for c in calls])


def decode(data: bytes) -> list[HttpCall]:
    """The inverse of `encode`."""
    rows: list[tuple[Any, ...]] = marshal.loads(data)
    return [HttpCall(*row) for row in rows]


def send_frame(out: IO[bytes], data: bytes) -> None:
    """One frame: its length, then its bytes."""
    out.write(_LENGTH.pack(len(data)) + data)
    out.flush()


def read_frame(source: IO[bytes]) -> bytes | None:
    """The next frame, or None at the end of the input."""
    head = source.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (length,) = _LENGTH.unpack(head)
    data = source.read(length)
    return data if len(data) == length else None


class StoreProcess:
    """A child process writing to the trace store at `path`; `add` returns once stored."""

    def __init__(self, path: Path, max_calls: int, max_bytes: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", __name__, str(path), str(max_calls), str(max_bytes)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            close_fds=True,
        )

    def add(self, calls: list[HttpCall]) -> None:
        """Send a batch and wait until the child committed it (raises OSError if the child
        is gone, RuntimeError if it could not write the batch)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        send_frame(self.process.stdin, encode(calls))
        answer = read_frame(self.process.stdout)
        if answer is None:
            raise BrokenPipeError("the trace writer process is gone")
        if answer != OK:
            raise RuntimeError("the trace writer process could not write a batch")

    def close(self, timeout: float = 5.0) -> None:
        """Ask the child to close the store and exit; kill it if it does not."""
        assert self.process.stdin is not None
        with contextlib.suppress(OSError):  # gone already
            send_frame(self.process.stdin, b"")
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def serve(path: Path, max_calls: int, max_bytes: int, source: IO[bytes], out: IO[bytes]) -> None:
    """The child's loop: write each batch from `source` in one transaction, answer on `out`."""
    from sandbox.trace.store import TraceStore

    store = TraceStore(path, max_calls=max_calls, max_bytes=max_bytes)
    try:
        while True:
            data = read_frame(source)
            if not data:  # asked to stop, or the parent is gone
                return
            try:
                store.add(decode(data))
            except Exception:
                log.exception("writing a batch to the trace store failed")
                send_frame(out, FAILED)
            else:
                send_frame(out, OK)
    finally:
        store.close()


if __name__ == "__main__":
    serve(
        Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.stdin.buffer, sys.stdout.buffer
    )
