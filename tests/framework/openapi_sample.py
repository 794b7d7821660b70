"""A route as another engineer might add it, for tests/framework/test_openapi_document.py: a
signed dependency, errors through helpers and a call two levels deep, an enforced header."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel

from sandbox.framework.contract import ENFORCED, Security, api_key, header, secured
from sandbox.framework.errors import ApiError

LAB_SIGNED = Security(
    {"labKey": api_key("labKey", "header", "X-Lab-Key", "Your key.")},
    (
        header(
            "X-Lab-Signature",
            "hex(HMAC-SHA256(secret, METHOD:path)).",
        ),
    ),
)

router = APIRouter()


def refused(status: int, code: str) -> ApiError:
    return ApiError(status, code, f"Refused: {code}.")


def not_found(code: str) -> ApiError:
    return refused(404, code)


@secured(LAB_SIGNED)
async def signed(request: Request) -> str:
    key = request.headers.get("x-lab-key")
    if not key:
        raise ApiError(401, "missing_key", "Send X-Lab-Key.")
    if request.headers.get("x-lab-signature") != "ok":
        raise refused(401, "bad_signature")
    return key


def _check_lock(item_id: int) -> None:
    if item_id == 7:
        raise ApiError(409, "item_locked", "Item 7 is locked.")


def _load(item_id: int) -> dict[str, int]:
    _check_lock(item_id)
    if item_id > 9:
        raise not_found("item_not_found")
    return {"item_id": item_id}


class Change(BaseModel):
    """A body, so the operation takes input."""

    note: str


@router.post("/lab/{item_id}")
async def change(
    item_id: int,
    body: Change,
    _key: Annotated[str, Depends(signed)],
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", json_schema_extra=ENFORCED)
    ] = None,
) -> dict[str, int]:
    reason = body.note
    if reason == "no":
        raise ApiError(403, reason, "Refused.")
    if reason == "later":
        raise ApiError(503, "lab_busy", "The lab is busy: try again later.")
    return _load(item_id)
