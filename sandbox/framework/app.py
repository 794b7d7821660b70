"""The frame every institution's app starts from: offline docs, health, errors, recording.

Docs are served by `fastapi-offline`, which ships the Swagger UI assets inside the package, so
`/docs` renders with no network at all (the default FastAPI docs load them from a CDN).
"""

from __future__ import annotations

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

    return app
