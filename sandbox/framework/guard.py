"""RequestGuard: oversized bodies get a 413 and crashes get a plain 500, both as JSON.

It sits outside the app's own handlers so even a bug answers in the institution's dialect,
and never lets a stack trace reach the caller.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
"""Requests over 1 MB are refused: no institution here needs more."""


class _TooLarge(Exception):
    pass


class RequestGuard:
    """Pure ASGI middleware: body size limit and a last-resort error handler."""

    def __init__(
        self, app: ASGIApp, render: Callable[..., dict[str, Any]], max_body: int = MAX_BODY
    ) -> None:
        self.app = app
        self.render = render
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers", ())).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            await self._reply(
                send, 413, "body_too_large", f"The request body is over {self.max_body} bytes."
            )
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_body:
                raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._reply(
                    send, 413, "body_too_large", f"The request body is over {self.max_body} bytes."
                )
        except ClientDisconnect:
            # The caller gave up (its timeout) while sending: nobody is left to answer, and
            # its own record of the call says so. Not a failure of this service.
            log.info("caller left during %s %s", scope.get("method"), scope.get("path"))
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await self._reply(
                    send, 500, "internal_error", "The service failed; the error was logged."
                )

    async def _reply(self, send: Send, status: int, code: str, message: str) -> None:
        body = json.dumps(self.render(status, code, message, {})).encode()
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
