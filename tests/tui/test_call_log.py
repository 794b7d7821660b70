"""CallLog: a cursor over pages of calls, follow mode, and a bounded number of fetches."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.message import Message
from textual.widgets import Footer

from sandbox.trace.events import HttpCall
from sandbox.tui.widgets.call_log import MAX_PAGES, PAGE_SIZE, CallLog
from sandbox.tui.widgets.call_row import format_duration
from tests.trace.conftest import T0, checkout_calls


class ListSource:
    """A provider over a list that counts how often (and how much) it was asked."""

    def __init__(self, calls: list[HttpCall], fail: bool = False) -> None:
        self.calls = calls
        self.fail = fail
        self.fetches: list[tuple[int, int]] = []
        self.counts = 0
        self.gate: asyncio.Event | None = None
        """When set to an unset event, fetches wait for it (a slow control API)."""

    async def fetch(self, offset: int, limit: int) -> list[HttpCall]:
        self.fetches.append((offset, limit))
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            raise RuntimeError("control API unreachable")
        return self.calls[offset : offset + limit]

    async def count(self) -> int:
        self.counts += 1
        return len(self.calls)

    @property
    def rows_fetched(self) -> int:
        return sum(min(limit, max(len(self.calls) - offset, 0)) for offset, limit in self.fetches)


class LogApp(App[None]):
    """The log alone, as a screen would hold it."""

    def __init__(self, source: ListSource) -> None:
        super().__init__()
        self.source = source

    def compose(self) -> ComposeResult:
        yield CallLog(self.source.fetch, self.source.count, id="call-log")
        yield Footer()


def many_calls(n: int) -> list[HttpCall]:
    """`n` calls cycling through the checkout story, 50 ms apart."""
    story = checkout_calls()
    return [
        replace(story[i % len(story)], span_id=f"{i:016x}", started_at=T0 + i * 0.05)
        for i in range(n)
    ]


@pytest.fixture
def utc() -> Iterator[None]:
    """Local time is UTC, so times in snapshots do not depend on the machine."""
    mp = pytest.MonkeyPatch()
    mp.setenv("TZ", "UTC")
    time.tzset()
    yield
    mp.undo()
    time.tzset()


def once(seen: list[Message], kind: type[Message]) -> list[Any]:
    """Messages of one kind, each once (the hook sees a message at every node it bubbles to)."""
    unique = {id(m): m for m in seen if isinstance(m, kind)}
    return list(unique.values())


def highlighted(seen: list[Message]) -> list[HttpCall]:
    return [m.call for m in once(seen, CallLog.CallHighlighted)]


def selected(seen: list[Message]) -> list[HttpCall]:
    return [m.call for m in once(seen, CallLog.CallSelected)]


async def test_call_log_starts_on_the_newest_call_following() -> None:
    source = ListSource(many_calls(8))
    seen: list[Message] = []
    app = LogApp(source)
    async with app.run_test(size=(100, 20), message_hook=seen.append) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        log = app.query_one(CallLog)
        assert log.total == 8
        assert log.cursor == 7
        assert log.following
        assert log.border_title == "8 calls · at the newest"
        assert highlighted(seen) == [source.calls[7]]


async def test_call_log_moving_up_stops_following_and_highlights_each_call() -> None:
    source = ListSource(many_calls(8))
    seen: list[Message] = []
    app = LogApp(source)
    async with app.run_test(size=(100, 20), message_hook=seen.append) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("up", "up")
        log = app.query_one(CallLog)
        assert log.cursor == 5
        assert not log.following
        assert log.border_title == "8 calls · held (f: newest)"
        assert highlighted(seen)[-2:] == [source.calls[6], source.calls[5]]
        await pilot.press("home")
        assert highlighted(seen)[-1] == source.calls[0]
        await pilot.press("end")
        assert highlighted(seen)[-1] == source.calls[7]
        assert not log.following


async def test_call_log_enter_selects_the_call_under_the_cursor() -> None:
    source = ListSource(many_calls(8))
    seen: list[Message] = []
    app = LogApp(source)
    async with app.run_test(size=(100, 20), message_hook=seen.append) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("up", "enter")
        assert selected(seen) == [source.calls[6]]


async def test_call_log_follows_new_calls_and_f_toggles_follow() -> None:
    source = ListSource(many_calls(8))
    seen: list[Message] = []
    app = LogApp(source)
    async with app.run_test(size=(100, 20), message_hook=seen.append) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        log = app.query_one(CallLog)
        source.calls.extend(many_calls(30)[8:])
        log.refresh_count()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert log.cursor == 29
        assert highlighted(seen)[-1] == source.calls[29]
        assert log.scroll_offset.y == log.max_scroll_y

        await pilot.press("f")
        assert not log.following
        source.calls.extend(many_calls(32)[30:])
        log.refresh_count()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert log.total == 32
        assert log.cursor == 29  # not following: the cursor stays where the user left it

        await pilot.press("f")
        await pilot.pause()
        assert log.following
        assert log.cursor == 31
        assert log.border_title == "32 calls · at the newest"


async def test_call_log_keeps_drawing_a_growing_page_until_the_fresh_copy_arrives() -> None:
    source = ListSource(many_calls(8))
    app = LogApp(source)
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        log = app.query_one(CallLog)
        source.gate = asyncio.Event()
        source.calls.extend(many_calls(10)[8:])
        log.refresh_count()
        for _ in range(5):
            await pilot.pause()
        assert log.total == 10
        assert log.call_at(7) == source.calls[7]  # no flicker to "loading" while refetching
        assert log.call_at(9) is None
        source.gate.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert log.call_at(9) == source.calls[9]
        assert log.highlighted == source.calls[9]


async def test_call_log_wheel_up_stops_following() -> None:
    source = ListSource(many_calls(40))
    app = LogApp(source)
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        log = app.query_one(CallLog)
        bottom = log.scroll_offset.y
        log.post_message(events.MouseScrollUp(log, 10, 5, 0, -1, 0, False, False, False))
        await pilot.pause()
        assert not log.following
        assert log.scroll_offset.y < bottom
        assert log.cursor == 39  # the wheel scrolls the view, not the cursor


async def test_call_log_click_puts_the_cursor_on_the_row() -> None:
    source = ListSource(many_calls(8))
    seen: list[Message] = []
    app = LogApp(source)
    async with app.run_test(size=(100, 20), message_hook=seen.append) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        # border (1) + column header (1) + row 2
        await pilot.click(CallLog, offset=(20, 1 + 1 + 2))
        log = app.query_one(CallLog)
        assert log.cursor == 2
        assert not log.following
        assert highlighted(seen)[-1] == source.calls[2]
        await pilot.click(CallLog, offset=(20, 1 + 1 + 3), times=2)
        assert selected(seen) == [source.calls[3]]


async def test_call_log_fetches_a_bounded_number_of_rows_over_100000_calls() -> None:
    source = ListSource(many_calls(100_000))
    seen: list[Message] = []
    app = LogApp(source)
    async with app.run_test(size=(120, 40), message_hook=seen.append) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        log = app.query_one(CallLog)
        assert log.cursor == 99_999
        assert highlighted(seen)[-1] == source.calls[-1]

        await pilot.press("home")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert highlighted(seen)[-1] == source.calls[0]
        for _ in range(5):
            await pilot.press("pagedown")
        await app.workers.wait_for_complete()
        await pilot.press("end")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("home")
        await app.workers.wait_for_complete()
        await pilot.pause()

        assert highlighted(seen)[-1] == source.calls[0]
        # the pages at each end and around the page-downs, never the 1,000 pages between
        assert len(source.fetches) <= 8
        assert source.rows_fetched <= 8 * PAGE_SIZE
        assert log.cached_pages <= MAX_PAGES
        assert all(limit == PAGE_SIZE for _, limit in source.fetches)


async def test_call_log_set_source_shows_the_new_provider_only() -> None:
    first = ListSource(many_calls(8))
    app = LogApp(first)
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        log = app.query_one(CallLog)
        failed = [call for call in first.calls if call.status is None]
        second = ListSource(failed)
        log.set_source(second.fetch, second.count)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert log.total == len(failed)
        assert log.highlighted == failed[-1]
        assert second.fetches == [(0, PAGE_SIZE)]

        first_fetches = len(second.fetches)
        log.reset()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(second.fetches) == first_fetches + 1


async def test_call_log_survives_an_empty_or_failing_provider() -> None:
    empty = ListSource([])
    app = LogApp(empty)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("up", "enter", "pagedown", "home", "end", "f")
        log = app.query_one(CallLog)
        assert log.total == 0
        assert log.border_title == "0 calls · at the newest"

        broken = ListSource(many_calls(5), fail=True)
        log.set_source(broken.fetch, broken.count)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert log.total == 5
        assert log.highlighted is None
        assert len(broken.fetches) == 1  # not retried on every repaint
        await pilot.press("up", "enter")


async def test_call_log_accepts_a_new_source_before_it_is_mounted() -> None:
    source = ListSource(many_calls(3))
    log = CallLog(ListSource([]).fetch, ListSource([]).count)
    log.set_source(source.fetch, source.count)
    log.refresh_count()

    class EarlyApp(App[None]):
        def compose(self) -> ComposeResult:
            yield log

    app = EarlyApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert log.total == 3
        assert log.highlighted == source.calls[2]


def test_format_duration_is_short() -> None:
    assert [format_duration(ms) for ms in (0.42, 152.4, 12_345.0, float("nan"))] == [
        "0.4ms",
        "152ms",
        "12.3s",
        "?",
    ]


async def _loaded(pilot: Any) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_call_log_snapshot_80x24(snap_compare: Any, utc: None) -> None:
    assert snap_compare(
        LogApp(ListSource(many_calls(40))), terminal_size=(80, 24), run_before=_loaded
    )


def test_call_log_snapshot_160x48_after_moving_up(snap_compare: Any, utc: None) -> None:
    async def move_up(pilot: Any) -> None:
        await _loaded(pilot)
        await pilot.press("up", "up", "up")
        await _loaded(pilot)

    assert snap_compare(
        LogApp(ListSource(many_calls(60))), terminal_size=(160, 48), run_before=move_up
    )
