"""Bank Contoh: a fake bank imitating SNAP BI's virtual accounts, account binding and direct
debit, and a mobile banking app.

Billers (the marketplace) create closed virtual accounts over SNAP; customers pay them from the
bank's app; the bank then notifies the biller through a signed, retried webhook (the outbox).
A merchant may also bind a customer's account with a code the bank texts her (`binding.py`,
`verification.py`) and debit it from its own checkout (`debit.py`). New customers open
accounts after a KYC check at the civil registry.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError

from sandbox.dialects.snap import SNAP_ERROR
from sandbox.framework.app import close_app, new_app, on_close
from sandbox.framework.service import ServiceEnv
from sandbox.framework.storage import open_database
from sandbox.services.bank import (
    binding,
    debit,
    errors,
    mobile,
    notifications,
    refunds,
    reversals,
    routes,
    rules,
    verification,
)
from sandbox.services.bank.auth import partners_from_seed
from sandbox.services.bank.context import BankContext
from sandbox.services.bank.kyc_applications import KycApplications
from sandbox.services.bank.store import BankStore
from sandbox.wire.outbox import Outbox

DESCRIPTION = """A fake bank (SANDBOX: every account and person is synthetic).

* **SNAP (billers)**: get a B2B token, then create, query and delete closed virtual accounts.
  Every answer carries `responseCode` = HTTP status + service code + case.
* **SNAP account binding and direct debit (merchants)**: bind a customer's account with a
  one-time code the bank texts her, then debit it with her token in `Authorization-Customer`.
* **Mobile app (customers)**: log in with account number and PIN, pay a virtual account,
  transfer, or open an account (verified at the civil registry).
"""


def create_app(env: ServiceEnv) -> FastAPI:
    """Build the bank's API. Opens no sockets; its database is `env.db_path` (memory if None)."""
    db = open_database(env.db_path)
    store = BankStore(db, env.seed)
    # The outbox shares the store's database, so a payment and its notification commit together.
    outbox = Outbox(db, env.wire, sender=env.name)
    names = {a["account_no"]: a["name"] for a in env.seed["data"].get("accounts", [])}

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Under uvicorn, retry undelivered notifications for as long as the bank runs.
        try:
            async with outbox.running():
                yield
        finally:
            close_app(app)

    app = new_app(
        env, "Bank", DESCRIPTION, render=errors.render, lifespan=lifespan, error_schema=SNAP_ERROR
    )
    # SNAP wants validation errors as 400xx01/400xx02 with the service code of the endpoint.
    app.add_exception_handler(RequestValidationError, errors.validation_failed)
    app.state.store = store
    app.state.outbox = outbox
    app.state.bank = bank = BankContext(
        store=store,
        outbox=outbox,
        wire=env.wire,
        partners={},
        registry_credentials=env.seed.get("holds", {}).get("identity"),
        refresh_partners=env.book.refresh,
        name=env.name,
        kyc_applications=KycApplications(store.db),
    )
    on_close(app, bank.hasher.close)
    app.state.forcing = bank.forcing

    def take_partners(accepts: Mapping[str, Mapping[str, Any]]) -> None:
        """Our billers from now on: their notifications signed with their own secrets, a
        payment they refuse for good reversed (reversals.py), and a settlement account each."""
        fresh = partners_from_seed(accepts)
        bank.partners.clear()
        bank.partners.update(fresh)
        for partner in fresh.values():
            outbox.signer(notifications.kind(partner), notifications.signer(partner))
            outbox.signer(notifications.debit_kind(partner), notifications.signer(partner))
            outbox.on_refusal(notifications.kind(partner), reversals.refusal(bank, partner))
            # A biller onboarded after the bank was first seeded still needs its account.
            store.add_merchant_account(
                partner.account_no, names.get(partner.account_no, partner.name.upper())
            )

    take_partners(env.book.accepts)
    env.book.on_change(take_partners)  # a biller registered while the bank runs is let in
    app.include_router(routes.router)
    app.include_router(binding.router)
    app.include_router(verification.router)
    app.include_router(debit.router)
    app.include_router(refunds.router)
    app.include_router(mobile.router)
    # A person's phone is outside the integration: the sandbox reads what the bank texted
    # her through this accessor (control API `GET /sms`), never through a recorded call.
    app.state.sms_to = lambda phone: store.sms_to(rules.phone_key(phone) or "")
    return app
