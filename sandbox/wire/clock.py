"""The runtime's clock: real time until someone moves it, then a virtual instant.

Every institution reads domain time through the one clock the runtime hands out (`wire.clock`,
`app.state.clock`): token lifetimes, virtual-account and order deadlines, consents, SEP dates,
webhook retries, the trace's call timestamps. Stripe's test clocks are the model: a presenter
can freeze time, jump it forward (`advance`), put it at an instant (`set`) and let it run again
(`resume`), and what falls due in the jumped interval happens, in order, at its own virtual time.

Untouched, the clock *is* `time.time()` (one attribute read more). Moved, it keeps an anchor
`(virtual, real, frozen)`: frozen, it answers `virtual`; running, `virtual` plus the real
seconds since the anchor was taken. The anchor is one tuple replaced whole, so a reader on
another thread never sees half a change.

Advancing never goes backwards (`advance` refuses a negative duration); only `set` may move the
clock back, because a person said so explicitly - and then nothing fires (what already happened
stays in the past). Going forward, the clock steps through the instants at which something is
due (each `Timer` says when its next thing is due): at each it is pinned there, every timer
fires (twice, so a webhook enqueued by the first round, such as an order's cancellation, is
delivered at the same instant), and it moves on. Calls made meanwhile are recorded at the pinned
virtual instant; their durations stay real (measured with `perf_counter`), because the wire
really took that long.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

log = logging.getLogger(__name__)

MAX_STEPS = 10_000
"""Most due instants one jump visits (a webhook retried every minute for a year is far fewer:
the outbox gives up after 30 tries)."""
ROUNDS = 2
"""How often every timer fires at one instant (see the module's docstring)."""
MAX_JUMP = 100 * 366 * 86400.0
"""Longest jump accepted at once: a century is plenty for a lesson on ageing audits."""
_DURATION = re.compile(r"([0-9]+(?:\.[0-9]+)?)(mo|w|d|h|m|s)")
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 7 * 86400.0, "mo": 30 * 86400.0}


class ClockError(ValueError):
    """A duration or instant the clock cannot use (said in words a person can act on)."""


class Timer(Protocol):
    """Something that falls due at known instants of the clock (an outbox, an expiry sweep)."""

    def next_due(self, after: float) -> float | None:
        """The earliest instant strictly after `after` at which something is due, if any."""
        ...

    async def fire(self) -> object:
        """Do whatever is due at the clock's current instant."""
        ...


@dataclass(frozen=True, slots=True)
class FunctionTimer:
    """A `Timer` made of two functions."""

    due: Callable[[float], float | None]
    run: Callable[[], Awaitable[object]]

    def next_due(self, after: float) -> float | None:
        return self.due(after)

    async def fire(self) -> object:
        return await self.run()


@dataclass(frozen=True, slots=True)
class ClockState:
    """What `GET /clock` and `sandbox clock show --json` say."""

    now: float
    frozen: bool
    offset_seconds: float
    """Virtual minus real time (0 when real)."""
    real: bool
    """True while the clock has never been moved (or was sent back to real time)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "now": iso(self.now),
            "frozen": self.frozen,
            "offset_seconds": round(self.offset_seconds, 3),
            "real": self.real,
        }


class VirtualClock:
    """A callable clock (`clock() -> Unix seconds`) a presenter can stop, move and restart.

    It wraps the clock it was given (`real`) transparently: any other attribute is read from
    and written to that clock, so a test that hands the runtime its own movable clock and
    later moves it (`runtime.wire.clock.offset += 1`) still moves what the institutions read.
    """

    __slots__ = ("_after_jump", "_anchor", "_moving", "_real", "_timers")

    def __init__(self, real: Callable[[], float] = time.time) -> None:
        self._real = real
        self._anchor: tuple[float, float, bool] | None = None
        """(virtual instant, real instant it was taken at, frozen); None while real."""
        self._timers: list[Timer] = []
        self._moving: asyncio.Lock | None = None
        self._after_jump: bool | None = None
        """How the clock runs once the current jump lands: frozen (True), running (False), or
        real time (None); a freeze or resume asked for during a jump changes it."""

    def __getattr__(self, name: str) -> Any:
        # Only called for names that are not the clock's own (see the class docstring).
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(object.__getattribute__(self, "_real"), name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in VirtualClock.__slots__:
            object.__setattr__(self, name, value)
        else:
            setattr(self._real, name, value)

    def __call__(self) -> float:
        anchor = self._anchor
        if anchor is None:
            return self._real()
        virtual, real, frozen = anchor
        return virtual if frozen else virtual + (self._real() - real)

    def state(self) -> ClockState:
        anchor, now_real = self._anchor, self._real()
        if anchor is None:
            return ClockState(now_real, False, 0.0, True)
        now = self()
        return ClockState(now, anchor[2], now - now_real, False)

    @property
    def frozen(self) -> bool:
        anchor = self._anchor
        return anchor is not None and anchor[2]

    def add_timer(self, timer: Timer) -> None:
        """Fire `timer` when a jump passes the instants it says are due."""
        self._timers.append(timer)

    def freeze(self) -> ClockState:
        """Stop the clock at the current instant (during a jump: where the jump lands)."""
        self._after_jump = True
        self._anchor = (self(), self._real(), True)
        return self.state()

    def resume(self, real: bool = False) -> ClockState:
        """Let the clock run again from its virtual instant; `real=True` returns it to real
        time instead (which may move it back: said explicitly, like `set`)."""
        if real:
            self._after_jump = None
            self._anchor = None
        elif self._anchor is not None:
            self._after_jump = False
            self._anchor = (self(), self._real(), False)
        return self.state()

    async def advance(self, seconds: float) -> ClockState:
        """Jump forward `seconds`, firing what falls due on the way, in order."""
        if not seconds >= 0:  # also refuses NaN
            raise ClockError("the clock only advances forward; use `set` to go back in time")
        if seconds > MAX_JUMP:
            raise ClockError("that jump is longer than a century; use a shorter duration")
        return await self._travel(lambda now: now + seconds)

    async def set(self, instant: float) -> ClockState:
        """Put the clock at `instant` (Unix seconds), frozen or running as it was. Forward, it
        fires what falls due on the way, like `advance`; backward, nothing fires."""
        return await self._travel(lambda _: instant)

    async def _travel(self, target_of: Callable[[float], float]) -> ClockState:
        if self._moving is None:
            self._moving = asyncio.Lock()
        async with self._moving:  # two jumps at once would interleave their instants
            self._after_jump, at = self.frozen, self()
            target = target_of(at)
            steps = 0
            while target > at and steps < MAX_STEPS:
                due = self._next_due(at)
                if due is None or due > target:
                    break
                at, steps = due, steps + 1
                self._anchor = (at, self._real(), True)
                await self._fire()
            # Where it lands, running or frozen as it was or as a person asked meanwhile; a
            # return to real time asked meanwhile is done after the landing's timers fired.
            wish = self._after_jump
            self._anchor = (target, self._real(), bool(wish))
            if target > at:
                await self._fire()
            if self._after_jump is None:
                self._anchor = None
            if steps >= MAX_STEPS:
                log.warning("the clock visited %d due instants and jumped the rest", steps)
            return self.state()

    def _next_due(self, after: float) -> float | None:
        dues = []
        for timer in self._timers:
            try:
                due = timer.next_due(after)
            except Exception:
                log.exception("timer %r could not say when it is due", timer)
                continue
            if due is not None and due > after:
                dues.append(due)
        return min(dues, default=None)

    async def _fire(self) -> None:
        for _ in range(ROUNDS):
            for timer in list(self._timers):
                try:
                    await timer.fire()
                except Exception:  # one institution's failure must not stop the others'
                    log.exception("timer %r failed at %s", timer, iso(self()))


def watch(clock: Callable[[], float], timer: Timer) -> None:
    """Register `timer` with `clock` when it can be moved (a plain function clock cannot)."""
    if isinstance(clock, VirtualClock):
        clock.add_timer(timer)


def iso(epoch: float) -> str:
    """`epoch` as ISO 8601 in UTC, to the millisecond."""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")


def parse_duration(text: str) -> float:
    """Seconds in `25h`, `90m`, `15s`, `2d`, `1w`, `13mo` (30 days) or a sum like `1h30m`."""
    raw = text.strip().lower()
    pos, total = 0, 0.0
    for match in _DURATION.finditer(raw):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if not raw or pos != len(raw) or len(raw) > 40:
        raise ClockError(
            f"cannot read the duration {text[:40]!r}; write a number and a unit, "
            "e.g. 15s, 90m, 25h, 2d, 1w, 13mo (30 days), or 1h30m"
        )
    if total > MAX_JUMP:
        raise ClockError("that jump is longer than a century; use a shorter duration")
    return total


def parse_instant(text: str) -> float:
    """Unix seconds of an ISO 8601 instant with a UTC offset (`2026-12-12T09:00:00+07:00`, or
    `Z`): a time without one would mean something else on every machine, so it is refused."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        moment = None
    if moment is None or len(text) > 64:
        raise ClockError(
            f"cannot read the instant {text[:64]!r}; write ISO 8601 with an offset, "
            "e.g. 2026-12-12T09:00:00+07:00"
        )
    if moment.utcoffset() is None:
        raise ClockError(f"the instant {text!r} has no UTC offset; add one, e.g. +07:00 (WIB) or Z")
    if not 0 <= moment.timestamp() < 253402300800:  # 1970 .. 9999
        raise ClockError("the instant must fall between 1970 and 9999")
    return moment.timestamp()
