"""Calls in the order they started: what the call log shows, a caller above its callees.

The recorder stores a call when it finishes, so a caller is written after every call it made
while it waited. `TraceStore.calls(order="started")` pages in start order over any filter,
with ties kept in stored order; the default stays the stored order other readers rely on.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from sandbox.trace.events import HttpCall
from sandbox.trace.store import SORT_LIMIT, TraceStore
from tests.trace.test_store_query import _call, _matches

COUNT = 9_000


def _recorded_like_the_wire(count: int) -> list[HttpCall]:
    """Calls in stored order: in each group of four the caller finished last, and every
    seventh group shares its start time with the next (ties)."""
    calls = []
    for i in range(count):
        group, hop = divmod(i, 4)
        start = 1000.0 + (group - group % 2 * (group % 7 == 1)) + (3 - hop) * 0.1
        calls.append(replace(_call(i), started_at=start))
    return calls


def _start_order(calls: list[HttpCall]) -> list[HttpCall]:
    # sorted() is stable: equal start times stay in stored order, as the store breaks ties.
    return sorted(calls, key=lambda c: c.started_at)


@pytest.fixture(scope="module")
def stored() -> tuple[TraceStore, list[HttpCall]]:
    store = TraceStore(None, max_calls=COUNT * 2)
    calls = _recorded_like_the_wire(COUNT)
    store.add(calls)
    return store, calls


@pytest.mark.parametrize(
    "flt",
    [
        {},
        {"service": "bank"},
        {"service": "external"},
        {"outcome": "4xx", "service": "marketplace"},
        {"text": "create-va"},
        {"trace_id": f"{123:032x}"},
    ],
)
def test_store_pages_any_filter_in_start_order(
    stored: tuple[TraceStore, list[HttpCall]], flt: dict[str, str]
) -> None:
    store, calls = stored
    expected = _start_order([c for c in calls if _matches(c, **flt)])
    for offset in (0, len(expected) // 2, max(len(expected) - 7, 0)):
        page = store.calls(offset, 50, order="started", **flt)
        assert page == expected[offset : offset + 50], offset


def test_store_walks_or_sorts_a_service_by_how_many_calls_it_has(
    stored: tuple[TraceStore, list[HttpCall]],
) -> None:
    store, _ = stored
    assert store.count(service="bank") > SORT_LIMIT > store.count(service="external") > 0


def test_store_keeps_stored_order_by_default(stored: tuple[TraceStore, list[HttpCall]]) -> None:
    store, calls = stored
    assert store.calls(100, 20) == calls[100:120]
    assert store.calls(100, 20, order="stored") == calls[100:120]
    bank = [c for c in calls if _matches(c, service="bank")]
    assert store.calls(3000, 20, service="bank") == bank[3000:3020]


def test_store_puts_a_caller_above_the_calls_it_made() -> None:
    store = TraceStore(None)
    caller = replace(_call(0), span_id="a" * 16, started_at=10.0)
    callee = replace(_call(1), span_id="b" * 16, parent_id=caller.span_id, started_at=10.2)
    store.add([callee])
    store.add([caller])  # finished last, written last
    assert store.calls(order="started") == [caller, callee]
    assert store.calls() == [callee, caller]


def test_store_refuses_an_unknown_order() -> None:
    with pytest.raises(ValueError, match="unknown order"):
        TraceStore(None).calls(order="finished")
