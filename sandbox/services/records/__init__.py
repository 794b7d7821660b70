"""The health-records platform ("Rekam Medis"), imitating Kemenkes SATUSEHAT (FHIR R4).

Health facilities (the hospital front desk) trade their client credentials for a bearer token,
then find or register patients by NIK, open encounters (visits) in their own name and record
diagnoses (Conditions with one ICD-10 code). A facility sees only its own visits.

Modules: `routes` (endpoints), `schemas` (FHIR bodies), `resources` (rows -> FHIR resources),
`rules` (identifiers, status history, ICD-10), `auth` (tokens), `errors` (OperationOutcome)
and `store` (the only SQL).
"""

from __future__ import annotations

from fastapi import FastAPI

from sandbox.dialects.consent_check import ConsentChecker
from sandbox.dialects.fhir import FHIR_ERROR
from sandbox.framework.app import new_app
from sandbox.framework.service import ServiceEnv
from sandbox.services.records import errors, routes
from sandbox.services.records.store import RecordsStore

DESCRIPTION = """\
**SANDBOX** health-records platform imitating SATUSEHAT (FHIR R4). All data is synthetic.

Get a token with `POST /oauth2/v1/accesstoken?grant_type=client_credentials` (form fields
`client_id`, `client_secret`), then send `Authorization: Bearer <token>` to the FHIR base
`/fhir-r4/v1`. Errors are FHIR `OperationOutcome` resources with `code` and `message` added.
"""


def create_app(env: ServiceEnv) -> FastAPI:
    """Build the platform. Opens no sockets; its database is `env.db_path` (memory if None)."""
    app = new_app(env, "Rekam Medis", DESCRIPTION, render=errors.render, error_schema=FHIR_ERROR)
    app.state.store = RecordsStore.open(env.db_path, env.seed)
    # A facility onboarded while the platform runs gets its client at once.
    app.state.partners = env.book
    env.book.on_change(app.state.store.sync_clients)
    app.state.clock = env.wire.clock
    # Consents the desk quotes are checked at the registry (dialects/consent_check.py).
    app.state.consents = ConsentChecker(
        env.wire, env.name, env.seed.get("holds", {}).get("identity"), env.wire.clock
    )
    app.include_router(routes.router)
    return app
