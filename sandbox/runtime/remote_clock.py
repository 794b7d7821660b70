"""A clock that follows another process's sandbox, for code that runs on an event loop.

Partner requests carry a timestamp the receiving institution checks against its own clock,
the runtime's, which a presenter may have moved (`sandbox clock advance 2d`). A lesson
attached to a sandbox in another process must sign with that clock, not the machine's. Signing
happens inside httpx auth flows, which read the clock synchronously, so the clock cannot ask
`GET /clock` there without blocking the loop it shares with the TUI: `RemoteClock` answers
from what it last heard and is refreshed by awaiting `refresh()` (the lesson engine does so
before every step). Between refreshes it counts on from the machine's time, so a running
virtual clock stays right; a move made meanwhile is seen at the next refresh.

`follow` reads the control API's answer; `sandbox.extend.clock.RuntimeClock` (a developer's
synchronous script) reads the same answer with it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol

from sandbox.runtime.remote import ControlError


class ClockSource(Protocol):
    """What `RemoteClock` asks: the control API's `GET /clock` (a ControlClient)."""

    async def clock(self) -> dict[str, Any]: ...


def reading(said: Mapping[str, Any]) -> tuple[float | None, float]:
    """`(frozen_at, offset)` from a `GET /clock` answer: the instant a frozen clock shows
    (None while it runs) and virtual minus real seconds. ValueError when it says neither."""
    try:
        frozen, offset = bool(said["frozen"]), float(said["offset_seconds"])
        at = datetime.fromisoformat(str(said["now"])).timestamp() if frozen else None
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not a clock reading: {exc}") from None
    if offset != offset or (at is not None and at != at):  # NaN from the wire
        raise ValueError("not a clock reading: NaN")
    return at, offset


class RemoteClock:
    """A callable clock (`clock() -> Unix seconds`) that follows a sandbox's control API."""

    def __init__(self, source: ClockSource, real: Callable[[], float] = time.time) -> None:
        self._source = source
        self._real = real
        self._heard: tuple[float | None, float] = (None, 0.0)
        """(frozen_at, offset), replaced whole: an exercise's worker thread reads it too."""

    def __call__(self) -> float:
        frozen_at, offset = self._heard
        if frozen_at is not None:
            return frozen_at
        return self._real() + offset

    def follow(self, said: Mapping[str, Any]) -> None:
        """Take a `GET /clock` answer as the clock's state (ValueError if it is not one)."""
        self._heard = reading(said)

    async def refresh(self) -> bool:
        """Ask the sandbox for its clock; on no answer (or a strange one) keep what was last
        heard, since a step must still run. Returns whether it heard."""
        try:
            self.follow(await self._source.clock())
        except (ControlError, ValueError):  # a refusal, a lost connection, not a clock
            return False
        return True
