"""The marketplace's endpoints. Thin: check who is calling, validate, delegate, answer.

- Open platform for partner apps: /oauth/token and /api/v2/fs/{fs_id}/... - products and orders
  for channels (the social storefront), shipment tracking for couriers
- The checkout page a buyer sees inside the storefront app: /checkout/{checkout_token}
- Seller centre: /seller/v1/registrations
- The SNAP payment notification the bank sends us: /v1.0/transfer-va/payment

Our own buyer app (/app/v1/...) has its own router in app_routes.py.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from sandbox.dialects.open_platform import MARKETPLACE_SIGNED, MARKETPLACE_TOKEN
from sandbox.dialects.snap import SNAP_NOTIFICATION
from sandbox.dialects.snap import payment as snap_payment
from sandbox.dialects.snap.payment import PaymentAck
from sandbox.framework.contract import secured
from sandbox.services.marketplace import errors
from sandbox.services.marketplace.auth import (
    BankNotifications,
    Partner,
    PartnerGate,
    require_role,
)
from sandbox.services.marketplace.orders import Orders
from sandbox.services.marketplace.schemas import (
    CheckoutPage,
    OrderCreate,
    OrderCreated,
    OrderView,
    ProductCard,
    ProductPage,
    SellerApplication,
    SellerRegistration,
    TokenOut,
    TrackingAccepted,
    TrackingEvent,
)
from sandbox.services.marketplace.sellers import application_status, register_seller
from sandbox.services.marketplace.store import MarketplaceStore

router = APIRouter()
MAX_IDS = 100


def _orders(request: Request) -> Orders:
    orders: Orders = request.app.state.orders
    return orders


def _store(request: Request) -> MarketplaceStore:
    store: MarketplaceStore = request.app.state.store
    return store


@secured(MARKETPLACE_SIGNED)
async def signed_partner(
    request: Request, fs_id: Annotated[int, Path(description="Your partner id.")]
) -> Partner:
    """Dependency of every open-platform path: the verified partner, or a 401/403."""
    gate: PartnerGate = request.app.state.partners
    # The raw body, exactly as sent: the signature covers these bytes, not a re-encoding.
    return gate.verify(
        request.url.path,
        dict(request.query_params),
        await request.body(),
        request.headers.get("x-tts-access-token"),
        fs_id,
    )


async def channel_partner(partner: Annotated[Partner, Depends(signed_partner)]) -> Partner:
    """A verified partner that is a channel (storefront): products and orders."""
    return require_role(partner, "channel")


async def courier_partner(partner: Annotated[Partner, Depends(signed_partner)]) -> Partner:
    """A verified partner that is a courier: shipment tracking."""
    return require_role(partner, "courier")


ChannelPartner = Annotated[Partner, Depends(channel_partner)]
CourierPartner = Annotated[Partner, Depends(courier_partner)]

# --- open platform --------------------------------------------------------------------------


@router.post(
    "/oauth/token",
    response_model=TokenOut,
    tags=["open platform"],
    summary="Trade app_key/app_secret (HTTP Basic) for a 2-hour access token",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["grant_type"],
                        "properties": {
                            "grant_type": {"type": "string", "enum": ["client_credentials"]}
                        },
                    }
                }
            },
        }
    },
)
@secured(MARKETPLACE_TOKEN)
async def issue_token(request: Request) -> dict[str, Any]:
    gate: PartnerGate = request.app.state.partners
    return gate.issue_token(request.headers.get("authorization"), await request.body())


@router.get(
    "/api/v2/fs/{fs_id}/products",
    response_model=ProductPage,
    tags=["open platform"],
    summary="Catalogue feed: product cards with shop name",
)
async def list_products(
    request: Request,
    partner: ChannelPartner,
    ids: Annotated[
        str | None,
        Query(
            max_length=1200,
            description="Comma-separated product ids, e.g. "
            "100101,100102 (at most 100). Without it: one page of the catalogue.",
        ),
    ] = None,
    cursor: Annotated[int, Query(ge=0, description="next_cursor of the previous page")] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any] | JSONResponse:
    store = _store(request)
    if ids is None:
        cards = store.product_cards(after=cursor, limit=limit)
        payload = {
            "products": cards,
            "next_cursor": cards[-1]["product_id"] if len(cards) == limit else None,
        }
    else:
        payload = {"products": store.product_cards(_parse_ids(ids)), "next_cursor": None}
    if "catalogue-leaks-nik" in request.app.state.variants:
        return _deliberately_leak_owner_nik(store, payload)
    return payload


def _deliberately_leak_owner_nik(store: MarketplaceStore, payload: dict[str, Any]) -> JSONResponse:
    """DELIBERATELY WRONG - variant "catalogue-leaks-nik", off unless `sandbox up --variant
    catalogue-leaks-nik`. It exists so students can watch the audit catch it.

    It breaks audit rule SOC-DATA: each product card gets its seller's NIK from our sellers
    table, so the social storefront receives personal data it has no purpose for (UU PDP
    27/2022, data minimisation). The right card is `ProductCard`: shop name, never the owner.
    """
    for card in payload["products"]:
        rows = store.db.query("SELECT owner_nik FROM sellers WHERE shop_id = ?", [card["shop_id"]])
        card["owner_nik"] = next(iter(rows))["owner_nik"]
    # Answered directly: the response_model (ProductPage) would have dropped the extra field.
    return JSONResponse(payload)


def _parse_ids(ids: str) -> list[int]:
    parts = [part.strip() for part in ids.split(",") if part.strip()]
    if not parts or not all(part.isascii() and part.isdigit() and len(part) < 13 for part in parts):
        raise errors.bad_request(
            "invalid_ids", "ids must be comma-separated product ids, e.g. ids=100101,100102."
        )
    if len(parts) > MAX_IDS:
        raise errors.bad_request("too_many_ids", f"Ask for at most {MAX_IDS} products at once.")
    return sorted({int(part) for part in parts})


@router.get(
    "/api/v2/fs/{fs_id}/products/{product_id}",
    response_model=ProductCard,
    tags=["open platform"],
    summary="One product card",
)
async def get_product(
    request: Request, partner: ChannelPartner, product_id: Annotated[int, Path(gt=0, lt=10**12)]
) -> dict[str, Any]:
    cards = _store(request).product_cards([product_id])
    if not cards:
        raise errors.product_not_found(product_id)
    return cards[0]


@router.post(
    "/api/v2/fs/{fs_id}/orders",
    status_code=201,
    response_model=OrderCreated,
    tags=["open platform"],
    summary="Create an order: reserve stock, get a virtual account from the bank",
)
async def create_order(
    request: Request,
    response: Response,
    partner: ChannelPartner,
    body: OrderCreate,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=64,
            description="Send the same key when you retry: you get the first order back.",
        ),
    ] = None,
) -> dict[str, Any]:
    placed, replayed = await _orders(request).place(
        partner, body.buyer_link_token, body.items, body.channel_ref, idempotency_key
    )
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return placed


@router.get(
    "/api/v2/fs/{fs_id}/orders/{order_id}",
    response_model=OrderView,
    tags=["open platform"],
    summary="An order placed through your app",
)
async def get_order(
    request: Request, partner: ChannelPartner, order_id: Annotated[str, Path(max_length=20)]
) -> dict[str, Any]:
    orders = _orders(request)
    return orders.view(orders.partner_order(partner, order_id))


@router.post(
    "/api/v2/fs/{fs_id}/orders/{order_id}/cancel",
    response_model=OrderView,
    tags=["open platform"],
    summary="Cancel an unpaid order for the buyer (status 15, stock back, VA deleted)",
)
async def cancel_order(
    request: Request, partner: ChannelPartner, order_id: Annotated[str, Path(max_length=20)]
) -> dict[str, Any]:
    return await _orders(request).cancel_by_buyer(partner, order_id)


@router.post(
    "/api/v2/fs/{fs_id}/shipments/{order_id}/tracking",
    response_model=TrackingAccepted,
    tags=["open platform"],
    summary="Courier: report where a parcel is (idempotent by event_id)",
)
async def track_shipment(
    request: Request,
    partner: CourierPartner,
    order_id: Annotated[str, Path(max_length=20)],
    body: TrackingEvent,
) -> dict[str, Any]:
    return _orders(request).shipping.track(partner, order_id, body)


# --- buyer-facing checkout page -------------------------------------------------------------


@router.get(
    "/checkout/{checkout_token}",
    response_model=CheckoutPage,
    tags=["checkout"],
    summary="The checkout page shown inside the storefront app",
)
async def checkout_page(
    request: Request, checkout_token: Annotated[str, Path(max_length=64)]
) -> dict[str, Any]:
    return _orders(request).checkout_page(checkout_token)


# --- seller centre --------------------------------------------------------------------------


@router.post(
    "/seller/v1/registrations",
    status_code=202,
    response_model=SellerApplication,
    response_model_exclude_none=True,
    tags=["seller centre"],
    summary="Open a shop: the owner approves the identity check in her IKD app (KYC)",
)
async def register(request: Request, body: SellerRegistration) -> dict[str, Any]:
    """202: we asked the civil registry to put a consent request in her IKD app. Once she
    approved, read the application (`GET .../{application_id}`): the registry verifies her
    and the shop opens."""
    state = request.app.state
    return await register_seller(
        _store(request), state.seller_applications, state.registry, body, state.clock()
    )


@router.get(
    "/seller/v1/registrations/{application_id}",
    response_model=SellerApplication,
    response_model_exclude_none=True,
    tags=["seller centre"],
    summary="How a shop application went: waiting for her consent, verified or rejected",
)
async def registration(
    request: Request,
    response: Response,
    application_id: Annotated[str, Path(max_length=40, pattern=r"^SAP-[0-9a-f]{24}$")],
) -> dict[str, Any]:
    """202 while she has not answered; 200 VERIFIED with the shop, or 200 REJECTED with why
    (she declined, the request expired, or the registry did not confirm the details)."""
    state = request.app.state
    view = await application_status(
        _store(request), state.seller_applications, state.registry, application_id, state.clock()
    )
    if view["status"] in ("AWAITING_CONSENT", "VERIFYING"):
        response.status_code = 202
    return view


# --- SNAP payment notification from the bank ------------------------------------------------


@router.post(
    "/v1.0/transfer-va/payment",
    response_model=PaymentAck,
    tags=["bank (SNAP)"],
    summary="Payment notification from the bank (SNAP service 25)",
    openapi_extra=snap_payment.openapi_body(),
)
@secured(SNAP_NOTIFICATION)
async def payment_notification(request: Request) -> dict[str, Any]:
    # The body is read raw on purpose: the signature is checked over the exact bytes the bank
    # sent, before we trust (or even parse) anything in them.
    raw = await request.body()
    gate: BankNotifications = request.app.state.bank_notifications
    gate.verify(request.method, request.url.path, request.headers, raw)
    note = snap_payment.parse(raw)
    code, message = _orders(request).record_payment(note)
    return snap_payment.ack(note, code, message)
