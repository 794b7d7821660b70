"""Build the UI over in-process institutions: real apps and stores, no sockets, no child.

`LocalBackend` implements the UI's Backend protocol with the same institutions the runtime
serves, mounted on a wire through httpx.ASGITransport, and a trace store fed by their calls.
"""

from __future__ import annotations

import asyncio
import inspect as pyinspect
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from sandbox.framework.app import close_app
from sandbox.framework.service import ServiceEnv
from sandbox.runtime import inspect
from sandbox.runtime.fingerprints import fingerprints
from sandbox.runtime.models import CallFilter, ServiceInfo, Sms, TableInfo, Webhook
from sandbox.runtime.phone import texts_to
from sandbox.runtime.registry import BUILTIN
from sandbox.runtime.remote import StageShown
from sandbox.runtime.seeding import may_call, partner_ids, seed_for
from sandbox.runtime.stage_view import StageBoard, StageView
from sandbox.scenarios.identities import Actor, identities_for
from sandbox.trace.events import HttpCall
from sandbox.trace.store import TraceStore
from sandbox.trace.stream import EventStream
from sandbox.tui.app import SandboxApp
from sandbox.wire import Wire
from sandbox.wire.clock import iso, parse_duration
from sandbox.wire.faults import Fault
from sandbox.world import load_world
from tests.conftest import FakeClock, settle_apps


class LocalBackend:
    """The Backend protocol over in-process institutions with their own database files."""

    def __init__(self, data_dir: Path, clock: FakeClock | None = None) -> None:
        self.data_dir = data_dir
        self.world = load_world()
        self.clock = clock or FakeClock()
        self.clock_moved_by = 0.0
        """How far `advance_clock` moved the clock (0: the UI sees real time)."""
        self.stream = EventStream()
        self.store = TraceStore(None)
        self.stream.subscribe(lambda call: self.store.add([call]))
        self.wire = Wire(
            recorder=self.stream.publish, clock=self.clock, partner_ids=partner_ids(self.world)
        )
        self.apps: dict[str, Any] = {}
        for spec in BUILTIN:
            env = ServiceEnv(
                spec.name,
                self.wire,
                seed_for(spec.name, self.world),
                db_path=data_dir / f"{spec.name}.db",
            )
            self.apps[spec.name] = spec.load_factory()(env)
            self.wire.mount(spec.name, self.apps[spec.name])
        self._actors: dict[str, Actor] = {}
        self.board = StageBoard()
        """What the presenter's screen shows, as the control API keeps it."""

    async def services(self) -> list[ServiceInfo]:
        counts = self.store.party_counts()
        may = may_call(self.world)
        return [
            ServiceInfo(
                s.name,
                s.title,
                s.role,
                s.side,
                f"http://{s.name}.sandbox",
                f"http://{s.name}.sandbox/docs",
                "offline" if self.wire.fault(s.name).offline else "ok",
                *counts.get(s.name, (0, 0)),
                fault=self.wire.fault(s.name),
                lane=s.lane,
                calls=may.get(s.name, ()),
                public=s.faces_people,
            )
            for s in BUILTIN
        ]

    async def events(self) -> AsyncIterator[HttpCall]:
        queue: asyncio.Queue[HttpCall] = asyncio.Queue()
        unsubscribe = self.stream.subscribe(queue.put_nowait)
        try:
            while True:
                yield await queue.get()
        finally:
            unsubscribe()

    async def calls(
        self, offset: int, limit: int, flt: CallFilter, order: str = "stored"
    ) -> list[HttpCall]:
        return self.store.calls(offset, limit, order=order, **flt.to_params())

    async def count(self, flt: CallFilter) -> int:
        return self.store.count(**flt.to_params())

    async def trace(self, trace_id: str) -> list[HttpCall]:
        return self.store.trace(trace_id)

    async def latest_trace(self) -> str | None:
        found = self.store.traces(1)
        return found[0].trace_id if found else None

    async def webhooks(self) -> list[Webhook]:
        found: list[Webhook] = []
        for spec in BUILTIN:
            path = self.data_dir / f"{spec.name}.db"
            if path.exists():
                found += inspect.webhooks(path, spec.name)
        return sorted(found, key=lambda w: w.created_at)

    async def clear_faults(self) -> None:
        for spec in BUILTIN:
            self.wire.set_fault(spec.name, Fault())

    async def reset(self) -> None:
        for spec in BUILTIN:
            self.apps[spec.name].state.store.reset(seed_for(spec.name, self.world))
        self._actors.clear()

    async def set_fault(self, service: str, fault: Fault) -> None:
        self.wire.set_fault(service, fault)

    async def sale_target(self) -> Any:
        return None  # in-process institutions: no control API for a crowd to find

    async def forced(self) -> dict[str, Any]:
        return {
            name: app.state.forcing.state()
            for name, app in self.apps.items()
            if getattr(app.state, "forcing", None) is not None
        }

    async def force(self, action: str, target: str) -> dict[str, Any]:
        """What the control API's /force routes do, on the in-process institutions."""
        bank, marketplace = self.apps["bank"].state, self.apps["marketplace"].state
        if action in ("decline", "undecline"):
            if bank.store.account(target) is None:
                raise LookupError(f"No account {target!r} at the bank.")
            bank.forcing.decline(target, action == "decline")
            return {"account_no": target, "declined": action == "decline"}
        if action == "refire":
            for app in self.apps.values():
                outbox = getattr(app.state, "outbox", None)
                if outbox is not None and outbox.refire(target):
                    return {"event_id": target, "sender": app.state.outbox.sender}
            raise LookupError(f"No institution sent a webhook {target!r}.")
        if action == "expire-order" and marketplace.orders.expire_now(target):
            await marketplace.sweep.fire()
            return {"order_id": target, "order_status": 0}
        raise LookupError(f"cannot {action} {target!r} here")

    async def fail_next(self, service: str, action: str) -> int:
        armed: int = self.apps[service].state.forcing.fail_next(action)
        return armed

    async def tables(self, service: str) -> list[TableInfo]:
        return inspect.tables(self.data_dir / f"{service}.db")

    async def rows(
        self, service: str, table: str, offset: int, limit: int
    ) -> tuple[list[str], list[list[Any]], int]:
        page = inspect.rows(self.data_dir / f"{service}.db", table, offset, limit)
        return page.columns, page.rows, page.total

    async def openapi(self, service: str) -> dict[str, Any]:
        doc: dict[str, Any] = self.apps[service].openapi()
        return doc

    def actor(self, who: str) -> Actor:
        if who not in self._actors:
            self._actors[who] = Actor(self.wire, self.world, who)
        return self._actors[who]

    def identities(self, service: str) -> list[str]:
        return identities_for(service, self.world)

    async def stage(self, since: str = "") -> StageShown | None:
        if since == self.board.tag:
            return None
        return StageShown(self.board.version, self.board.view, self.board.tag)

    async def show_stage(self, view: StageView) -> None:
        self.board.put(view)

    async def sms(self, phone: str) -> list[Sms]:
        return texts_to(self.apps, phone)

    async def clock_state(self) -> dict[str, Any]:
        """The fake clock as the control API tells it: real until a test advances it, then
        virtual and frozen (a fake clock moves only when told)."""
        moved = self.clock_moved_by
        return {
            "now": iso(self.clock()),
            "frozen": bool(moved),
            "offset_seconds": moved,
            "real": not moved,
        }

    async def advance_clock(self, by: str) -> dict[str, Any]:
        seconds = parse_duration(by)  # ClockError, as the control API's 400 says it
        self.clock.advance(seconds)
        self.clock_moved_by += seconds
        return await self.clock_state()

    async def audit_basis(self) -> dict[str, Any]:
        """The digests and the audits on record, as the control API serves them."""
        path = self.data_dir / "audits.json"
        audits = json.loads(path.read_text())["audits"] if path.exists() else None
        return {"fingerprints": fingerprints(self.apps, self.world).to_dict(), "audits": audits}

    async def settle(self, rounds: int = 10) -> None:
        """Deliver every pending webhook (and the webhooks those cause), so nothing lands later."""
        await settle_apps(self.apps, rounds)

    async def aclose(self) -> None:
        await self.wire.aclose()
        self.close_apps()

    def close_apps(self) -> None:
        """Let go of the institutions' threads (the bank's PIN hasher), which would otherwise
        keep this test's whole UI alive for the rest of the run (`framework.app.close_app`)."""
        for app in self.apps.values():
            close_app(app)


BUILT: list[LocalBackend] = []
"""Every backend `make_app` built in the current test; tests/tui/conftest.py closes them."""


def make_app(
    data_dir: Path, *, live: bool = True, lang: str = "en", clock: FakeClock | None = None
) -> tuple[SandboxApp, LocalBackend]:
    """The real app over a LocalBackend; `live=False` for snapshots (no timers)."""
    backend = LocalBackend(data_dir, clock)
    BUILT.append(backend)
    app = SandboxApp(
        backend, lang=lang, animate=False, live=live, screenshot_dir=data_dir / "shots"
    )
    return app, backend


async def until(condition: Callable[[], bool], pilot: Pilot[Any], seconds: float = 30.0) -> None:
    """Wait until `condition` holds: at once when it does, as long as a loaded machine needs
    when it does not. A condition still false after `seconds` fails the test there: a wait that
    silently gave up cost half a minute and let the next assertion pass or fail by chance."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        if asyncio.get_running_loop().time() >= deadline:
            raise AssertionError(f"still not true after {seconds:g} s: {_source_of(condition)}")
        await pilot.pause(0.05)


def _source_of(condition: Callable[[], bool]) -> str:
    """The condition's own text, for the failure message."""
    try:
        return pyinspect.getsource(condition).strip()
    except (OSError, TypeError):
        return repr(condition)
