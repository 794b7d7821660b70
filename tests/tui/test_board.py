"""`sandbox class`'s board: students live, verdicts in words, a student's trace in the player."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual.widgets import DataTable

from sandbox.classroom.roster import Roster
from sandbox.classroom.spans import read_request
from sandbox.trace.events import HttpCall
from sandbox.trace.export.otlp import to_otlp, verdict_span
from sandbox.trace.verdict import LessonVerdict
from sandbox.tui.board import ClassBoardApp
from sandbox.tui.screens.trace import TraceScreen
from sandbox.tui.widgets.sequence import SequencePlayer
from tests.tui.factory import until

TRACE = [
    HttpCall.from_dict(d)
    for d in json.loads(
        (Path(__file__).parent / "data" / "checkout.json").read_text(encoding="utf-8")
    )
]


def _sent_by(student: str, body: str) -> dict[str, Any]:
    """An OTLP request as `student`'s sandbox sends it (its name on every resource)."""
    request: dict[str, Any] = json.loads(body)
    for resource_spans in request["resourceSpans"]:
        resource_spans["resource"]["attributes"].append(
            {"key": "sandbox.student", "value": {"stringValue": student}}
        )
    return request


def _verdict_request(student: str, verdict: LessonVerdict) -> dict[str, object]:
    return {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [
                        {"key": "service.name", "value": {"stringValue": "lesson"}},
                        {"key": "sandbox.student", "value": {"stringValue": student}},
                    ]
                },
                "scopeSpans": [{"spans": [verdict_span(verdict, "0123456789abcdef")]}],
            }
        ]
    }


def _cells(app: ClassBoardApp) -> dict[str, list[str]]:
    table = app.query_one(DataTable)
    return {str(key.value): [cell.plain for cell in table.get_row(key)] for key in table.rows}


async def test_the_board_shows_each_student_and_opens_their_latest_trace(tmp_path: Path) -> None:
    roster = Roster()
    roster.add(read_request(_sent_by("Rina", to_otlp(TRACE))))
    app = ClassBoardApp(roster, "http://127.0.0.1:4318/c/token", exports_dir=tmp_path, poll=0.05)
    async with app.run_test(size=(160, 40)) as pilot:
        await until(lambda: "Rina" in _cells(app), pilot)
        assert _cells(app)["Rina"][:4] == ["Rina", "—", "", ""]
        assert _cells(app)["Rina"][5] == str(len(TRACE))
        assert "1 student" in app.sub_title

        # A second student arrives, and a failed verdict lands on their line in words.
        failed = LessonVerdict(
            "03-paying",
            4,
            "Pay once",
            "failed",
            "bank answers 201: expected 201, got 409",
            TRACE[0].trace_id,
            2e9,
        )
        roster.add(read_request(_verdict_request("[b]Budi[/b]", failed)))
        await until(lambda: "[b]Budi[/b]" in _cells(app), pilot)
        budi = _cells(app)["[b]Budi[/b]"]
        assert budi[0] == "[b]Budi[/b]"  # a name from the wire is never markup
        assert budi[1:5] == [
            "✗ failed",
            "03-paying",
            "4 · Pay once",
            "bank answers 201: expected 201, got 409",
        ]
        assert "1 failing" in app.sub_title

        # Enter on Rina opens her checkout in the trace player; escape comes back.
        table = app.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("Rina"))
        await pilot.press("enter")
        await until(
            lambda: isinstance(app.screen, TraceScreen) and len(app.screen.calls) == len(TRACE),
            pilot,
        )
        assert app.screen.query_one(SequencePlayer).total == 2 * len(TRACE)
        await pilot.press("escape")
        await until(lambda: not isinstance(app.screen, TraceScreen), pilot)
        # Each key is offered where it works: open on the board, back in the player.
        await pilot.pause()
        assert not app.check_action("to_board", ())
        assert "enter" in app.screen.active_bindings


async def test_a_student_with_only_a_verdict_has_no_trace_to_open(tmp_path: Path) -> None:
    roster = Roster()
    passed = LessonVerdict("01-first", 1, "Look", "passed", "", "ab" * 16, 2e9)
    roster.add(read_request(_verdict_request("Sari", passed)))
    app = ClassBoardApp(roster, "http://127.0.0.1:4318/c/token", exports_dir=tmp_path, poll=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: "Sari" in _cells(app), pilot)
        assert _cells(app)["Sari"][1] == "✓ passed"
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, TraceScreen)
