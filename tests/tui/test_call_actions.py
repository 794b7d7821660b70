"""c / h / t / e / m / = wherever a call is selected: the log's cursor, the detail's call.

Each widget offers only the actions its screen handles; the others are hidden and their keys
reach the screen (the lesson screen's own `h` and `t`).
"""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Footer

from sandbox.trace.snippets import curl, httpx_snippet
from sandbox.tui.widgets.call_actions import ALL, CallActions
from sandbox.tui.widgets.call_detail import CallDetail
from sandbox.tui.widgets.call_log import CallLog
from tests.tui.test_call_log import ListSource, many_calls, once

BANK = "http://127.0.0.1:8103"


class LogScreenApp(App[None]):
    """A log as a screen with its own `h` and `t` holds it (the lesson screen)."""

    BINDINGS = [
        Binding("h", "screen_h", "Hint", id="screen.hint"),
        Binding("t", "screen_t", "Step trace", id="screen.trace"),
    ]

    def __init__(self, source: ListSource, offered: frozenset[str]) -> None:
        super().__init__()
        self.source = source
        self.offered = offered
        self.screen_keys: list[str] = []

    def compose(self) -> ComposeResult:
        yield CallLog(
            self.source.fetch, self.source.count, offered=self.offered, base_urls={"bank": BANK}
        )
        yield Footer()

    def action_screen_h(self) -> None:
        self.screen_keys.append("h")

    def action_screen_t(self) -> None:
        self.screen_keys.append("t")


async def _loaded(pilot: Any) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _asked(seen: list[Message], kind: type[Message]) -> list[Any]:
    return [m.call for m in once(seen, kind)]


async def test_log_keys_act_on_the_call_under_the_cursor() -> None:
    source = ListSource(many_calls(8))
    seen: list[Message] = []
    app = LogScreenApp(source, ALL)
    async with app.run_test(size=(100, 20), message_hook=seen.append) as pilot:
        await _loaded(pilot)
        log = app.query_one(CallLog)
        await pilot.press("up")
        call = source.calls[6]
        assert log.highlighted == call
        await pilot.press("c")
        assert app.clipboard == curl(call, log.base_url(call.callee))
        await pilot.press("h")
        assert app.clipboard == httpx_snippet(call, log.base_url(call.callee))
        await pilot.press("t", "e", "m")
        assert _asked(seen, CallActions.TraceRequested) == [call]
        assert once(seen, CallActions.TraceRequested)[0].trace_id == call.trace_id
        assert _asked(seen, CallActions.EditRequested) == [call]
        assert _asked(seen, CallActions.MarkRequested) == [call]
        assert app.screen_keys == []


async def test_log_compares_only_once_a_call_is_marked_and_not_with_itself() -> None:
    source = ListSource(many_calls(8))
    seen: list[Message] = []
    app = LogScreenApp(source, ALL)
    async with app.run_test(size=(100, 20), message_hook=seen.append) as pilot:
        await _loaded(pilot)
        log = app.query_one(CallLog)
        assert log.check_action("compare_call", ()) is False  # hidden until a mark exists
        await pilot.press("equals_sign")
        log.marked = source.calls[7]
        await pilot.pause()
        assert log.check_action("compare_call", ()) is None  # the cursor is on the marked call
        await pilot.press("equals_sign", "up", "equals_sign")
        assert _asked(seen, CallActions.CompareRequested) == [source.calls[6]]
        active = {b.binding.key: b.binding for b in app.screen.active_bindings.values()}
        assert active["equals_sign"].show
        assert active["m"].action == "remark_call" and not active["m"].show
        await pilot.press("m")  # still marks, from out of the footer
        assert _asked(seen, CallActions.MarkRequested) == [source.calls[6]]


async def test_log_marks_its_marked_call_in_the_gutter() -> None:
    source = ListSource(many_calls(4))
    app = LogScreenApp(source, ALL)
    async with app.run_test(size=(100, 10)) as pilot:
        await _loaded(pilot)
        log = app.query_one(CallLog)
        log.marked = source.calls[1]
        await pilot.pause()
        assert log.render_line(2).text.startswith("◆")
        assert not log.render_line(1).text.startswith("◆")


async def test_log_without_offered_actions_leaves_keys_to_its_screen() -> None:
    source = ListSource(many_calls(4))
    seen: list[Message] = []
    app = LogScreenApp(source, frozenset())
    async with app.run_test(size=(100, 20), message_hook=seen.append) as pilot:
        await _loaded(pilot)
        await pilot.press("h", "t", "c", "e", "m")
        assert app.screen_keys == ["h", "t"]
        assert app.clipboard == ""
        assert not once(seen, CallActions.TraceRequested)
        assert not once(seen, CallActions.EditRequested)
        actions = {b.binding.action for b in app.screen.active_bindings.values()}
        assert not actions & ALL


class DetailApp(App[None]):
    def __init__(self, offered: frozenset[str] | None = None) -> None:
        super().__init__()
        self.offered = offered

    def compose(self) -> ComposeResult:
        yield CallDetail(offered=self.offered)
        yield Footer()


async def test_detail_offers_copy_trace_and_edit_by_default() -> None:
    call = many_calls(1)[0]
    seen: list[Message] = []
    app = DetailApp()
    async with app.run_test(size=(100, 20), message_hook=seen.append) as pilot:
        detail = app.query_one(CallDetail)
        detail.call = call
        detail.focus()
        await pilot.pause()
        await pilot.press("e", "m")
        assert _asked(seen, CallActions.EditRequested) == [call]
        assert not once(seen, CallActions.MarkRequested)
        shown = {b.binding.action for b in app.screen.active_bindings.values()}
        assert {"copy_curl", "copy_httpx", "open_trace", "edit_call"} <= shown
        assert not {"mark_call", "compare_call"} & shown


async def test_detail_marks_and_compares_where_its_screen_offers_it() -> None:
    first, second = many_calls(2)
    seen: list[Message] = []
    app = DetailApp(ALL)
    async with app.run_test(size=(100, 20), message_hook=seen.append) as pilot:
        detail = app.query_one(CallDetail)
        detail.call = second
        detail.marked = first
        detail.focus()
        await pilot.pause()
        await pilot.press("m", "equals_sign")
        assert _asked(seen, CallActions.MarkRequested) == [second]
        assert _asked(seen, CallActions.CompareRequested) == [second]
