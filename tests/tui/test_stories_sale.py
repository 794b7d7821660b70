"""The Stories screen's flash sale: a presenter-sized `sandbox run flash-sale` from the UI."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import OptionList, RichLog

from sandbox.config import Settings
from sandbox.runtime.remote import ControlClient
from sandbox.runtime.supervisor import Runtime
from sandbox.tui.app import SandboxApp
from sandbox.tui.backend import RemoteBackend
from sandbox.tui.screens import stories
from tests.tui.factory import make_app, until


def _log_text(app: SandboxApp) -> str:
    log = app.screen.query_one("#story-log", RichLog)
    return " ".join(" ".join(line.text for line in log.lines).split())  # wrapped lines joined


async def _run_sale(app: SandboxApp, pilot: object) -> None:
    await pilot.press("5")  # type: ignore[attr-defined]
    await pilot.pause(0.3)  # type: ignore[attr-defined]
    entries = app.screen.query_one("#story-list", OptionList)
    entries.highlighted = [c.id for c in stories.CHOICES].index("flash-sale")
    await pilot.click("#run")  # type: ignore[attr-defined]


async def test_without_a_control_api_the_sale_says_what_it_needs(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await _run_sale(app, pilot)
        await until(lambda: "control API" in _log_text(app), pilot)
        assert "needs a running sandbox's control API" in _log_text(app)
    await backend.aclose()


@pytest.mark.slow
async def test_a_small_sale_runs_from_the_stories_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stories, "SALE_BUYERS", 6)
    monkeypatch.setattr(stories, "SALE_SECONDS", 4)
    runtime = Runtime(Settings(data_dir=tmp_path / "data", port_base=0))
    runtime.start_in_thread()
    backend = RemoteBackend(ControlClient(runtime.control_url), runtime.world)
    app = SandboxApp(backend, animate=False, live=True, screenshot_dir=tmp_path / "shots")
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await _run_sale(app, pilot)
            await until(lambda: "hold" in _log_text(app), pilot, seconds=120)
            text = _log_text(app)
            assert "The invariants hold." in text, text
            assert "6 buyers" in text or "buyers" in text
        assert sum(1 for c in runtime.traces.calls(limit=5000) if c.callee == "marketplace") > 6
    finally:
        await backend.aclose()
        runtime.stop_thread()
