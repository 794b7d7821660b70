"""What the UI needs from a running sandbox, behind one interface.

`RemoteBackend` serves the real UI: it reads through the control API and makes people's calls
(faces, composer, stories) straight to the institutions over HTTP, recorded by the services
themselves. Tests use an in-process implementation of the same protocol with the same
institutions, so screens never know which one they have.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from sandbox.runtime.models import CallFilter, ServiceInfo, Sms, TableInfo, Webhook
from sandbox.runtime.remote import ControlClient, StageShown
from sandbox.runtime.stage_view import StageView
from sandbox.scenarios.identities import Actor, identities_for
from sandbox.trace.events import HttpCall
from sandbox.wire import Wire
from sandbox.wire.faults import Fault

if TYPE_CHECKING:
    from sandbox.load.sale import Target


class Backend(Protocol):
    """The sandbox as the UI sees it."""

    world: dict[str, Any]
    wire: Wire
    """Unrecorded client side: the services record the UI's calls themselves."""

    async def services(self) -> list[ServiceInfo]: ...
    def events(self) -> AsyncIterator[HttpCall]: ...
    async def calls(
        self, offset: int, limit: int, flt: CallFilter, order: str = "stored"
    ) -> list[HttpCall]: ...
    async def count(self, flt: CallFilter) -> int: ...
    async def trace(self, trace_id: str) -> list[HttpCall]: ...
    async def latest_trace(self) -> str | None: ...
    async def webhooks(self) -> list[Webhook]: ...
    async def reset(self) -> None: ...
    async def clear_faults(self) -> None: ...
    async def set_fault(self, service: str, fault: Fault) -> None: ...
    async def forced(self) -> dict[str, Any]: ...
    async def sale_target(self) -> Target | None: ...
    async def fail_next(self, service: str, action: str) -> int: ...
    async def force(self, action: str, target: str) -> dict[str, Any]: ...
    async def tables(self, service: str) -> list[TableInfo]: ...
    async def rows(
        self, service: str, table: str, offset: int, limit: int
    ) -> tuple[list[str], list[list[Any]], int]: ...
    async def openapi(self, service: str) -> dict[str, Any]: ...
    def actor(self, who: str) -> Actor: ...
    def identities(self, service: str) -> list[str]: ...
    async def stage(self, since: str = "") -> StageShown | None: ...
    async def show_stage(self, view: StageView) -> None: ...
    async def sms(self, phone: str) -> list[Sms]: ...
    async def clock_state(self) -> dict[str, Any]: ...
    async def audit_basis(self) -> dict[str, Any]: ...
    async def advance_clock(self, by: str) -> dict[str, Any]: ...
    async def aclose(self) -> None: ...


class RemoteBackend:
    """A sandbox reached through its control API (started by `sandbox` or `sandbox up`)."""

    def __init__(self, control: ControlClient, world: dict[str, Any]) -> None:
        self.control = control
        self.world = world
        self.wire = Wire()
        self._actors: dict[str, Actor] = {}
        self._openapi: dict[str, dict[str, Any]] = {}

    async def services(self) -> list[ServiceInfo]:
        """The institutions, their health, counts and faults; learns their URLs."""
        found = await self.control.services()
        for info in found:
            self.wire.set_url(info.name, info.url)
        return found

    def events(self) -> AsyncIterator[HttpCall]:
        """Recorded calls as they happen."""
        return self.control.events()

    async def calls(
        self, offset: int, limit: int, flt: CallFilter, order: str = "stored"
    ) -> list[HttpCall]:
        """A page of recorded calls, oldest first: as stored, or by start (`order="started"`)."""
        return await self.control.calls(offset, limit, flt, order)

    async def count(self, flt: CallFilter) -> int:
        """How many recorded calls match."""
        return await self.control.count(flt)

    async def trace(self, trace_id: str) -> list[HttpCall]:
        """Every call of one trace."""
        return await self.control.trace(trace_id)

    async def latest_trace(self) -> str | None:
        """The id of the most recent trace (None before any call)."""
        found = await self.control.traces(limit=1)
        return found[0].trace_id if found else None

    async def webhooks(self) -> list[Webhook]:
        """Webhooks not delivered: still retried (`pending`) or given up (`dead`)."""
        return await self.control.webhooks()

    async def clear_faults(self) -> None:
        """Restore every institution to health."""
        await self.control.clear_faults()

    async def reset(self) -> None:
        """Restore the seeded world."""
        await self.control.reset()
        self._actors.clear()  # sessions and tokens belong to the old world

    async def set_fault(self, service: str, fault: Fault) -> None:
        """Inject (or with a default Fault, clear) a fault."""
        if fault.active:
            await self.control.set_fault(service, fault)
        else:
            await self.control.clear_fault(service)

    async def sale_target(self) -> Target | None:
        """Where a flash sale's crowd goes: this sandbox's control API and institutions."""
        from sandbox.load.sale import Target  # only when a sale is run: a quick start-up

        urls = {info.name: info.url for info in await self.services()}
        return Target(self.control.base_url, urls, self.control.token or None)

    async def forced(self) -> dict[str, Any]:
        """What each institution can be forced to do (`sandbox force`), and what is armed."""
        return await self.control.forced()

    async def fail_next(self, service: str, action: str) -> int:
        """The next `action` at `service` fails; how many failures are armed now."""
        return await self.control.fail_next(service, action)

    async def force(self, action: str, target: str) -> dict[str, Any]:
        """Decline an account, expire a VA or an order, send a webhook again (`sandbox force`)."""
        return await self.control.force(action, target)

    async def tables(self, service: str) -> list[TableInfo]:
        """Tables of the institution's own database."""
        return await self.control.tables(service)

    async def rows(
        self, service: str, table: str, offset: int, limit: int
    ) -> tuple[list[str], list[list[Any]], int]:
        """A page of rows: (columns, rows, total)."""
        return await self.control.rows(service, table, offset, limit)

    async def openapi(self, service: str) -> dict[str, Any]:
        """The institution's OpenAPI document (cached)."""
        if service not in self._openapi:
            async with httpx.AsyncClient(timeout=5) as http:
                response = await http.get(f"{self.wire.url(service)}/openapi.json")
                response.raise_for_status()
                self._openapi[service] = response.json()
        return self._openapi[service]

    def actor(self, who: str) -> Actor:
        """Someone to make calls as (one per identity, so logins are reused)."""
        if who not in self._actors:
            self._actors[who] = Actor(self.wire, self.world, who)
        return self._actors[who]

    def identities(self, service: str) -> list[str]:
        """Who can call `service`."""
        return identities_for(service, self.world)

    async def stage(self, since: str = "") -> StageShown | None:
        """What the presenter's screen shows (None: still what tag `since` showed)."""
        return await self.control.stage(since)

    async def show_stage(self, view: StageView) -> None:
        """Say what this UI shows, for followers' pages (needs the control token)."""
        await self.control.show_stage(view)

    async def sms(self, phone: str) -> list[Sms]:
        """What the institutions texted a person's phone (no recorded call)."""
        return await self.control.sms(phone)

    async def clock_state(self) -> dict[str, Any]:
        """The institutions' clock (`GET /clock`): now, frozen, offset, real."""
        return await self.control.clock()

    async def audit_basis(self) -> dict[str, Any]:
        """The services' digests now and the audits on record in the data directory, so the
        audit screen judges as `sandbox audit` does."""
        return await self.control.audit_basis()

    async def advance_clock(self, by: str) -> dict[str, Any]:
        """Jump the clock forward `by` (`1h`, `1d`...); ControlError says a bad duration."""
        return await self.control.move_clock("advance", {"by": by})

    async def aclose(self) -> None:
        """Close connections."""
        await self.wire.aclose()
        await self.control.aclose()
