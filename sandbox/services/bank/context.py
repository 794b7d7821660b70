"""What every bank endpoint needs, built once by `create_app` and kept on `app.state.bank`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from sandbox.services.bank.partners import Partner
from sandbox.services.bank.store import BankStore
from sandbox.wire.client import Wire
from sandbox.wire.outbox import Outbox


@dataclass(frozen=True, slots=True)
class BankContext:
    """The bank's store, outbox, partners and clock."""

    store: BankStore
    outbox: Outbox
    wire: Wire
    partners: dict[str, Partner]
    """SNAP partners by client key."""
    registry_credentials: dict[str, Any] | None
    """The bank's own credentials at the civil registry (for KYC), if it holds any."""

    @property
    def clock(self) -> Callable[[], float]:
        """The one source of time (a fake clock in tests)."""
        return self.wire.clock

    def partner_named(self, name: str) -> Partner:
        """A partner by its service name (the VA rows remember which partner owns them)."""
        return next(p for p in self.partners.values() if p.name == name)


async def get_bank(request: Request) -> BankContext:
    """FastAPI dependency: the bank this request arrived at."""
    bank: BankContext = request.app.state.bank
    return bank


Bank = Annotated[BankContext, Depends(get_bank)]
"""Endpoint parameter type: `bank: Bank` gives the endpoint its bank."""
