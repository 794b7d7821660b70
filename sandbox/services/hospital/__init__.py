"""The hospital front desk ("RSUD Sukamaju"): one screen in front of four institutions.

A desk clerk admits a patient in one action. Behind it the desk verifies the person at the civil
registry (match flags only), finds or creates the patient at the health-records platform and
opens an encounter, checks insurance eligibility and issues an SEP, and asks the bank for a
virtual account for whatever the patient must pay - like the checkout reaches its back ends.

What the desk keeps: references only. Its database holds the admission id, the last 4 digits of
the NIK, the IHS number, the encounter id, the SEP number, the VA number, the amount and the
statuses. It never keeps copies of the back ends' records: no name, address, complaint or
diagnosis. Each of those lives at the institution that owns it, and the desk asks again when it
needs them. A copy would be one more place for health data (specific personal data under UU PDP
27/2022) to leak from, and one more place to keep correct.

Modules: `routes` (endpoints), `schemas` (bodies), `admissions` (the flow, step by step),
`clients` (our clients for identity, records, insurance and bank), `notifications` (the bank's
payment notifications), `rules` (plain domain rules), `errors` (the error dialect) and `store`
(the only SQL).
"""

from __future__ import annotations

from fastapi import FastAPI

from sandbox.dialects.snap import SNAP_ERROR
from sandbox.framework.app import new_app
from sandbox.framework.service import ServiceEnv
from sandbox.services.hospital import errors, routes
from sandbox.services.hospital.admissions import Desk
from sandbox.services.hospital.clients import Billing, Insurer, Records, Registry
from sandbox.services.hospital.notifications import BankNotifications
from sandbox.services.hospital.store import HospitalStore

DESCRIPTION = """\
**SANDBOX** hospital front desk. All data is synthetic.

Desk staff send `Authorization: Bearer <desk token>`. `POST /api/v1/admissions` asks the civil
registry to put a consent request before the patient (202, AWAITING_CONSENT); once she approves
it in her IKD app, the registry's webhook lets the desk verify her at the registry, open the
visit at the health-records platform, check the insurer and ask the bank for a virtual account
when the patient must pay - every call quoting her consent. The desk stores
references only (ids, numbers, statuses), never copies of the back ends' records.
"""


def create_app(env: ServiceEnv) -> FastAPI:
    """Build the front desk. Opens no sockets; its database is `env.db_path` (memory if None)."""
    app = new_app(
        env, "Hospital Front Desk", DESCRIPTION, render=errors.render, error_schema=SNAP_ERROR
    )
    store = HospitalStore.open(env.db_path, env.seed)
    holds, clock = env.seed.get("holds", {}), env.wire.clock
    app.state.store = store
    app.state.desk = Desk(
        store=store,
        clock=clock,
        registry=Registry(env.wire, holds["identity"], clock),
        records=Records(env.wire, holds["records"], clock),
        insurer=Insurer(env.wire, holds["insurance"], clock),
        billing=Billing(env.wire, holds["bank"], clock),
        hospital=env.seed["data"]["hospitals"][0],
    )
    app.state.bank_notifications = BankNotifications(holds.get("bank"), store, clock)
    app.state.registry_creds = holds["identity"]  # the registry signs consent webhooks with it
    app.include_router(routes.router)
    return app
