"""Endpoints of Pasarloka's own buyer app (/app/v1/...): anonymous, no partner involved.

Thin like the partner endpoints: validate, hand over to `AppOrders`, answer.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from sandbox.services.marketplace.app_orders import AppOrders
from sandbox.services.marketplace.schemas import AppOrderCreate, AppOrderCreated, AppOrderView

router = APIRouter(tags=["buyer app"])


def _app_orders(request: Request) -> AppOrders:
    app_orders: AppOrders = request.app.state.app_orders
    return app_orders


@router.post(
    "/app/v1/orders",
    status_code=201,
    response_model=AppOrderCreated,
    summary="Order one product in the marketplace's own app; pay the VA from your bank app",
)
async def create_app_order(request: Request, body: AppOrderCreate) -> dict[str, Any]:
    return await _app_orders(request).place(body)


@router.get(
    "/app/v1/orders/{order_id}",
    response_model=AppOrderView,
    summary="An order placed in the app: status, VA, items and shipment (no buyer data)",
)
async def get_app_order(
    request: Request, order_id: Annotated[str, Path(max_length=20)]
) -> dict[str, Any]:
    return _app_orders(request).view(order_id)
