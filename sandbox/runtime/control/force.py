"""Sandbox-only actions that force a state a developer needs to test against (`sandbox force`).

Stripe's test helpers and Plaid's `/sandbox/...` endpoints are the anchors: some paths are rare
on purpose (a declined payment, an expired virtual account, a webhook delivered twice), and an
integration must handle them all the same. Each action is carried out by the institution's
own code - an order expires through the marketplace's own sweep, which closes the VA at the
bank and tells the channel, all recorded; a forced decline is answered in the bank's dialect -
so what the developer sees is what the real path would show. What is forced lasts until it is
used, cleared, or the world is reset.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from sandbox.framework.errors import ApiError
from sandbox.framework.forcing import Forcing
from sandbox.runtime.control.dependencies import ControlledRuntime, RuntimeDep
from sandbox.services.bank import rules as bank_rules

router = APIRouter(prefix="/force")

MAX_ID = 64


class FailNext(BaseModel):
    """Make the next `times` of `action` at `service` fail."""

    model_config = ConfigDict(extra="forbid")
    service: str = Field(min_length=1, max_length=MAX_ID)
    action: str = Field(min_length=1, max_length=MAX_ID)
    times: int = Field(default=1, ge=1, le=100)


class Decline(BaseModel):
    """Decline (true) or stop declining (false) every payment from an account."""

    model_config = ConfigDict(extra="forbid")
    declined: bool = True


def _state(runtime: ControlledRuntime, name: str) -> Any:
    app = runtime.apps.get(name)
    if app is None or not runtime.serving(name):
        raise ApiError(409, "service_not_running", f"{name} is not running; start it first.")
    return app.state


def _forcing(runtime: ControlledRuntime, name: str) -> Forcing:
    forcing = getattr(getattr(runtime.apps.get(name), "state", None), "forcing", None)
    if not isinstance(forcing, Forcing):
        able = ", ".join(sorted(_forceable(runtime))) or "none"
        raise ApiError(404, "nothing_to_force", f"Nothing can be forced at {name!r}; at: {able}.")
    return forcing


def _forceable(runtime: ControlledRuntime) -> dict[str, Forcing]:
    found = {}
    for name, app in runtime.apps.items():
        forcing = getattr(getattr(app, "state", None), "forcing", None)
        if isinstance(forcing, Forcing):
            found[name] = forcing
    return found


@router.get("")
async def forced(runtime: RuntimeDep) -> dict[str, Any]:
    """What can be forced at each institution, and what is armed now."""
    return {name: forcing.state() for name, forcing in sorted(_forceable(runtime).items())}


@router.post("/fail-next")
async def fail_next(body: FailNext, runtime: RuntimeDep) -> dict[str, Any]:
    """The next `times` of an action fail, answered in the institution's own dialect."""
    forcing = _forcing(runtime, body.service)
    try:
        armed = forcing.fail_next(body.action, body.times)
    except KeyError:
        actions = ", ".join(sorted(forcing.actions))
        raise ApiError(
            400,
            "unknown_action",
            f"{body.service} can fail: {actions}; not {body.action!r}.",
            field="action",
        ) from None
    return {"service": body.service, "action": body.action, "armed": armed}


@router.put("/accounts/{account_no}/declined")
async def decline(account_no: str, body: Decline, runtime: RuntimeDep) -> dict[str, Any]:
    """Every payment, transfer and direct debit from the account is declined (or no more)."""
    account = account_no.strip()
    store = _state(runtime, "bank").store
    if len(account) > MAX_ID or store.account(account) is None:
        raise ApiError(404, "account_not_found", f"No account {account_no[:MAX_ID]!r} at the bank.")
    _forcing(runtime, "bank").decline(account, body.declined)
    return {"account_no": account, "declined": body.declined}


@router.post("/virtual-accounts/{va_no}/expire")
async def expire_va(va_no: str, runtime: RuntimeDep) -> dict[str, Any]:
    """The bank's VA expires now: paying it is refused as expired. The biller's order keeps
    its own deadline (`/force/orders/{id}/expire` expires both, as the biller would)."""
    bank = _state(runtime, "bank").bank
    digits = "".join(va_no.split())
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 28):
        raise ApiError(400, "invalid_va", "A VA number is digits (spaces allowed).", field="va_no")
    now = bank.clock()
    if not bank.store.expire_va_now(digits, now, bank_rules.wib_iso(now)):
        raise ApiError(404, "va_not_payable", f"No unpaid, unexpired virtual account {digits}.")
    return {"virtual_account_no": digits, "expired": True}


@router.post("/orders/{order_id}/expire")
async def expire_order(order_id: str, runtime: RuntimeDep) -> dict[str, Any]:
    """The order's payment time runs out now, and the marketplace sweeps as it does every
    second: closes the VA at the bank, cancels the order, tells the channel."""
    marketplace = _state(runtime, "marketplace")
    orders = marketplace.orders
    if len(order_id) > MAX_ID or not orders.expire_now(order_id):
        raise ApiError(
            404, "order_not_waiting", f"No order {order_id[:MAX_ID]!r} waiting for payment."
        )
    await marketplace.sweep.fire()  # the marketplace's own sweep, under its lock
    status = orders.store.order(order_id)
    return {"order_id": order_id, "order_status": status["order_status"] if status else None}


@router.post("/webhooks/{event_id}/refire")
async def refire(event_id: str, runtime: RuntimeDep) -> dict[str, Any]:
    """Send a webhook again now, same event id: a duplicate the receiver must recognise (or,
    given up, a fresh series of attempts)."""
    for name, app in runtime.apps.items():
        outbox = getattr(getattr(app, "state", None), "outbox", None)
        if outbox is not None and len(event_id) <= MAX_ID and outbox.refire(event_id):
            return {"event_id": event_id, "sender": name}
    raise ApiError(404, "unknown_event", f"No institution sent a webhook {event_id[:MAX_ID]!r}.")
