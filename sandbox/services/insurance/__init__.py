"""The national health insurer ("Jaminan Kesehatan Sandbox"), imitating BPJS Kesehatan VClaim.

Health facilities (the hospital's front desk) check whether a patient is an active member
(eligibility by NIK or card number) and issue an SEP, the per-visit eligibility letter that says
the insurer covers the visit. Eligibility answers membership only, never medical history.

Modules: `routes` (endpoints), `schemas` (bodies in VClaim's field names), `rules` (formats,
membership status, SEP numbers, freshness), `auth` (the four VClaim headers), `errors`
(the metaData envelope, for answers and errors alike) and `store` (the only SQL).
"""

from __future__ import annotations

from fastapi import FastAPI

from sandbox.dialects.consent_check import ConsentChecker
from sandbox.dialects.vclaim import VCLAIM_ERROR
from sandbox.framework.app import new_app
from sandbox.framework.service import ServiceEnv
from sandbox.services.insurance import errors, routes
from sandbox.services.insurance.store import InsuranceStore

DESCRIPTION = """\
**SANDBOX** national health insurer imitating BPJS Kesehatan VClaim. All data is synthetic
(card numbers start with 9999).

Every request carries `X-cons-id`, `X-timestamp` (Unix seconds), `user_key` and `X-signature` =
base64(HMAC-SHA256(secret, cons_id + "&" + timestamp)). Every answer is
`{"metaData": {"code": "200", "message": "OK"}, "response": {...}}`: read `metaData.code`,
because "not a member" is HTTP 200 with code "201".
"""


def create_app(env: ServiceEnv) -> FastAPI:
    """Build the insurer. Opens no sockets; its database is `env.db_path` (memory if None)."""
    app = new_app(
        env, "Jaminan Kesehatan", DESCRIPTION, render=errors.render, error_schema=VCLAIM_ERROR
    )
    app.state.store = InsuranceStore.open(env.db_path, env.seed)
    # A facility onboarded while the insurer runs is known at once.
    app.state.partners = env.book
    env.book.on_change(app.state.store.sync_partners)
    app.state.clock = env.wire.clock
    # Consents the desk quotes are checked at the registry (dialects/consent_check.py).
    app.state.consents = ConsentChecker(
        env.wire, env.name, env.seed.get("holds", {}).get("identity"), env.wire.clock
    )
    app.include_router(routes.router)
    return app
