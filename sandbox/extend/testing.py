"""Test your service against the real built-in institutions, in one process, with no ports.

`Harness` reads a `sandbox.toml`, builds every service it runs (yours and the built-in ones)
with in-memory databases on one recording wire, and collects every call in `calls`, so a test
can check what your service sent and what came back exactly as the trace would show it.
Services given by `url` run elsewhere and are left out.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from sandbox.framework.app import close_app
from sandbox.framework.service import ServiceEnv
from sandbox.runtime.config_file import load_config
from sandbox.runtime.seeding import partner_ids, seed_for, with_partners
from sandbox.runtime.supervisor import build_app
from sandbox.scenarios import Story
from sandbox.trace.events import HttpCall
from sandbox.wire import Wire
from sandbox.world import load_world


class Harness:
    """Every service of a configuration, in-process; `async with Harness(path) as sandbox:`."""

    def __init__(self, config: Path | str | None = None, *, seed: int | None = None) -> None:
        self.config = load_config(Path(config) if config else None)
        world = load_world(seed) if seed is not None else load_world()
        self.world = with_partners(
            world, self.config.partners, {s.name: s.title for s in self.config.specs}
        )
        self.calls: list[HttpCall] = []
        """Every call made so far, in the order they were recorded."""
        self.wire = Wire(recorder=self.calls.append, partner_ids=partner_ids(self.world))
        self.apps: dict[str, Any] = {}
        for spec in self.config.specs:
            if spec.kind == "url":
                continue
            env = ServiceEnv(spec.name, self.wire, seed_for(spec.name, self.world))
            self.apps[spec.name] = build_app(spec, env)
            self.wire.mount(spec.name, self.apps[spec.name])

    def client(self, service: str, caller: str = "test") -> httpx.AsyncClient:
        """A recorded client reaching `service` as `caller` (no credentials)."""
        return self.wire.client(caller, service)

    async def settle(self, rounds: int = 5) -> None:
        """Deliver every pending webhook (the runtime's background loops do this when served)."""
        for _ in range(rounds):
            delivered = 0
            for app in self.apps.values():
                outbox = getattr(getattr(app, "state", None), "outbox", None)
                if outbox is not None:
                    delivered += await outbox.deliver_due()
            if not delivered:
                return

    async def story(self, name: str, **options: Any) -> Story:
        """Run one of the sandbox's stories (`checkout`, `open-account`, `admission`...) against
        these services, then deliver its webhooks: a courier's booking, a storefront's status.

        Raises StoryFailed (with what happened) when the story does not end as it should.
        """
        from sandbox.scenarios import SCENARIOS, TAKES_PHONE, AppsPhone

        if name not in SCENARIOS:
            raise LookupError(f"no story {name!r}; the stories are {', '.join(SCENARIOS)}")
        if name in TAKES_PHONE:
            # Her phone: what the institutions here texted her (the bank's code), read from
            # their own records, as the control API reads them for a running sandbox.
            options.setdefault("phone", AppsPhone(self.apps))
        told = await SCENARIOS[name](self.wire, self.world, lambda _: None, **options)
        await self.settle()
        return told

    async def __aenter__(self) -> Harness:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.wire.aclose()
        for app in self.apps.values():
            close_app(app)
