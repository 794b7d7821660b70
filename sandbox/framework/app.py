"""The frame every institution's app starts from: offline docs, health, errors, recording.

Docs are served by `fastapi-offline`, which ships the Swagger UI assets inside the package, so
`/docs` renders with no network at all (the default FastAPI docs load them from a CDN).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from sandbox.framework import openapi
from sandbox.framework.contract import PLAIN_ERROR
from sandbox.framework.errors import Render, install_error_handlers, plain_render
from sandbox.framework.service import ServiceEnv


def new_app(
    env: ServiceEnv,
    title: str,
    description: str,
    render: Render = plain_render,
    error_schema: dict[str, Any] = PLAIN_ERROR,
    **kwargs: Any,
) -> FastAPI:
    """A FastAPI app titled "SANDBOX <title>", with `/health`, error dialect and recording.

    `error_schema` is the JSON schema of what `render` returns (`contract.py` has each
    dialect's); the app's OpenAPI document is built by `framework/openapi.py`."""
    app = FastAPIOffline(title=f"SANDBOX {title}", description=description, version="1", **kwargs)
    install_error_handlers(app, render)
    openapi.install(app, error_schema)
    env.wire.instrument(app, service=env.name)
    health = {"status": "ok", "service": env.name, "title": f"SANDBOX {title}", "sandbox": True}

    @app.get("/health", tags=["health"], summary="Is the service up?")
    async def get_health() -> dict[str, Any]:
        return health

    app.state.closers = []
    return app


def on_close(app: FastAPI, close: Callable[[], None]) -> None:
    """Have `close_app` run `close`: what an institution holds beyond its database (a thread)."""
    app.state.closers.append(close)


def close_app(app: Any) -> None:
    """Let go of what the institution holds: at the end of its lifespan under uvicorn, and when
    an in-process embedding (the tests' wiring) is done with it, since no lifespan runs there.

    Why it matters: a thread left running keeps what it captured alive (a thread started inside
    a Textual app keeps that app's `sys.stderr` capture, so the whole app), and one is left per
    embedding. Any ASGI app may be given (a developer's own has no closers)."""
    closers: list[Callable[[], None]] = getattr(getattr(app, "state", None), "closers", [])
    while closers:
        closers.pop()()
