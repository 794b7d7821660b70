"""Comparing two calls on the stage: mark one (m), compare another with it (=), back (Esc).

The recorded checkout holds the buyer's first payment (201, PAID) and its retry with the same
Idempotency-Key (200, the bank replaying its first answer): the comparison a lesson on
retries shows.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from sandbox.trace.compare import ADDED, CHANGED, REMOVED, SAME, Row
from sandbox.trace.events import HttpCall
from sandbox.tui.screens.compare import CompareScreen
from sandbox.tui.screens.map import MapScreen
from sandbox.tui.widgets.call_compare import CallComparison, side_by_side, summary_text
from sandbox.tui.widgets.call_log import CallLog
from tests.tui.factory import make_app, until

TRACE = [
    HttpCall.from_dict(d)
    for d in json.loads((Path(__file__).parent / "data" / "checkout.json").read_text("utf-8"))
]
PAYMENT, RETRY = "000000000000000c", "000000000000000f"
SIZES = [(80, 24), (160, 48)]


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _app(tmp_path: Path, lang: str = "en") -> Any:
    app, backend = make_app(tmp_path, live=False, lang=lang)
    backend.store.add(TRACE)
    return app


def _index(span_id: str) -> int:
    ordered = sorted(TRACE, key=lambda c: c.started_at)
    return next(i for i, c in enumerate(ordered) if c.span_id == span_id)


async def _compare_payment_and_retry(pilot: Any) -> None:
    """On the map: the log's cursor to the payment, m, to the retry, =."""
    log = pilot.app.screen.query_one(CallLog)
    await until(lambda: log.total == len(TRACE) and log.highlighted is not None, pilot)
    await pilot.press(*["up"] * (log.total - 1 - _index(PAYMENT)), "m")
    await pilot.press(*["down"] * (_index(RETRY) - _index(PAYMENT)), "equals_sign")
    await until(lambda: isinstance(pilot.app.screen, CompareScreen), pilot)
    await pilot.pause(0.3)


def test_side_by_side_keeps_rows_level_when_one_side_wraps() -> None:
    rows = [Row("a" * 25, "b", CHANGED), Row("same", "same", SAME), Row(None, "new", ADDED)]
    lines = side_by_side(rows, 23).plain.split("\n")
    # Columns of 10 cells around a marker: the long left takes three lines, the right waits.
    assert lines == [
        "aaaaaaaaaa ~ b",
        "aaaaaaaaaa   ",
        "aaaaa        ",
        "same         same",
        "           + new",
    ]


def test_side_by_side_draws_wire_text_as_written() -> None:
    text = "[@click=app.quit]x[/] [b]^[A-Z]\\d{2}\x1b[31m"
    drawn = side_by_side([Row(text, None, REMOVED)], 200)
    assert drawn.plain.startswith("[@click=app.quit]x[/] [b]^[A-Z]\\d{2}·[31m")
    assert all(not span.style or "@click" not in str(span.style) for span in drawn.spans)


async def test_map_marks_a_call_and_compares_the_retry_with_it(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await _compare_payment_and_retry(pilot)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        comparison = screen.query_one(CallComparison)
        assert (comparison.left.span_id, comparison.right.span_id) == (PAYMENT, RETRY)
        call_rows = comparison.sections[0].rows
        assert [r.kind for r in call_rows] == [SAME, SAME, CHANGED]  # 201 Created, 200 OK
        headers, request_body, _, response_body = comparison.sections[1:]
        assert not request_body.differs, "the retry sends the very same payment"
        assert not headers.differs, "with the same Idempotency-Key"
        # The bank replays its first answer: only the status says it was a retry.
        assert summary_text(response_body) == "the same in both calls"

        await pilot.press("d")
        assert comparison.differences_only
        await pilot.press("x")
        assert (comparison.left.span_id, comparison.right.span_id) == (RETRY, PAYMENT)

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        assert app.screen.marked is not None and app.screen.marked.span_id == PAYMENT
        assert app.screen.query_one(CallLog).marked == app.screen.marked


async def test_map_unmarks_with_m_again_and_compares_nothing_with_itself(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        log = screen.query_one(CallLog)
        await until(lambda: log.highlighted is not None, pilot)
        await pilot.press("m", "equals_sign")
        assert screen.marked is not None
        assert app.screen is screen, "a call is not compared with itself"
        await pilot.press("m")
        assert screen.marked is None
        assert screen.query_one(CallLog).marked is None


async def test_compare_shows_the_bodies_that_differ(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(120, 60)) as pilot:
        await _compare_payment_and_retry(pilot)
        comparison = app.screen.query_one(CallComparison)
        drawn = "\n".join(str(static.render()) for static in comparison.query(Static) if static.id)
        assert "◆ marked · 08:00:00.132" in drawn
        assert "201 Created" in drawn and "200 OK" in drawn
        assert "POST /mobile/v1/va-payments" in drawn


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_compare_snapshot_payment_and_retry(
    snap_compare: Any, tmp_path: Path, size: tuple[int, int]
) -> None:
    assert snap_compare(_app(tmp_path), terminal_size=size, run_before=_compare_payment_and_retry)


def test_compare_snapshot_in_indonesian_differences_only(snap_compare: Any, tmp_path: Path) -> None:
    async def run_before(pilot: Any) -> None:
        await _compare_payment_and_retry(pilot)
        await pilot.press("d")
        await pilot.pause(0.2)

    app = _app(tmp_path, lang="id")
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
