"""A person's phone, as a story reads it: the texts the institutions sent her.

A phone is outside the integration: the telephone network carries a text, not an API call, so
reading her phone is never a recorded call and never appears in the trace. Whoever runs a story
gives it a `Phone`: the CLI, the lessons and the UI one that reads the sandbox's control API
(`GET /sms`, through `ControlClient.sms`), in-process tests and the extension harness one that
reads the institutions' own records (`AppsPhone`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from sandbox.runtime.models import Sms
from sandbox.runtime.phone import texts_to


class Phone(Protocol):
    """Her phone's messages."""

    async def messages(self, phone: str) -> list[Sms]:
        """Every text sent to `phone` (written any way), oldest first."""
        ...


class PhoneReader:
    """A Phone over any reader of texts: `PhoneReader(control.sms)`, a UI backend's `sms`."""

    def __init__(self, read: Callable[[str], Awaitable[list[Sms]]]) -> None:
        self._read = read

    async def messages(self, phone: str) -> list[Sms]:
        """Every text sent to `phone`, oldest first."""
        return await self._read(phone)


class AppsPhone:
    """A Phone over institutions running in this process (tests, the extension harness)."""

    def __init__(self, apps: Mapping[str, Any]) -> None:
        self._apps = apps

    async def messages(self, phone: str) -> list[Sms]:
        """Every text sent to `phone`, oldest first, from the senders' own records."""
        return texts_to(self._apps, phone)
