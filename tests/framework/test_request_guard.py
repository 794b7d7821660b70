"""The last-resort guard in front of every institution: a caller that leaves mid-request is
not a failure of the service (no error and no traceback in its log)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi import FastAPI, Request

from sandbox.framework.guard import RequestGuard


def _app() -> Any:
    app = FastAPI()

    @app.post("/notify")
    async def notify(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    return RequestGuard(app, render=lambda status, code, message, extra: {"code": code})


async def _call(app: Any, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "path": "/notify",
        "raw_path": b"/notify",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"100")],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
        "scheme": "http",
        "root_path": "",
    }
    sent: list[dict[str, Any]] = []
    incoming = iter(messages)

    async def receive() -> dict[str, Any]:
        return next(incoming)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


async def test_a_caller_that_leaves_mid_body_is_not_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="sandbox.framework.guard"):
        await _call(
            _app(),
            [
                {"type": "http.request", "body": b'{"partial":', "more_body": True},
                {"type": "http.disconnect"},
            ],
        )
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("caller left" in r.getMessage() for r in caplog.records)


async def test_a_whole_body_is_still_served() -> None:
    sent = await _call(_app(), [{"type": "http.request", "body": b"x" * 100, "more_body": False}])
    assert sent[0]["status"] == 200
