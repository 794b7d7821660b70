"""Cut the world into the slice each institution may see.

An institution gets its own rows, the credentials of partners allowed to call it, and its own
credentials at other institutions - never another institution's data.
"""

from __future__ import annotations

from typing import Any

_DATA_KEYS = {"identity": ("persons", "regions")}


def seed_for(name: str, world: dict[str, Any]) -> dict[str, Any]:
    """The seed slice for service `name`."""
    if name in _DATA_KEYS:
        data = {key: world[key] for key in _DATA_KEYS[name]}
    else:
        data = dict(world.get(name, {}))
    partners: dict[str, dict[str, Any]] = {
        k: v for k, v in world["partners"].items() if k != "admin"}
    holds = {callee: creds[name] for callee, creds in partners.items() if name in creds}
    return {
        "seed": world["seed"],
        "data": data,
        "accepts": partners.get(name, {}),
        "holds": holds,
        "admin_key": world["partners"]["admin"].get(name),
    }


def partner_ids(world: dict[str, Any]) -> dict[str, str]:
    """Every credential id a caller can present, mapped to the service that owns it."""
    ids: dict[str, str] = {}
    for callee, callers in world["partners"].items():
        if callee == "admin":
            continue
        for caller, creds in callers.items():
            for field in ("client_id", "client_key", "partner_id", "app_key", "cons_id"):
                if field in creds:
                    ids[str(creds[field])] = caller
    return ids
