"""The person's IKD app (Dukcapil's digital ID app), logged in with her NIK and IKD PIN.

The actor logs in once (`POST /ikd/v1/sessions`) and sends her session token on every call,
so the calls appear in the trace as hers: the person, not an institution, answers a consent
request. Which calls changed what the app shows is read off the recorded calls (`asked_her`,
`answered_for`), so the app follows a partner's request or an answer given on another device.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from sandbox.trace.events import HttpCall
from sandbox.tui.clients.client import AppClient, took

ASKED = "/v1/consent-requests"
"""Where a partner asks the registry to put a consent request before her."""
APP = "/ikd/v1/"
"""Her app's own endpoints at the registry."""
_ANSWERS = ("/approve", "/decline")


def _segment(value: str) -> str:
    """An id from the wire as one path segment: whatever it holds, it cannot reach another
    endpoint (`/`, `?`, `..` are escaped)."""
    return quote(value, safe="")


class IkdClient(AppClient):
    """What her IKD app asks the registry: the requests waiting for her, her answers, her
    consents and their revocation."""

    service = "identity"

    async def pending(self) -> list[dict[str, Any]]:
        """The consent requests waiting for her answer, oldest first."""
        return await self.call_items("identity", "GET", "/ikd/v1/consent-requests")

    async def consents(self) -> list[dict[str, Any]]:
        """The consents she gave, newest first (active, revoked and expired alike)."""
        return await self.call_items("identity", "GET", "/ikd/v1/consents")

    async def approve(self, request_id: str) -> dict[str, Any]:
        """Approve a request: the registry makes the consent and tells the partner."""
        path = f"/ikd/v1/consent-requests/{_segment(request_id)}/approve"
        return await self.call("identity", "POST", path)

    async def decline(self, request_id: str) -> dict[str, Any]:
        """Refuse a request: no consent is made, and the partner is told."""
        path = f"/ikd/v1/consent-requests/{_segment(request_id)}/decline"
        return await self.call("identity", "POST", path)

    async def revoke(self, consent_id: str) -> dict[str, Any]:
        """Revoke a consent she gave: from now on every institution is refused it."""
        return await self.call("identity", "DELETE", f"/ikd/v1/consents/{_segment(consent_id)}")


def asked_her(call: HttpCall) -> bool:
    """True when `call` is a partner's consent request the registry took (for anyone: the
    request carries only her NIK, which the recorded call shows redacted)."""
    return call.caller != "identity" and took(call, "identity", "POST", ASKED)


def answered_for(call: HttpCall, who: str) -> bool:
    """True when `who` answered a request or revoked a consent in her app on another device
    (the registry took it)."""
    if call.caller != who or call.callee != "identity" or not call.path.startswith(APP):
        return False
    path = call.path.split("?", 1)[0]
    answered = path.startswith(APP + "consent-requests/") and path.endswith(_ANSWERS)
    revoked = path.startswith(APP + "consents/") and call.method == "DELETE"
    return (answered or revoked) and call.status is not None and 200 <= call.status < 300
