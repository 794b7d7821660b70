"""The call log in start order and at any width: a caller above its callees, both parties shown.

The map's provider lists calls by start time, so a call that arrives (it finished last) can
belong above rows already drawn; the log fetches those pages again and keeps the person's
place. However narrow, every row shows who called whom.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from textual.message import Message

from sandbox.trace.events import HttpCall
from sandbox.tui.widgets.call_log import PAGE_SIZE, CallLog
from sandbox.tui.widgets.call_row import MIN_PATH, PARTIES_WIDTH, _layout, _parties
from tests.tui.test_call_log import ListSource, LogApp, highlighted, many_calls

PAIRS = [
    ("marketplace", "insurance"),
    ("social", "marketplace"),
    ("buyer", "bank"),
    ("reception", "hospital"),
    ("hospital", "records"),
]


async def _loaded(pilot: Any) -> None:
    for _ in range(2):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _row_text(log: CallLog, index: int) -> str:
    return log.render_line(index - round(log.scroll_offset.y) + 1).text


@pytest.mark.parametrize("width", range(30, 161, 13))
def test_call_log_layout_fills_the_width_and_keeps_the_parties(width: int) -> None:
    gutter, time, parties, method, path, status, took = _layout(width)
    shown = [w for w in (time, parties, method, path, status, took) if w]
    assert gutter + sum(shown) + len(shown) - 1 == width
    assert parties >= 12 and method >= 4 and status >= 4
    if time or took:  # the time and the duration only ever come with room to spare
        assert parties == PARTIES_WIDTH and path >= 16
    if width >= 45:
        assert parties >= 18 and path >= MIN_PATH


@pytest.mark.parametrize("width", [12, 15, 18, 23])
@pytest.mark.parametrize(("caller", "callee"), PAIRS)
def test_call_log_parties_show_both_names_in_any_width(
    caller: str, callee: str, width: int
) -> None:
    text = _parties(f"{caller} → {callee}", width).rstrip()
    assert len(text) <= width
    left, _, right = text.replace(" → ", "→").partition("→")
    # Both names are there: whole, or cut with an ellipsis that keeps their first letters.
    assert caller.startswith(left.rstrip("…")) and len(left.rstrip("…")) >= 3
    assert callee.startswith(right.rstrip("…")) and len(right.rstrip("…")) >= 3


async def test_call_log_shows_caller_and_callee_at_80_columns() -> None:
    calls = [
        replace(call, caller=PAIRS[i % 5][0], callee=PAIRS[i % 5][1])
        for i, call in enumerate(many_calls(10))
    ]
    app = LogApp(ListSource(calls))
    async with app.run_test(size=(46, 16)) as pilot:  # the log's width on the map at 80x24
        await _loaded(pilot)
        log = app.query_one(CallLog)
        for index, call in enumerate(calls):
            row = _row_text(log, index)
            caller, _, callee = row[1:].strip().replace(" → ", "→").partition("→")
            assert call.caller.startswith(caller.rstrip("…")), row
            assert call.callee.startswith(callee.split()[0].rstrip("…")), row
            assert call.method[:3] in row


def _with_start(call: HttpCall, span: str, started_at: float) -> HttpCall:
    return replace(call, span_id=span, started_at=started_at, path=f"/late/{span}")


async def test_call_log_puts_a_late_caller_above_its_callees_while_following() -> None:
    source = ListSource(many_calls(8))
    app = LogApp(source)
    async with app.run_test(size=(100, 20)) as pilot:
        await _loaded(pilot)
        log = app.query_one(CallLog)
        caller = _with_start(source.calls[0], "c" * 16, source.calls[5].started_at - 0.01)
        source.calls.insert(5, caller)  # started before call 5, recorded after all of them
        log.refresh_count(started_from=caller.started_at)
        await _loaded(pilot)
        assert log.call_at(5) == caller
        assert log.call_at(8) == source.calls[8]
        assert log.cursor == 8 and log.highlighted == source.calls[-1]


async def test_call_log_keeps_the_readers_call_when_calls_go_in_above_it() -> None:
    source = ListSource(many_calls(3 * PAGE_SIZE))
    seen: list[Message] = []
    app = LogApp(source)
    async with app.run_test(size=(100, 20), message_hook=seen.append) as pilot:
        await _loaded(pilot)
        log = app.query_one(CallLog)
        await pilot.press("pageup", "pageup", "up")
        await _loaded(pilot)
        reading = log.highlighted
        assert reading is not None and not log.following
        row_on_screen = log.cursor - round(log.scroll_offset.y)
        fetches = len(source.fetches)

        early = _with_start(source.calls[0], "e" * 16, source.calls[log.cursor - 3].started_at)
        source.calls.insert(log.cursor - 3, early)
        log.refresh_count(started_from=early.started_at)
        await _loaded(pilot)

        assert log.highlighted == reading, "the cursor stays on the call being read"
        assert log.cursor - round(log.scroll_offset.y) == row_on_screen, "and in its place"
        assert len(source.fetches) > fetches, "the moved pages were fetched again"
        assert highlighted(seen)[-1] == reading, "moving down a row is not a new call"


async def test_call_log_leaves_pages_before_the_new_calls_alone() -> None:
    source = ListSource(many_calls(3 * PAGE_SIZE))
    app = LogApp(source)
    async with app.run_test(size=(100, 20)) as pilot:
        await _loaded(pilot)
        log = app.query_one(CallLog)
        await pilot.press("home")
        await _loaded(pilot)
        fetches = len(source.fetches)
        late = _with_start(source.calls[0], "f" * 16, source.calls[-1].started_at + 1)
        source.calls.append(late)
        log.refresh_count(started_from=late.started_at)
        await _loaded(pilot)
        assert source.fetches[fetches:] == [], "the first page, on screen, did not move"
        assert log.total == 3 * PAGE_SIZE + 1
