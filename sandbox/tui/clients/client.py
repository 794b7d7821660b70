"""One person using one app: the calls it makes, and what a failed call means in words.

Every client makes its calls through an `Actor` (`sandbox.scenarios.identities`), which
authenticates the way that person would at each institution. The calls join the trace of
whatever is running (a tap runs in its own), so the UI can tell which tap caused which calls.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar, Protocol

import httpx

from sandbox.scenarios.identities import Actor
from sandbox.trace.events import HttpCall
from sandbox.tui.i18n import _
from sandbox.tui.starting import sandbox_started


class People(Protocol):
    """Who the UI can act as: the part of the `Backend` a client needs."""

    def actor(self, who: str) -> Actor: ...


class FaceError(Exception):
    """A call failed; the message is what the face shows in place."""

    def __init__(self, message: str, code: str = "", extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        """The institution's stable machine code for the refusal (empty when it gave none)."""
        self.extra = extra or {}
        """The refusal's other fields as the institution sent them (`attempts_left`...)."""


class AppClient:
    """The calls `who` makes with one app; each answer as the JSON object the app received."""

    service: ClassVar[str] = ""
    """The institution whose app this is."""

    def __init__(self, people: People, who: str) -> None:
        self.who = who
        """The person (or staff member) using the app."""
        self._people = people

    @property
    def actor(self) -> Actor:
        """Who makes the calls, asked for at each call: a reset world logs everyone out, and
        the backend then hands out a fresh actor (keeping the old one would send a session
        token the bank no longer knows)."""
        return self._people.actor(self.who)

    @property
    def persona(self) -> dict[str, Any]:
        """The person's entry in the seeded world (empty for staff and partners)."""
        return self.actor.persona or {}

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """One call as the actor; the JSON object of a 2xx answer, or FaceError saying why."""
        data = await self._answer(service, method, path, json=json, headers=headers)
        if not isinstance(data, dict):
            raise FaceError(
                _("{service} answered something that is not JSON").format(service=service)
            )
        return data

    async def call_items(self, service: str, method: str, path: str) -> list[dict[str, Any]]:
        """One call whose 2xx answer is a JSON list of objects (an app's list screen); any
        item that is not an object is left out, a body that is not a list is a FaceError."""
        data = await self._answer(service, method, path)
        if not isinstance(data, list):
            raise FaceError(
                _("{service} answered something that is not JSON").format(service=service)
            )
        return [item for item in data if isinstance(item, dict)]

    async def _answer(
        self,
        service: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """The decoded JSON of a 2xx answer (None when it is not JSON), or FaceError."""
        try:
            await sandbox_started(self._people)
        except RuntimeError as exc:  # the sandbox this app started never came up
            raise FaceError(str(exc)) from None
        try:
            response = await self.actor.request(service, method, path, json=json, headers=headers)
        except httpx.TimeoutException:
            raise FaceError(_("{service} did not answer in time").format(service=service)) from None
        except httpx.HTTPStatusError as exc:  # the actor's own login was refused
            raise _refusal(exc.response, service) from None
        except httpx.HTTPError:
            raise FaceError(_("{service} unreachable").format(service=service)) from None
        if not 200 <= response.status_code < 300:
            raise _refusal(response, service)
        try:
            return response.json()
        except ValueError:
            return None


def took(call: HttpCall, callee: str, method: str, path: str) -> bool:
    """True when `call` is `method path` to `callee` and the callee took it (a 2xx answer):
    a refused call changed nothing, so nothing a face shows is stale because of it."""
    return (
        call.callee == callee
        and call.method == method
        and call.path.split("?", 1)[0] == path
        and call.status is not None
        and 200 <= call.status < 300
    )


def body_of(call: HttpCall) -> dict[str, Any]:
    """The recorded request body as a JSON object; empty when it is not one (or was cut)."""
    try:
        data = json.loads(call.request_body)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _refusal(response: httpx.Response, service: str) -> FaceError:
    """The institution's own `message` (and `code`) for a failed call, else its status."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        data = {}
    message, code = data.get("message"), data.get("code")
    code = code[:64] if isinstance(code, str) else ""
    if not isinstance(message, str) or not message:
        message = _("HTTP {status} from {service}").format(
            status=response.status_code, service=service
        )
    return FaceError(message[:300], code, data)
