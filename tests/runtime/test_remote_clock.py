"""RemoteClock: what it heard from `GET /clock`, counted on from a fake machine clock."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.runtime.remote import ConnectionLost
from sandbox.runtime.remote_clock import RemoteClock, reading


class Source:
    """A control API that says `said`, or cannot be reached when `said` is None."""

    def __init__(self, said: dict[str, Any] | None) -> None:
        self.said = said

    async def clock(self) -> dict[str, Any]:
        if self.said is None:
            raise ConnectionLost("cannot reach the sandbox")
        return self.said


class Machine:
    """The machine's clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_a_running_clock_counts_on_from_the_offset_it_heard() -> None:
    machine, source = Machine(), Source({"now": "x", "frozen": False, "offset_seconds": 86400})
    clock = RemoteClock(source, machine)
    assert clock() == machine.now, "before hearing anything it is the machine's time"
    assert await clock.refresh()
    assert clock() == machine.now + 86400
    machine.now += 5
    assert clock() == 1_000_005.0 + 86400


async def test_a_frozen_clock_stays_at_its_instant_and_silence_keeps_the_last_reading() -> None:
    machine = Machine()
    source = Source({"now": "2026-12-12T09:00:00+07:00", "frozen": True, "offset_seconds": 3})
    clock = RemoteClock(source, machine)
    assert await clock.refresh()
    machine.now += 60
    assert clock() == 1797040800.0
    source.said = None
    assert not await clock.refresh()
    assert clock() == 1797040800.0
    source.said = {"now": "garbage", "frozen": True, "offset_seconds": 0}
    assert not await clock.refresh()
    assert clock() == 1797040800.0


@pytest.mark.parametrize(
    "said",
    [
        {},
        {"frozen": False, "offset_seconds": "nan"},
        {"frozen": False, "offset_seconds": [1]},
        {"frozen": True, "offset_seconds": 0, "now": "\u0663\u0660 Desember"},
    ],
)
def test_what_is_not_a_clock_reading_is_refused(said: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="not a clock reading"):
        reading(said)
