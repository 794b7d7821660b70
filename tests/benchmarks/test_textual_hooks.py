"""The UI benchmark clocks frames through Textual internals (`benchmarks/ui_session.py`): it
wraps the private `App._display`, which the compositor calls with each update, and sends keys
through the private `App._driver`. A Textual release that changes either fails here, rather
than leaving a benchmark that silently measures nothing."""

from __future__ import annotations

import asyncio
import inspect
from importlib.metadata import version

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from benchmarks.ui_session import FrameWatch, send_key

PINNED = "8.2.8"
"""The Textual version pyproject.toml pins: the hooks below were checked on it."""


def test_textual_is_the_pinned_version() -> None:
    assert version("textual") == PINNED, "a new Textual: check the hooks below against it"


def test_app_display_takes_a_screen_and_a_renderable() -> None:
    parameters = list(inspect.signature(App._display).parameters)
    assert parameters == ["self", "screen", "renderable"]


def test_the_compositor_hands_each_update_to_app_display() -> None:
    assert "app._display(self, update)" in inspect.getsource(Screen._compositor_refresh)


class _KeyApp(App[None]):
    BINDINGS = [("x", "press_x", "X")]

    pressed = False

    def compose(self) -> ComposeResult:
        yield Static("not yet", id="said")

    def action_press_x(self) -> None:
        self.pressed = True
        self.query_one("#said", Static).update("pressed")


async def test_a_key_sent_through_the_driver_shows_in_a_watched_frame() -> None:
    app = _KeyApp()
    watch = FrameWatch(app)
    async with app.run_test(size=(40, 10)):
        shown = asyncio.ensure_future(watch.until(lambda screen: app.pressed, 5.0))
        await asyncio.sleep(0)  # the watch is waiting before the key goes out
        send_key(app, "x")
        assert await shown is not None, "no frame came after the key press"
        assert watch.frames > 0
