"""The virtual clock on its own: real until moved, frozen, advanced, set, resumed, and the
timers a jump fires at their own instants, in order."""

from __future__ import annotations

import math

import pytest

from sandbox.wire.clock import (
    ClockError,
    FunctionTimer,
    VirtualClock,
    parse_duration,
    parse_instant,
)
from tests.conftest import WORLD_START, FakeClock


def test_untouched_it_is_the_real_clock() -> None:
    real = FakeClock()
    clock = VirtualClock(real)
    assert clock() == WORLD_START
    real.advance(5)
    assert clock() == WORLD_START + 5
    state = clock.state()
    assert (state.real, state.frozen, state.offset_seconds) == (True, False, 0.0)
    assert state.to_dict()["now"] == "2024-03-01T08:00:05.000+00:00"


def test_frozen_it_stands_still_and_resumes_from_its_virtual_instant() -> None:
    real = FakeClock()
    clock = VirtualClock(real)
    clock.freeze()
    real.advance(60)
    assert clock() == WORLD_START
    assert clock.state().to_dict() | {"now": None} == {
        "now": None,
        "frozen": True,
        "offset_seconds": -60.0,
        "real": False,
    }
    clock.resume()
    real.advance(10)
    assert clock() == WORLD_START + 10  # runs again from where it stood, not from real time
    assert not clock.frozen
    clock.resume(real=True)
    assert clock() == real() and clock.state().real


async def test_advance_moves_forward_and_keeps_running_or_frozen() -> None:
    real = FakeClock()
    clock = VirtualClock(real)
    await clock.advance(parse_duration("25h"))
    assert clock() == WORLD_START + 25 * 3600
    real.advance(1)
    assert clock() == WORLD_START + 25 * 3600 + 1  # still running
    clock.freeze()
    await clock.advance(90)
    real.advance(30)
    assert clock() == WORLD_START + 25 * 3600 + 91  # still frozen


@pytest.mark.parametrize("seconds", [-1.0, math.nan, 1e12])
async def test_advance_never_goes_backwards_or_absurdly_far(seconds: float) -> None:
    clock = VirtualClock(FakeClock())
    with pytest.raises(ClockError):
        await clock.advance(seconds)
    assert clock.state().real


async def test_set_may_go_back_only_because_it_was_told_to() -> None:
    clock = VirtualClock(FakeClock())
    fired: list[float] = []

    async def run() -> None:
        fired.append(clock())

    clock.add_timer(FunctionTimer(lambda after: WORLD_START - 10 if after < 0 else None, run))
    await clock.set(WORLD_START - 3600)
    assert clock() == WORLD_START - 3600
    assert fired == []  # going back fires nothing


async def test_a_jump_stops_at_each_due_instant_in_order() -> None:
    """Two timers with interleaved deadlines: each fires at its own instant, in time order,
    and a deadline beyond the jump waits."""
    clock = VirtualClock(FakeClock())
    seen: list[tuple[str, float]] = []

    def timer(name: str, dues: list[float]) -> FunctionTimer:
        pending = [WORLD_START + d for d in dues]

        def due(after: float) -> float | None:
            return min((d for d in pending if d > after), default=None)

        async def run() -> None:
            now = clock()
            for d in [d for d in pending if d <= now]:
                pending.remove(d)
                seen.append((name, d - WORLD_START))

        return FunctionTimer(due, run)

    clock.add_timer(timer("retry", [1, 3, 7, 100_000]))
    clock.add_timer(timer("expiry", [2, 5]))
    await clock.advance(3600)
    assert seen == [("retry", 1), ("expiry", 2), ("retry", 3), ("expiry", 5), ("retry", 7)]
    assert clock() == WORLD_START + 3600


async def test_a_failing_timer_does_not_stop_the_others() -> None:
    clock = VirtualClock(FakeClock())
    fired: list[float] = []

    async def broken() -> None:
        raise RuntimeError("boom")

    async def ok() -> None:
        fired.append(clock())

    clock.add_timer(
        FunctionTimer(lambda a: WORLD_START + 5 if a < WORLD_START + 5 else None, broken)
    )
    clock.add_timer(FunctionTimer(lambda a: None, ok))
    await clock.advance(10)
    assert WORLD_START + 5 in fired and clock() == WORLD_START + 10


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("25h", 90_000), ("90m", 5400), ("15s", 15), ("1h30m", 5400), ("13mo", 13 * 30 * 86400)],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "25", "h", "-1h", "1x", "1h 30m", "１h", "1e9h", "9" * 50])
def test_bad_durations_say_how_to_write_one(text: str) -> None:
    with pytest.raises(ClockError, match="duration|century"):
        parse_duration(text)


def test_instants_need_an_offset() -> None:
    assert parse_instant("2024-03-01T15:00:00+07:00") == WORLD_START
    assert parse_instant("2024-03-01T08:00:00Z") == WORLD_START
    for text in ["2024-03-01T08:00:00", "tomorrow", "2024-13-01T00:00Z", "0001-01-01T00:00Z"]:
        with pytest.raises(ClockError):
            parse_instant(text)


async def test_a_freeze_asked_for_during_a_jump_is_kept_where_it_lands() -> None:
    real = FakeClock()
    clock = VirtualClock(real)
    done: list[bool] = []

    async def freeze_once() -> None:
        if not done:
            done.append(True)
            clock.freeze()  # a presenter pressed freeze while the jump was under way

    clock.add_timer(
        FunctionTimer(lambda a: WORLD_START + 5 if a < WORLD_START + 5 else None, freeze_once)
    )
    await clock.advance(60)
    real.advance(30)
    assert clock.frozen and clock() == WORLD_START + 60


def test_the_clock_a_test_gave_stays_reachable_through_the_wrapper() -> None:
    real = FakeClock()
    clock = VirtualClock(real)
    clock.now += 10  # FakeClock's own attribute, set through it
    assert real.now == WORLD_START + 10 and clock() == WORLD_START + 10
    with pytest.raises(AttributeError):
        clock.nothing_here  # noqa: B018
