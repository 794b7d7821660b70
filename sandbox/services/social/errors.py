"""The social app's error dialect: plain `{"code", "message"}` JSON, like most consumer apps.

Every error a person or the marketplace can cause is raised through one of these helpers, so
each code is written once and the messages say what to fix.
"""

from __future__ import annotations

from typing import Any, NoReturn

from sandbox.framework.errors import ApiError


def render(status: int, code: str, message: str, extra: dict[str, Any]) -> dict[str, Any]:
    """The JSON body of every error: `code`, `message` and any extra fields."""
    return {"code": code, "message": message, **extra}


def unauthorized(code: str, message: str) -> NoReturn:
    """401: the session token (or the webhook signature) is missing or wrong."""
    raise ApiError(401, code, message)


def forbidden(code: str, message: str) -> NoReturn:
    """403: we know who is calling, but this is not theirs to do."""
    raise ApiError(403, code, message)


def bad_request(code: str, message: str, **extra: Any) -> NoReturn:
    """400: the request itself is wrong."""
    raise ApiError(400, code, message, **extra)


def not_found(code: str, message: str) -> NoReturn:
    """404: no such video, user or order (for this person)."""
    raise ApiError(404, code, message)


def refused(status: int, code: str, message: str, **extra: Any) -> NoReturn:
    """A marketplace refusal, already translated by `rules.explain_refusal`."""
    raise ApiError(status, code, message, **extra)


def marketplace_unavailable(reason: str, unsure: bool = False) -> NoReturn:
    """502: the marketplace could not be reached or failed; nothing was stored here.

    After a timeout (`unsure`) the marketplace may still have created the order: its answer
    just never arrived. Saying "no order was created" then would be a guess, so we do not.
    """
    if unsure:
        raise ApiError(
            502,
            "marketplace_unavailable",
            f"The marketplace is unavailable ({reason}); it may have created the order anyway. "
            "Such an order stays unpaid and is cancelled when its payment time runs out.",
        )
    raise ApiError(
        502,
        "marketplace_unavailable",
        f"The marketplace is unavailable ({reason}); no order was created. Try again in a moment.",
    )
