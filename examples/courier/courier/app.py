"""Kirim Cepat: a last-mile courier joining the marketplace, built only with `sandbox.extend`.

The integration, both ways:
- When an order is paid, the marketplace asks us to ship it: a signed SHIPMENT_REQUEST webhook
  to `POST /webhooks/marketplace`. We check the signature, open a shipment (once per order,
  whatever the number of retries), and answer at once.
- Each scan of the parcel (pick-up, hubs, delivery) is pushed back to the marketplace as a
  tracking update (`POST /api/v2/fs/{fs_id}/shipments/{order_id}/tracking`, signed as a
  partner). Updates go through an outbox: queued in the same transaction as the scan, retried
  with backoff until the marketplace acknowledges them, so none is lost if it is down.
- A driver's app scans parcels at `POST /v1/shipments/{tracking_no}/scans`; anybody with the
  tracking number can follow it at `GET /v1/shipments/{tracking_no}` (no address shown).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections.abc import AsyncIterator
from typing import Any, Literal

from fastapi import FastAPI, Request
from pydantic import BaseModel, ConfigDict, Field

from sandbox.extend import (
    ApiError,
    Outbox,
    ServiceEnv,
    marketplace_webhook_ok,
    new_app,
    open_database,
    partner_client,
)

from .store import CourierStore

TITLE = "Kirim Cepat (courier)"
DESCRIPTION = """\
**SANDBOX** courier (imitates a last-mile delivery company integrated with a marketplace).

* The marketplace books a shipment when an order is paid (signed webhook).
* Scans are pushed back to the marketplace as tracking updates, retried until acknowledged.
"""
NEXT = {"PICKED_UP": {"IN_TRANSIT", "FAILED_DELIVERY", "PICKED_UP"},
        "IN_TRANSIT": {"IN_TRANSIT", "DELIVERED", "FAILED_DELIVERY"},
        "FAILED_DELIVERY": {"IN_TRANSIT"},
        "DELIVERED": set()}
"""Which scan may follow which: a parcel only moves forward (or is retried after a failure)."""


class Scan(BaseModel):
    """A driver's scan of a parcel."""

    model_config = ConfigDict(extra="forbid")
    status: Literal["IN_TRANSIT", "DELIVERED", "FAILED_DELIVERY"]
    note: str | None = Field(default=None, max_length=200)


def create_app(env: ServiceEnv) -> FastAPI:
    """Build the courier. Its marketplace credentials come from sandbox.toml."""
    store = CourierStore(open_database(env.db_path))
    outbox = Outbox(store.db, env.wire, sender=env.name)
    marketplace = env.seed["holds"]["marketplace"]
    partner_client(env, "marketplace")  # signs the outbox's calls to the marketplace too

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(outbox.run())
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    app = new_app(env, TITLE, DESCRIPTION, lifespan=lifespan)
    app.state.store = store
    app.state.outbox = outbox

    def push(shipment: dict[str, Any], status: str, note: str | None) -> None:
        """Record a scan and queue its tracking update, in one transaction."""
        event_id = f"{shipment['tracking_no']}-{secrets.token_hex(4)}"
        now = env.wire.clock()
        with store.db.atomic():
            store.scan(event_id, shipment["tracking_no"], status, note or "", now)
            outbox.enqueue(
                event_id=event_id, target="marketplace", kind="tracking",
                path=f"/api/v2/fs/{marketplace['fs_id']}/shipments/{shipment['order_id']}"
                     "/tracking",
                body={"event_id": event_id, "status": status,
                      "tracking_no": shipment["tracking_no"],
                      **({"note": note} if note else {})})
        outbox.kick()

    @app.post("/webhooks/marketplace", tags=["marketplace"],
              summary="The marketplace books a shipment (signed SHIPMENT_REQUEST)")
    async def shipment_request(request: Request) -> dict[str, Any]:
        raw = await request.body()
        if not marketplace_webhook_ok(env, raw, request.headers.get("authorization")):
            raise ApiError(401, "invalid_signature",
                           "The Authorization header is not the marketplace's signature of "
                           "this body.")
        try:
            note = json.loads(raw)
            data = note["data"]
            order_id = str(data["order_id"])
        except (ValueError, KeyError, TypeError):
            raise ApiError(400, "invalid_request", "Expected a SHIPMENT_REQUEST with "
                                                   "data.order_id.") from None
        if note.get("type") != "SHIPMENT_REQUEST":
            return {"code": "ignored", "message": f"Nothing to do for {note.get('type')!r}."}
        existing = store.by_order(order_id)
        if existing is not None:  # a retried webhook: same answer, no second parcel
            return {"code": "ok", "tracking_no": existing["tracking_no"], "duplicate": True}
        recipient = data.get("recipient") or {}
        now = env.wire.clock()
        shipment = {
            "tracking_no": f"KC{secrets.randbelow(10**10):010d}", "order_id": order_id,
            "status": "REQUESTED", "origin_city": data.get("origin_city") or "",
            "recipient_name": recipient.get("name", ""),
            "recipient_phone": recipient.get("phone", ""),
            "recipient_address": recipient.get("address", ""),
            "items": json.dumps(data.get("items", [])), "created_at": now, "updated_at": now}
        store.add(shipment)
        # The van collects the parcel at once in the sandbox: the first scan follows the booking.
        push(shipment, "PICKED_UP", f"picked up in {shipment['origin_city'] or 'the shop'}")
        return {"code": "ok", "tracking_no": shipment["tracking_no"], "duplicate": False}

    @app.post("/v1/shipments/{tracking_no}/scans", tags=["driver app"],
              summary="Scan a parcel: in transit, delivered, or a failed delivery")
    async def scan(tracking_no: str, body: Scan) -> dict[str, Any]:
        shipment = store.get(tracking_no)
        if shipment is None:
            raise ApiError(404, "unknown_tracking_no", f"No parcel {tracking_no!r}.")
        if body.status not in NEXT.get(shipment["status"], set()):
            raise ApiError(409, "invalid_scan", f"A {shipment['status']} parcel cannot be "
                                                f"scanned {body.status}.")
        push(shipment, body.status, body.note)
        return _public(store.get(tracking_no) or shipment)

    @app.get("/v1/shipments/{tracking_no}", tags=["tracking"],
             summary="Follow a parcel (status and scans; no address)")
    async def track(tracking_no: str) -> dict[str, Any]:
        shipment = store.get(tracking_no)
        if shipment is None:
            raise ApiError(404, "unknown_tracking_no", f"No parcel {tracking_no!r}.")
        return _public(shipment)

    return app


def _public(shipment: dict[str, Any]) -> dict[str, Any]:
    """What anyone with the tracking number may see: never the phone or the address."""
    return {"tracking_no": shipment["tracking_no"], "order_id": shipment["order_id"],
            "status": shipment["status"], "origin_city": shipment["origin_city"],
            "recipient": shipment["recipient_name"][:1] + "***",
            "scans": shipment.get("scans", [])}
