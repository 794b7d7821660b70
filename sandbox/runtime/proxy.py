"""A recording reverse proxy: how a server written in any language joins the picture.

A service given by `url` in `sandbox.toml` already runs elsewhere on this machine. The sandbox
listens on the service's own port and forwards every request there unchanged, so every call to
it passes the same recording middleware as a built-in institution's. Its calls *to* the
institutions are recorded by them on arrival, attributed by the partner credential it presents.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from starlette.types import Message, Receive, Scope, Send

HOP_BY_HOP = {
    b"connection",
    b"keep-alive",
    b"proxy-authenticate",
    b"proxy-authorization",
    b"te",
    b"trailers",
    b"transfer-encoding",
    b"upgrade",
    b"host",
    b"content-length",
    b"x-sandbox-recorded",
}
"""Not forwarded: hop-by-hop headers, and the runtime's recording proof, which is nobody
else's business."""
MAX_BODY = 1024 * 1024
"""Requests larger than this are refused (413), like the institutions' own limit."""


class RecordingProxy:
    """An ASGI app that forwards every HTTP request to `target` and streams the answer back."""

    def __init__(self, name: str, target: str, timeout: float = 30.0) -> None:
        self.name = name
        self.target = target.rstrip("/")
        self.client = httpx.AsyncClient(base_url=self.target, timeout=timeout)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if len(body) > MAX_BODY:
                await _error(
                    send, 413, "body_too_large", f"Request bodies are limited to {MAX_BODY} bytes."
                )
                return
            if not message.get("more_body"):
                break
        path = scope.get("raw_path") or scope["path"].encode()
        url = path.decode("latin-1") + (
            "?" + scope["query_string"].decode("latin-1") if scope.get("query_string") else ""
        )
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in HOP_BY_HOP]
        request = self.client.build_request(scope["method"], url, headers=headers, content=body)
        try:
            response = await self.client.send(request, stream=True)
        except httpx.TimeoutException:
            await _error(
                send,
                504,
                "upstream_timeout",
                f"{self.name} at {self.target} did not answer in time.",
            )
            return
        except httpx.HTTPError as exc:
            await _error(
                send,
                502,
                "upstream_unreachable",
                f"{self.name} at {self.target} cannot be reached "
                f"({type(exc).__name__}); is your server running?",
            )
            return
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": response.status_code,
                    "headers": [
                        (k, v) for k, v in response.headers.raw if k.lower() not in HOP_BY_HOP
                    ],
                }
            )
            async for chunk in response.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            await response.aclose()

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message: Message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.client.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _error(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"code": code, "message": message}).encode()
    headers: list[tuple[bytes, Any]] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
