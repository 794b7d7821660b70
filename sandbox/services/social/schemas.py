"""Request and response models of the social app (Klip), and what it accepts from the marketplace.

Klip's own API speaks snake_case JSON, so field names need no aliases. Notice what is missing:
no price is ever stored here, no NIK, address, bank account or virtual account number exists in
any model. Product cards (with prices) are fetched live from the marketplace and only passed
through; the buy request is refused if it carries any field beyond product and quantity.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Ident = Annotated[str, Field(min_length=1, max_length=64)] | Annotated[int, Field(ge=0)]
"""An id the marketplace makes (order, notification): a short string or a number."""

# --- what the app shows ---------------------------------------------------------------------


class Creator(BaseModel):
    """The public face of a video's creator."""

    user_id: int = Field(examples=[2])
    handle: str = Field(examples=["rinagaya"])
    display_name: str = Field(examples=["Rina | Gaya Lokal"])


class VideoSummary(BaseModel):
    """A video as the feed shows it: the tagged products are ids only (no live data yet)."""

    video_id: int = Field(examples=[1])
    caption: str = Field(examples=["Batik buat kondangan? #batik #lokal"])
    creator: Creator
    product_ids: list[int] = Field(examples=[[100101, 100102]])
    views: int = Field(examples=[48210])
    likes: int = Field(examples=[3904])
    posted_at: str = Field(
        description="Date the video was posted (YYYY-MM-DD).", examples=["2024-02-28"]
    )


class FeedPage(BaseModel):
    """One page of the feed, newest first."""

    videos: list[VideoSummary]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page.",
        examples=["WyIyMDI0LTAyLTI4IiwxXQ"],
    )


class ProductCard(BaseModel):
    """A product card as the marketplace serves it (shown, never stored, by the storefront)."""

    model_config = ConfigDict(extra="ignore")

    product_id: int = Field(examples=[100101])
    shop_id: int = Field(examples=[1001])
    shop_name: str = Field(examples=["Toko Batik Budi"])
    name: str = Field(examples=["Kemeja Batik Tulis Sukamaju"])
    price: int = Field(
        description="Integer rupiah, as the marketplace says now.", examples=[185000]
    )
    stock: int = Field(examples=[25])
    category: str = Field(examples=["Fashion Pria"])


class VideoDetail(VideoSummary):
    """A video with live product cards from the marketplace."""

    products: list[ProductCard] = Field(
        description="Cards fetched live from the marketplace; empty when it is unavailable."
    )
    products_unavailable: str | None = Field(
        default=None,
        description="Why `products` is empty although products are tagged.",
        examples=[None],
    )


class Profile(BaseModel):
    """A person's public profile."""

    user_id: int = Field(examples=[2])
    handle: str = Field(examples=["rinagaya"])
    display_name: str = Field(examples=["Rina | Gaya Lokal"])
    is_creator: bool = Field(examples=[True])
    followers: int = Field(examples=[24299])
    videos: list[VideoSummary] = Field(description="Their newest videos (up to 50).")


# --- buying ---------------------------------------------------------------------------------


class BuyRequest(BaseModel):
    """The buyer's intent: which tagged product and how many. Nothing else is accepted."""

    # extra="forbid": a client that tries to send an address, NIK or payment detail is told so
    # instead of having it silently dropped; strict: "2" is not a quantity, 2 is.
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"examples": [{"product_id": 100101, "quantity": 1}]},
    )

    product_id: int = Field(ge=1, le=2_000_000_000)
    quantity: int = Field(ge=1, le=10, description="1 to 10 per order.")


class BuyResult(BaseModel):
    """The order the marketplace created; checkout and payment happen on its page."""

    order_id: str = Field(examples=["ORD-000001"])
    status: str = Field(examples=["UNPAID"])
    total_amount: int = Field(
        description="Integer rupiah, as computed by the marketplace.", examples=[185000]
    )
    checkout_url: str = Field(
        description="The marketplace's checkout page (open it in the in-app web view).",
        examples=["http://marketplace.sandbox/checkout/chk_abc"],
    )


class OrderView(BaseModel):
    """What the storefront keeps about an order: its id and last known status, nothing more."""

    order_id: str = Field(examples=["ORD-000001"])
    status: str = Field(examples=["AWAITING_SHIPMENT"])
    updated_at: str = Field(
        description="When the status last changed (WIB).", examples=["2024-03-01T15:00:00+07:00"]
    )
    video_id: int | None = Field(description="The video the order was placed from.", examples=[1])


class OrderList(BaseModel):
    """The person's own orders, newest first."""

    orders: list[OrderView]


# --- from the marketplace -------------------------------------------------------------------


class OrderCreated(BaseModel):
    """The marketplace's answer to `POST /api/v2/fs/{fs_id}/orders` (fields we use)."""

    model_config = ConfigDict(extra="ignore")

    order_id: Ident
    status: str = Field(min_length=1, max_length=32)
    total_amount: int = Field(ge=0)
    checkout_url: str = Field(min_length=1, max_length=2000)


class OrderUpdate(BaseModel):
    """`data` of an ORDER_STATUS_CHANGE webhook."""

    order_id: Ident
    order_status: int | None = None
    status: str = Field(min_length=1, max_length=32, pattern=r"^[A-Z_]+$")
    update_time: int | float | str
    channel_ref: str | None = Field(default=None, max_length=64)
    """Our own reference for the purchase, echoed by the marketplace."""


class MarketplaceWebhook(BaseModel):
    """A webhook from the marketplace (signed with the storefront's app secret)."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "type": "ORDER_STATUS_CHANGE",
                    "notification_id": "ntf-1",
                    "shop_id": 1001,
                    "fs_id": 7001,
                    "timestamp": 1709280000,
                    "data": {
                        "order_id": "ORD-000001",
                        "order_status": 220,
                        "status": "AWAITING_SHIPMENT",
                        "update_time": 1709280000,
                    },
                }
            ]
        },
    )

    type: str = Field(max_length=64)
    notification_id: Ident
    shop_id: int | str | None = None
    fs_id: int | str
    timestamp: int | float | str | None = None
    data: OrderUpdate


class Ack(BaseModel):
    """What the marketplace expects back from a webhook receiver."""

    code: str = Field(examples=["success"])
    message: str = Field(examples=["received"])
