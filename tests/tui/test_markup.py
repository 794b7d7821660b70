"""Wire text is text: what an institution answers is shown as written and nothing in it runs.

A service can put anything in an error message, a path or a header: `[b]`, `[@click=app.quit]`
(a markup action that would quit the app), or a regular expression whose brackets markup
would swallow (`^[A-Z]\\d{2}` shown as `^\\d{2}`). Toasts, the stories log, the lesson panel
and the map must show the brackets and run nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import RichLog, Static

from sandbox.scenarios import SCENARIOS, StoryFailed
from sandbox.trace.events import HttpCall
from sandbox.tui.widgets.call_map import CallMap
from tests.tui.factory import make_app, until

HOSTILE = "rule ^[A-Z]\\d{2} broke: [b]bold[/b] [@click=app.quit]quit[/] [red]x"


def shown(widget: Any) -> str:
    """What a widget draws, as plain text."""
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


async def test_a_toast_shows_brackets_as_written_and_runs_nothing(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path, live=False)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        app.notify(HOSTILE)
        app.screen.notify(HOSTILE, severity="error")  # widgets ask for markup by default
        await until(lambda: len(app.screen.query("Toast")) == 2, pilot)
        toasts = list(app.screen.query("Toast"))
        for toast in toasts:
            drawn = toast.render().plain  # type: ignore[union-attr]
            assert "^[A-Z]\\d{2}" in drawn and "[@click=app.quit]" in drawn
        assert app.is_running
    await backend.aclose()


async def test_a_story_that_fails_with_markup_says_it_plainly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def hostile(*args: Any, **kwargs: Any) -> Any:
        report = args[2]
        report(f"1. The bank answered {HOSTILE}")
        raise StoryFailed(HOSTILE)

    monkeypatch.setitem(SCENARIOS, "checkout", hostile)
    app, backend = make_app(tmp_path, live=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("5")
        await pilot.pause(0.2)
        await pilot.click("#run")
        log = app.screen.query_one("#story-log", RichLog)
        await until(lambda: len(log.lines) >= 3, pilot)
        text = "\n".join(line.text for line in log.lines)
        assert text.count("^[A-Z]\\d{2}") == 2 and text.count("[@click=app.quit]") == 2
        assert app.is_running
    await backend.aclose()


async def test_a_call_full_of_markup_is_drawn_as_written_on_the_map(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path, live=False)
    call = HttpCall(
        "ab" * 16,
        "cd" * 8,
        None,
        "x[b]y",
        "bank",
        "GET",
        "/[@click=app.quit]/[A-Z]",
        400,
        0.0,
        1.0,
        error=None,
    )
    async with app.run_test(size=(160, 48)) as pilot:
        call_map = app.screen.query_one(CallMap)
        call_map.show_calls([call])
        await pilot.pause(0.2)
        drawn = shown(call_map)
        assert "x[b]y" in drawn and "[A-Z]" in drawn
        assert app.is_running
    await backend.aclose()


async def test_lesson_panel_statics_do_not_read_markup(tmp_path: Path) -> None:
    from sandbox.tui.widgets.lesson_panel import LessonPanel

    panel = LessonPanel()
    app, backend = make_app(tmp_path, live=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await app.screen.mount(panel)
        panel.show_warning([HOSTILE])
        await pilot.pause(0.2)
        warning = panel.query_one("#lesson-warning", Static)
        assert "^[A-Z]\\d{2}" in shown(warning) and "[@click=app.quit]" in shown(warning)
    await backend.aclose()


def test_a_filled_template_keeps_its_own_markup_and_escapes_the_values() -> None:
    from sandbox.tui.i18n import filled

    content = filled("[b]{title}[/] ({name})", title="x[@click=app.quit]y", name=3)
    assert content.plain == "x[@click=app.quit]y (3)"
    assert [span.style for span in content.spans] == ["b"]
