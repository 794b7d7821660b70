"""Acting as someone: a persona (the buyer, the newcomer...), a partner institution, or nobody.

The composer, the app faces and (later) lessons make requests "as" someone. An `Actor` knows
how that someone authenticates at each institution - a session token at the social app, a PIN
login at the bank, a partner credential in the callee's own dialect - and does it the same way
the institutions and scenarios do, through `sandbox.dialects.partners`.
"""

from __future__ import annotations

from typing import Any

import httpx

from sandbox.dialects.partners import partner_auth as auth_for
from sandbox.wire import Wire

STAFF = {"reception": "hospital"}
"""Staff who use one institution's own screens, with the institution they log in to."""
ANONYMOUS = "anonymous"
"""Calls with no credentials at all: how an institution treats a stranger."""
_OPEN_BANK_PATHS = ("/mobile/v1/sessions", "/mobile/v1/registrations")
_IKD_APP, _IKD_LOGIN = "/ikd/", "/ikd/v1/sessions"
"""Her IKD app at the civil registry, where she answers consent requests, and its log-in."""


def identities_for(service: str, world: dict[str, Any]) -> list[str]:
    """Who can call `service`: personas, the partners holding its credentials, and anonymous."""
    personas = list(world["personas"])
    partners = [name for name in world["partners"].get(service, {})]
    staff = [who for who, at in STAFF.items() if at == service]
    return personas + staff + partners + [ANONYMOUS]


def partner_auth(callee: str, caller: str, world: dict[str, Any], wire: Wire) -> httpx.Auth:
    """The httpx Auth `caller` uses at `callee` with its credentials from the world."""
    return auth_for(callee, world["partners"][callee][caller], wire.clock)


class Actor:
    """Makes real calls as `who`, authenticating the way `who` would at each institution."""

    def __init__(self, wire: Wire, world: dict[str, Any], who: str) -> None:
        self.wire = wire
        self.world = world
        self.who = who
        self._auth: dict[str, httpx.Auth | None] = {}
        self._bank_token: str | None = None
        self._ikd_token: str | None = None

    @property
    def persona(self) -> dict[str, Any] | None:
        """The persona's reference entry, if `who` is a persona."""
        found: dict[str, Any] | None = self.world["personas"].get(self.who)
        return found

    def client(self, service: str) -> httpx.AsyncClient:
        """The recorded client `who` uses to reach `service`."""
        return self.wire.client(self.who, service)

    async def request(
        self,
        service: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request as `who`; credentials are added here, never by the caller."""
        extra = dict(headers or {})
        auth = self._partner_auth(service)
        if auth is None:
            extra.update(await self._persona_headers(service, path))
        return await self.client(service).request(
            method,
            path,
            json=json,
            content=content,
            headers=extra,
            auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT,
        )

    def _partner_auth(self, service: str) -> httpx.Auth | None:
        if service not in self._auth:
            holds = self.world["partners"].get(service, {})
            self._auth[service] = (
                partner_auth(service, self.who, self.world, self.wire)
                if self.who in holds
                else None
            )
        return self._auth[service]

    async def _persona_headers(self, service: str, path: str) -> dict[str, str]:
        if STAFF.get(self.who) == service:  # the desk clerk, logged in to the desk's screen
            return {"Authorization": f"Bearer {self.world['hospital']['staff'][0]['token']}"}
        persona = self.persona
        if persona is None:
            return {}
        if service == "social" and "session_token" in persona:
            return {"Authorization": f"Bearer {persona['session_token']}"}
        if service == "bank" and "account_no" in persona and not path.startswith(_OPEN_BANK_PATHS):
            return {"Authorization": f"Bearer {await self._bank_session()}"}
        if (
            service == "identity"
            and "ikd_pin" in persona
            and path.startswith(_IKD_APP)
            and not path.startswith(_IKD_LOGIN)
        ):
            return {"Authorization": f"Bearer {await self._ikd_session()}"}
        return {}

    async def _ikd_session(self) -> str:
        """Log in to her IKD app with the persona's NIK and IKD PIN, once."""
        if self._ikd_token is None:
            persona = self.persona or {}
            response = await self.client("identity").post(
                _IKD_LOGIN, json={"nik": persona.get("nik"), "pin": persona.get("ikd_pin")}
            )
            response.raise_for_status()
            self._ikd_token = str(response.json()["session_token"])
        return self._ikd_token

    async def _bank_session(self) -> str:
        """Log in to the bank app with the persona's PIN, once."""
        if self._bank_token is None:
            persona = self.persona or {}
            response = await self.client("bank").post(
                "/mobile/v1/sessions",
                json={"account_no": persona.get("account_no"), "pin": persona.get("pin")},
            )
            response.raise_for_status()
            self._bank_token = str(response.json()["session_token"])
        return self._bank_token
