"""The app opens on the map before the sandbox it started answers, then carries on with it."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import RichLog

from sandbox.runtime import heap
from sandbox.runtime.registry import BUILTIN
from sandbox.tui.app import SandboxApp
from sandbox.tui.backend import Backend
from sandbox.tui.starting import STARTING, StartingBackend, registry_services
from sandbox.tui.widgets.call_map import CallMap
from sandbox.world import load_world
from tests.tui.factory import LocalBackend, until


def test_the_early_map_is_the_registry_with_who_may_call_whom() -> None:
    world = load_world()
    early = registry_services(world)
    assert [s.name for s in early] == [s.name for s in BUILTIN if s.start]
    assert {s.health for s in early} == {STARTING}
    by_name = {s.name: s for s in early}
    assert "bank" in by_name["marketplace"].calls and by_name["social"].public


async def test_the_map_is_drawn_before_the_sandbox_answers(tmp_path: Path) -> None:
    pending: Future[Backend] = Future()
    starting = StartingBackend(load_world(), pending)
    app = SandboxApp(
        starting,  # type: ignore[arg-type]
        animate=False,
        screenshot_dir=tmp_path / "shots",
    )
    real = LocalBackend(tmp_path)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            call_map = app.screen.query_one(CallMap)
            await until(lambda: len(call_map.boxes) == len(BUILTIN), pilot)
            assert not starting.ready
            drawn = " ".join(call_map.render_line(y).text for y in range(call_map.size.height))
            assert "Bank Contoh" in drawn and "○ starting" in drawn

            pending.set_result(real)  # the runtime answers: the same map now shows it
            await until(lambda: starting.ready and app.services[0].health == "ok", pilot)
            assert await starting.count(_any_filter()) == 0
            assert app.is_running
    finally:
        await real.aclose()


async def test_a_sandbox_that_cannot_start_closes_the_app(tmp_path: Path) -> None:
    pending: Future[Backend] = Future()
    app = SandboxApp(
        StartingBackend(load_world(), pending),  # type: ignore[arg-type]
        animate=False,
        screenshot_dir=tmp_path / "shots",
    )
    async with app.run_test(size=(80, 24)) as pilot:
        pending.set_exception(RuntimeError("port 8000 is taken"))
        await until(lambda: not app.is_running, pilot, seconds=10)
    assert app.return_code == 1


def _any_filter() -> Any:
    from sandbox.runtime.models import CallFilter

    return CallFilter()


async def test_a_story_started_in_the_first_second_waits_for_the_sandbox(tmp_path: Path) -> None:
    pending: Future[Backend] = Future()
    starting = StartingBackend(load_world(), pending)
    app = SandboxApp(
        starting,  # type: ignore[arg-type]
        animate=False,
        screenshot_dir=tmp_path / "shots",
    )
    real = LocalBackend(tmp_path)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.press("5")
            await pilot.pause(0.2)
            await pilot.press("enter", "r")
            await pilot.pause(0.3)
            assert not starting.ready
            pending.set_result(real)
            log = app.screen.query_one("#story-log", RichLog)
            await until(lambda: "Finished as the story says" in _text(log), pilot)
            assert "Finished as the story says" in _text(log), _text(log)
    finally:
        await real.aclose()


def _text(log: RichLog) -> str:
    return "\n".join(line.text for line in log.lines)


async def test_the_starting_map_says_so_in_bahasa_indonesia(tmp_path: Path) -> None:
    pending: Future[Backend] = Future()
    app = SandboxApp(
        StartingBackend(load_world(), pending),  # type: ignore[arg-type]
        lang="id",
        animate=False,
        screenshot_dir=tmp_path / "shots",
    )
    async with app.run_test(size=(160, 48)) as pilot:
        call_map = app.screen.query_one(CallMap)
        await until(lambda: len(call_map.boxes) == len(BUILTIN), pilot)
        drawn = " ".join(call_map.render_line(y).text for y in range(call_map.size.height))
        assert "○ memulai" in drawn and "starting" not in drawn
        assert not any(s.health == "ok" for s in app.services)  # nothing claims to be up
        pending.set_exception(RuntimeError("stopped by the test"))
        await until(lambda: not app.is_running, pilot, seconds=10)


async def test_the_first_screen_ends_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settled: list[bool] = []
    monkeypatch.setattr(heap, "settle_after_start", lambda: settled.append(True))
    pending: Future[Backend] = Future()
    app = SandboxApp(
        StartingBackend(load_world(), pending),  # type: ignore[arg-type]
        animate=False,
        screenshot_dir=tmp_path / "shots",
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: bool(settled), pilot)
        assert settled == [True]  # once, while the sandbox is still starting
        pending.set_exception(RuntimeError("stopped by the test"))
        await until(lambda: not app.is_running, pilot, seconds=10)
