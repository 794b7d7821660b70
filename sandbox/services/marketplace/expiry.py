"""The expiry sweep: unpaid orders are cancelled when their virtual account's deadline passes.

A real platform runs such a job on a schedule; ours looks every second (from the service's
lifespan). It is also a `Timer` of the runtime's clock: when a presenter jumps
the clock forward 25 hours, the clock stops at each order's deadline and fires the sweep there,
so the bank is asked to close the VA and the storefront hears "CANCELLED" at the virtual
instant the order really expired - the same calls, the same webhook, only sooner.

One sweep at a time (a lock): the loop and a jump of the clock would otherwise both ask the
bank to close the same VA.
"""

from __future__ import annotations

import asyncio
import logging

from sandbox.services.marketplace import rules
from sandbox.services.marketplace.orders import Orders
from sandbox.services.marketplace.store import MarketplaceStore

log = logging.getLogger(__name__)


class ExpirySweep:
    """Cancels due orders: every second, and at each deadline a jump of the clock passes."""

    def __init__(self, orders: Orders, store: MarketplaceStore) -> None:
        self.orders = orders
        self.store = store
        self._lock = asyncio.Lock()

    def next_due(self, after: float) -> float | None:
        """The first payment deadline (or the moment an order without a VA counts as
        stranded) after `after`."""
        return self.store.next_deadline(
            after, (rules.WAITING_PAYMENT,), rules.CREATED, rules.STRANDED_SECONDS
        )

    async def fire(self) -> list[str]:
        """Cancel what is due now; returns the ids of the orders cancelled."""
        async with self._lock:
            return await self.orders.expire_due()
