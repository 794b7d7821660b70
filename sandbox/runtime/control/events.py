"""The live stream of recorded calls as server-sent events (`event: call`), with keep-alives,
and `event: lagged` for a viewer that fell too far behind."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from sandbox.runtime.control.dependencies import ControlledRuntime, RuntimeDep
from sandbox.trace.events import HttpCall

KEEPALIVE_SECONDS = 15.0
MAX_QUEUED_EVENTS = 10_000
"""A viewer that falls this far behind is sent a `lagged` event instead of the backlog."""

router = APIRouter()


@router.get("/events")
async def events(runtime: RuntimeDep) -> StreamingResponse:
    """Every recorded call from now on, as server-sent events (`event: call`)."""
    return StreamingResponse(
        _event_stream(runtime),
        media_type="text/event-stream",
        headers={"cache-control": "no-cache"},
    )


async def _event_stream(runtime: ControlledRuntime) -> AsyncIterator[bytes]:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[HttpCall | None] = asyncio.Queue()
    lagged = False

    def deliver(call: HttpCall) -> None:
        nonlocal lagged
        if queue.qsize() >= MAX_QUEUED_EVENTS:
            lagged = True
            return
        queue.put_nowait(call)

    def on_call(call: HttpCall) -> None:  # may run on any thread
        loop.call_soon_threadsafe(deliver, call)

    unsubscribe = runtime.stream.subscribe(on_call)
    try:
        yield b": connected\n\n"
        while True:
            try:
                call = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
            except TimeoutError:
                yield b": keep-alive\n\n"
                continue
            if lagged:
                lagged = False
                yield b"event: lagged\ndata: {}\n\n"
            if call is not None:
                data = json.dumps(call.to_dict(), separators=(",", ":"))
                yield f"event: call\nid: {call.span_id}\ndata: {data}\n\n".encode()
    finally:
        unsubscribe()
