"""Pasarloka, the marketplace: the transaction platform behind a social storefront.

It owns sellers (verified at the civil registry), products and stock, buyers, orders, the
checkout page, payment state (virtual accounts at the bank) and shipments (carried by courier
partners). The social app only shows
products and hands over the buyer's intent through the signed partner API; every order, price
and payment lives here (Permendag 31/2023: social media may not process payments).

Modules: `routes` (endpoints), `orders` (the order lifecycle), `debits` and `debit_routes`
(paying with Bank Contoh inside the checkout: binding, direct debit, refunds), `shipping`
(couriers and tracking), `app_orders` and `app_routes` (our own buyer app), `sellers` (seller KYC),
`partners` (who may call us and how we check it), `bank` and `registry` (our clients for the
bank and the civil registry), `rules` (domain rules), `schemas`, `errors`, `store` (SQL).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI

from sandbox.dialects.open_platform import webhook_signature
from sandbox.dialects.snap import SNAP_ERROR
from sandbox.framework.app import new_app
from sandbox.framework.service import ServiceEnv
from sandbox.services.marketplace import app_routes, debit_routes, routes
from sandbox.services.marketplace.app_orders import AppOrders
from sandbox.services.marketplace.auth import (
    BankNotifications,
    Partner,
    PartnerGate,
    webhook_kind,
)
from sandbox.services.marketplace.clients.bank import BankClient
from sandbox.services.marketplace.clients.identity import RegistryClient
from sandbox.services.marketplace.debits import DirectDebits
from sandbox.services.marketplace.errors import render
from sandbox.services.marketplace.expiry import ExpirySweep
from sandbox.services.marketplace.orders import Orders
from sandbox.services.marketplace.seller_applications import SellerApplications
from sandbox.services.marketplace.shipping import Shipping
from sandbox.services.marketplace.store import MarketplaceStore
from sandbox.wire.clock import watch
from sandbox.wire.outbox import Outbox, Signer

log = logging.getLogger(__name__)
SWEEP_INTERVAL = 1.0
"""Seconds between two looks for unpaid orders whose virtual account has expired."""

DESCRIPTION = """\
**SANDBOX** marketplace (imitates Tokopedia as the platform behind "Shop | Tokopedia").

* Partner apps get a token at `POST /oauth/token` and sign every request (`app_key`,
  `timestamp`, `nonce`, `sign`, header `x-tts-access-token`).
* Orders get a closed virtual account at the bank; the bank notifies payments at
  `POST /v1.0/transfer-va/payment`; storefronts hear every status change by signed webhook.
* Or the buyer pays with Bank Contoh inside the checkout (`/checkout/{token}/direct-debit`):
  we bind her account once (a code the bank texts her) and debit it; the bank notifies the
  debit at `POST /v1.0/debit/notify`.
* Partners are channels (storefronts) or couriers: a paid order is offered to the courier by
  signed webhook, and the courier reports tracking events.
* Buyers without an integrated storefront order in our own app at `/app/v1/orders`.
"""


def create_app(env: ServiceEnv) -> FastAPI:
    """Build the marketplace API. Opens no sockets and reads no global state."""
    store = MarketplaceStore.open(env.db_path, env.seed)
    clock = env.wire.clock
    partners = PartnerGate(env.book, store, clock)
    outbox = Outbox(store.db, env.wire, sender=env.name)

    def sign_webhooks(_: object = None) -> None:
        # Each partner's webhooks are signed with its own secret, new partners' too.
        for partner in partners.by_key.values():
            outbox.signer(webhook_kind(partner), _webhook_signer(partner))

    sign_webhooks()
    env.book.on_change(sign_webhooks)
    holds = env.seed.get("holds", {})
    orders = Orders(
        store,
        outbox,
        BankClient(env.wire, holds.get("bank"), clock),
        partners,
        clock,
        own_url=lambda: _own_url(env),
        shipping=Shipping(store, outbox, partners, clock),
    )
    sweep = ExpirySweep(orders, store)
    watch(clock, sweep)  # a jump of the runtime's clock expires orders at their deadlines

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Under uvicorn: deliver webhooks and expire unpaid orders in the background.
        # In-process tests drive both by hand (services.settle(), orders.expire_due()).
        # A loop that crashed is raised when they stop, as the bank's and the registry's are.
        async with outbox.running():
            sweeping = asyncio.create_task(_sweep_forever(sweep))
            try:
                yield
            finally:
                sweeping.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sweeping

    app = new_app(
        env,
        "Marketplace (Pasarloka)",
        DESCRIPTION,
        render=render,
        lifespan=lifespan,
        error_schema=SNAP_ERROR,
    )
    app.state.store = store
    app.state.variants = env.variants  # deliberate non-compliance for teaching; empty by default
    app.state.outbox = outbox
    app.state.partners = partners
    app.state.orders = orders
    app.state.sweep = sweep
    app.state.app_orders = AppOrders(orders)
    app.state.debits = orders.debits = DirectDebits(orders)
    app.state.bank_notifications = BankNotifications(holds.get("bank"), clock)
    app.state.registry = RegistryClient(env.wire, holds.get("identity"), clock)
    app.state.seller_applications = SellerApplications(store.db)
    app.state.clock = clock
    app.include_router(routes.router)
    app.include_router(debit_routes.router)
    app.include_router(app_routes.router)
    return app


def _webhook_signer(partner: Partner) -> Signer:
    """Sign at send time: header Authorization = hex HMAC-SHA256(app_secret, app_key + body)."""

    def sign(path: str, body: bytes, now: float) -> dict[str, str]:
        return {"Authorization": webhook_signature(partner.app_secret, partner.app_key, body)}

    return sign


def _own_url(env: ServiceEnv) -> str:
    """Our base URL for links we hand out (the checkout page); relative if unknown."""
    try:
        return env.wire.url(env.name)
    except LookupError:
        return ""


async def _sweep_forever(sweep: ExpirySweep) -> None:
    while True:
        try:
            await sweep.fire()
        except Exception:
            log.exception("expiry sweep failed")
        await asyncio.sleep(SWEEP_INTERVAL)
