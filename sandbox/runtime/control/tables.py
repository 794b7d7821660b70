"""A read-only look into each institution's database: its tables, a page of a table's rows
(redacted like the trace), and the webhooks not delivered yet."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query

from sandbox.framework.errors import ApiError
from sandbox.runtime import inspect
from sandbox.runtime.control.dependencies import MAX_PAGE, Limit, Offset, RuntimeDep, known
from sandbox.runtime.models import WEBHOOK_STATES

router = APIRouter()


@router.get("/services/{service}/tables")
async def tables(service: str, runtime: RuntimeDep) -> list[dict[str, Any]]:
    path = runtime.db_path(known(runtime, service))
    try:
        found = await asyncio.to_thread(inspect.tables, path)
    except FileNotFoundError as exc:
        raise ApiError(404, "no_database", str(exc)) from None
    return [{"name": t.name, "rows": t.rows, "columns": list(t.columns)} for t in found]


@router.get("/services/{service}/tables/{table:path}")
async def table_rows(
    service: str, table: str, runtime: RuntimeDep, offset: Offset = 0, limit: Limit = 100
) -> dict[str, Any]:
    path = runtime.db_path(known(runtime, service))
    try:
        page = await asyncio.to_thread(inspect.rows, path, table, offset, limit)
    except FileNotFoundError as exc:
        raise ApiError(404, "no_database", str(exc)) from None
    except inspect.UnknownTable as exc:
        raise ApiError(404, "unknown_table", f"{service}: {exc.args[0]}.") from None
    return page.to_dict()


@router.get("/webhooks")
async def webhooks(
    runtime: RuntimeDep,
    state: Annotated[str, Query(pattern="^(" + "|".join(WEBHOOK_STATES) + ")?$")] = "",
) -> list[dict[str, Any]]:
    """Webhooks not delivered yet: `state=pending` (still retried), `state=dead` (given up
    after their schedule, or refused for good), or both (no state)."""
    states = (state,) if state else WEBHOOK_STATES

    def read() -> list[dict[str, Any]]:
        found = []
        for spec in runtime.running():
            path = runtime.db_path(spec.name)
            if path.exists():
                found += [w.to_dict() for w in inspect.webhooks(path, spec.name, states)]
        return sorted(found, key=lambda w: w["created_at"])[:MAX_PAGE]

    return await asyncio.to_thread(read)
