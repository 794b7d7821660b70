"""Active faults in words, a bank's rate limit among them."""

from __future__ import annotations

from sandbox.tui.fault_words import describe_fault
from sandbox.wire.faults import Fault


def test_a_rate_limit_is_named_not_called_healthy() -> None:
    assert describe_fault(Fault()) == "healthy"
    assert describe_fault(Fault(rate_limit=20)) == "throttles above 20/s"
    assert describe_fault(Fault(latency_ms=800, rate_limit=2.5)) == "+800 ms, throttles above 2.5/s"
    assert Fault.from_dict(Fault(rate_limit=20).to_dict()) == Fault(rate_limit=20)
