"""The person's phone: the texts institutions sent her (one-time codes, debit notices).

A text is not a call between institutions: the telephone network carries it. So reading the
phone is never recorded; the UI reads the senders' own records through the control API
(`GET /sms`, the same source as the stories' `Phone`), through the `Backend`'s `sms`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sandbox.runtime.models import Sms

Texts = Callable[[str], Awaitable[list[Sms]]]
"""What the institutions texted a phone number: the `Backend`'s `sms`, a story `Phone`'s
`messages`."""


class PhoneClient:
    """Reads the texts sent to one person's phone number (from the seeded world)."""

    def __init__(self, texts: Texts, world: dict[str, Any], who: str) -> None:
        self._texts = texts
        self.number = _number_of(world, who)
        """Her phone number as the civil record and the bank have it (empty: no phone)."""

    async def messages(self) -> list[Sms]:
        """Every text sent to her phone, oldest first (none without a number)."""
        if not self.number:
            return []
        return await self._texts(self.number)


def _number_of(world: dict[str, Any], who: str) -> str:
    persona = world.get("personas", {}).get(who) or {}
    nik = persona.get("nik")
    for person in world.get("persons", ()):
        if nik is not None and person.get("nik") == nik:
            return str(person.get("phone") or "")
    return ""
