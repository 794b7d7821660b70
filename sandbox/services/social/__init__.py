"""Klip, the social short-video app: a storefront (etalase) and nothing more.

It imitates TikTok after Permendag 31/2023 and the "Shop | Tokopedia" relaunch: videos show
products, and a buy button hands the buyer's intent to the marketplace, which owns the order,
the checkout, the virtual account and the payment. So this service:

- holds NO payment logic and never calls the bank (audit rule SOC-PAY);
- never stores or receives a NIK, address, bank account or VA number; the buyer is named to
  the marketplace by an opaque link token (SOC-DATA);
- creates orders only at the marketplace and keeps just order id + last status for its
  "my orders" view, kept fresh by the marketplace's signed webhooks (SOC-ORDER).

Modules: `routes` (endpoints), `schemas` (JSON models), `rules` (feed cursors, tagging,
refusals, webhook ordering), `partner` (signed calls to the marketplace), `store` (SQL),
`errors` (the error shape).
"""

from __future__ import annotations

from fastapi import FastAPI

from sandbox.framework.app import new_app
from sandbox.framework.service import ServiceEnv
from sandbox.services.social import errors, routes
from sandbox.services.social.clients import MarketplacePartner
from sandbox.services.social.store import SocialStore

DESCRIPTION = """\
**Klip** is a short-video app that is only a shop window (*etalase*). People watch videos,
see product cards served live by the marketplace, and press *buy*: the order, checkout and
payment happen at the marketplace. Klip keeps only each order's id and last status.

People authenticate with `Authorization: Bearer <session_token>` (seeded per user, see
`fixtures/world/social.json`). The marketplace calls `POST /webhooks/marketplace` with signed
order-status changes.
"""


def create_app(env: ServiceEnv) -> FastAPI:
    """Build Klip's API. Opens no sockets and reads no global state."""
    app = new_app(env, "Klip (social storefront)", DESCRIPTION, render=errors.render)
    app.state.store = SocialStore.open(env.db_path, env.seed)
    app.state.marketplace = MarketplacePartner(env)
    app.state.clock = env.wire.clock
    app.state.wire = env.wire
    app.state.variants = env.variants  # deliberate non-compliance for teaching; empty by default
    # No outbox and no lifespan: Klip sends no webhooks and runs no periodic work.
    app.include_router(routes.router)
    return app
