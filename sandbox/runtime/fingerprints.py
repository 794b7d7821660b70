"""What an audit vouches for, as digests: each service's contract and its credentials.

RE-AUDIT (DOMAIN rule 12) says a passed audit stops covering a service once its contract
or its partner credentials changed. So an audit record keeps, per service, a sha256 of its
OpenAPI document (the contract its callers build on) and a sha256 of the partner credentials
it accepts and holds - a digest, never a secret: the credentials are random, so their digest
tells nobody anything but "these are not the same as before".

Read from the running institutions themselves (`GET /fingerprints` on the control API), so
what is compared is what is served; no recorded call is made to learn it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sandbox.runtime.seeding import seed_for

DIGEST_LENGTH = 16
"""Hex characters kept of each sha256: enough to tell two contracts apart in a lesson."""


@dataclass(frozen=True, slots=True)
class Fingerprints:
    """Per service: the digest of its contract and of its credentials."""

    contracts: dict[str, str]
    """Service -> digest of its OpenAPI document (absent for a server without one)."""
    credentials: dict[str, str]
    """Service -> digest of the partner credentials it accepts and holds."""

    def to_dict(self) -> dict[str, Any]:
        return {"contracts": self.contracts, "credentials": self.credentials}


def digest(value: Any) -> str:
    """A stable digest of JSON-able `value` (keys sorted, so order never matters)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:DIGEST_LENGTH]


def contract_of(app: Any) -> str | None:
    """The digest of `app`'s OpenAPI document, or None when it serves none (a plain ASGI
    app, a proxy in front of someone else's server)."""
    openapi = getattr(app, "openapi", None)
    if not callable(openapi):
        return None
    try:
        return digest(openapi())
    except Exception:  # a user's app whose document cannot be built has no contract to compare
        return None


def credentials_of(name: str, world: dict[str, Any]) -> str:
    """The digest of the credentials `name` accepts from partners and holds at others."""
    seed = seed_for(name, world)
    return digest({"accepts": seed["accepts"], "holds": seed["holds"]})


def fingerprints(apps: Mapping[str, Any], world: dict[str, Any]) -> Fingerprints:
    """The fingerprints of every service in `apps`."""
    contracts = {name: c for name, app in apps.items() if (c := contract_of(app)) is not None}
    return Fingerprints(contracts, {name: credentials_of(name, world) for name in apps})
