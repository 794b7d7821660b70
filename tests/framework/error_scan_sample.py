"""Code for tests/framework/test_error_scan.py to read: namesakes on different classes, a real
error behind a typed attribute, one behind `app.state`, and a call nothing says the type of.

Like the institutions: a store method and a route helper share the name `claim`, and a read
helper shares `settle` with an order's method that refuses to settle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request

from sandbox.framework.errors import ApiError


class Ledger:
    """Claims each external id once (the bank's store)."""

    def claim(self, external_id: str) -> None:
        if external_id == "used":
            raise ApiError(409, "duplicate_external_id", "That X-EXTERNAL-ID was used today.")


class Applications:
    """Claims an application for the one reader that runs its check: refuses nothing."""

    def claim(self, application_id: str) -> bool:
        return application_id.startswith("KYC-")


class Orders:
    """An order that cannot be settled any more says so."""

    def settle(self, order_id: str) -> None:
        if order_id.endswith("-cancelled"):
            raise ApiError(404, "order_not_payable", f"Order {order_id} is not payable.")


class SellerForms:
    """A seller's registration form: settling it means reading what the registry said."""

    def settle(self, application_id: str) -> dict[str, Any]:
        return {"application_id": application_id, "status": "OPENED"}


@dataclass(frozen=True, slots=True)
class Context:
    """What every endpoint needs (the bank's `BankContext`)."""

    ledger: Ledger
    applications: Applications
    forms: SellerForms


def get_context(request: Request) -> Context:
    context: Context = request.app.state.context
    return context


Ctx = Annotated[Context, Depends(get_context)]


def make_app() -> FastAPI:
    app = FastAPI()
    app.state.context = Context(Ledger(), Applications(), SellerForms())
    app.state.ledger = Ledger()
    return app


async def registration(application_id: str, ctx: Ctx) -> dict[str, Any]:
    """Reads an application: its `claim` is the applications', not the ledger's."""
    if ctx.applications.claim(application_id):
        return {"status": "VERIFYING"}
    return ctx.forms.settle(application_id)


async def transfer(external_id: str, ctx: Ctx) -> dict[str, str]:
    """Claims its external id: the ledger's 409 is real, reached through a typed field."""
    ctx.ledger.claim(external_id)
    return {"responseCode": "2000000"}


async def transfer_through_state(external_id: str, request: Request) -> None:
    """The same through `app.state`, typed by what `make_app` puts there."""
    request.app.state.ledger.claim(external_id)


async def cancel(order_id: str, orders: Orders) -> None:
    """Settles an order: Orders' 404 is real."""
    orders.settle(order_id)


class Batch:
    """Several ledgers, claimed in a loop: each element's type comes from the annotation."""

    ledgers: tuple[Ledger, ...] = ()

    def claim_all(self, external_id: str) -> None:
        for ledger in self.ledgers:
            ledger.claim(external_id)


class TrimmingLedger(Ledger):
    """Claims the trimmed id through the ledger it extends."""

    def claim(self, external_id: str) -> None:
        super().claim(external_id.strip())


async def transfer_batch(external_id: str, batch: Batch) -> None:
    batch.claim_all(external_id)


async def transfer_trimmed(external_id: str, ledger: TrimmingLedger) -> None:
    ledger.claim(external_id)


def _refuse_transfer(external_id: str) -> None:
    raise ApiError(422, "transfer_refused", f"Transfer {external_id} refused.")


async def transfer_by_kind(kind: str, external_id: str) -> None:
    """A handler picked from a table: named, not called, here."""
    handlers = {"refuse": _refuse_transfer}
    handlers[kind](external_id)


async def untyped(thing: Any, order_id: str) -> None:
    """Nothing says what `thing` is: no namesake's errors, and the call is reported."""
    thing.settle(order_id)
