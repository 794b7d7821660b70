"""How many SNAP calls a partner may make per second: a bank protecting itself on Harbolnas.

Real banks cap each partner's request rate; above it they answer SNAP `429xx00` "Too Many
Requests" with `Retry-After`, and a well-behaved client waits that long and sends the same
request again with the same X-EXTERNAL-ID (DOMAIN.md). The limit here is off by default and
switched on like a fault (`PUT /faults/bank {"rate_limit": 20}`, or `sandbox run flash-sale
--bank-limit 20`), because it is something a presenter shows, not part of the seeded world.

The check runs after the bank verified who is calling (the limit is per partner, and a caller
cannot spend another partner's allowance by claiming its name) and before the X-EXTERNAL-ID is
claimed, so a throttled request did nothing and its retry is not a duplicate.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field

from sandbox.framework.errors import ApiError
from sandbox.services.bank import errors


@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass
class Throttle:
    """A token bucket per partner: `rate` calls a second, bursts up to one second's worth."""

    _buckets: dict[str, _Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_s(self, partner: str, rate: float, now: float) -> float:
        """Take one call from `partner`'s allowance: 0 if it may go now, else the seconds
        until it may (and the call is not counted). `rate` 0 means no limit."""
        if rate <= 0:
            self._buckets.pop(partner, None)  # a limit switched on later starts full
            return 0.0
        burst = max(1.0, rate)
        with self._lock:  # two requests of one partner in the same instant take two tokens
            bucket = self._buckets.setdefault(partner, _Bucket(burst, now))
            elapsed = max(0.0, now - bucket.at)  # a clock set back refills nothing
            bucket.tokens = min(burst, bucket.tokens + elapsed * rate)
            bucket.at = max(bucket.at, now)
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / rate

    def check(self, partner: str, rate: float, service: str, now: float) -> None:
        """Raise the bank's 429 when `partner` is over `rate` calls per second."""
        wait = self.wait_s(partner, rate, now)
        if wait > 0:
            raise too_many_requests(service, wait, rate)


def too_many_requests(service: str, wait_s: float, rate: float) -> ApiError:
    """429xx00 with `Retry-After` in whole seconds (at least 1: HTTP has no fractions)."""
    seconds = max(1, math.ceil(wait_s))
    error = errors.snap_error(
        429,
        service,
        "00",
        "Too Many Requests",
        "too_many_requests",
        f"This partner may make {rate:g} calls per second; wait {seconds} s (Retry-After) "
        "and send the same request again with the same X-EXTERNAL-ID.",
    )
    error.headers = {"Retry-After": str(seconds)}
    return error
