"""One way to fail: every error is JSON with a stable `code` and a human `message`.

Each institution renders errors in its own dialect (SNAP `responseCode`, FHIR OperationOutcome...)
through a `render` function it passes to `install_error_handlers`; the `code` and `message`
fields are always present too, so any client can rely on them. Caller mistakes are 4xx;
a bug is a 500 with no stack trace in the body.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from sandbox.framework.guard import RequestGuard

log = logging.getLogger(__name__)

Render = Callable[[int, str, str, dict[str, Any]], dict[str, Any]]
"""(status, code, message, extra) -> the JSON body in the institution's dialect."""


class ApiError(Exception):
    """Raise from an endpoint to answer with a clear error."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.headers = headers
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra


def plain_render(status: int, code: str, message: str, extra: dict[str, Any]) -> dict[str, Any]:
    """The default dialect: `{"code": ..., "message": ..., **extra}`."""
    return {"code": code, "message": message, **extra}


def describe_validation(errors: Sequence[Any]) -> tuple[str, str, str | None]:
    """Turn pydantic's errors into (code, message, field) a person can act on."""
    first = errors[0] if errors else {}
    kind = first.get("type", "")
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header")]
    field = ".".join(loc) or None
    if kind == "json_invalid":
        return "invalid_json", "The request body is not valid JSON.", None
    if kind == "missing":
        where = first.get("loc", ("body",))[0]
        return "missing_field", f"Missing required {where} field '{field}'.", field
    if field is None and kind in ("model_attributes_type", "dict_type"):
        if isinstance(first.get("input"), bytes | str):
            return (
                "invalid_json",
                "The request body must be a JSON object, sent with Content-Type: application/json.",
                None,
            )
        return "invalid_body", "The request body must be a JSON object.", None
    detail = first.get("msg", "is invalid")
    return "invalid_field", f"Field '{field}' {_lower_first(detail)}.", field


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def install_error_handlers(app: FastAPI, render: Render = plain_render) -> None:
    """Make every failure of `app` answer in its dialect, never with a traceback."""

    def respond(
        status: int,
        code: str,
        message: str,
        extra: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> JSONResponse:
        return JSONResponse(
            render(status, code, message, extra), status_code=status, headers=headers
        )

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return respond(exc.status, exc.code, exc.message, exc.extra, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        code, message, field = describe_validation(exc.errors())
        return respond(400, code, message, {"field": field} if field else {})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            message = f"No endpoint {request.method} {request.url.path}; see /docs."
            return respond(404, "not_found", message, {})
        if exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}; see /docs."
            return respond(405, "method_not_allowed", message, {}, dict(exc.headers or {}))
        if exc.status_code == 400:  # FastAPI could not parse the body (bytes that are no JSON)
            message = f"The request body could not be read: {exc.detail}."
            return respond(400, "invalid_body", message, {})
        return respond(exc.status_code, f"http_{exc.status_code}", str(exc.detail), {})

    app.add_middleware(RequestGuard, render=render)
