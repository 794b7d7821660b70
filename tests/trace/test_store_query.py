"""Filtered pages of the trace store: what the call log scrolls through, even at 100,000 calls."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.trace.events import HttpCall
from sandbox.trace.store import TraceStore
from sandbox.trace.writer import TraceWriter

PARTIES = ("buyer", "social", "marketplace", "bank", "identity")
STATUSES = (200, 201, 302, 404, 500, None)


def _call(i: int) -> HttpCall:
    """Call `i` of a deterministic mix of parties, statuses and paths."""
    caller, callee = PARTIES[i % 5], PARTIES[(i + 1 + i // 5) % 5]
    if caller == callee:
        callee = "external"
    status = STATUSES[i % len(STATUSES)]
    return HttpCall(
        trace_id=f"{i // 10:032x}",
        span_id=f"{i:016x}",
        parent_id=None,
        caller=caller,
        callee=callee,
        method="GET" if i % 2 else "POST",
        path=f"/v1/items/{i}" if i % 3 else f"/v1.0/transfer-va/create-va?n={i}",
        status=status,
        started_at=1000.0 + i,
        duration_ms=1.0,
        error=None if status else "refused",
        response_body=f'{{"i":{i}}}',
    )


def _matches(
    call: HttpCall, service: str = "", outcome: str = "", text: str = "", trace_id: str = ""
) -> bool:
    """The filter's meaning, written the slow and obvious way."""
    haystack = " ".join((call.method, call.path, call.caller, call.callee)).lower()
    return (
        (not service or service in (call.caller, call.callee))
        and (not outcome or call.outcome == outcome)
        and (not text or text.lower() in haystack)
        and (not trace_id or call.trace_id == trace_id)
    )


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[TraceStore, list[HttpCall]]:
    store = TraceStore(tmp_path_factory.mktemp("trace") / "trace.db", max_calls=200_000)
    calls = [_call(i) for i in range(100_000)]
    for start in range(0, len(calls), 10_000):
        store.add(calls[start : start + 10_000])
    return store, calls


@pytest.mark.parametrize(
    "flt",
    [
        {},
        {"service": "bank"},
        {"outcome": "failed"},
        {"outcome": "4xx", "service": "marketplace"},
        {"text": "CREATE-VA", "service": "bank", "outcome": "5xx"},
        {"trace_id": f"{4321:032x}"},
    ],
)
def test_filtered_page_of_100k_calls(
    big: tuple[TraceStore, list[HttpCall]], flt: dict[str, str]
) -> None:
    store, calls = big
    expected = [c for c in calls if _matches(c, **flt)]
    assert store.count(**flt) == len(expected)
    offset = len(expected) // 2
    assert store.calls(offset, 50, **flt) == expected[offset : offset + 50]
    assert store.calls(0, 3, **flt) == expected[:3], "oldest first"


def test_past_the_end_and_empty_filters(big: tuple[TraceStore, list[HttpCall]]) -> None:
    store, calls = big
    assert store.calls(len(calls) - 2, 10) == calls[-2:]
    assert store.calls(len(calls) + 5, 10) == []
    assert store.calls(0, 0) == []
    assert store.count(service="nobody") == 0
    assert store.count() == len(calls)


def test_text_is_a_literal_substring() -> None:
    store = TraceStore(None)
    plain = _call(1)
    odd = HttpCall(
        **{
            **plain.to_dict(),
            "span_id": "f" * 16,
            "request_headers": (),
            "response_headers": (),
            "path": "/search?q=100%_off\\x",
        }
    )
    store.add([plain, odd])
    assert store.calls(text="100%_off\\") == [odd]
    assert store.count(text="%") == 1
    assert store.count(text="_") == 1
    assert store.count(text="items/1") == 1


def test_unknown_outcome_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown outcome"):
        TraceStore(None).calls(outcome="6xx")


def test_party_counts_in_one_pass() -> None:
    store = TraceStore(None)
    calls = [_call(i) for i in range(500)]
    store.add(calls)
    counts = store.party_counts()
    for party in {*PARTIES, "external"}:
        assert counts.get(party, (0, 0)) == (
            sum(c.callee == party for c in calls),
            sum(c.caller == party for c in calls),
        )


def test_flush_waits_only_for_what_was_queued(tmp_path: Path) -> None:
    store = TraceStore(tmp_path / "trace.db")
    writer = TraceWriter(store)
    for i in range(300):
        writer(_call(i))
    assert writer.flush()
    assert store.count() == 300
    writer.close()
