"""What an audit compares: the digests it records (`sandbox.runtime.fingerprints`), each
service's contract (its OpenAPI document) and its partner credentials as served now, and the
audits recorded in the data directory (`audits.json`), so a viewer that reaches the sandbox
only through this API (the UI) judges RE-AUDIT as `sandbox audit` does."""

from __future__ import annotations

import asyncio
import json
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


AUDITS_FILE = "audits.json"
"""`sandbox.audit.history.FILENAME` (the audit sits above the runtime, which cannot import it;
a test keeps the two names the same)."""


@router.get("/audits")
async def audits(runtime: RuntimeDep) -> dict[str, Any]:
    """`{"audits": [...]}`: the passed audits recorded in the data directory, oldest first, as
    `sandbox audit --record` wrote them; `{"audits": null}` when none was ever recorded (the
    seeded world's audit applies). Digests and dates only, never a credential."""
    path = runtime.settings.data_dir / AUDITS_FILE

    def read() -> Any:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return {"audits": []}  # unreadable: no audit on record, as `sandbox audit` reads it

    raw = await asyncio.to_thread(read)
    if raw is None:
        return {"audits": None}
    items = raw.get("audits", []) if isinstance(raw, dict) else raw
    return {"audits": [r for r in items if isinstance(r, dict)] if isinstance(items, list) else []}
