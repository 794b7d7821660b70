"""The civil registry ("Registri Penduduk"), imitating Dukcapil's data-access verification.

Partner agencies with an agreement (the marketplace for SELLER_KYC, the bank for
ACCOUNT_OPENING) record a person's consent and then *verify* what they already hold: the
registry answers SESUAI / TIDAK SESUAI per field and a name score, never the stored values.

Modules: `routes` (endpoints), `schemas` (bodies in Dukcapil's field names), `rules` (NIK
layout, name matching, agreement and consent rules), `partners` (signature and agreement checks),
`errors` (the error dialect) and `store` (the only SQL).
"""

from __future__ import annotations

from fastapi import FastAPI

from sandbox.services.identity import errors, routes
from sandbox.services.identity.store import IdentityStore
from sandbox.wire.app import new_app
from sandbox.wire.forcing import Forcing
from sandbox.wire.service import ServiceEnv
from sandbox.wire.signing.common import ReplayGuard

DESCRIPTION = """\
**SANDBOX** civil registry imitating Dukcapil data-access verification. All data is synthetic
(province code 99 does not exist).

Partners sign every request with `X-Client-Id`, `X-Timestamp`, `X-Nonce` and `X-Signature`
(hex HMAC-SHA256 of `METHOD:path:sha256(minified body):X-Timestamp:X-Nonce` with the client
secret). Record consent with `POST /v1/consents`, then `POST /v1/verify`: the answer is
SESUAI / TIDAK SESUAI per field sent, never the register's own data.
"""


def create_app(env: ServiceEnv) -> FastAPI:
    """Build the registry. Opens no sockets; its database is `env.db_path` (memory if None)."""
    app = new_app(env, "Registri Penduduk", DESCRIPTION, render=errors.render)
    app.state.store = IdentityStore.open(env.db_path, env.seed)
    # A partner onboarded while the registry runs gets its agreement at once.
    app.state.partners = env.book
    env.book.on_change(app.state.store.sync_agreements)
    app.state.clock = env.wire.clock
    app.state.forcing = Forcing(
        {"kyc": "the next verification answers TIDAK SESUAI for every field it was sent"}
    )
    # Nonces seen within the 5-minute freshness window, so a captured request cannot be replayed,
    # kept in the registry's own database so a restart does not forget them.
    app.state.replay_guard = ReplayGuard(app.state.store.db)
    app.state.admin_key = env.seed.get("admin_key")
    app.include_router(routes.router)
    return app
