"""The civil registry ("Registri Penduduk"), imitating Dukcapil's data-access verification.

Partner agencies with an agreement (the marketplace for SELLER_KYC, the bank for
ACCOUNT_OPENING, the hospital for PATIENT_ADMISSION) ask the *person* for consent: she approves
or declines in her IKD app (Dukcapil's digital ID app), and only then may the partner *verify*
what it already holds: the registry answers SESUAI / TIDAK SESUAI per field and a name score,
never the stored values. Institutions a consent is quoted to (health records, insurance) ask
the registry whether it still holds (introspection).

Modules: `routes` (verification and admin endpoints), `consent_requests` (a partner asks, and
checks), `ikd` (the person's app), `consent_webhooks` (telling the partner her answer),
`people` (her PIN and sessions), `schemas` and `consent_schemas` (bodies in Dukcapil's field
names), `rules` (NIK layout, name matching, agreement and consent rules), `auth`
(signature and agreement checks), `errors` (the error dialect), `store` and `consent_store`
(the only SQL).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

from fastapi import FastAPI

from sandbox.dialects.common import ReplayGuard
from sandbox.framework.app import new_app
from sandbox.framework.forcing import Forcing
from sandbox.framework.service import ServiceEnv
from sandbox.services.identity import consent_requests, consent_webhooks, errors, ikd, routes
from sandbox.services.identity.store import IdentityStore
from sandbox.wire.outbox import Outbox

DESCRIPTION = """\
**SANDBOX** civil registry imitating Dukcapil data-access verification. All data is synthetic
(province code 99 does not exist).

Partners sign every request with `X-Client-Id`, `X-Timestamp`, `X-Nonce` and `X-Signature`
(hex HMAC-SHA256 of `METHOD:path:sha256(minified body):X-Timestamp:X-Nonce` with the client
secret). Consent is the person's: ask for it with `POST /v1/consent-requests`; she approves or
declines in her IKD app (`/ikd/v1/...`, her NIK and PIN); you learn the outcome by a signed
webhook or `GET /v1/consent-requests/{id}`. Then `POST /v1/verify` with the `consent_id`: the
answer is SESUAI / TIDAK SESUAI per field sent, never the register's own data.
"""


def create_app(env: ServiceEnv) -> FastAPI:
    """Build the registry. Opens no sockets; its database is `env.db_path` (memory if None)."""
    store = IdentityStore.open(env.db_path, env.seed)
    # The outbox shares the register's database: an answer and its webhook commit together.
    outbox = Outbox(store.db, env.wire, sender=env.name)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Under uvicorn, retry undelivered consent webhooks for as long as the registry runs.
        async with outbox.running():
            yield

    app = new_app(env, "Registri Penduduk", DESCRIPTION, render=errors.render, lifespan=lifespan)
    app.state.store = store
    app.state.outbox = outbox
    # A partner onboarded while the registry runs gets its agreement at once.
    app.state.partners = env.book
    app.state.consent_webhooks = {}

    def take_partners(accepts: Mapping[str, Mapping[str, Any]]) -> None:
        store.sync_agreements(accepts)
        consent_webhooks.register(outbox, store.agreements())
        app.state.consent_webhooks = {
            name: str(creds["consent_webhook_path"])
            for name, creds in accepts.items()
            if creds.get("consent_webhook_path")
        }

    take_partners(env.book.accepts)
    env.book.on_change(take_partners)
    app.state.clock = env.wire.clock
    app.state.forcing = Forcing(
        {"kyc": "the next verification answers TIDAK SESUAI for every field it was sent"}
    )
    # Nonces seen within the 5-minute freshness window, so a captured request cannot be replayed,
    # kept in the registry's own database so a restart does not forget them.
    app.state.replay_guard = ReplayGuard(store.db)
    app.state.admin_key = env.seed.get("admin_key")
    # What her IKD app was told: read by the control API (`GET /ikd-notifications`) and
    # stories, never through a recorded call, as the bank's texts are.
    app.state.ikd_notices_to = store.people.notifications
    # Before `routes`, whose catch-all answers every other /v1 path.
    app.include_router(consent_requests.router)
    app.include_router(ikd.router)
    app.include_router(routes.router)
    return app
