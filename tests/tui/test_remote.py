"""The UI's RemoteBackend against a real runtime over loopback: what `sandbox --attach` uses."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from pathlib import Path

import pytest

from sandbox.config import Settings
from sandbox.runtime.models import CallFilter
from sandbox.runtime.registry import BUILTIN
from sandbox.runtime.remote import ControlClient
from sandbox.runtime.supervisor import Runtime
from sandbox.scenarios import PhoneReader, checkout
from sandbox.tui.backend import RemoteBackend
from sandbox.wire.faults import Fault

pytestmark = pytest.mark.slow


async def test_remote_backend_sees_a_story_live(tmp_path: Path) -> None:
    runtime = Runtime(Settings(data_dir=tmp_path, port_base=0))
    runtime.start_in_thread()
    backend = RemoteBackend(ControlClient(runtime.control_url), runtime.world)
    try:
        services = await backend.services()
        assert [s.name for s in services] == [s.name for s in BUILTIN]
        seen = []

        async def follow() -> None:
            stream = backend.events()
            assert isinstance(stream, AsyncGenerator)  # the control client's SSE reader
            async with contextlib.aclosing(stream) as events:
                async for call in events:
                    seen.append(call)
                    if len(seen) >= 17:
                        return

        follower = asyncio.create_task(follow())
        await asyncio.sleep(0.2)
        story = await checkout(
            backend.wire, backend.world, lambda _: None, phone=PhoneReader(backend.sms)
        )
        await asyncio.wait_for(follower, 10)
        assert {c.trace_id for c in seen} == {story.trace_id}
        assert await backend.count(CallFilter(service="bank")) >= 6
        page = await backend.calls(0, 5, CallFilter(outcome="2xx"))
        assert len(page) == 5 and all(c.outcome == "2xx" for c in page)
        # The log's order: each caller above the calls it made, though stored after them.
        story_calls = CallFilter(trace_id=story.trace_id)
        started = await backend.calls(0, 100, story_calls, order="started")
        assert [c.started_at for c in started] == sorted(c.started_at for c in started)
        assert started != await backend.calls(0, 100, story_calls), "stored order differs"
        stored = {c.span_id for c in await backend.trace(story.trace_id)}
        assert {c.span_id for c in seen} <= stored
        await backend.set_fault("identity", Fault(offline=True))
        assert next(s for s in await backend.services() if s.name == "identity").fault.offline
        await backend.set_fault("identity", Fault())
        tables = {t.name for t in await backend.tables("marketplace")}
        assert "orders" in tables
        doc = await backend.openapi("bank")
        assert doc["info"]["title"].startswith("SANDBOX")
    finally:
        await backend.aclose()
        runtime.stop_thread()
