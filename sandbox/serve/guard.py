"""The guard in front of every page, asset and websocket of `sandbox serve`.

A page of the stage drives a copy of the UI: on the presenter's server that copy can reset the
world and inject faults, and any web page the presenter opens could otherwise reach it
(a websocket is not bound by the same-origin rule; DNS rebinding makes a foreign name point at
127.0.0.1). So, as the control API does (`sandbox.runtime.control_guard`):

- a request must carry the join token: `?token=` in the link the server printed, or the
  cookie the first page received (so the page's assets and its websocket need no token in
  their URLs); otherwise 403;
- a page served only to this machine answers only to loopback Host names (403 otherwise);
- a request that names another origin (`Origin`, as every browser's websocket does) is
  refused (403): only the stage's own page may open its websocket.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web

COOKIE = "sandbox_stage"
TOKEN_PARAM = "token"
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def new_token() -> str:
    """A join token nobody can guess: printed once, in the link the presenter shares."""
    return secrets.token_urlsafe(24)


def cookie_name(token: str) -> str:
    """The cookie of one stage: a browser keeps cookies per host, not per port, so the
    presenter's stage and the followers' on the same machine must not overwrite each other's."""
    return f"{COOKIE}_{hashlib.sha256(token.encode()).hexdigest()[:12]}"


def host_name(host: str) -> str:
    """The name part of a Host header, lower case, without its port."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.partition(":")[0]


def _matches(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def _refuse(reason: str) -> web.Response:
    return web.Response(status=403, text=reason + "\n", content_type="text/plain")


def stage_guard(token: str, *, loopback_only: bool) -> Callable[..., Awaitable[web.StreamResponse]]:
    """aiohttp middleware: the join token, loopback Host names (`loopback_only`), one origin."""
    cookie = cookie_name(token)

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        host = request.headers.get("Host", "")
        if loopback_only and host_name(host) not in LOOPBACK_NAMES:
            return _refuse("This stage answers only as 127.0.0.1 or localhost.")
        origin = request.headers.get("Origin")
        if origin is not None and origin.lower() != f"{request.scheme}://{host.lower()}":
            return _refuse("This stage does not answer pages from other sites.")
        from_link = _matches(request.query.get(TOKEN_PARAM), token)
        if not from_link and not _matches(request.cookies.get(cookie), token):
            return _refuse("Open the stage with the link the presenter's `sandbox serve` printed.")
        response = await handler(request)
        if from_link and not response.prepared:
            response.set_cookie(cookie, token, httponly=True, samesite="Strict", path="/")
        return response

    return guard
