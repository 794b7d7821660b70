"""What every bank endpoint needs, built once by `create_app` and kept on `app.state.bank`."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request

from sandbox.framework.forcing import Forcing
from sandbox.services.bank.auth import Partner
from sandbox.services.bank.kyc_applications import KycApplications
from sandbox.services.bank.store import BankStore
from sandbox.services.bank.throttle import Throttle
from sandbox.wire.client import Wire
from sandbox.wire.outbox import Outbox


class PinHasher:
    """The bank's one PIN-hashing thread, started on the first hash and let go of on close."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None

    def pool(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="bank-pin")
        return self._pool

    def close(self) -> None:
        """Stop the thread and forget the executor: an executor keeps its threads after
        shutdown, and a thread keeps the `sys.stderr` it started under (inside a Textual app,
        that app's capture, and with it the whole app)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False)


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
    refresh_partners: Callable[[], None] = lambda: None
    """Let the runtime bring in partners registered meanwhile (before checking a credential)."""
    hasher: PinHasher = field(default_factory=lambda: PinHasher())
    """One thread for PIN hashes (about 40 ms each, on purpose): a crowd logging in at once
    queues there, and the institutions sharing the event loop keep a core to serve on."""
    forcing: Forcing = field(
        default_factory=lambda: Forcing(
            {
                "va-payment": "the next VA payment in the bank app is declined",
                "debit": "the next direct debit is refused (SNAP 4035405 Do Not Honor)",
                "transfer": "the next transfer in the bank app is declined",
            }
        )
    )
    """Sandbox-only failures a developer forces (`sandbox force`, framework/forcing.py)."""
    kyc_applications: KycApplications | None = None
    """Account applications waiting for the applicant's consent (`kyc.py`)."""
    name: str = "bank"
    """Its service name: the faults injected into it are looked up by it."""
    throttle: Throttle = field(default_factory=Throttle)
    """Each partner's allowance of SNAP calls per second (`throttle.py`; off unless a
    `rate_limit` is injected)."""
    code_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    """The key one-time codes are hashed under (`rules.code_hash`). Drawn when the bank starts
    and never stored: a code texted before a restart no longer matches (it would have expired
    within five minutes anyway), and a copy of the database cannot be searched for codes."""

    async def slowly(self, work: Callable[..., T], *args: Any) -> T:
        """`work(*args)` on the PIN-hashing thread (hashlib lets go of the GIL meanwhile)."""
        return await asyncio.get_running_loop().run_in_executor(self.hasher.pool(), work, *args)

    @property
    def clock(self) -> Callable[[], float]:
        """The one source of time (a fake clock in tests)."""
        return self.wire.clock

    @property
    def rate_limit(self) -> float:
        """SNAP calls per second each partner may make now (0: no limit)."""
        return self.wire.fault(self.name).rate_limit

    def partner_named(self, name: str) -> Partner:
        """A partner by its service name (the VA rows remember which partner owns them)."""
        partner = self.biller(name)
        if partner is None:
            raise LookupError(f"no partner {name!r}")
        return partner

    def biller(self, name: str) -> Partner | None:
        """The partner of that name, or None: one removed from the sandbox's configuration
        leaves its rows (VAs, bindings) behind, and the bank must still answer about them."""
        return next((p for p in self.partners.values() if p.name == name), None)

    def merchant_name(self, partner: Partner) -> str:
        """The name a customer knows a partner by: its settlement account's holder."""
        account = self.store.account(partner.account_no)
        return str(account["name"]) if account else partner.name.upper()

    def merchant_called(self, name: str) -> str:
        """The name a customer knows the partner `name` by, a removed one too."""
        partner = self.biller(name)
        return self.merchant_name(partner) if partner is not None else name.upper()


T = TypeVar("T")


async def get_bank(request: Request) -> BankContext:
    """FastAPI dependency: the bank this request arrived at."""
    bank: BankContext = request.app.state.bank
    return bank


Bank = Annotated[BankContext, Depends(get_bank)]
"""Endpoint parameter type: `bank: Bank` gives the endpoint its bank."""
