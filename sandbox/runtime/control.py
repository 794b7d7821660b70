"""The control API: what viewers and the CLI use to ask a running sandbox about itself.

Plain snake_case JSON (our own API, not an institution's): the services, resetting the world,
recorded traces, and the live stream of calls as server-sent events, so a viewer in another
process - or on another machine - can follow a running sandbox.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, HTTPException
from fastapi.responses import StreamingResponse

from sandbox.trace.events import HttpCall

if TYPE_CHECKING:
    from sandbox.runtime.supervisor import Runtime

KEEPALIVE_SECONDS = 15.0
MAX_QUEUED_EVENTS = 10_000
"""A viewer that falls this far behind is sent a `lagged` event instead of the backlog."""


def create_control_app(runtime: Runtime) -> FastAPI:
    """The control API of `runtime`."""
    app = FastAPI(title="SANDBOX control API", version="1", docs_url=None, redoc_url=None)

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "service": "control", "sandbox": True}

    @app.get("/services")
    async def services() -> list[dict[str, Any]]:
        return [{"name": s.name, "title": s.title, "role": s.role, "side": s.side,
                 "url": runtime.urls[s.name], "docs_url": f"{runtime.urls[s.name]}/docs"}
                for s in runtime.specs]

    @app.post("/reset")
    async def reset() -> dict[str, Any]:
        runtime.reset()  # runs on the runtime's loop, where the stores live
        return {"reset": True, "seed": runtime.settings.seed}

    @app.post("/flush")
    async def flush() -> dict[str, Any]:
        done = await asyncio.to_thread(runtime.writer.flush)
        return {"flushed": done, "calls": runtime.traces.count()}

    @app.get("/traces")
    async def traces(limit: int = 20) -> list[dict[str, Any]]:
        await asyncio.to_thread(runtime.writer.flush)
        return [t.to_dict() for t in runtime.traces.traces(limit)]

    @app.get("/traces/{trace_id}")
    async def trace(trace_id: str) -> list[dict[str, Any]]:
        await asyncio.to_thread(runtime.writer.flush)
        calls = runtime.traces.trace(trace_id)
        if not calls:
            raise HTTPException(404, f"no trace {trace_id}")
        return [c.to_dict() for c in calls]

    @app.get("/events")
    async def events() -> StreamingResponse:
        """Every recorded call from now on, as server-sent events (`event: call`)."""
        return StreamingResponse(_event_stream(runtime), media_type="text/event-stream",
                                 headers={"cache-control": "no-cache"})

    return app


async def _event_stream(runtime: Runtime) -> AsyncIterator[bytes]:
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
