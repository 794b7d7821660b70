"""Toasts never hide the button a person reaches for next: Apply on the services screen, Run
audit on the audit screen, at a laptop's 80x24 and a projector's 160x45.

Toasts stack up from the bottom right (Textual's `ToastRack`), each at most half the width; the
buttons sit in the left half, above the stack. Three long toasts at once (a fault applied, a
dead letter, the sandbox back) are as many as a person meets; the test measures where Textual
put them and fails as soon as one covers the button.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button
from textual.widgets._toast import Toast

from tests.tui.factory import make_app, until

SIZES = [(80, 24), (160, 45)]
SCREENS = [("4", "#apply"), ("7", "#run-audit")]
"""The key that shows a screen, and its button toasts must leave free."""
TOASTS = 3


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize(("key", "button"), SCREENS, ids=["services-apply", "audit-run"])
async def test_toasts_leave_the_button_free(
    tmp_path: Path, size: tuple[int, int], key: str, button: str
) -> None:
    app, backend = make_app(tmp_path, live=False)
    try:
        async with app.run_test(size=size, notifications=True) as pilot:
            await pilot.press(key)
            await until(lambda: bool(app.screen.query(button)), pilot)
            for n in range(TOASTS):
                app.notify(f"Toast {n}: a message long enough to wrap onto a second line here")
            await until(lambda: len(app.screen.query(Toast)) == TOASTS, pilot)
            await pilot.pause()
            target = app.screen.query_one(button, Button).region
            toasts = [toast.region for toast in app.screen.query(Toast)]
            assert target.area and all(t.area for t in toasts), "both were laid out"
            covering = [t for t in toasts if t.overlaps(target)]
            assert not covering, f"{button} at {target} is under toasts at {covering}"
    finally:
        await backend.aclose()
