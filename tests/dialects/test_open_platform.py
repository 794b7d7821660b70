"""The marketplace open platform's dialect on its own: the published request and webhook
examples, tampering, and a stale timestamp refused by the platform's gate."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qsl

import httpx

from sandbox.dialects import open_platform as platform
from sandbox.dialects.open_platform import MarketplaceAuth
from tests.conftest import Services
from tests.dialects.published import example

PRODUCTS = "/api/v2/fs/7001/products"
"""The social app's catalogue feed at the marketplace (shop scope 7001)."""


def _params(ex: dict[str, str]) -> dict[str, str]:
    return dict(parse_qsl(ex["query"]))


def _recipe(secret: str, path: str, params: dict[str, str], body: bytes) -> str:
    pairs = "".join(
        f"{k}{v}" for k, v in sorted(params.items()) if k not in ("sign", "access_token")
    )
    text = secret.encode() + path.encode() + pairs.encode() + body + secret.encode()
    return hmac.new(secret.encode(), text, hashlib.sha256).hexdigest()


def test_platform_request_signature_matches_the_published_example() -> None:
    ex = example("platform-request")
    params = _params(ex)
    ours = platform.request_signature(ex["app secret"], ex["path"], params, ex["body"].encode())
    assert ours == _recipe(ex["app secret"], ex["path"], params, b"") == ex["sign"]
    # `sign` and `access_token` are never part of what is signed.
    extra = {**params, "sign": "anything", "access_token": "a-token"}
    assert platform.request_signature(ex["app secret"], ex["path"], extra, b"") == ex["sign"]


def test_platform_request_refuses_tampering() -> None:
    ex = example("platform-request")
    params = _params(ex)
    for path, changed, body in (
        ("/api/v2/products/100102", params, b""),
        (ex["path"], {**params, "timestamp": "1709280001"}, b""),
        (ex["path"], {**params, "fs_id": "7002"}, b""),
        (ex["path"], params, b"{}"),
    ):
        ours = platform.request_signature(ex["app secret"], path, changed, body)
        assert not platform.matches(ours, ex["sign"])
    other = platform.request_signature("another-secret", ex["path"], params, b"")
    assert not platform.matches(other, ex["sign"])


def test_platform_webhook_signature_matches_the_published_example() -> None:
    ex = example("platform-webhook")
    body = ex["body"].encode()
    recipe = hmac.new(
        ex["app secret"].encode(), ex["app key"].encode() + body, hashlib.sha256
    ).hexdigest()
    ours = platform.webhook_signature(ex["app secret"], ex["app key"], body)
    assert ours == recipe == ex["Authorization"]
    # The raw body is signed: the same JSON written another way is another message.
    respaced = platform.webhook_signature(
        ex["app secret"], ex["app key"], body.replace(b", ", b",")
    )
    assert not platform.matches(respaced, ex["Authorization"])


async def test_platform_gate_refuses_a_stale_timestamp(services: Services) -> None:
    creds = services.world["partners"]["marketplace"]["social"]
    late = MarketplaceAuth(creds["app_key"], creds["app_secret"], lambda: services.clock() - 301)
    on_time = MarketplaceAuth(creds["app_key"], creds["app_secret"], services.clock)
    async with services.client("marketplace", caller="social") as client:
        refused = await client.get(PRODUCTS, auth=late)
        taken = await client.get(PRODUCTS, auth=on_time)
    assert refused.status_code == 401
    assert refused.json()["code"] == "stale_timestamp"
    assert taken.status_code == 200
    signed = httpx.URL(str(refused.request.url)).params
    assert signed["timestamp"] == str(int(services.clock() - 301))


def test_marketplace_signature_ignores_sign_and_token_params() -> None:
    base = {"app_key": "k", "timestamp": "1"}
    one = platform.request_signature("sec", "/x", base, b"{}")
    two = platform.request_signature("sec", "/x", {**base, "sign": "z", "access_token": "q"}, b"{}")
    assert one == two and one != platform.request_signature("sec", "/y", base, b"{}")
