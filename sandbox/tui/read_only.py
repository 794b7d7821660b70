"""Read-only: a student's page follows the presenter's sandbox and can change nothing in it.

`sandbox serve --followers` gives each student's browser its own copy of the UI, run on the
presenter's machine. Those copies watch (the map, the trace player, the services' tables) but
must not reset the world, inject or clear faults, send from the composer, tap in the app faces,
run stories, change a lesson or write files on the presenter's disk. Three walls, so a key that
slips past one still does nothing:

1. The app hides those keys and commands (`SandboxApp.check_action`, the palette reads it) and
   disables the buttons that act.
2. The action methods themselves refuse (`refused`), whichever way they were reached.
3. The backend refuses every change (`ReadOnlyBackend`), and a follower is given no control
   token, so the control API refuses them too (401).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from sandbox.runtime.models import CallFilter, ServiceInfo, Sms, TableInfo, Webhook
from sandbox.runtime.remote import StageShown
from sandbox.runtime.stage_view import StageView
from sandbox.scenarios.identities import Actor
from sandbox.trace.events import HttpCall
from sandbox.tui.backend import Backend
from sandbox.tui.i18n import _
from sandbox.wire import Wire
from sandbox.wire.faults import Fault

FOLLOWING_MODES = frozenset({"map", "trace", "services", "lesson"})
"""What a follower may look at: the map, the trace player, the services (their tables) and
the presenter's lesson (its narration and verdict, `screens.followed_lesson`)."""
ACTING = frozenset({"reset_world", "clear_faults", "save_svg", "export"})
"""Actions that change the sandbox or write files on the presenter's machine."""


if TYPE_CHECKING:
    from sandbox.load.sale import Target


class ReadOnly(PermissionError):
    """A follower's UI asked to change something."""


def following(node: Any) -> bool:
    """Whether the app `node` belongs to only follows the presenter."""
    app = node if hasattr(node, "read_only") else getattr(node, "app", None)
    return bool(getattr(app, "read_only", False))


def refused(node: Any) -> bool:
    """True (and said once, in a toast) when `node`'s app only follows: the caller stops."""
    if not following(node):
        return False
    node.notify(_("Read-only: only the presenter can do that."), severity="warning")
    return True


class ReadOnlyBackend:
    """A backend that reads through `inner` and refuses every change.

    Its `wire` knows no institution, so a story or a tap that got this far would reach nobody.
    """

    def __init__(self, inner: Backend) -> None:
        self.inner = inner
        self.world: dict[str, Any] = inner.world
        self.wire = Wire()

    async def services(self) -> list[ServiceInfo]:
        return await self.inner.services()

    def events(self) -> AsyncIterator[HttpCall]:
        return self.inner.events()

    async def calls(
        self, offset: int, limit: int, flt: CallFilter, order: str = "stored"
    ) -> list[HttpCall]:
        return await self.inner.calls(offset, limit, flt, order)

    async def count(self, flt: CallFilter) -> int:
        return await self.inner.count(flt)

    async def trace(self, trace_id: str) -> list[HttpCall]:
        return await self.inner.trace(trace_id)

    async def latest_trace(self) -> str | None:
        return await self.inner.latest_trace()

    async def webhooks(self) -> list[Webhook]:
        return await self.inner.webhooks()

    async def tables(self, service: str) -> list[TableInfo]:
        return await self.inner.tables(service)

    async def rows(
        self, service: str, table: str, offset: int, limit: int
    ) -> tuple[list[str], list[list[Any]], int]:
        return await self.inner.rows(service, table, offset, limit)

    async def openapi(self, service: str) -> dict[str, Any]:
        return await self.inner.openapi(service)

    def identities(self, service: str) -> list[str]:
        return self.inner.identities(service)

    async def stage(self, since: str = "") -> StageShown | None:
        return await self.inner.stage(since)

    async def sms(self, phone: str) -> list[Sms]:
        return await self.inner.sms(phone)

    async def clock_state(self) -> dict[str, Any]:
        return await self.inner.clock_state()

    async def audit_basis(self) -> dict[str, Any]:
        return await self.inner.audit_basis()

    async def advance_clock(self, by: str) -> dict[str, Any]:
        raise ReadOnly("a follower cannot move the clock")

    async def show_stage(self, view: StageView) -> None:
        raise ReadOnly("a follower does not say what the stage shows")

    async def reset(self) -> None:
        raise ReadOnly("a follower cannot reset the world")

    async def clear_faults(self) -> None:
        raise ReadOnly("a follower cannot clear faults")

    async def set_fault(self, service: str, fault: Fault) -> None:
        raise ReadOnly("a follower cannot inject faults")

    async def forced(self) -> dict[str, Any]:
        return await self.inner.forced()

    async def sale_target(self) -> Target | None:
        raise ReadOnly("a follower does not run a flash sale")

    async def fail_next(self, service: str, action: str) -> int:
        raise ReadOnly("a follower cannot force failures")

    async def force(self, action: str, target: str) -> dict[str, Any]:
        raise ReadOnly("a follower cannot force a state")

    def actor(self, who: str) -> Actor:
        raise ReadOnly("a follower cannot make calls")

    async def aclose(self) -> None:
        await self.wire.aclose()
        await self.inner.aclose()
