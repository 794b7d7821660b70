"""The social app as a partner of the marketplace: the only institution it ever talks to.

Klip is a storefront (etalase). Under Permendag 31/2023 a social-commerce platform may show
goods but may not take payment itself, so this module has exactly two outbound calls - read
product cards, and hand over the buyer's intent to create an order - both to the marketplace's
partner API, signed with `MarketplaceAuth`. There is no bank client anywhere in this package
(only the deliberately wrong teaching variant "social-calls-bank" in `routes`, off by default).

The buyer is named by an opaque `link_token` the marketplace issued when the person linked
their accounts; the marketplace alone knows who that is, their address and how they pay.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from pydantic import ValidationError

from sandbox.dialects import open_platform
from sandbox.dialects.open_platform import MarketplaceAuth
from sandbox.framework.service import ServiceEnv
from sandbox.services.social.schemas import OrderCreated, ProductCard

log = logging.getLogger(__name__)

CARD_TIMEOUT = 3.0
"""Seconds to wait for product cards: a slow marketplace must not freeze the video page."""


class MarketplaceDown(Exception):
    """The marketplace could not be reached, failed (5xx) or answered nonsense."""

    def __init__(self, reason: str, unsure: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.unsure = unsure
        """True when the request may have been carried out anyway (it timed out)."""


class MarketplaceRefused(Exception):
    """The marketplace understood the request and said no (a 4xx)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class MarketplacePartner:
    """Signed calls to the marketplace partner API, scoped by our `fs_id`."""

    def __init__(self, env: ServiceEnv) -> None:
        creds = env.seed["holds"]["marketplace"]
        self.wire = env.wire
        self.app_key: str = creds["app_key"]
        self.app_secret: str = creds["app_secret"]
        self.fs_id = int(creds["fs_id"])
        # One Auth for the app's life: it caches the access token and renews it when it expires.
        self.auth = MarketplaceAuth(self.app_key, self.app_secret, clock=env.wire.clock)

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        # The client is looked up per call, not once at start-up, so that tests (and the
        # runtime) can point "marketplace" somewhere else after the app was built.
        try:
            client = self.wire.client("social", "marketplace")
            return await client.request(method, path, auth=self.auth, **kwargs)
        except httpx.TimeoutException:
            raise MarketplaceDown("the marketplace did not answer in time", unsure=True) from None
        except (httpx.HTTPError, LookupError) as exc:
            raise MarketplaceDown(
                f"the marketplace could not be reached ({type(exc).__name__})"
            ) from None

    async def product_cards(self, product_ids: list[int]) -> list[ProductCard]:
        """Live product cards, in the order the ids were given (unknown ids are skipped)."""
        response = await self._send(
            "GET",
            f"/api/v2/fs/{self.fs_id}/products",
            params={"ids": ",".join(str(pid) for pid in product_ids)},
            timeout=CARD_TIMEOUT,
        )
        if response.status_code != 200:
            raise MarketplaceDown(_answered(response))
        try:
            cards = [ProductCard.model_validate(item) for item in _card_list(response.json())]
        except (ValueError, ValidationError):
            raise MarketplaceDown(
                "the marketplace sent product cards the app cannot read"
            ) from None
        by_id = {card.product_id: card for card in cards}
        return [by_id[pid] for pid in product_ids if pid in by_id]

    async def create_order(
        self,
        link_token: str,
        product_id: int,
        quantity: int,
        channel_ref: str,
        idempotency_key: str,
    ) -> OrderCreated:
        """Ask the marketplace to create the order; it reserves stock and handles payment.

        The key is the purchase's: a retry with it (after a timeout, or the buyer tapping
        Buy again with the same key) gets the first order back, never a second one. One retry
        is made here when the marketplace did not answer in time.
        """
        body = {
            "buyer_link_token": link_token,
            "items": [{"product_id": product_id, "quantity": quantity}],
            "channel_ref": channel_ref,
        }
        path, headers = f"/api/v2/fs/{self.fs_id}/orders", {"Idempotency-Key": idempotency_key}
        try:
            response = await self._send("POST", path, json=body, headers=headers)
        except MarketplaceDown as exc:
            if not exc.unsure:
                raise
            response = await self._send("POST", path, json=body, headers=headers)
        if response.status_code >= 500:
            raise MarketplaceDown(_answered(response))
        if response.status_code >= 400:
            code, message = _error_of(response)
            raise MarketplaceRefused(response.status_code, code, message)
        try:
            return OrderCreated.model_validate(response.json())
        except (ValueError, ValidationError):
            # The order may exist at the marketplace now; we cannot tell, so we say so loudly.
            log.warning(
                "marketplace answered %s to an order with an unreadable body", response.status_code
            )
            raise MarketplaceDown("the marketplace's answer could not be read") from None

    def checkout_link(self, url: str) -> str:
        """The checkout page as a full URL (the marketplace may answer with a path only)."""
        if url.startswith("/"):
            return self.wire.url("marketplace") + url
        return url

    def webhook_is_authentic(self, body: bytes, authorization: str | None) -> bool:
        """Is `Authorization` = hex HMAC-SHA256(app secret, app key + raw body)?

        Computed over the raw bytes as received: re-serialising the JSON would change
        spacing or key order and break the signature. Compared in constant time.
        """
        expected = open_platform.webhook_signature(self.app_secret, self.app_key, body)
        return open_platform.matches(expected, authorization)


def _card_list(payload: Any) -> list[Any]:
    """The cards in a products answer: a bare list, or a list under `products` or `data`."""
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict):
        for key in ("products", "data"):
            if isinstance(payload.get(key), list):
                return list(payload[key])
    raise ValueError("no product list in the answer")


def _error_of(response: httpx.Response) -> tuple[str, str]:
    """The marketplace's error `code` and `message` (it speaks the common error shape)."""
    try:
        payload = response.json()
    except ValueError:
        payload = {}
    if not isinstance(payload, dict):
        payload = {}
    code = str(payload.get("code") or f"http_{response.status_code}")[:64]
    message = str(payload.get("message") or "")[:300]
    return code, message


def _answered(response: httpx.Response) -> str:
    code, message = _error_of(response)
    detail = f": {message}" if message else ""
    return f"the marketplace answered HTTP {response.status_code} {code}{detail}"
