"""SequencePlayer: the Mermaid export's order drawn natively, played, paused and rewound."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

from textual.app import App, ComposeResult
from textual.message import Message
from textual.pilot import Pilot

from sandbox.trace.events import HttpCall
from sandbox.trace.export.mermaid import to_mermaid
from sandbox.tui.widgets.sequence import SequencePlayer
from sandbox.tui.widgets.sequence_layout import arrange, layout, parties

T0 = 1_709_280_000.0
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def http_call(
    n: int,
    parent: int | None,
    caller: str,
    callee: str,
    request: str,
    status: int | None,
    start: float,
    ms: float = 20.0,
    error: str | None = None,
) -> HttpCall:
    """A recorded call with span ids from small numbers and times from the world's clock."""
    method, path = request.split(" ", 1)
    parent_id = None if parent is None else f"{parent:016x}"
    return HttpCall(
        TRACE, f"{n:016x}", parent_id, caller, callee, method, path, status, T0 + start, ms,
        error=error,
    )  # fmt: skip


def checkout_trace() -> list[HttpCall]:
    """A checkout: browse, buy (order, VA, late webhook), pay at the bank (late webhook)."""
    return [
        http_call(1, None, "buyer", "social", "GET /api/v1/videos/vid-001", 200, 0.0, 80),
        http_call(2, 1, "social", "marketplace", "GET /api/v2/fs/7001/products?sign=ab", 200, 0.01),
        http_call(3, None, "buyer", "social", "POST /api/v1/videos/vid-001/buy", 201, 1.0, 300),
        http_call(4, 3, "social", "marketplace", "POST /api/v2/fs/7001/orders", 201, 1.01, 250),
        http_call(5, 4, "marketplace", "bank", "POST /v1.0/transfer-va/create-va", 200, 1.02, 120),
        http_call(6, 4, "marketplace", "social", "POST /webhooks/marketplace", 200, 1.5),
        http_call(7, None, "buyer", "bank", "POST /mobile/v1/va-payments", 201, 3.0, 200),
        http_call(8, 7, "bank", "marketplace", "POST /v1.0/transfer-va/payment", 200, 3.01, 100),
        http_call(9, 8, "marketplace", "social", "POST /webhooks/marketplace", 200, 3.5),
    ]


def with_failures() -> list[HttpCall]:
    """The checkout plus an outside script refused by the bank and a 503."""
    return [
        *checkout_trace(),
        http_call(10, None, "external", "bank", "POST /v1.0/transfer-va/status", None, 5.0,
                  error="refused"),
        http_call(11, None, "external", "marketplace", "GET /api/v2/fs/7001/orders", 503, 6.0),
    ]  # fmt: skip


class PlayerApp(App[None]):
    """Just the player, full screen."""

    def __init__(self, calls: list[HttpCall], goto: int | None = None) -> None:
        super().__init__()
        self.calls = calls
        self.start_at = goto

    def compose(self) -> ComposeResult:
        yield SequencePlayer(id="player")

    def on_mount(self) -> None:
        player = self.query_one(SequencePlayer)
        player.load(self.calls)
        if self.start_at is not None:
            player.goto(self.start_at)
        player.focus()


def arrows_seen(seen: list[Message]) -> list[SequencePlayer.ArrowChanged]:
    return [m for m in seen if isinstance(m, SequencePlayer.ArrowChanged)]


def row_text(calls: list[HttpCall], width: int) -> list[str]:
    return ["".join(text for text, _ in runs) for runs in layout(arrange(calls), width).rows]


async def test_sequence_order_matches_mermaid_export() -> None:
    calls = with_failures()
    drawn = []
    for line in to_mermaid(calls).splitlines():
        found = re.match(r"( +)(\w+)(->>|-->>|--x)(\w+):", line)
        if found:
            pad, left, arrow, right = found.groups()
            depth = len(pad) // 4 - 1
            is_return = arrow != "->>"
            ends = (right, left) if is_return else (left, right)
            drawn.append((*ends, depth, is_return))
    mine = [(a.call.caller, a.call.callee, a.depth, a.is_return) for a in arrange(calls)]
    assert mine == drawn
    assert parties(arrange(calls)) == ["buyer", "social", "marketplace", "bank", "external"]


async def test_sequence_late_webhook_drawn_after_its_parent_answered() -> None:
    order = [(a.call.span_id[-1], a.is_return) for a in arrange(checkout_trace())]
    # the order webhook (6) started after the buy (3) answered: drawn after it, at the top
    assert order[order.index(("3", True)) + 1] == ("6", False)


async def test_sequence_load_shows_first_arrow() -> None:
    app, seen = PlayerApp(checkout_trace()), list[Message]()
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        await pilot.pause()
        player = app.query_one(SequencePlayer)
        assert player.total == 18
        assert player.index == 0
        assert player.parties == ["buyer", "social", "marketplace", "bank"]
        assert not player.replaying and not player.playing
        first = arrows_seen(seen)[-1]
        assert (first.call, first.index, first.total, first.is_return) == (
            app.calls[0], 0, 18, False,
        )  # fmt: skip
        assert first.control is player


async def test_sequence_steps_across_call_and_return_rows() -> None:
    app, seen = PlayerApp(checkout_trace()), list[Message]()
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        player = app.query_one(SequencePlayer)
        await pilot.press("right", "l")
        assert player.current is not None
        assert (player.index, player.current.call, player.current.is_return) == (
            2, app.calls[1], True,
        )  # fmt: skip
        await pilot.press("right")
        await pilot.pause()
        last = arrows_seen(seen)[-1]
        assert (last.call, last.index, last.is_return) == (app.calls[0], 3, True)
        assert player.replaying
        await pilot.press("left", "h")
        assert player.index == 1
        assert player.current is not None and player.current.call == app.calls[1]
        assert not player.current.is_return


async def test_sequence_step_stops_at_both_ends() -> None:
    app, seen = PlayerApp(checkout_trace()), list[Message]()
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        player = app.query_one(SequencePlayer)
        await pilot.press("left")
        assert player.index == 0
        await pilot.press("end")
        assert player.index == 17
        await pilot.press("right")
        await pilot.pause()
        assert player.index == 17
        assert arrows_seen(seen)[-1].index == 17
        await pilot.press("home")
        assert player.index == 0


async def test_sequence_play_advances_on_each_tick() -> None:
    app = PlayerApp(checkout_trace())
    async with app.run_test(size=(80, 24)) as pilot:
        player = app.query_one(SequencePlayer)
        player.interval = 60  # the timer never fires by itself here: ticks are driven below
        await pilot.press("space")
        assert player.playing and player.replaying
        player.advance()
        player.advance()
        assert player.index == 2
        await pilot.press("space")
        assert not player.playing
        assert player.index == 2


async def test_sequence_play_runs_to_the_end_and_restarts() -> None:
    app = PlayerApp(checkout_trace())
    async with app.run_test(size=(80, 24)) as pilot:
        player = app.query_one(SequencePlayer)
        player.interval = 0.01
        player.play()
        await wait_for(pilot, lambda: not player.playing)
        assert player.index == player.total - 1
        player.play()  # at the last arrow, playing again starts over
        assert player.index == 0 and player.playing
        player.pause()


async def test_sequence_step_back_while_playing_pauses() -> None:
    app = PlayerApp(checkout_trace())
    async with app.run_test(size=(80, 24)) as pilot:
        player = app.query_one(SequencePlayer)
        player.interval = 60
        player.play()
        for _ in range(4):
            player.advance()
        await pilot.press("left")
        assert not player.playing
        assert player.index == 3
        assert player.replaying


async def test_sequence_click_selects_an_arrow() -> None:
    app = PlayerApp(checkout_trace())
    async with app.run_test(size=(80, 24)) as pilot:
        player = app.query_one(SequencePlayer)
        await pilot.click(SequencePlayer, offset=(10, 5))  # header row, then arrow rows
        assert player.index == 4


async def test_sequence_empty_trace_is_quiet() -> None:
    app, seen = PlayerApp([]), list[Message]()
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        player = app.query_one(SequencePlayer)
        await pilot.press("space", "right", "left", "home", "end")
        assert player.index is None and player.total == 0 and player.current is None
        assert not player.playing
        assert arrows_seen(seen) == []
        assert "No calls" in "".join(seg.text for seg in player.render_line(0))


async def test_sequence_failed_call_and_external_caller() -> None:
    calls = with_failures()
    rows = row_text(calls, 79)
    assert parties(arrange(calls))[-1] == "external"
    refused = rows[-3]
    assert "✕" in refused and "refused" in refused
    assert "503" in rows[-1] and "◀" not in rows[-1]  # back to external, on the far right
    roles = {role for _, role in layout(arrange(calls), 79).rows[-3]}
    assert "failed" in roles
    app = PlayerApp(calls)
    async with app.run_test(size=(80, 24)) as pilot:
        player = app.query_one(SequencePlayer)
        await pilot.press("end")
        assert player.current is not None and player.current.call.status == 503


async def test_sequence_labels_stay_legible_at_80_columns() -> None:
    rows = row_text(with_failures(), 79)
    assert all(len(row) == 79 for row in rows)
    for label in ("GET …/vid-001", "POST …/orders", "POST …/payment", "refused"):
        assert any(label in row for row in rows), label


async def test_sequence_survives_odd_data() -> None:
    odd = [
        http_call(1, 1, "loop", "loop", "GET /self\nline?" + "x" * 5000, None, 0.0),
        http_call(2, 3, "a", "b", "POST /x", 200, 1.0),
        http_call(3, 2, "b", "a", "POST /y", None, 1.0),  # parents loop
        *[http_call(10 + i, None, f"p{i}", "q", "GET /", 204, 2.0 + i) for i in range(20)],
    ]
    for width in (1, 20, 80, 200):
        rows = layout(arrange(odd), width).rows
        assert len(rows) == 2 * len(odd)
        assert all("\n" not in text for runs in rows for text, _ in runs)
    app = PlayerApp(odd)
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.press("end", "home")
        assert app.query_one(SequencePlayer).index == 0


async def test_sequence_long_trace_keeps_cursor_in_view() -> None:
    calls = [
        http_call(i + 1, None, "buyer", "social", f"GET /api/v1/feed?page={i}", 200, float(i))
        for i in range(40)
    ]
    app = PlayerApp(calls)
    async with app.run_test(size=(80, 24)) as pilot:
        player = app.query_one(SequencePlayer)
        rows_in_view = player.scrollable_content_region.height - 1  # below the header
        for _ in range(30):
            await pilot.press("right")
            await pilot.pause()
            top = player.scroll_offset.y
            assert player.index is not None
            assert top <= player.index < top + rows_in_view
        assert player.scroll_offset.y > 0
        await pilot.press("end")
        await pilot.pause()
        assert player.scroll_offset.y == player.max_scroll_y
        await pilot.press("home")
        await pilot.pause()
        assert player.scroll_offset.y == 0


async def wait_for(pilot: Pilot[Any], done: Callable[[], bool], seconds: float = 5.0) -> None:
    """Let the app run until `done()` holds: asserts on state, whatever the machine's speed."""
    for _ in range(int(seconds / 0.02)):
        if done():
            return
        await pilot.pause(0.02)
    await asyncio.sleep(0)
    assert done()


def test_sequence_snapshot_checkout_80x24(snap_compare: Any) -> None:
    """Replaying: cursor on the 4th arrow, the rest of the conversation dimmed."""
    assert snap_compare(PlayerApp(checkout_trace()), terminal_size=(80, 24),
                        press=["right", "right", "right"])  # fmt: skip


def test_sequence_snapshot_checkout_160x48(snap_compare: Any) -> None:
    """Browsing: cursor on the 4th arrow, the whole conversation shown."""
    assert snap_compare(PlayerApp(checkout_trace(), goto=3), terminal_size=(160, 48))
