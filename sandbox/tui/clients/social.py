"""Klip's app on the buyer's phone, and the marketplace's checkout page it shows inside.

The checkout page is the marketplace's own (Klip only frames it, as an in-app web view), so the
page is fetched from the marketplace, as the buyer, at the URL Klip's order answer gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

from sandbox.trace.events import HttpCall
from sandbox.tui.clients.client import AppClient, body_of, took

FEED_PAGE = 50
"""Videos the app asks the feed for at once (the sandbox's feed is shorter)."""
WEBHOOK = "/webhooks/marketplace"
"""Where the marketplace tells Klip that an order changed (signed, SOC-ORDER)."""
_BUY = re.compile(r"/api/v1/videos/[^/?]+/buy")


@dataclass(frozen=True, slots=True)
class OrderChange:
    """The marketplace told Klip that an order has a new status."""

    order_id: str
    status: str


def order_change(call: HttpCall) -> OrderChange | None:
    """What changed when `call` is the marketplace's webhook to Klip, and Klip took it."""
    if not took(call, "social", "POST", WEBHOOK):
        return None
    data = body_of(call).get("data")
    if not isinstance(data, dict) or data.get("order_id") is None:
        return None
    return OrderChange(str(data["order_id"]), str(data.get("status", "")))


class SocialClient(AppClient):
    """What the short-video app asks Klip (and the marketplace's checkout page)."""

    service = "social"

    async def video(self, video_id: int) -> dict[str, Any]:
        """One video with its product cards (served by the marketplace through Klip)."""
        return await self.call("social", "GET", f"/api/v1/videos/{video_id}")

    async def feed(self) -> tuple[int, ...]:
        """The ids of the videos in the feed, in its order."""
        page = await self.call("social", "GET", f"/api/v1/feed?limit={FEED_PAGE}")
        return tuple(
            video["video_id"]
            for video in page.get("videos") or []
            if isinstance(video, dict) and isinstance(video.get("video_id"), int)
        )

    async def buy(self, video_id: int, product_id: int) -> dict[str, Any]:
        """Order one of `product_id` from a video: Klip's answer, with the checkout URL."""
        return await self.call(
            "social",
            "POST",
            f"/api/v1/videos/{video_id}/buy",
            json={"product_id": product_id, "quantity": 1},
        )

    async def checkout(self, checkout_url: str) -> dict[str, Any]:
        """The marketplace's checkout page at `checkout_url`, as the in-app web view loads it."""
        path = httpx.URL(checkout_url).raw_path.decode("ascii", "replace")
        return await self.call("marketplace", "GET", path)

    def bought(self, call: HttpCall) -> bool:
        """True when `call` is this person ordering from a video on Klip (from any device)."""
        return (
            call.caller == self.who
            and call.callee == "social"
            and call.method == "POST"
            and _BUY.fullmatch(call.path) is not None
            and call.status is not None
            and 200 <= call.status < 300
        )

    async def orders(self) -> tuple[dict[str, Any], ...]:
        """My orders, newest first, as the marketplace's webhooks left them at Klip."""
        answer = await self.call("social", "GET", "/api/v1/me/orders")
        return tuple(order for order in answer.get("orders") or [] if isinstance(order, dict))
