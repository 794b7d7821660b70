"""What reached a person's phone outside the integration: texts, and her IKD app's notices.

A one-time code or a debit notice reaches a phone over the telephone network, not an API
call between institutions, so reading it is not a recorded call (`sandbox.runtime.phone`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from sandbox.runtime import phone
from sandbox.runtime.control.dependencies import RuntimeDep

router = APIRouter()


@router.get("/sms")
async def sms(
    runtime: RuntimeDep,
    number: Annotated[str, Query(alias="phone", min_length=1, max_length=40)],
) -> list[dict[str, Any]]:
    """What the institutions texted a phone, oldest first: read-only, and no recorded call."""
    return [m.to_dict() for m in phone.texts_to(runtime.apps, number)]


@router.get("/ikd-notifications")
async def ikd_notifications(
    runtime: RuntimeDep,
    nik: Annotated[str, Query(pattern=r"^[0-9]{16}$")],
) -> list[dict[str, Any]]:
    """What a person's IKD app was told (consent requests), oldest first: read-only, no
    recorded call. She answers in the app through the registry's `/ikd/v1/...` endpoints."""
    return [n.to_dict() for n in phone.ikd_notices(runtime.apps, nik)]
