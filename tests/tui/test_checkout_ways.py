"""Both ways to pay for the checkout, side by side: the Stories list and the presenter's `v`.

Pay with Bank Contoh (the default) has no call from her phone to the bank; the virtual account
(`pay = "va"`) is paid in her bank app, the jump. A presenter runs one, then the other.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from textual.widgets import OptionList

from sandbox.runtime.models import CallFilter
from sandbox.trace.events import HttpCall
from sandbox.tui.lesson_launch import build_lesson_app
from sandbox.tui.screens.presenter import PresenterScreen
from sandbox.tui.screens.stories import StoriesScreen
from tests.tui.factory import LocalBackend, make_app, until
from tests.tui.lesson_fakes import LESSON, STEPS, Action, FakeProgress, FakeRunner, Step


def _to_bank_from_her_phone(calls: list[HttpCall], trace_id: str) -> list[str]:
    return [
        c.path
        for c in calls
        if c.trace_id == trace_id and (c.caller, c.callee) == ("buyer", "bank")
    ]


async def test_stories_list_the_checkout_both_ways_and_run_each(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.press("5")
            await until(lambda: isinstance(app.screen, StoriesScreen), pilot)
            stories = app.screen
            assert isinstance(stories, StoriesScreen)
            listed = stories.query_one("#story-list", OptionList)
            ids = [listed.get_option_at_index(i).id for i in range(listed.option_count)]
            assert ids[:2] == ["checkout", "checkout-va"]
            assert "Bank Contoh" in str(listed.get_option_at_index(0).prompt)

            traces: list[str] = []
            for index in (0, 1):
                stories.last_trace = None
                listed.highlighted = index
                await pilot.click("#run")
                await until(lambda: bool(stories.last_trace), pilot)
                assert stories.last_trace
                traces.append(stories.last_trace)
        calls = await backend.calls(0, 2000, CallFilter())
        debit, va = traces
        assert _to_bank_from_her_phone(calls, debit) == []
        paths = {c.path for c in calls if c.trace_id == debit and c.caller == "marketplace"}
        assert "/v1.0/debit/payment-host-to-host" in paths
        assert "/mobile/v1/va-payments" in _to_bank_from_her_phone(calls, va)
    finally:
        await backend.aclose()


async def test_the_presenter_runs_a_checkout_step_the_other_way(tmp_path: Path) -> None:
    paying = Step(
        1,
        "She pays inside the app",
        "Pasarloka debits her Bank Contoh account; her phone never calls the bank.",
        action=Action("story", {"story": "checkout"}),
    )
    lesson = replace(LESSON, steps=(paying, STEPS[2]))
    backend = LocalBackend(tmp_path)
    app = build_lesson_app(
        backend,
        lesson,
        FakeRunner(),
        FakeProgress(),
        presenter=True,
        animate=False,
        screenshot_dir=tmp_path / "shots",
    )
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await until(
                lambda: isinstance(app.screen, PresenterScreen) and not app.screen.busy, pilot
            )
            screen = app.screen
            assert isinstance(screen, PresenterScreen) and screen.checkout_way() == "debit"
            assert "contrast" in [b.binding.action for b in screen.active_bindings.values()]
            await pilot.press("v")
            assert "VA in her bank app" in str(screen.call_map.border_subtitle)
            await until(lambda: not screen.running, pilot)
            assert screen.call_map.arrows  # the run was drawn on the map
            calls = await backend.calls(0, 2000, CallFilter())
            paid = [c for c in calls if c.path == "/mobile/v1/va-payments" and c.status == 201]
            assert paid and paid[0].caller == "buyer"
            await pilot.press("n")
            await until(lambda: screen.session.index == 1, pilot)
            assert screen.checkout_way() is None
            assert "contrast" not in [b.binding.action for b in screen.active_bindings.values()]
    finally:
        await backend.aclose()
