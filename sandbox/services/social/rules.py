"""The social app's domain rules, as plain functions (each has a unit test).

None of these rules is about money. The storefront decides only what it shows (feed order,
pages), whether a buy button may be pressed for a product (is it tagged in this video?), how a
marketplace refusal is explained to the person, and which order-status webhook is the newest.
Prices, stock, totals and payment are the marketplace's business.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import datetime, timedelta, timezone

from sandbox.wire.context import random_hex

WIB = timezone(timedelta(hours=7), "WIB")
"""Western Indonesia Time: the app shows times the way its users read them."""

FEED_DEFAULT_LIMIT = 20
FEED_MAX_LIMIT = 50

STOREFRONT_STATUS_RANK = {
    "UNPAID": 1,
    "AWAITING_SHIPMENT": 2,
    "AWAITING_COLLECTION": 3,
    "IN_TRANSIT": 4,
    "DELIVERED": 5,
    "COMPLETED": 6,
    "CANCELLED": 7,
}
"""The marketplace's storefront statuses in lifecycle order (DOMAIN.md, marketplace).

CANCELLED ranks last because it is final: once an order is cancelled nothing follows it.
"""

OUT_OF_STOCK_CODES = frozenset({"out_of_stock", "insufficient_stock"})
UNKNOWN_BUYER_CODES = frozenset(
    {
        "unknown_buyer",
        "buyer_not_found",
        "unknown_link_token",
        "invalid_buyer_link_token",
        "buyer_not_linked",
        "account_not_linked",
    }
)
"""Error codes the marketplace may use for these two cases (its contract does not fix them)."""


class InvalidCursor(ValueError):
    """A feed cursor that this app did not hand out."""


# --- the feed -------------------------------------------------------------------------------


def encode_cursor(posted_at: str, video_id: int) -> str:
    """An opaque cursor pointing just after the video (`posted_at`, `video_id`).

    Why a cursor and not `?page=3`: new videos are posted all the time; a page number would
    shift and show a video twice. The cursor says "continue after this exact video". It is
    base64 so clients treat it as opaque and do not build their own.
    """
    raw = json.dumps([posted_at, video_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int]:
    """The (posted_at, video_id) inside a cursor; raises InvalidCursor if it is not ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        posted_at, video_id = json.loads(raw)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise InvalidCursor(cursor) from None
    if (
        not isinstance(posted_at, str)
        or len(posted_at) > 32
        or not isinstance(video_id, int)
        or isinstance(video_id, bool)
        or video_id < 1
    ):
        raise InvalidCursor(cursor)
    return posted_at, video_id


def next_cursor(page: list[dict[str, object]], limit: int) -> str | None:
    """The cursor for the page after `page`, or None when this was the last page.

    The store fetches `limit + 1` rows: the extra row only tells us that more exist.
    """
    if len(page) <= limit:
        return None
    last = page[limit - 1]
    return encode_cursor(str(last["posted_at"]), int(str(last["video_id"])))


# --- buying ---------------------------------------------------------------------------------


def is_tagged(product_id: int, tagged_ids: list[int]) -> bool:
    """A video's buy button works only for products its creator tagged in it."""
    return product_id in tagged_ids


def channel_ref(video_id: int, purchase_id: str = "") -> str:
    """How the marketplace learns where the sale came from (for creator commission reports),
    and which of our purchases it is (so a webhook can be matched to it: see `purchase_of`)."""
    return f"video:{video_id}" + (f"/{purchase_id}" if purchase_id else "")


def purchase_id(user_id: int, idempotency_key: str | None) -> str:
    """Our id for one purchase: fresh each time, or the same for the same person's key (so a
    repeated Buy with one Idempotency-Key is one purchase, and one order at the marketplace)."""
    if not idempotency_key:
        return "p" + random_hex()
    digest = hashlib.sha256(f"{user_id}:{idempotency_key}".encode()).hexdigest()
    # Never 16 decimal digits (they read as a NIK): the first window of the digest that
    # has a letter, the same one for the same key.
    return "p" + next(
        digest[i : i + 16] for i in range(0, 48, 16) if not digest[i : i + 16].isdigit()
    )


def purchase_of(ref: str | None) -> str | None:
    """The purchase id inside a channel reference made by `channel_ref`, if any."""
    if not ref or "/" not in ref:
        return None
    return ref.rsplit("/", 1)[1] or None


def explain_refusal(status: int, code: str, message: str) -> tuple[int, str, str]:
    """How a marketplace refusal of an order (a 4xx) is told to the person who pressed "buy".

    Returns (HTTP status, code, message) for the social app's own answer.
    """
    if code in OUT_OF_STOCK_CODES:
        return 409, "out_of_stock", message or "The product is out of stock."
    if code in UNKNOWN_BUYER_CODES:
        return (
            409,
            "account_not_linked",
            (
                "Your Klip account is not linked to a marketplace buyer account yet; link it in "
                "the marketplace before buying."
            ),
        )
    if status in (401, 403):
        # Our own partner credentials were refused: not the person's fault, so a 502.
        return (
            502,
            "marketplace_unavailable",
            ("The marketplace refused the storefront's partner credentials; try again later."),
        )
    return 409, "order_refused", f"The marketplace refused the order: {message or code}"


# --- order status webhooks ------------------------------------------------------------------


def parse_update_time(value: int | float | str) -> float:
    """Unix seconds from a webhook's `update_time` (Unix seconds, or ISO-8601 with an offset)."""
    if isinstance(value, bool):
        raise ValueError("update_time must be Unix seconds or ISO-8601 with an offset")
    if isinstance(value, int | float):
        return float(value)
    text = value.strip()
    try:
        return float(text)
    except ValueError:
        pass
    moment = datetime.fromisoformat(text)  # raises ValueError when malformed
    if moment.tzinfo is None:
        raise ValueError("update_time needs a UTC offset, e.g. 2024-03-01T15:00:00+07:00")
    return moment.timestamp()


def is_newer(current: tuple[float | None, str], incoming: tuple[float, str]) -> bool:
    """Whether an incoming (update_time, status) should replace the stored one.

    Webhooks are retried and may arrive out of order ("paid" can overtake "created"), so the
    newest `update_time` wins, not the latest arrival. When two changes share the same second,
    the later step of the order's life wins. `None` means no webhook was applied yet.
    """
    current_time, current_status = current
    incoming_time, incoming_status = incoming
    if current_time is None or incoming_time > current_time:
        return True
    if incoming_time < current_time:
        return False
    rank = STOREFRONT_STATUS_RANK
    return rank.get(incoming_status, 0) > rank.get(current_status, 0)


def local_time(epoch: float) -> str:
    """ISO-8601 in WIB with its offset: 2024-03-01T15:00:00+07:00."""
    return datetime.fromtimestamp(epoch, WIB).isoformat(timespec="seconds")
