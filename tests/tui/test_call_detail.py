"""CallDetail: one call in full, capped bodies, copy as curl/httpx and open the trace."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.message import Message
from textual.widgets import Footer, Static

from sandbox.trace.events import HttpCall
from sandbox.trace.snippets import curl, httpx_snippet
from sandbox.tui.widgets.call_detail import MAX_LINES, CallDetail, body_text, status_text
from sandbox.tui.widgets.call_row import caller_text
from tests.trace.conftest import CREATE_VA, TRACE, checkout_calls


def create_va() -> HttpCall:
    """A signed JSON call with redacted credentials."""
    call = next(c for c in checkout_calls() if c.span_id == CREATE_VA)
    return replace(
        call,
        request_headers=(
            *call.request_headers,
            ("Authorization", "[redacted]"),
            ("X-SIGNATURE", "[redacted]"),
        ),
        request_body=json.dumps(
            {
                "partnerServiceId": "  88908",
                "trxId": "ORD-1",
                "virtualAccountName": "Siti Rahayu",
                "totalAmount": {"value": "150000.00", "currency": "IDR"},
                "additionalInfo": {"accessToken": "[redacted]"},
            },
            separators=(",", ":"),
        ),
    )


def refused() -> HttpCall:
    return next(c for c in checkout_calls() if c.status is None)


class DetailApp(App[None]):
    def __init__(self, call: HttpCall | None, base_urls: dict[str, str] | None = None) -> None:
        super().__init__()
        self.initial = call
        self.base_urls = base_urls

    def compose(self) -> ComposeResult:
        yield CallDetail(self.base_urls)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(CallDetail).call = self.initial


@pytest.fixture
def utc() -> Iterator[None]:
    """Local time is UTC, so times in snapshots do not depend on the machine."""
    mp = pytest.MonkeyPatch()
    mp.setenv("TZ", "UTC")
    time.tzset()
    yield
    mp.undo()
    time.tzset()


def shown(app: App[Any]) -> str:
    """The visible text of every section."""
    parts = [str(s.render()) for s in app.query(Static) if s.display]
    return "\n".join(parts)


async def test_call_detail_shows_request_line_outcome_ids_and_pretty_json() -> None:
    app = DetailApp(create_va())
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        text = shown(app)
        assert "POST /v1.0/transfer-va/create-va" in text
        assert "marketplace → bank" in text
        assert "200 OK" in text
        assert TRACE in text
        assert "parent 1a2b3c4d5e6f7081" in text
        assert '  "totalAmount": {\n    "value": "150000.00",' in text
        assert "Authorization: [redacted]" in text
        assert '"virtualAccountNo": "8890800001"' in text


async def test_call_detail_shows_why_a_failed_call_has_no_response() -> None:
    app = DetailApp(refused())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = shown(app)
        assert "no response: refused" in text
        assert "No response: refused." in text
        assert status_text(refused()) == "no response: refused"


async def test_call_detail_without_a_call_says_so_and_disables_its_keys() -> None:
    seen: list[Message] = []
    app = DetailApp(None)
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        await pilot.pause()
        assert shown(app) == "No call selected."
        await pilot.press("c", "h", "t")
        assert app.clipboard == ""
        assert not any(isinstance(m, CallDetail.TraceRequested) for m in seen)
        detail = app.query_one(CallDetail)
        assert detail.check_action("copy_curl", ()) is None


async def test_call_detail_copies_curl_and_httpx_with_the_screens_base_url() -> None:
    call = create_va()
    app = DetailApp(call, base_urls={"bank": "http://127.0.0.1:8103"})
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        assert app.clipboard == curl(call, "http://127.0.0.1:8103")
        assert "http://127.0.0.1:8103/v1.0/transfer-va/create-va" in app.clipboard
        await pilot.press("h")
        assert app.clipboard == httpx_snippet(call, "http://127.0.0.1:8103")
        await pilot.pause()
        assert [n.title for n in app._notifications] == ["Copied", "Copied"]


async def test_call_detail_unknown_callee_uses_a_sandbox_host() -> None:
    call = replace(refused(), callee="hospital")
    app = DetailApp(call)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        assert "http://hospital.sandbox/v1.0/balance-inquiry" in app.clipboard


async def test_call_detail_t_requests_the_whole_trace() -> None:
    seen: list[Message] = []
    app = DetailApp(create_va())
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        await pilot.pause()
        await pilot.press("t")
        asked = {m.trace_id for m in seen if isinstance(m, CallDetail.TraceRequested)}
        assert asked == {TRACE}


async def test_call_detail_caps_a_huge_body_and_stays_responsive() -> None:
    rows = [{"sku": f"A{i}", "qty": i, "name": "x" * 40} for i in range(50_000)]
    huge = replace(create_va(), response_body=json.dumps(rows), status=500)
    app = DetailApp(huge)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        detail = app.query_one(CallDetail)
        text = shown(app)
        assert "500 Internal Server Error" in text
        assert "not shown here" in text
        assert len(text) < 60_000
        await pilot.press("end")
        await pilot.pause()
        assert detail.scroll_y > 0


def test_body_text_marks_a_truncated_body_and_keeps_plain_text_plain() -> None:
    truncated = checkout_calls()[-1].request_body
    text = body_text(truncated).plain
    assert "…[truncated" not in text
    assert "truncated when recorded: 120 more characters not kept" in text
    assert body_text("OK").plain == "OK"
    assert body_text('{"a": [1, 2]').plain == '{"a": [1, 2]'  # broken JSON stays as recorded
    assert body_text("").plain == "(no body)"


def test_body_text_caps_lines_of_a_long_plain_body() -> None:
    text = body_text("\n".join(f"line {i}" for i in range(5_000))).plain
    assert text.count("\n") <= MAX_LINES + 2
    assert "more lines" in text


def test_body_text_survives_odd_data() -> None:
    for odd in ("\x00\x1b[31mred\x07", "[" * 10_000, "{" + '"a":' * 5 + "1", "💥" * 30_000):
        assert body_text(odd).plain


def test_call_detail_snapshot_80x24(snap_compare: Any, utc: None) -> None:
    assert snap_compare(DetailApp(create_va()), terminal_size=(80, 24))


def test_call_detail_snapshot_failed_call_160x48(snap_compare: Any, utc: None) -> None:
    assert snap_compare(DetailApp(refused()), terminal_size=(160, 48))


async def test_an_unverified_caller_is_shown_as_recorded_with_its_claim_beside() -> None:
    """A call that said it was the social app, without the social app's credential, reads as
    external everywhere; the claim is shown and named as not verified."""
    claimed = replace(create_va(), caller="external", claimed_caller="social")
    app = DetailApp(claimed)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        text = shown(app)
        assert "external → bank" in text or "external →  bank" in text
        assert "claims to be social" in text and "recorded as external" in text
    assert caller_text(claimed) == "external(social?)"
    assert caller_text(create_va()) == create_va().caller
