"""ControlGuard: the control API answers its owner, never a web page the owner happens to open.

A page in the user's browser can reach 127.0.0.1: it can send "simple" cross-site requests
(a form post, `fetch` with `Content-Type: text/plain`) without asking first, and through DNS
rebinding it can even read answers, because the browser then believes `attacker.example` *is*
127.0.0.1. So the guard, in front of every route:

- refuses a `Host` other than 127.0.0.1, localhost or [::1] (any port): a rebinding page
  always sends its own name (403 `foreign_host`);
- refuses a request from another origin: an `Origin` that is not this very host and port, or
  `Sec-Fetch-Site: cross-site`/`same-site` (403 `cross_site_request`);
- lets a request change anything (POST, PUT, PATCH, DELETE) only with the per-runtime token
  from `runtime.json`, which only the user can read (`Authorization: Bearer <token>`; 401
  `missing_control_token` / `invalid_control_token`).

Reading stays open to the loopback owner (status, the trace, the event stream), as before.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.framework.contract import Security

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})
SAFE_METHODS = frozenset({"GET", "HEAD"})
TOKEN_HEADER = "authorization"


CONTROL_TOKEN = Security(
    {
        "controlToken": {
            "type": "http",
            "scheme": "bearer",
            "description": "The per-runtime token from runtime.json (mode 0600) in the data "
            "directory; needed to change anything (POST, PUT, PATCH, DELETE).",
        }
    }
)
"""The token the guard asks of every change, as the API's OpenAPI document declares it."""


def documented(method: str) -> tuple[Sequence[Security], dict[int, set[str]]]:
    """What the guard adds to an operation of `method`: the token it asks, its refusals."""
    refusals = {403: {"foreign_host", "cross_site_request"}}
    if method.upper() in SAFE_METHODS:
        return (), refusals
    return (CONTROL_TOKEN,), {**refusals, 401: {"missing_control_token", "invalid_control_token"}}


def host_name(host: str) -> str:
    """The name part of a Host header (without the port), lower case; "" if malformed."""
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        name, rest = host[: end + 1], host[end + 1 :]
    else:
        name, _, port = host.partition(":")
        rest = f":{port}" if port else ""
    if rest and not (rest[:1] == ":" and rest[1:].isascii() and rest[1:].isdigit()):
        return ""
    return name


class ControlGuard:
    """Pure ASGI middleware: loopback Host, same origin, a token for changes."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token.encode("ascii")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", ())}
        host = headers.get(b"host", b"").decode("latin-1")
        if host_name(host) not in LOOPBACK_HOSTS:
            await _refuse(
                send,
                403,
                "foreign_host",
                f"The control API answers only as 127.0.0.1, localhost or [::1]; "
                f"Host {host[:80]!r} is none of them.",
            )
            return
        origin = headers.get(b"origin")
        site = headers.get(b"sec-fetch-site", b"").lower()
        if (
            origin is not None and origin.decode("latin-1").lower() != f"http://{host.lower()}"
        ) or site in (b"cross-site", b"same-site"):
            await _refuse(
                send,
                403,
                "cross_site_request",
                "The control API does not answer pages from other sites.",
            )
            return
        if scope["method"] not in SAFE_METHODS:
            problem = self._token_problem(headers.get(TOKEN_HEADER.encode(), b""))
            if problem:
                await _refuse(send, 401, *problem)
                return
        await self.app(scope, receive, send)

    def _token_problem(self, authorization: bytes) -> tuple[str, str] | None:
        scheme, _, given = authorization.partition(b" ")
        if scheme.lower() != b"bearer" or not given.strip():
            return (
                "missing_control_token",
                "Changing the sandbox needs its control token: send 'Authorization: Bearer "
                "<token>' with the token from runtime.json in the data directory (the "
                "sandbox CLI and UI do this for you).",
            )
        if not hmac.compare_digest(given.strip(), self.token):
            return (
                "invalid_control_token",
                "This is not the control token of this sandbox; read it from runtime.json "
                "in its data directory.",
            )
        return None


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"code": code, "message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
