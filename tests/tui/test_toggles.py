"""Ticked and unticked boxes differ by shape, not only colour, everywhere the UI asks."""

from __future__ import annotations

import ast
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import RadioSet
from textual.widgets._toggle_button import ToggleButton

from sandbox.tui.widgets.toggles import RadioChoice, TickBox

TUI = Path(__file__).parents[2] / "sandbox" / "tui"


class TogglesApp(App[None]):
    def compose(self) -> ComposeResult:
        yield TickBox("ticked", value=True, id="on")
        yield TickBox("unticked", id="off")
        with RadioSet():
            yield RadioChoice("first", value=True, id="first")
            yield RadioChoice("second", id="second")


def drawn(app: App[None], selector: str) -> str:
    return app.query_one(selector, ToggleButton).render().plain


async def test_a_tick_box_shows_a_tick_or_nothing() -> None:
    app = TogglesApp()
    async with app.run_test() as pilot:
        assert drawn(app, "#on")[:3] == "▐✓▌" and drawn(app, "#off")[:3] == "▐ ▌"
        await pilot.click("#off")
        await pilot.click("#on")
        assert drawn(app, "#on")[:3] == "▐ ▌" and drawn(app, "#off")[:3] == "▐✓▌"


async def test_a_radio_choice_shows_a_dot_only_when_chosen() -> None:
    app = TogglesApp()
    async with app.run_test() as pilot:
        assert drawn(app, "#first")[:3] == "▐●▌" and drawn(app, "#second")[:3] == "▐ ▌"
        await pilot.click("#second")
        assert drawn(app, "#first")[:3] == "▐ ▌" and drawn(app, "#second")[:3] == "▐●▌"


def test_the_ui_makes_no_toggle_that_shows_its_state_by_colour_alone() -> None:
    made = [
        f"{path.relative_to(TUI)}:{node.lineno}"
        for path in sorted(TUI.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in {"Checkbox", "RadioButton", "ToggleButton"}
    ]
    assert not made, "use TickBox / RadioChoice (sandbox/tui/widgets/toggles.py): " + str(made)
