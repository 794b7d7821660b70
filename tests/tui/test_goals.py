"""Goal versus actual: the expectations beside what happened, the first difference lit, in the
lesson's verdict and beside the trace player."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from sandbox.trace.events import HttpCall
from sandbox.tui.messages import ShowTrace
from sandbox.tui.screens.trace import TraceScreen
from sandbox.tui.widgets.goals import GoalList
from sandbox.tui.widgets.sequence import SequencePlayer
from sandbox.tui.widgets.step_verdict import verdict_text
from tests.tui.factory import make_app, until

TRACE = [
    HttpCall.from_dict(d)
    for d in json.loads(
        (Path(__file__).parent / "data" / "checkout.json").read_text(encoding="utf-8")
    )
]
BUY = next(c for c in TRACE if c.path == "/api/v1/videos/1/buy")
VA = next(c for c in TRACE if c.path.endswith("create-va"))


@dataclass(frozen=True)
class Miss:
    expectation: str
    expected: str
    happened: str
    because: str = ""
    call: HttpCall | None = None


@dataclass(frozen=True)
class Check:
    expectation: str
    ok: bool
    call: HttpCall | None
    failure: Miss | None = None
    expected: str = ""


@dataclass(frozen=True)
class Step:
    number: int = 1
    title: str = "Pay"
    narration: str = ""
    notes: str = ""
    action: None = None
    hints: tuple[str, ...] = ()


@dataclass(frozen=True)
class Result:
    ok: bool
    checks: tuple[Check, ...]
    failures: tuple[Miss, ...] = ()
    step: Step = field(default_factory=Step)
    calls: tuple[HttpCall, ...] = ()
    trace_ids: tuple[str, ...] = ()
    error: str | None = None
    hint: str | None = None
    output: str = ""


FIRST = Miss(
    "marketplace -> bank create a VA",
    "a call marketplace -> bank POST /v1.0/transfer-va/create-va 2xx",
    "status is 503, not 2xx",
    "no VA, no payment",
    VA,
)
LATER = Miss("bank -> marketplace payment notification", "a call ...", "no call")
CHECKS = (
    Check("buyer -> social Buy", True, BUY),
    Check("marketplace -> bank create a VA", False, VA, FIRST),
    Check("bank -> marketplace payment notification", False, None, LATER),
)


def test_the_verdict_shows_goal_and_actual_and_only_the_first_failure_in_full() -> None:
    text = verdict_text(Result(False, CHECKS, (FIRST, LATER))).plain
    assert "Goal and what happened:" in text
    assert "✓ 1. buyer -> social Buy" in text
    assert f"met by: buyer → social POST {BUY.path} {BUY.status}" in text
    assert "▶ ✗ 2. marketplace -> bank create a VA" in text
    assert "✗ 3. bank -> marketplace payment notification" in text
    assert text.count("expected:") == 1, "later failures stay one line each"
    assert "because: no VA, no payment" in text


async def test_the_player_shows_the_goal_beside_the_diagram_and_starts_at_the_difference(
    tmp_path: Path,
) -> None:
    app, backend = make_app(tmp_path, live=False)
    backend.store.add(TRACE)
    async with app.run_test(size=(160, 48)) as pilot:
        app.post_message(ShowTrace(TRACE[0].trace_id, checks=CHECKS))
        await until(
            lambda: isinstance(app.screen, TraceScreen) and app.screen.trace_id is not None, pilot
        )
        await pilot.pause(0.2)
        goals = app.screen.query_one(GoalList)
        player = app.screen.query_one(SequencePlayer)
        assert goals.display and goals.option_count == 3
        assert goals.highlighted == 1 and "1 of 3 met" in str(goals.border_title)
        assert player.index is not None and player.arrows[player.index].call == VA
        goals.highlighted = 0
        goals.action_select()
        await pilot.pause(0.2)
        assert player.index is not None and player.arrows[player.index].call == BUY
    await backend.aclose()


async def test_a_trace_without_goals_shows_no_goal_list(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path, live=False)
    backend.store.add(TRACE)
    async with app.run_test(size=(160, 48)) as pilot:
        app.post_message(ShowTrace(TRACE[0].trace_id))
        await until(
            lambda: isinstance(app.screen, TraceScreen) and app.screen.trace_id is not None, pilot
        )
        assert not app.screen.query_one(GoalList).display
    await backend.aclose()
