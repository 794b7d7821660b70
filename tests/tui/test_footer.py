"""The footer: QuietFooterKey (a screen switch does not restyle keys twice), and at 80
columns every screen's own keys and `? Help` fully shown, in English and Indonesian."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets._footer import FooterKey

from sandbox.tui import i18n
from sandbox.tui.app_keys import keyed_commands
from sandbox.tui.footer import QuietFooterKey
from sandbox.tui.i18n import _
from tests.tui.factory import make_app, until
from tests.tui.lesson_fakes import make_lesson_app


async def test_every_footer_key_starts_as_its_footer_and_is_never_made_compact(
    tmp_path: Path,
) -> None:
    app, backend = make_app(tmp_path, live=False)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            for key in ("2", "1", "4"):
                await pilot.press(key)
                await until(lambda: bool(app.screen.query(FooterKey)), pilot)
                keys = list(app.screen.query(FooterKey))
                assert keys and all(isinstance(k, QuietFooterKey) for k in keys)
                bound = [k for k in keys if not k.has_class("-command-palette")]
                assert bound and not any(k.has_class("-compact") for k in bound)
    finally:
        await backend.aclose()


# -- what fits at 80 columns -------------------------------------------------------------------

SCREEN_KEYS = "1234567"
"""The number-row keys that show the app's screens (8, the lesson, needs a lesson)."""


def _essential(app: Any) -> tuple[list[FooterKey], FooterKey]:
    """The footer keys a student needs on this screen: its own keys and `? Help` (every
    ungrouped key), and the command palette's key, docked on the right over the rest."""
    keys = list(app.screen.query(FooterKey))
    palette = next(k for k in keys if k.has_class("-command-palette"))
    own = [k for k in keys if not k.has_class("-grouped") and k is not palette]
    return own, palette


def _assert_fully_shown(app: Any, width: int) -> None:
    own, palette = _essential(app)
    assert "?" in [k.key_display for k in own], "Help is in the footer"
    assert palette.region.right <= width
    cut = [
        f"{k.key_display} {k.description} at {k.region}"
        for k in own
        if not k.region.width or k.region.right > palette.region.x
    ]
    assert not cut, f"{type(app.screen).__name__}: cut off or under ^p: {cut}"


@pytest.mark.parametrize("lang", ["en", "id"])
async def test_each_screens_own_keys_and_help_fit_at_80_columns(tmp_path: Path, lang: str) -> None:
    app, backend = make_app(tmp_path, live=False, lang=lang)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            for key in SCREEN_KEYS:
                await pilot.press(key)
                await until(lambda: bool(app.screen.query(FooterKey)), pilot)
                await pilot.pause()
                _assert_fully_shown(app, 80)
                palette = _essential(app)[1]
                grouped = [k for k in app.screen.query(FooterKey) if k.has_class("-grouped")]
                assert [k.key_display for k in grouped] == list(SCREEN_KEYS)
                hidden = [k.key_display for k in grouped if k.region.right > palette.region.x]
                assert not hidden, f"{type(app.screen).__name__}: keys {hidden} under ^p"
                commands = [c.title for c in keyed_commands(app.screen)]
                for name in ("Map", "Trace", "Services", "Audit"):  # not in the footer by name
                    assert f"{_('app')}: {_(name)}" in commands
    finally:
        i18n.set_language("en")
        await backend.aclose()


@pytest.mark.parametrize("lang", ["en", "id"])
@pytest.mark.parametrize("presenter", [False, True], ids=["lesson", "presenter"])
async def test_the_lesson_screens_keys_and_help_fit_at_80_columns(
    tmp_path: Path, lang: str, presenter: bool
) -> None:
    app, _session, _runner = make_lesson_app(tmp_path, presenter=presenter, live=False, lang=lang)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await until(lambda: bool(app.screen.query(FooterKey)), pilot)
            await pilot.pause()
            _assert_fully_shown(app, 80)
            own = [k.key_display for k in _essential(app)[0]]
            assert {"n", "b", "r", "g"} <= set(own)
            commands = [c.title for c in keyed_commands(app.screen)]
            assert f"{_('lesson')}: {_('Glossary')}" in commands  # hidden for the presenter
    finally:
        i18n.set_language("en")


async def test_a_wide_footer_names_each_screen_and_a_narrow_one_groups_them(
    tmp_path: Path,
) -> None:
    app, backend = make_app(tmp_path, live=False)
    try:
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.press("4")
            await until(lambda: bool(app.screen.query(FooterKey)), pilot)
            await pilot.pause()
            described = {k.key_display: k.description for k in app.screen.query(FooterKey)}
            assert described["1"] == "Map" and described["4"] == "Services"
            await pilot.resize_terminal(80, 24)
            await until(lambda: bool(app.screen.query("FooterKey.-grouped")), pilot)
            await pilot.pause()
            _assert_fully_shown(app, 80)
            await pilot.resize_terminal(160, 45)
            await until(lambda: not app.screen.query("FooterKey.-grouped"), pilot)
    finally:
        await backend.aclose()
