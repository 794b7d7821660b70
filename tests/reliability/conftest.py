"""Reliability suite: fuzzing, stateful, concurrency, crash, bad-input and security tests.

The runs are bounded so CI stays fast and repeatable (fixed seeds, derandomized hypothesis);
`docs/reliability.md` says how to run the long versions:

- `SANDBOX_FUZZ_EXAMPLES=200` raises the schemathesis examples per operation and mode;
- `SANDBOX_HYPOTHESIS_PROFILE=long` runs the stateful bank test far longer;
- `SANDBOX_CRASH_ROUNDS` and `SANDBOX_CHECKOUTS` raise the crash rounds and concurrent checkouts.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=40,
    stateful_step_count=25,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "long",
    max_examples=300,
    stateful_step_count=50,
    derandomize=False,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
PROFILE = os.environ.get("SANDBOX_HYPOTHESIS_PROFILE", "ci")
"""The hypothesis profile the stateful tests run with (`ci` unless told otherwise)."""


def env_int(name: str, default: int) -> int:
    """A count from the environment, for the long runs; `default` in CI."""
    value = os.environ.get(name, "")
    digits = value.isascii() and value.isdigit() and len(value) < 10
    return int(value) if digits and int(value) > 0 else default
