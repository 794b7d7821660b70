"""Recorded calls and traces: pages of calls (filtered, in store or start order), their count,
the latest traces and one trace's calls, and flushing what is queued for the store."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query

from sandbox.framework.errors import ApiError
from sandbox.runtime.control.dependencies import (
    MAX_PAGE,
    Limit,
    Offset,
    Order,
    Outcome,
    RuntimeDep,
    Text,
    flushed,
)
from sandbox.trace.events import HttpCall

router = APIRouter()


@router.get("/calls")
async def calls(
    runtime: RuntimeDep,
    offset: Offset = 0,
    limit: Limit = 100,
    service: Text = "",
    outcome: Outcome = "",
    text: Text = "",
    trace_id: Text = "",
    order: Order = "stored",
) -> dict[str, Any]:
    """A page of calls: `order=started` in the order they began, else as stored."""
    flt = {"service": service, "outcome": outcome, "text": text, "trace_id": trace_id}
    await flushed(runtime)

    def query() -> tuple[list[HttpCall], int]:
        page = runtime.traces.calls(offset, limit, order=order, **flt)
        return page, runtime.traces.count(**flt)

    page, total = await asyncio.to_thread(query)
    return {"calls": [c.to_dict() for c in page], "total": total}


@router.get("/calls/count")
async def calls_count(
    runtime: RuntimeDep,
    service: Text = "",
    outcome: Outcome = "",
    text: Text = "",
    trace_id: Text = "",
) -> dict[str, Any]:
    await flushed(runtime)
    total = await asyncio.to_thread(
        runtime.traces.count, service=service, outcome=outcome, text=text, trace_id=trace_id
    )
    return {"total": total}


@router.post("/flush")
async def flush(runtime: RuntimeDep) -> dict[str, Any]:
    done = await asyncio.to_thread(runtime.writer.flush)
    return {"flushed": done, "calls": await asyncio.to_thread(runtime.traces.count)}


@router.get("/traces")
async def traces(
    runtime: RuntimeDep, limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20
) -> list[dict[str, Any]]:
    await flushed(runtime)
    found = await asyncio.to_thread(runtime.traces.traces, limit)
    return [t.to_dict() for t in found]


@router.get("/traces/{trace_id}")
async def trace(trace_id: str, runtime: RuntimeDep) -> list[dict[str, Any]]:
    await flushed(runtime)
    calls = await asyncio.to_thread(runtime.traces.trace, trace_id)
    if not calls:
        raise ApiError(404, "unknown_trace", f"No trace {trace_id!r} is stored.")
    return [c.to_dict() for c in calls]
