"""Pasarloka's own buyer app: the "jump app" a buyer used before storefronts were integrated.

A buyer saw a product in a video, but her video app does not sell it, so she opens our app
and types the product in. No partner is involved: the app is our own channel ("app", fs_id 0).
The order goes through exactly the same path as a partner's (`Orders.open`: stock, VA at the
bank, expiry) and is paid the same way, from her bank app; only no webhook is sent, because
there is no storefront to tell.

The buyer's name, phone and address are kept for the courier and never shown back here.
"""

from __future__ import annotations

import secrets
from typing import Any

from sandbox.services.marketplace import errors, rules
from sandbox.services.marketplace.orders import BANK_NAME, Orders
from sandbox.services.marketplace.schemas import AppOrderCreate, OrderItemIn

APP_FS_ID = 0
"""Orders from our own app have no partner, so no partner id either."""


class AppOrders:
    """Placing and reading orders from the marketplace's own buyer app."""

    def __init__(self, orders: Orders) -> None:
        self.orders = orders

    async def place(self, form: AppOrderCreate) -> dict[str, Any]:
        """A new buyer and her order of one product; the app's create response."""
        buyer = {
            "name": form.buyer.name.strip(),
            "phone": form.buyer.phone,
            "address": form.buyer.address.strip(),
            # The app never links to a storefront account, but every buyer row needs an
            # unguessable token; it is not returned to anyone.
            "link_token": "lnk_" + secrets.token_hex(12),
        }
        items = [OrderItemIn(product_id=form.product_id, quantity=form.quantity)]
        order = await self.orders.open(rules.APP_CHANNEL, APP_FS_ID, buyer, items)
        return self._summary(order)

    def view(self, order_id: str) -> dict[str, Any]:
        """An order placed in the app; any other id is "not found" (no probing of ids)."""
        order = self.orders.store.order(order_id)
        if order is None or order["channel"] != rules.APP_CHANNEL:
            raise errors.order_not_found(order_id)
        return {
            **self._summary(order),
            "items": order["items"],
            "shipment": self.orders.shipping.view(order_id),
        }

    @staticmethod
    def _summary(order: dict[str, Any]) -> dict[str, Any]:
        return {
            "order_id": order["order_id"],
            "status": rules.storefront_status(order["order_status"]),
            "order_status": order["order_status"],
            "total_amount": order["total_amount"],
            "bank": BANK_NAME,
            "va_number": order["va_no"],
            "expires_at": rules.iso_wib(order["expires_at"]),
        }
