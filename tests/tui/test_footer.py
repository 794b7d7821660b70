"""The footer: QuietFooterKey (a screen switch does not restyle keys twice), and at every
width from a projector's 160 to a laptop's 80 columns no key of any screen cut off or under
`^p palette`, in English and Indonesian: the footer fits its keys (sandbox/tui/footer.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.widgets._footer import FooterKey, FooterLabel

from sandbox.tui import i18n
from sandbox.tui.app import SandboxApp
from sandbox.tui.app_keys import keyed_commands
from sandbox.tui.footer import QuietFooterKey
from sandbox.tui.i18n import _
from sandbox.tui.lesson_launch import build_lesson_app
from sandbox.tui.screens.presenter import PresenterScreen
from tests.tui.factory import LocalBackend, make_app, until
from tests.tui.lesson_fakes import (
    LESSON,
    STEPS,
    TRACE,
    Action,
    FakeProgress,
    FakeRunner,
    Step,
    make_lesson_app,
)


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


# -- nothing cut at any width ------------------------------------------------------------------

SIZES = [(160, 45), (120, 40), (100, 30), (80, 24)]
"""A projector, the quick-start check's size, a split screen and a laptop."""


def _assert_nothing_cut(app: Any, width: int) -> list[str]:
    """Every key and label in the footer fully shown left of `^p palette`, `? Help` among
    them; returns the shown keys."""
    footer = app.screen.query_one("StageFooter")
    keys = list(footer.query(FooterKey))
    palette = next(k for k in keys if k.has_class("-command-palette"))
    assert palette.region.right <= width
    shown = [k for k in keys if k is not palette]
    assert "?" in [k.key_display for k in shown], "Help is in the footer"
    cut = [
        f"{getattr(w, 'key_display', '')} {getattr(w, 'description', w.content)} at {w.region}"
        for w in [*shown, *footer.query(FooterLabel)]
        if not w.region.width or w.region.right > palette.region.x
    ]
    assert not cut, f"{type(app.screen).__name__} at {width}: cut off or under ^p: {cut}"
    return [k.key_display for k in shown]


async def _shown_again(app: Any, pilot: Any) -> None:
    """Wait for the footer to compose the keys the screen shows now."""
    await until(lambda: bool(app.screen.query(FooterKey)), pilot)
    await pilot.pause()
    await pilot.pause()


@pytest.mark.slow  # every screen at four sizes: 13 s; test_each_screens_own_keys... is at 80
@pytest.mark.parametrize("lang", ["en", "id"])
async def test_no_footer_key_is_cut_on_any_screen_at_any_width(tmp_path: Path, lang: str) -> None:
    """Every screen at every size (the terminal resized under it, so the footer fits its keys
    again), and the map with a call marked (`= Compare` joins its keys)."""
    app, backend = make_app(tmp_path, live=False, lang=lang)
    try:
        async with app.run_test(size=SIZES[0]) as pilot:
            for width, height in SIZES:
                await pilot.resize_terminal(width, height)
                for key in SCREEN_KEYS:
                    await pilot.press(key)
                    await _shown_again(app, pilot)
                    shown = _assert_nothing_cut(app, width)
                    assert "7" in shown, f"the screens are in the footer at {width}"
            await pilot.press("1")
            await _shown_again(app, pilot)
            await pilot.press("m")
            await until(lambda: "=" in [k.key_display for k in app.screen.query(FooterKey)], pilot)
            await _shown_again(app, pilot)
            _assert_nothing_cut(app, 80)
    finally:
        i18n.set_language("en")
        await backend.aclose()


async def test_at_120_columns_the_map_groups_the_screens_and_the_audit_names_them(
    tmp_path: Path,
) -> None:
    """What fits, not the terminal's width, decides: the map's keys need the group at 120
    (the review found "... 6 C" there, 7 Audit lost), the audit's few keys leave room for
    every screen's name."""
    app, backend = make_app(tmp_path, live=False)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("1")
            await _shown_again(app, pilot)
            assert app.screen.query("FooterKey.-grouped")
            await pilot.press("7")
            await _shown_again(app, pilot)
            described = {k.key_display: k.description for k in app.screen.query(FooterKey)}
            assert described["7"] == "Audit" and described["1"] == "Map"
            assert not app.screen.query("FooterKey.-grouped")
    finally:
        await backend.aclose()


RESIZED = [*SIZES, *reversed(SIZES[:-1])]
"""Narrower and narrower, then wider again: keys left out come back."""


@pytest.mark.parametrize("lang", ["en", "id"])
async def test_the_lesson_screens_footer_fits_at_every_width(tmp_path: Path, lang: str) -> None:
    app, _session, _runner = make_lesson_app(tmp_path, live=False, lang=lang)
    try:
        async with app.run_test(size=SIZES[0]) as pilot:
            for width, height in RESIZED:
                await pilot.resize_terminal(width, height)
                await _shown_again(app, pilot)
                shown = _assert_nothing_cut(app, width)
                assert {"n", "r", "?"} <= set(shown)
                assert "8" in shown, "the screens stay in a student's footer, 8 the lesson"
                assert width < 160 or "w" in shown, "the glossary is back on a wide footer"
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize("lang", ["en", "id"])
async def test_the_presenters_footer_fits_with_replay_and_the_other_way_to_pay(
    tmp_path: Path, lang: str
) -> None:
    """A checkout step (`v Other way to pay`) after a live failure (`f Replay recording`):
    both keys, `n`, `r` and `? Help` in the footer, nothing cut."""
    paying = Step(
        1, "She pays inside the app", "She pays.", action=Action("story", {"story": "checkout"})
    )
    lesson = replace(LESSON, steps=(paying, STEPS[2]))
    backend = LocalBackend(tmp_path)
    app = build_lesson_app(
        backend,
        lesson,
        FakeRunner(),
        FakeProgress(),
        lang=lang,
        presenter=True,
        animate=False,
        live=False,
        screenshot_dir=tmp_path / "shots",
    )
    try:
        async with app.run_test(size=SIZES[0]) as pilot:
            await _shown_again(app, pilot)
            screen = app.screen
            assert isinstance(screen, PresenterScreen)
            screen.fallback_calls = TRACE[:3]  # what a live failure leaves to replay
            screen.refresh_bindings()
            await until(lambda: "f" in [k.key_display for k in screen.query(FooterKey)], pilot)
            for width, height in RESIZED:
                await pilot.resize_terminal(width, height)
                await _shown_again(app, pilot)
                shown = _assert_nothing_cut(app, width)
                assert {"n", "r", "?", "f", "v"} <= set(shown), shown
                assert width < 160 or "1" in shown, "the screens are back on a wide footer"
    finally:
        i18n.set_language("en")
        await backend.aclose()


@pytest.mark.parametrize("lang", ["en", "id"])
async def test_a_followers_map_says_what_f_and_0_each_do(tmp_path: Path, lang: str) -> None:
    """f keeps the newest call in the log, 0 follows the presenter: two different words, and
    at 80 columns both in the footer with the screens."""
    backend = LocalBackend(tmp_path)
    app = SandboxApp(backend, lang=lang, animate=False, read_only=True)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await _shown_again(app, pilot)
            shown = _assert_nothing_cut(app, 80)
            assert {"f", "0", "1", "2"} <= set(shown)
            described = {k.key_display: k.description for k in app.screen.query(FooterKey)}
            assert described["f"] == _("Newest") and described["0"] == _("Follow presenter")
            assert described["f"] != described["0"]
    finally:
        i18n.set_language("en")
        await backend.aclose()


async def test_h_is_named_for_where_it_goes_on_the_apps_screen(tmp_path: Path) -> None:
    """From the phones `h` goes to the hospital desk; from the desk it goes back, and the
    footer says so rather than "Hospital desk" over the desk itself."""
    app, backend = make_app(tmp_path, live=False)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("3")
            await _shown_again(app, pilot)

            def h() -> str:
                keys = {k.key_display: k.description for k in app.screen.query(FooterKey)}
                return keys.get("h", "")

            assert h() == "Hospital desk"
            await pilot.press("h")
            await until(lambda: h() == "Buyer's phone", pilot)
            assert app.screen.query_one("#switcher").current == "desk"  # type: ignore[attr-defined]
            await pilot.press("h")
            await until(lambda: h() == "Hospital desk", pilot)
            assert app.screen.query_one("#switcher").current == "faces"  # type: ignore[attr-defined]
    finally:
        await backend.aclose()
