"""Who may call each endpoint, and how: the credentials the fuzzers and corpora send.

Each institution's partner endpoints are called as the partner holding its credentials (signed
in that partner's dialect by `sandbox.dialects.auth`), its people-facing endpoints as a persona or
the desk clerk, and its admin API with the admin key - so generated requests get past
authentication and reach the validation and domain rules behind it.
"""

from __future__ import annotations

from typing import Any

import httpx

from sandbox.scenarios.identities import ANONYMOUS, Actor
from sandbox.wire import Wire

SERVICES = ("social", "marketplace", "bank", "identity", "hospital", "records", "insurance")
PARTNER_OF = {
    "marketplace": "social",
    "bank": "marketplace",
    "identity": "marketplace",
    "records": "hospital",
    "insurance": "hospital",
}
"""The partner whose credentials reach each institution's partner API."""


class Caller:
    """Sends requests to any institution as the party allowed to make them, or as a stranger."""

    def __init__(self, wire: Wire, world: dict[str, Any], stranger: bool = False) -> None:
        self.world = world
        self.stranger = stranger
        self._actors: dict[str, Actor] = {}
        self._wire = wire

    def who(self, service: str, path: str) -> str:
        """The persona or partner that calls `path` at `service`."""
        if self.stranger:
            return ANONYMOUS
        if service == "social" or (service == "bank" and path.startswith("/mobile/")):
            return "buyer"
        return PARTNER_OF.get(service, ANONYMOUS)

    def extra_headers(self, service: str, path: str) -> dict[str, str]:
        """Credentials that are headers rather than a dialect: desk tokens, the admin key."""
        if self.stranger:
            return {}
        if service == "hospital" and path.startswith("/api/"):
            return {"Authorization": f"Bearer {self.world['hospital']['staff'][0]['token']}"}
        if service == "identity" and path.startswith("/admin/"):
            return {"X-Admin-Key": self.world["partners"]["admin"]["identity"]}
        return {}

    async def request(
        self,
        service: str,
        method: str,
        path: str,
        *,
        content: bytes | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """One request; the credentials are added here, never by the caller."""
        bare = path.split("?", 1)[0]
        who = self.who(service, bare)
        actor = self._actors.setdefault(who, Actor(self._wire, self.world, who))
        sent = {**(headers or {}), **self.extra_headers(service, bare)}
        return await actor.request(service, method, path, content=content, json=json, headers=sent)
