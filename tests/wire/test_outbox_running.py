"""An outbox delivers in the background while a service runs, and stops when it stops."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import FastAPI

from sandbox.framework.storage import open_database
from sandbox.wire import Wire
from sandbox.wire.outbox import Outbox
from tests.conftest import FakeClock


async def test_running_delivers_while_the_block_lasts_then_stops(clock: FakeClock) -> None:
    wire = Wire(clock=clock)
    received = asyncio.Event()
    app = FastAPI()

    @app.post("/hook")
    async def hook() -> Any:
        received.set()
        return {"ok": True}

    wire.mount("receiver", app)
    outbox = Outbox(open_database(None), wire, "sender")
    outbox.enqueue(event_id="e1", target="receiver", path="/hook", kind="k", body={})
    before = asyncio.all_tasks()
    async with outbox.running():
        await asyncio.wait_for(received.wait(), timeout=10)  # delivered by the loop, not by us
        assert len(asyncio.all_tasks() - before) == 1
    assert asyncio.all_tasks() - before == set(), "leaving the block stops the loop"
    assert outbox.pending() == []
    await wire.aclose()
