"""Toasts never hide a button a person reaches for next, nor each other, at a laptop's 80x24,
a split screen's 100x30, the quick-start check's 120x40 and a projector's 160x45: every
button of the services screen (Apply, Restore, Force…, Reset world), the Force dialog's, the
stories' Run, the composer's Send, the audit's Run audit and the apps' own buttons, the bank
app's Retry once a payment enabled it.

Toasts stack up from the bottom right (Textual's `ToastRack`), each at most half the width.
Without Textual's blank row above and below the text (app.tcss), three two-line toasts take the
bottom nine rows, under the buttons. Three long toasts at once (a fault applied, a dead letter,
the sandbox back) are as many as a person meets; the test measures where Textual put them and
fails as soon as one covers a button or another toast, or is cut off.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Button
from textual.widgets._toast import Toast

from sandbox.tui.app import SandboxApp
from tests.tui.factory import make_app, until

SIZES = [(80, 24), (100, 30), (120, 40), (160, 45)]
FAST_SIZES = [(80, 24), (160, 45)]
"""The class's laptop and the projector, in the README's test command; the sizes between them
run with the slow suites (`-m slow`)."""
SCREENS = [
    ("3", "#check"),
    ("4", "#reset-world"),
    ("5", "#run"),
    ("6", "#composer-send"),
    ("7", "#run-audit"),
]
"""The key that shows a screen, and one of its buttons to wait for."""
TOASTS = 3
MESSAGE = "Toast {n}: a message long enough to wrap onto a second line here"


async def _toasts_leave_the_buttons_free(
    app: SandboxApp, pilot: Pilot[Any], size: tuple[int, int]
) -> None:
    """Raise three toasts and check every enabled button and every toast is fully shown."""
    for n in range(TOASTS):
        app.notify(MESSAGE.format(n=n))
    await until(lambda: len(app.screen.query(Toast)) == TOASTS, pilot)
    await pilot.pause()
    toasts = [toast.region for toast in app.screen.query(Toast)]
    buttons = {
        f"{button.id or button.label}": button.region
        for button in app.screen.query(Button)
        if button.region.area and not button.disabled
    }
    assert buttons and all(t.area for t in toasts), "both were laid out"
    screen = Region(0, 0, *size)
    for toast in app.screen.query(Toast):
        region = toast.region
        assert screen.contains_region(region), f"a toast is cut off at {region}"
        assert region.height >= 2, f"a two-line message squeezed into {region}"
        others = [t for t in toasts if t != region and t.overlaps(region)]
        assert not others, f"toasts overlap: {region} and {others}"
    covered = {name: r for name, r in buttons.items() if any(t.overlaps(r) for t in toasts)}
    assert not covered, f"buttons {covered} are under toasts at {toasts}"
    app.clear_notifications()
    await until(lambda: not app.screen.query(Toast), pilot)


@pytest.mark.parametrize(
    "size",
    [pytest.param(size, marks=() if size in FAST_SIZES else pytest.mark.slow) for size in SIZES],
    ids=[f"{w}x{h}" for w, h in SIZES],
)
async def test_toasts_leave_every_button_free(tmp_path: Path, size: tuple[int, int]) -> None:
    app, backend = make_app(tmp_path, live=False)
    try:
        async with app.run_test(size=size, notifications=True) as pilot:
            for key, button in SCREENS:
                await pilot.press(key)
                await until(lambda b=button: bool(app.screen.query(b)), pilot)  # type: ignore[misc]
                await pilot.pause()
                await _toasts_leave_the_buttons_free(app, pilot, size)
            await pilot.press("4")
            await until(lambda: bool(app.screen.query("#force")), pilot)
            await pilot.click("#force")
            await until(lambda: bool(app.screen.query("#force-refire")), pilot)
            await pilot.pause()
            await _toasts_leave_the_buttons_free(app, pilot, size)
    finally:
        await backend.aclose()


async def test_the_services_buttons_stay_free_under_the_toasts_a_presenter_raises(
    tmp_path: Path,
) -> None:
    """Clear every fault, reset the world and save a screenshot (its long path takes four
    lines) on the services screen at 80x24: the buttons, one row high there, stay free."""
    app, backend = make_app(tmp_path, live=False)
    try:
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.press("4")
            await until(lambda: bool(app.screen.query("#reset-world")), pilot)
            for shown, key in enumerate(("ctrl+f", "ctrl+r", "ctrl+s"), start=1):
                await pilot.press(key)
                await until(lambda n=shown: len(app.screen.query(Toast)) == n, pilot)  # type: ignore[misc]
            await until(lambda: len(app.screen.query(Toast)) == TOASTS, pilot)
            await pilot.pause()
            toasts = [toast.region for toast in app.screen.query(Toast)]
            assert sum(t.height for t in toasts) >= 8, f"the real messages wrap: {toasts}"
            for button in app.screen.query("#fault-buttons Button").results(Button):
                covering = [t for t in toasts if t.overlaps(button.region)]
                assert button.region.area and not covering, f"{button.id} under {covering}"
    finally:
        await backend.aclose()


RETRY_CASES = [((80, 24), "en"), ((80, 24), "id"), ((100, 30), "id"), ((120, 40), "en")]
"""Where the bank app is narrowest (80x24, in the longer language too), and two wider."""


@pytest.mark.parametrize(
    ("size", "lang"),
    [
        pytest.param(size, lang, marks=() if size in FAST_SIZES else pytest.mark.slow)
        for size, lang in RETRY_CASES
    ],
    ids=[f"{w}x{h}-{lang}" for (w, h), lang in RETRY_CASES],
)
async def test_the_bank_apps_retry_stays_free_under_three_toasts(
    tmp_path: Path, size: tuple[int, int], lang: str
) -> None:
    """Buy, take the VA and pay it in the bank app: the Retry button, now enabled, is the
    presenter's next tap, and three toasts leave it (and every other button) free."""
    app, backend = make_app(tmp_path, live=False, lang=lang)
    try:
        async with app.run_test(size=size, notifications=True) as pilot:
            await pilot.press("3")
            await until(lambda: bool(app.screen.query(".social--buy")), pilot)
            for selector in (".social--buy", "#pay-va", "#pay"):
                await until(lambda s=selector: _clickable(app, s), pilot)  # type: ignore[misc]
                app.screen.query(selector).first().scroll_visible(animate=False)
                await pilot.pause()
                await until(lambda s=selector: _clickable(app, s), pilot)  # type: ignore[misc]
                await pilot.click(selector)
            retry = app.screen.query_one("#retry", Button)
            await until(lambda: not retry.disabled, pilot)
            app.clear_notifications()  # the payment's own toasts, if any: three fresh ones
            await until(lambda: not app.screen.query(Toast), pilot)
            await _toasts_leave_the_buttons_free(app, pilot, size)
            body = retry.query_ancestor(".face--body", Widget)
            assert retry.region.area and body.region.contains_region(retry.region), "not cut off"
    finally:
        await backend.aclose()


def _clickable(app: SandboxApp, selector: str) -> bool:
    """The first widget `selector` matches is enabled and on the screen, where a click
    reaches it."""
    found = app.screen.query(selector)
    if not found or found.first().disabled:
        return False
    region = found.first().region
    return bool(region.area) and app.screen.region.contains_region(region)
