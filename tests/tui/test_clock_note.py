"""The map says when the institutions run on a virtual clock, and `+` moves it forward."""

from __future__ import annotations

from pathlib import Path

from sandbox.tui.clock_words import clock_note
from tests.conftest import WORLD_START
from tests.tui.factory import make_app, until


def test_no_note_while_real_and_a_short_one_in_wib_when_virtual() -> None:
    assert clock_note({"now": "2024-03-01T08:00:00.000+00:00", "real": True}) is None
    frozen = {"now": "2024-03-02T09:00:00.000+00:00", "frozen": True, "real": False}
    assert clock_note(frozen) == "virtual time 2024-03-02 16:00 WIB, frozen"
    assert clock_note({**frozen, "frozen": False}) == "virtual time 2024-03-02 16:00 WIB, running"
    assert clock_note({"now": "[b]soon[/b]", "real": False}) is None


async def test_plus_advances_the_clock_and_the_header_says_so(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        assert app.screen.sub_title in (None, "")
        await pilot.press("plus", *"soon", "enter")
        await pilot.pause(0.2)
        assert backend.clock() == WORLD_START  # not a duration: said, and nothing moved
        await pilot.press("plus", *"25h", "enter")
        await until(lambda: "virtual time" in str(app.screen.sub_title), pilot)
        assert backend.clock() == WORLD_START + 25 * 3600
        assert app.screen.sub_title == "⏱ virtual time 2024-03-02 16:00 WIB, frozen"
    await backend.aclose()
