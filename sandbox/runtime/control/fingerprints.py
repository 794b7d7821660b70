"""The digests an audit records and compares (`sandbox.runtime.fingerprints`): each
service's contract (its OpenAPI document) and its partner credentials, as served now."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter

from sandbox.runtime.control.dependencies import RuntimeDep
from sandbox.runtime.fingerprints import fingerprints as fingerprints_of

router = APIRouter()


@router.get("/fingerprints")
async def fingerprints(runtime: RuntimeDep) -> dict[str, Any]:
    """`{"contracts": {service: digest}, "credentials": {service: digest}}`: digests only,
    never a credential."""
    apps = {s.name: runtime.apps[s.name] for s in runtime.running() if s.name in runtime.apps}
    found = await asyncio.to_thread(fingerprints_of, apps, runtime.world)
    return found.to_dict()
