"""What every router of the control API shares: the runtime it serves and the presenter's
stage board (FastAPI dependencies over `app.state`), the check that a service exists, and the
limits of a page and its query parameters."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any, Protocol

from fastapi import Depends, Query, Request

from sandbox.config import Settings
from sandbox.framework.errors import ApiError
from sandbox.runtime.registry import ServiceSpec
from sandbox.runtime.stage_view import StageBoard
from sandbox.trace.otlp_stream import OtlpStream
from sandbox.trace.store import ORDERS, OUTCOMES, TraceStore
from sandbox.trace.stream import EventStream
from sandbox.trace.writer import TraceWriter
from sandbox.wire.client import Wire
from sandbox.wire.clock import VirtualClock

MAX_PAGE = 500
"""Largest page of calls or rows one request returns: a screenful many times over."""
FLUSH_SECONDS = 1.0
"""How long a query waits for calls still queued for the store before answering anyway."""

MAX_OFFSET = 1_000_000_000
"""Far beyond any store (100,000 calls by default); a bigger offset overflowed SQLite (500)."""
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
Limit = Annotated[int, Query(ge=0, le=MAX_PAGE)]
Outcome = Annotated[str, Query(pattern="^(" + "|".join(OUTCOMES) + ")?$")]
Text = Annotated[str, Query(max_length=200)]
Order = Annotated[str, Query(pattern="^(" + "|".join(ORDERS) + ")$")]


class ControlledRuntime(Protocol):
    """What the control API uses of the runtime it serves: `supervisor.Runtime`, which builds
    this API as it starts serving (a protocol, so this module need not import the supervisor)."""

    settings: Settings
    specs: tuple[ServiceSpec, ...]
    """Every service the configuration declares, started or not."""
    control_token: str
    """What a change through this API must carry."""
    stream: EventStream
    traces: TraceStore
    writer: TraceWriter
    otlp: OtlpStream | None
    wire: Wire
    clock: VirtualClock
    world: dict[str, Any]
    """The seeded world with the configuration's partners (their credentials)."""
    """The institutions' clock, which a presenter may freeze, move and resume."""
    apps: dict[str, Any]
    urls: dict[str, str]
    may_call: dict[str, tuple[str, ...]]
    counted_from: int
    """Calls stored from this position on are counted on the map (set by each reset)."""

    def running(self) -> list[ServiceSpec]:
        """The services serving now."""
        ...

    def serving(self, name: str) -> bool:
        """Whether `name`'s server accepts calls."""
        ...

    def db_path(self, name: str) -> Path:
        """The SQLite file of institution `name`."""
        ...

    def reset(self) -> None:
        """The seeded world again in every institution."""
        ...

    async def start_service(self, name: str) -> bool:
        """Start a service declared with `start = false`."""
        ...

    async def stop_late_services(self) -> list[str]:
        """Stop the services started late; their names."""
        ...


def _runtime(request: Request) -> ControlledRuntime:
    runtime: ControlledRuntime = request.app.state.runtime
    return runtime


def _board(request: Request) -> StageBoard:
    board: StageBoard = request.app.state.board
    return board


RuntimeDep = Annotated[ControlledRuntime, Depends(_runtime)]
"""The runtime this control API serves (`create_control_app` puts it in `app.state`)."""
BoardDep = Annotated[StageBoard, Depends(_board)]
"""What the presenter's stage shows: one board per control API."""


def service_names(runtime: ControlledRuntime) -> list[str]:
    """Every service the runtime's configuration declares, started or not."""
    return [s.name for s in runtime.specs]


def known(runtime: ControlledRuntime, service: str) -> str:
    """`service`, if the runtime declares it; else a 404 that names the ones it does."""
    names = service_names(runtime)
    if service not in names:
        raise ApiError(
            404, "unknown_service", f"No service {service!r}; services: {', '.join(names)}."
        )
    return service


async def flushed(runtime: ControlledRuntime) -> None:
    """Calls already announced on `/events` are in the store before we read it."""
    await asyncio.to_thread(runtime.writer.flush, FLUSH_SECONDS)
