"""The UI's backend while the sandbox it started is still coming up.

`sandbox` starts the runtime in a child process, which takes a second or more to create its
databases and answer. Waiting for it before opening the UI made the first screen the sum of
both starts (2.2 s here). Instead the app opens at once on a `StartingBackend`: the map is drawn
from the registry (every built-in institution, its name and role, health "starting"), and every
other question waits until the runtime answers, then goes to the real `RemoteBackend`. If the
runtime cannot start, the app is told and closes with the reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import Future
from typing import Any

from sandbox.runtime.models import ServiceInfo
from sandbox.runtime.registry import BUILTIN
from sandbox.runtime.seeding import may_call
from sandbox.trace.events import HttpCall
from sandbox.tui.backend import Backend
from sandbox.wire import Wire

STARTING = "starting"
"""The health the map shows for an institution the runtime has not reported yet."""


def registry_services(world: dict[str, Any]) -> list[ServiceInfo]:
    """The built-in institutions as the map draws them before the runtime answers."""
    may = may_call(world)
    return [
        ServiceInfo(
            spec.name,
            spec.title,
            spec.role,
            spec.side,
            "",
            "",
            STARTING,
            lane=spec.lane,
            calls=may.get(spec.name, ()),
            public=spec.faces_people,
        )
        for spec in BUILTIN
        if spec.start
    ]


class StartingBackend:
    """A Backend that answers the map at once and everything else once the runtime is up.

    `resolve(backend)` hands over the real backend (from the thread that started the runtime,
    through `App.call_from_thread`); `fail(reason)` says it will never come.
    """

    def __init__(self, world: dict[str, Any], pending: Future[Backend] | None = None) -> None:
        self._world = world
        self._pending = pending
        """Where the real backend comes from: the thread that starts the runtime."""
        self._wire = Wire()
        self._real: Backend | None = None
        self._failed: str | None = None
        self._ready: asyncio.Event | None = None
        self._early = registry_services(world)

    @property
    def world(self) -> dict[str, Any]:
        """The running sandbox's world once it answers (it may run with another seed)."""
        return self._real.world if self._real is not None else self._world

    @property
    def wire(self) -> Wire:
        """The real backend's client side once it is there."""
        return self._real.wire if self._real is not None else self._wire

    @property
    def ready(self) -> bool:
        """True once the runtime answered."""
        return self._real is not None

    async def come_up(self) -> None:
        """Wait (in the app's loop) for the thread starting the runtime, then resolve or fail;
        a failure is raised again for the app to close with."""
        if self._pending is None:
            return
        try:
            real = await asyncio.wrap_future(self._pending)
        except Exception as exc:
            self.fail(str(exc) or type(exc).__name__)
            raise
        self.resolve(real)

    def resolve(self, backend: Backend) -> None:
        """The runtime is up: from now on every question goes to `backend`."""
        self._real = backend
        self._event().set()

    def fail(self, reason: str) -> None:
        """The runtime will not come up: questions waiting for it raise with `reason`."""
        self._failed = reason
        self._event().set()

    async def real(self) -> Backend:
        """The real backend, once the runtime answers (RuntimeError if it never will)."""
        if self._real is None:
            await self._event().wait()
        if self._real is None:
            raise RuntimeError(self._failed or "the sandbox did not start")
        return self._real

    def _event(self) -> asyncio.Event:
        if self._ready is None:
            self._ready = asyncio.Event()
        return self._ready

    async def services(self) -> list[ServiceInfo]:
        """The runtime's answer once it is up; until then the registry's institutions."""
        if self._real is None:
            if self._failed is not None:
                raise RuntimeError(self._failed)
            return list(self._early)
        return await self._real.services()

    async def events(self) -> AsyncIterator[HttpCall]:
        """Recorded calls as they happen, from when the runtime is up."""
        real = await self.real()
        async for call in real.events():
            yield call

    def actor(self, who: str) -> Any:
        """A person's client: the real backend's (the faces tap only once the map is up)."""
        if self._real is None:
            raise RuntimeError("the sandbox is still starting")
        return self._real.actor(who)

    def identities(self, service: str) -> list[str]:
        """Who the composer may send as (none until the runtime is up)."""
        return self._real.identities(service) if self._real is not None else []

    async def aclose(self) -> None:
        """Close the real backend, if it came."""
        if self._real is not None:
            await self._real.aclose()

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        """Every other question of the Backend protocol waits for the runtime."""
        if name.startswith("_"):
            raise AttributeError(name)

        async def asked(*args: Any, **kwargs: Any) -> Any:
            real = await self.real()
            return await getattr(real, name)(*args, **kwargs)

        asked.__name__ = name
        return asked


async def sandbox_started(backend: object) -> None:
    """Wait until `backend` can act: at once, except for a sandbox still starting (a story or
    a tap made in the first second waits for it; RuntimeError if it never comes up)."""
    if isinstance(backend, StartingBackend):
        await backend.real()
