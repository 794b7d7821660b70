"""Klip's HTTP endpoints: thin; each validates, asks `store`, `rules` or the marketplace, answers.

Two audiences call this app: people (with their session token) and the marketplace (with
signed webhooks about orders). Look for what is absent: no endpoint takes a payment, shows a
virtual account or stores an amount (audit rules SOC-PAY, SOC-DATA, SOC-ORDER). The one
exception, `_deliberately_call_the_bank`, is a teaching variant that is off by default.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, Header, Path, Query, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError

from sandbox.dialects import schemes
from sandbox.dialects.open_platform import MARKETPLACE_WEBHOOK
from sandbox.framework.contract import secured
from sandbox.framework.errors import describe_validation
from sandbox.services.social import errors, rules
from sandbox.services.social.clients import MarketplaceDown, MarketplacePartner, MarketplaceRefused
from sandbox.services.social.schemas import (
    Ack,
    BuyRequest,
    BuyResult,
    Creator,
    FeedPage,
    MarketplaceWebhook,
    OrderList,
    OrderView,
    Profile,
    VideoDetail,
    VideoSummary,
)
from sandbox.services.social.store import SocialStore
from sandbox.wire import attribution

log = logging.getLogger(__name__)
router = APIRouter()

MAX_TOKEN_LENGTH = 200
"""Longer Authorization values are refused before any lookup."""

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="KlipSession",
    description="A person's Klip session: `Authorization: Bearer sess_...`.",
)

VideoId = Annotated[int, Path(ge=1, le=2_000_000_000, description="The video's id.")]
OrderId = Annotated[
    str, Path(min_length=1, max_length=64, description="The marketplace's order id.")
]


def _store(request: Request) -> SocialStore:
    store: SocialStore = request.app.state.store
    return store


def _marketplace(request: Request) -> MarketplacePartner:
    partner: MarketplacePartner = request.app.state.marketplace
    return partner


@secured(schemes.SESSION)
async def current_user(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
) -> dict[str, Any]:
    """The person behind `Authorization: Bearer <session_token>`, or a 401 saying what is wrong."""
    # We read the header ourselves (the Security parameter only puts the "Authorize" button
    # in /docs) so that each failure gets its own precise message.
    header = request.headers.get("authorization")
    if not header:
        errors.unauthorized(
            "missing_session",
            "Header 'Authorization: Bearer <session_token>' "
            "is missing; send the session token you got when logging in.",
        )
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        errors.unauthorized(
            "invalid_authorization", "The Authorization header must be 'Bearer <session_token>'."
        )
    user = _store(request).user_by_session(token) if len(token) <= MAX_TOKEN_LENGTH else None
    if user is None:
        errors.unauthorized(
            "invalid_session", "The session token is not known; log in again to get a new one."
        )
    return user


User = Annotated[dict[str, Any], Depends(current_user)]


def _summary(row: dict[str, Any]) -> VideoSummary:
    return VideoSummary(
        video_id=row["video_id"],
        caption=row["caption"],
        product_ids=row["product_ids"],
        creator=Creator(
            user_id=row["creator_id"], handle=row["handle"], display_name=row["display_name"]
        ),
        views=row["views"],
        likes=row["likes"],
        posted_at=row["posted_at"],
    )


def _order_view(row: dict[str, Any]) -> OrderView:
    return OrderView(
        order_id=row["order_id"],
        status=row["status"],
        updated_at=rules.local_time(row["updated_at"]),
        video_id=row["video_id"],
    )


# --- browsing -------------------------------------------------------------------------------


@router.get(
    "/api/v1/feed",
    response_model=FeedPage,
    tags=["videos"],
    summary="The feed, newest first, a page at a time",
)
async def get_feed(
    request: Request,
    _user: User,
    limit: Annotated[int, Query(ge=1, le=rules.FEED_MAX_LIMIT)] = rules.FEED_DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(
            max_length=200,
            description=("The `next_cursor` of the previous page; leave out for the first page."),
        ),
    ] = None,
) -> FeedPage:
    """Videos with their creator and the ids of the products tagged in them."""
    after = None
    if cursor:
        try:
            after = rules.decode_cursor(cursor)
        except rules.InvalidCursor:
            errors.bad_request(
                "invalid_cursor",
                "The cursor is not one this feed handed out; "
                "use the `next_cursor` of the previous page, or none.",
                field="cursor",
            )
    rows = _store(request).feed(limit, after)
    return FeedPage(
        videos=[_summary(r) for r in rows[:limit]], next_cursor=rules.next_cursor(rows, limit)
    )


@router.get(
    "/api/v1/videos/{video_id}",
    response_model=VideoDetail,
    tags=["videos"],
    summary="A video with live product cards from the marketplace",
)
async def get_video(request: Request, video_id: VideoId, _user: User) -> VideoDetail:
    """Product cards are fetched from the marketplace now; if it is down the video still shows."""
    row = _store(request).video(video_id)
    if row is None:
        errors.not_found("video_not_found", f"There is no video {video_id}.")
    products, unavailable = [], None
    if row["product_ids"]:
        try:
            products = await _marketplace(request).product_cards(row["product_ids"])
        except MarketplaceDown as exc:
            # A storefront keeps showing its videos when the platform behind it is down.
            unavailable = f"Product details are unavailable right now: {exc.reason}."
    return VideoDetail(
        **_summary(row).model_dump(), products=products, products_unavailable=unavailable
    )


@router.get(
    "/api/v1/users/{handle}",
    response_model=Profile,
    tags=["people"],
    summary="A person's public profile and videos",
)
async def get_profile(
    request: Request, _user: User, handle: Annotated[str, Path(min_length=1, max_length=64)]
) -> Profile:
    """Public fields only: never their session or link token."""
    store = _store(request)
    person = store.user_by_handle(handle)
    if person is None:
        errors.not_found("user_not_found", f"There is no user with handle '{handle}'.")
    return Profile(
        user_id=person["user_id"],
        handle=person["handle"],
        display_name=person["display_name"],
        is_creator=bool(person["is_creator"]),
        followers=person["followers"],
        videos=[_summary(r) for r in store.videos_by(person["user_id"])],
    )


# --- buying: the intent goes to the marketplace ---------------------------------------------


@router.post(
    "/api/v1/videos/{video_id}/buy",
    response_model=BuyResult,
    status_code=201,
    tags=["orders"],
    summary="Buy a product tagged in a video (at the marketplace)",
)
async def buy(
    request: Request,
    video_id: VideoId,
    body: BuyRequest,
    user: User,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=64,
            description="Send the same key if you tap Buy again for the same purchase.",
        ),
    ] = None,
) -> BuyResult:
    """Create the order at the marketplace and remember only its id and status.

    The answer's `checkout_url` is the marketplace's page, where the amount due and the
    virtual account are shown: the storefront never sees them.
    """
    store, marketplace = _store(request), _marketplace(request)
    video = store.video(video_id)
    if video is None:
        errors.not_found("video_not_found", f"There is no video {video_id}.")
    if not rules.is_tagged(body.product_id, video["product_ids"]):
        errors.bad_request(
            "product_not_in_video",
            f"Product {body.product_id} is not tagged in video "
            f"{video_id}; it has {video['product_ids']}.",
            field="product_id",
        )
    purchase_id = rules.purchase_id(user["user_id"], idempotency_key)
    store.start_purchase(purchase_id, user["user_id"], video_id, request.app.state.clock())
    try:
        created = await marketplace.create_order(
            user["link_token"],
            body.product_id,
            body.quantity,
            rules.channel_ref(video_id, purchase_id),
            purchase_id,
        )
    except MarketplaceDown as exc:
        errors.marketplace_unavailable(exc.reason, unsure=exc.unsure)
    except MarketplaceRefused as exc:
        status, code, message = rules.explain_refusal(exc.status, exc.code, exc.message)
        errors.refused(status, code, message, marketplace_code=exc.code)
    order_id = str(created.order_id)
    store.finish_purchase(purchase_id, order_id)
    if store.order_of(user["user_id"], order_id) is None:  # its webhook may have come first
        store.add_order(
            order_id, user["user_id"], video_id, created.status, request.app.state.clock()
        )
    if "social-calls-bank" in request.app.state.variants:
        await _deliberately_call_the_bank(request, order_id, created.total_amount)
    return BuyResult(
        order_id=order_id,
        status=created.status,
        total_amount=created.total_amount,
        checkout_url=marketplace.checkout_link(created.checkout_url),
    )


async def _deliberately_call_the_bank(request: Request, order_id: str, amount: int) -> None:
    """DELIBERATELY WRONG - variant "social-calls-bank", off unless `sandbox up --variant
    social-calls-bank`. It exists so students can watch the audit catch it.

    It breaks audit rule SOC-PAY: a social-media storefront may not take part in payments
    (Permendag 31/2023 Art. 21(3)), so it must never call the bank; the marketplace does. Here
    the app asks the bank about the order's payment itself, with no credentials (so SIGNED and
    IDEMPOTENT flag the call too). The answer is ignored and no failure stops the purchase.
    """
    body = {
        "partnerReferenceNo": order_id,
        "totalAmount": {"value": f"{amount}.00", "currency": "IDR"},
    }
    try:
        client = request.app.state.wire.client("social", "bank")
        await client.post("/v1.0/transfer-va/status", json=body, timeout=3.0)
    except (httpx.HTTPError, LookupError) as exc:
        log.info("variant social-calls-bank: the bank call failed (%s)", type(exc).__name__)


@router.get(
    "/api/v1/me/orders",
    response_model=OrderList,
    tags=["orders"],
    summary="My orders (id and last status)",
)
async def list_my_orders(request: Request, user: User) -> OrderList:
    """The person's own orders, newest first, as the marketplace's webhooks left them."""
    rows = _store(request).orders_of(user["user_id"])
    return OrderList(orders=[_order_view(r) for r in rows])


@router.get(
    "/api/v1/me/orders/{order_id}",
    response_model=OrderView,
    tags=["orders"],
    summary="One of my orders",
)
async def get_my_order(request: Request, order_id: OrderId, user: User) -> OrderView:
    """Someone else's order answers exactly like a missing one: its existence is not shared."""
    row = _store(request).order_of(user["user_id"], order_id)
    if row is None:
        errors.not_found("order_not_found", f"You have no order '{order_id}'.")
    return _order_view(row)


# --- webhooks from the marketplace ----------------------------------------------------------


@router.post(
    "/webhooks/marketplace",
    response_model=Ack,
    tags=["webhooks"],
    summary="Order status changes, signed by the marketplace",
)
@secured(MARKETPLACE_WEBHOOK)
async def marketplace_webhook(request: Request) -> Ack:
    """Verify the signature, drop duplicates and stale updates, then store the new status.

    Header `Authorization` = hex HMAC-SHA256(app secret, app key + raw body). There is no
    timestamp check: the marketplace retries the same body for minutes after a failure, and a
    replay is harmless because each `notification_id` takes effect only once.
    """
    marketplace = _marketplace(request)
    raw = await request.body()
    signature = request.headers.get("authorization")
    if not signature:
        errors.unauthorized(
            "missing_signature",
            "Header 'Authorization' is missing: marketplace "
            "webhooks carry hex HMAC-SHA256(app_secret, app_key + raw body).",
        )
    if not marketplace.webhook_is_authentic(raw, signature):
        errors.unauthorized(
            "invalid_signature",
            "The Authorization signature does not match "
            "this body; sign app_key + the exact raw body with the app secret.",
        )
    attribution.verified("marketplace")  # only the marketplace holds our app secret
    try:
        event = MarketplaceWebhook.model_validate_json(raw)
    except ValidationError as exc:
        # Same wording as FastAPI's own body errors: locations start at "body".
        problems = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
        code, message, field = describe_validation(problems)
        errors.bad_request(code, message, **({"field": field} if field else {}))
    if str(event.fs_id) != str(marketplace.fs_id):
        errors.forbidden(
            "wrong_fs_id",
            f"This webhook is for fs_id {event.fs_id}; this app is fs_id {marketplace.fs_id}.",
        )
    if event.type != "ORDER_STATUS_CHANGE":
        log.info("ignored marketplace webhook of type %s", event.type)
        return Ack(code="success", message="received")
    try:
        update_time = rules.parse_update_time(event.data.update_time)
    except ValueError:
        errors.bad_request(
            "invalid_field",
            "Field 'data.update_time' must be Unix seconds or ISO-8601 with an offset.",
            field="data.update_time",
        )
    outcome = _store(request).receive_update(
        str(event.notification_id),
        str(event.data.order_id),
        event.data.status,
        update_time,
        request.app.state.clock(),
        purchase_id=rules.purchase_of(event.data.channel_ref),
    )
    if outcome == "unknown_order":
        log.warning(
            "webhook %s is about order %s, unknown here: ignored for now, and applied if our "
            "own create call for it is still on its way back",
            event.notification_id,
            event.data.order_id,
        )
    return Ack(code="success", message="received")
