"""Shared fixtures: a fake clock, the seeded world, and every institution wired in-process."""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.framework.app import close_app
from sandbox.framework.service import ServiceEnv
from sandbox.runtime.registry import BUILTIN
from sandbox.runtime.seeding import partner_ids, seed_for
from sandbox.scenarios.identities import partner_auth
from sandbox.scenarios.phone import AppsPhone
from sandbox.trace.events import HttpCall
from sandbox.wire import Wire
from sandbox.world import load_world

DEFAULT_RUN = "not slow and not reliability"
"""What a bare `python -m pytest` runs (the README's command): everything in-process. CI then
runs the rest with `python -m pytest -m "slow or reliability"`; the two expressions are each
other's complement, so every test runs in one of the two."""

RELIABILITY = Path(__file__).parent / "reliability"

WORLD_START = 1_709_280_000.0
"""2024-03-01 08:00 UTC: tests run in the world's own time, never the machine's."""

# The tests expect English where no language is chosen, whatever this machine's locale says
# (a developer in Indonesia has LANG=id_ID.UTF-8); tests of the choice set it themselves.
os.environ["SANDBOX_LANG"] = "en"


def pytest_configure(config: pytest.Config) -> None:
    """A bare run (no `-m`, no paths) leaves out the suites that start servers and processes,
    drive tmux or a browser, or fuzz; naming a file or a marker expression runs what it names.
    xdist's workers get the same arguments, so they choose the same tests."""
    if not config.option.markexpr and config.args_source is pytest.Config.ArgsSource.TESTPATHS:
        config.option.markexpr = DEFAULT_RUN


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """A bare run does not even import tests/reliability (every test there is marked
    `reliability`, `tests/test_selection.py` checks it): importing it brings schemathesis and
    hypothesis, whose modules pytest rewrites on every run, into each worker."""
    if config.option.markexpr == DEFAULT_RUN and collection_path == RELIABILITY:
        return True
    return None


def pytest_collection_finish(session: pytest.Session) -> None:
    """Collect less often, and never again through what every test shares.

    Each UI test builds a Textual app and seven institutions, which live on in bounded caches
    (FastAPI's, Textual's) for a while; with Python's default thresholds the collector went
    through the whole heap 48 times in tests/tui/test_faces.py and took 14 of its 40 s of CPU.
    What import and collection built is frozen out of the collector's way, and collections come
    ten times less often: 6 s of collection there, the same tests.

    Only in the default run: the slow suites wait on processes, not on the collector, and there
    a pipe or a socket a test leaves in a cycle must be found (and its ResourceWarning blamed)
    in that test, not minutes later in another one."""
    if session.config.option.markexpr != DEFAULT_RUN:
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(5000, 50, 50)


def pytest_report_header(config: pytest.Config) -> str:
    """Say which tests this run selects, and how to run the others."""
    if config.option.markexpr == DEFAULT_RUN:
        return f'tests: {DEFAULT_RUN} (the rest: python -m pytest -m "slow or reliability")'
    return f"tests: {config.option.markexpr or 'all'}"


class FakeClock:
    """A clock that only moves when a test says so."""

    def __init__(self, now: float = WORLD_START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds


class Services:
    """Every institution as an in-process app, with memory databases and one recorder."""

    def __init__(
        self, world: dict[str, Any], clock: FakeClock, variants: frozenset[str] = frozenset()
    ) -> None:
        self.world = world
        self.clock = clock
        self.calls: list[HttpCall] = []
        self.wire = Wire(recorder=self.calls.append, clock=clock, partner_ids=partner_ids(world))
        self.apps: dict[str, Any] = {}
        for spec in BUILTIN:
            env = ServiceEnv(spec.name, self.wire, seed_for(spec.name, world), variants=variants)
            self.apps[spec.name] = spec.load_factory()(env)
            self.wire.mount(spec.name, self.apps[spec.name])
        self.phone = AppsPhone(self.apps)
        """People's phones: what the institutions texted them, read from their records."""

    def client(self, service: str, caller: str = "student") -> httpx.AsyncClient:
        """A recorded client calling `service` as `caller` (a persona or partner name)."""
        return self.wire.client(caller, service)

    def auth(self, callee: str, caller: str) -> httpx.Auth:
        """The partner credentials `caller` holds at `callee`, as an httpx Auth."""
        return partner_auth(callee, caller, self.world, self.wire)

    async def settle(self, rounds: int = 10) -> None:
        """Deliver every pending webhook (and the webhooks those cause)."""
        await settle_apps(self.apps, rounds)

    async def aclose(self) -> None:
        await self.wire.aclose()
        for app in self.apps.values():
            close_app(app)


@pytest.fixture(scope="session")
def world() -> dict[str, Any]:
    return load_world()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def services(world: dict[str, Any], clock: FakeClock) -> AsyncIterator[Services]:
    built = Services(world, clock)
    yield built
    await built.aclose()


async def settle_apps(apps: dict[str, Any], rounds: int = 10) -> None:
    """Deliver every pending webhook of these apps' outboxes (and the webhooks those cause)."""
    for _ in range(rounds):
        delivered = 0
        for app in apps.values():
            outbox = getattr(app.state, "outbox", None)
            if outbox is not None:
                delivered += await outbox.deliver_due()
        if not delivered:
            return
