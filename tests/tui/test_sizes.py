"""Every size a class meets - 80x24 laptops to 200x60 projectors - keeps the primary actions
on screen: the footer's Help, the services screen's fault buttons, the stories' Run."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.geometry import Region
from textual.widgets import Button
from textual.widgets._footer import FooterKey

from sandbox.tui.screens.services import ServicesScreen
from sandbox.tui.screens.stories import StoriesScreen
from tests.tui.factory import make_app, until

SIZES = [(80, 24), (120, 40), (160, 48), (200, 60)]


def visible(widget: Button | FooterKey, size: tuple[int, int]) -> bool:
    region = widget.region
    return bool(region.area) and Region(0, 0, *size).contains_region(region)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_primary_actions_stay_on_screen(tmp_path: Path, size: tuple[int, int]) -> None:
    app, backend = make_app(tmp_path, live=False)
    async with app.run_test(size=size) as pilot:

        def keys() -> dict[str, FooterKey]:
            return {key.key: key for key in app.screen.query(FooterKey)}

        await until(
            lambda: (
                "question_mark" in keys()
                and visible(keys()["question_mark"], size)
                or bool(app.screen.query(FooterKey))
                and "question_mark" not in keys()
            ),
            pilot,
        )
        assert visible(keys()["question_mark"], size), "? Help must stay in the footer"
        await pilot.press("4")
        await until(lambda: isinstance(app.screen, ServicesScreen), pilot)
        await until(lambda: visible(app.screen.query_one("#reset-world", Button), size), pilot)
        for button in ("#apply", "#restore", "#reset-world"):
            assert visible(app.screen.query_one(button, Button), size), button
        await pilot.press("5")
        await until(lambda: isinstance(app.screen, StoriesScreen), pilot)
        await until(lambda: visible(app.screen.query_one("#run", Button), size), pilot)
    await backend.aclose()
