"""Injected faults: a service taken offline, slowed down, failing some of its calls, or
throttling its partners.

Presenters use them to show what happens when a partner fails mid-story. Faults live on the
Wire, so the clients (offline: the call is refused before it leaves) and the middleware
(latency, error rate, and offline for callers from outside) apply the same settings.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import asdict, dataclass
from typing import Any

MAX_LATENCY_MS = 60_000
"""A minute: enough to make any client here time out; more would only look like a hang."""
MAX_RATE_LIMIT = 100_000.0
"""Calls per second: above this a limit changes nothing the sandbox could serve."""


@dataclass(frozen=True, slots=True)
class Fault:
    """What is wrong with one service right now; the default is "nothing"."""

    offline: bool = False
    """Calls to it are refused, as if its server were down."""
    latency_ms: int = 0
    """Added to every response."""
    error_rate: float = 0.0
    """Fraction (0..1) of calls answered 500 `injected_fault`."""
    rate_limit: float = 0.0
    """Calls per second the service grants each partner, 0 for no limit. Only an institution
    that throttles applies it, after it verified who calls and in its own dialect (the bank:
    SNAP `429xx00` with `Retry-After`); the middleware cannot tell partners apart."""

    @property
    def active(self) -> bool:
        """True when any fault is set."""
        return self.offline or self.latency_ms > 0 or self.error_rate > 0 or self.rate_limit > 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fault:
        """Build from JSON, ignoring unknown keys."""
        return cls(
            offline=bool(data.get("offline", False)),
            latency_ms=int(data.get("latency_ms", 0)),
            error_rate=float(data.get("error_rate", 0.0)),
            rate_limit=float(data.get("rate_limit", 0.0)),
        )


def offline_message(service: str) -> str:
    """What callers are told when `service` is offline: the same words on every side."""
    return f"{service} is offline (fault injected)"


def fault_rng(service: str) -> random.Random:
    """The dice deciding which calls to `service` fail: seeded by its name, so a run with the
    same faults and the same calls fails the same calls."""
    return random.Random(zlib.crc32(service.encode()))
