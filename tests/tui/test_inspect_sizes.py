"""The map's lower half and the composer at 80x24 and 160x48, light and dark, both languages.

What a person inspects with - the log's columns and its mark, the composer editing a recorded
call with its Send button - must stay on screen at the smallest size, and read in the light
theme a projector needs and in Bahasa Indonesia.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.color import Color
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Button, Static
from textual.widgets._footer import FooterKey

from sandbox.tui.screens.compare import CompareScreen
from sandbox.tui.screens.composer import ComposerScreen
from sandbox.tui.themes import CONTRAST, DARK, LIGHT
from sandbox.tui.widgets.call_compare import CallComparison
from sandbox.tui.widgets.call_detail import CallDetail
from sandbox.tui.widgets.call_log import CallLog
from sandbox.tui.widgets.composer import Composer
from tests.tui.factory import make_app, until
from tests.tui.test_compare import PAYMENT, TRACE, _index
from tests.tui.test_contrast import AA, contrast

CASES = [((80, 24), "id", LIGHT), ((160, 48), "en", DARK)]
CASE_IDS = ["80x24-id-light", "160x48-en-dark"]


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _app(tmp_path: Path, lang: str, theme: str) -> Any:
    app, backend = make_app(tmp_path, live=False, lang=lang)
    app.theme = theme
    backend.store.add(TRACE)
    return app


async def _mark_the_payment(pilot: Any) -> None:
    """The log's cursor to the payment, m, then one row down: waits for each to show, so a
    loaded machine takes longer but draws the same."""
    screen = pilot.app.screen
    log = screen.query_one(CallLog)
    detail = screen.query_one(CallDetail)
    await until(lambda: log.total == len(TRACE) and log.highlighted is not None, pilot)
    moves = log.cursor - _index(PAYMENT)  # from wherever the cursor is: not always the last row
    await pilot.press(*(["up"] * moves if moves > 0 else ["down"] * -moves), "m", "down")
    await until(
        lambda: (
            screen.marked is not None
            and log.cursor == _index(PAYMENT) + 1
            and detail.call == log.highlighted
        ),
        pilot,
    )
    await pilot.pause(0.2)


async def _edit_the_payment(pilot: Any) -> None:
    await _mark_the_payment(pilot)
    await _edit_the_marked_payment(pilot)


async def _edit_the_marked_payment(pilot: Any) -> None:
    """From the row under the marked payment: up to it, e (m again would unmark it)."""
    await pilot.press("up", "e")
    await until(lambda: isinstance(pilot.app.screen, ComposerScreen), pilot)
    composer = pilot.app.screen.query_one(Composer)
    await until(lambda: not composer.query_one("#composer-origin").has_class("-empty"), pilot)
    await pilot.pause(0.3)


@pytest.mark.parametrize(("size", "lang", "theme"), CASES, ids=CASE_IDS)
async def test_inspecting_keeps_its_actions_on_screen(
    tmp_path: Path, size: tuple[int, int], lang: str, theme: str
) -> None:
    app = _app(tmp_path, lang, theme)
    async with app.run_test(size=size) as pilot:
        await _mark_the_payment(pilot)
        log = app.screen.query_one(CallLog)
        assert log.region.width >= 46 and log.region.height >= 8
        shown = {b.binding.key for b in app.screen.active_bindings.values() if b.binding.show}
        assert {"e", "equals_sign"} <= shown, "once a call is marked, = takes m's place"
        await pilot.pause(0.2)
        footer = {key.key: key for key in app.screen.query(FooterKey)}
        assert Region(0, 0, *size).contains_region(footer["question_mark"].region), "? Help"
        await _edit_the_marked_payment(pilot)
        send = app.screen.query_one("#composer-send", Button)
        assert app.screen.region.contains_region(send.region), "Send is on screen"
        body = app.screen.query_one("#composer-body")
        assert body.region.height >= 3


def test_map_snapshot_80x24_light_indonesian_with_a_mark(snap_compare: Any, tmp_path: Path) -> None:
    app = _app(tmp_path, "id", LIGHT)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_mark_the_payment)


@pytest.mark.parametrize(("size", "lang", "theme"), CASES, ids=CASE_IDS)
def test_composer_snapshot_editing_a_recorded_payment(
    snap_compare: Any, tmp_path: Path, size: tuple[int, int], lang: str, theme: str
) -> None:
    app = _app(tmp_path, lang, theme)
    assert snap_compare(app, terminal_size=size, run_before=_edit_the_payment)


def _unreadable(widget: Widget) -> list[tuple[int, str, str, float]]:
    """Every drawn piece of text in `widget` whose colour misses AA on its own background."""
    found = []
    for y in range(widget.size.height):
        for segment in widget.render_line(y):
            style = segment.style
            if not segment.text.strip() or style is None or style.color is None:
                continue
            if style.bgcolor is None:
                found.append((y, segment.text, str(style), 0.0))
                continue
            fg, bg = (Color.from_rich_color(c) for c in (style.color, style.bgcolor))
            if style.reverse:
                fg, bg = bg, fg
            ratio = contrast(fg, bg)
            if ratio < AA:
                found.append((y, segment.text, str(style), round(ratio, 2)))
    return found


@pytest.mark.parametrize("theme", [DARK, LIGHT, CONTRAST])
async def test_inspecting_text_is_readable_where_drawn_in_every_theme(
    tmp_path: Path, theme: str
) -> None:
    """Drawn colours, not stylesheet ones: the log's header once came out white on light
    grey, and a status green on the blue cursor."""
    app = _app(tmp_path, "en", theme)
    async with app.run_test(size=(120, 40)) as pilot:
        await _mark_the_payment(pilot)
        assert _unreadable(app.screen.query_one(CallLog)) == []
        detail = app.screen.query_one(CallDetail)
        for static in detail.query(Static):
            assert _unreadable(static) == [], static.id
        await pilot.press("equals_sign")
        await until(lambda: isinstance(app.screen, CompareScreen), pilot)
        await pilot.pause(0.2)
        for static in app.screen.query_one(CallComparison).query(Static):
            assert _unreadable(static) == [], static.id
