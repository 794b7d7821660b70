"""Shipments: a courier partner carries every paid order and reports where the parcel is.

    paid --> REQUESTED --> PICKED_UP --> IN_TRANSIT --> DELIVERED
                                  \\          |   ^
                                   +--> FAILED_DELIVERY (then IN_TRANSIT again: a retry)

When the bank's payment notification marks an order paid, the SAME transaction creates the
shipment and queues a SHIPMENT_REQUEST webhook to the courier (the outbox pattern): a paid order
can never be left without its pickup request. The courier answers later with tracking events
at `POST /api/v2/fs/{fs_id}/shipments/{order_id}/tracking`, each with its own `event_id`, so a
retried event counts once. The courier learns where to pick up and whom to deliver to - and
nothing else about the buyer (no NIK, no link token, no payment data).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from sandbox.services.marketplace import errors, rules
from sandbox.services.marketplace.auth import Partner, PartnerGate, webhook_kind
from sandbox.services.marketplace.schemas import TrackingEvent
from sandbox.services.marketplace.store import MarketplaceStore
from sandbox.wire.outbox import Outbox


class Shipping:
    """Asks the courier to pick paid orders up and applies the tracking events it sends."""

    def __init__(
        self,
        store: MarketplaceStore,
        outbox: Outbox,
        partners: PartnerGate,
        clock: Callable[[], float],
    ) -> None:
        self.store = store
        self.outbox = outbox
        self.partners = partners
        self.clock = clock

    def request_pickup(self, order: dict[str, Any]) -> None:
        """Create the shipment of a just-paid order and queue the courier's webhook.

        Call inside the transaction that marks the order paid. Without a courier partner
        nothing happens: the order simply waits for shipment, as before couriers existed.
        """
        courier = self.partners.courier()
        if courier is None:
            return
        self.store.insert_shipment(
            order["order_id"], courier.name, rules.SHIPMENT_REQUESTED, self.clock()
        )
        notification_id = "ntf_" + secrets.token_hex(10)
        self.outbox.enqueue(
            event_id=notification_id,
            target=courier.name,
            path=courier.webhook_path,
            kind=webhook_kind(courier),  # signed like every partner webhook
            body={
                "type": "SHIPMENT_REQUEST",
                "notification_id": notification_id,
                "fs_id": courier.fs_id,
                "timestamp": int(self.clock()),
                "data": self._pickup(order),
            },
        )

    def _pickup(self, order: dict[str, Any]) -> dict[str, Any]:
        """What a courier needs to carry the parcel: where from, to whom, what."""
        buyer = self.store.buyer(order["buyer_id"]) or {}
        return {
            "order_id": order["order_id"],
            "shop_id": order["shop_id"],
            "shop_name": self.store.shop_name(order["shop_id"]),
            "origin_city": self.store.seller_city(order["shop_id"]),
            # Name, phone and address only: data minimisation (UU PDP 27/2022).
            "recipient": {
                "name": buyer.get("name"),
                "phone": buyer.get("phone"),
                "address": buyer.get("address"),
            },
            "items": [
                {"product_id": i["product_id"], "name": i["name"], "quantity": i["quantity"]}
                for i in order["items"]
            ],
        }

    def track(self, courier: Partner, order_id: str, event: TrackingEvent) -> dict[str, Any]:
        """Apply one tracking event; the answer of the tracking endpoint.

        Raises ApiError: 404 if the order has no shipment carried by this courier, 409 if the
        event would move the shipment backwards.
        """
        with self.store.transaction():
            shipment = self.store.shipment(order_id)
            if shipment is None or shipment["courier"] != courier.name:
                raise errors.shipment_not_found(order_id)
            duplicate = self.store.shipment_event(event.event_id) is not None
            if not duplicate:
                if not rules.shipment_move_allowed(shipment["status"], event.status):
                    raise errors.invalid_shipment_transition(
                        order_id, shipment["status"], event.status
                    )
                self.store.record_shipment_event(
                    {
                        "event_id": event.event_id,
                        "order_id": order_id,
                        "status": event.status,
                        "tracking_no": event.tracking_no,
                        "note": event.note,
                        "received_at": self.clock(),
                    }
                )
        return {"order_id": order_id, "duplicate": duplicate, "shipment": self.view(order_id)}

    def view(self, order_id: str) -> dict[str, Any] | None:
        """The shipment as partners and buyers see it, or None if there is none (yet)."""
        shipment = self.store.shipment(order_id)
        if shipment is None:
            return None
        return {
            "courier": shipment["courier"],
            "status": shipment["status"],
            "tracking_no": shipment["tracking_no"],
            "updated_at": int(shipment["updated_at"]),
        }
