"""A follower's page (`SandboxApp(read_only=True)`) watches the sandbox and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button, Input, Switch

from sandbox.runtime.models import CallFilter
from sandbox.runtime.stage_view import StageView
from sandbox.tui.app import SandboxApp
from sandbox.tui.read_only import ReadOnly, ReadOnlyBackend
from sandbox.tui.screens.map import MapScreen
from sandbox.tui.screens.services import ServicesScreen
from sandbox.tui.screens.trace import TraceScreen
from sandbox.tui.widgets.call_detail import CallDetail
from sandbox.tui.widgets.call_log import CallLog
from sandbox.wire.faults import Fault
from tests.tui.factory import LocalBackend, until

TRANSFER = {"to_account_no": "9900000002", "amount": 1000}


def follower(tmp_path: Path) -> tuple[SandboxApp, LocalBackend]:
    backend = LocalBackend(tmp_path)
    app = SandboxApp(backend, animate=False, screenshot_dir=tmp_path / "shots", read_only=True)
    return app, backend


async def balance(backend: LocalBackend) -> int:
    me = await backend.actor("buyer").request("bank", "GET", "/mobile/v1/accounts/me")
    return int(me.json()["balance"])


async def test_the_header_says_the_page_follows_the_presenter(tmp_path: Path) -> None:
    app, backend = follower(tmp_path)
    async with app.run_test(size=(120, 40)):
        assert app.sub_title == "read-only: following the presenter"
        assert isinstance(app.backend, ReadOnlyBackend)
    await backend.aclose()


async def test_reset_and_fault_keys_change_nothing(tmp_path: Path) -> None:
    app, backend = follower(tmp_path)
    backend.wire.set_fault("bank", Fault(offline=True))
    async with app.run_test(size=(120, 40)) as pilot:
        backend.wire.set_fault("bank", Fault())
        await backend.actor("buyer").request(
            "bank", "POST", "/mobile/v1/transfers", json=TRANSFER, headers={"Idempotency-Key": "a"}
        )
        backend.wire.set_fault("social", Fault(latency_ms=300))
        await pilot.press("ctrl+r", "ctrl+f", "ctrl+s")
        await pilot.pause(0.3)
        # Even an action that slipped past the hidden keys refuses.
        app.action_reset_world()
        app.action_clear_faults()
        app.action_save_svg()
        await pilot.pause(0.3)
        assert await balance(backend) == 2_500_000 - 1000
        assert backend.wire.fault("social").latency_ms == 300
        assert not (tmp_path / "shots").exists()
        assert any("only the presenter" in n.message for n in app._notifications)
    await backend.aclose()


async def test_only_the_map_the_trace_and_the_services_open(tmp_path: Path) -> None:
    app, backend = follower(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        for key in "3567":
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, MapScreen), key
        await app.run_action("switch_mode('composer')")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, TraceScreen)
        assert app.screen.check_action("export", ()) is False
        await pilot.press("4")
        await pilot.pause()
        assert isinstance(app.screen, ServicesScreen)
        await pilot.press("1")
        await pilot.pause()
        for widget in (app.screen.query_one(CallLog), app.screen.query_one(CallDetail)):
            assert widget.check_action("edit_call", ()) is False  # no composer to edit in
        await pilot.press("4")
        await pilot.pause()
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert not any("Reset" in c or "fault" in c or "Composer" in c for c in commands)
        assert any("Map" in c for c in commands)
    await backend.aclose()


async def test_the_services_fault_controls_are_disabled_and_refuse(tmp_path: Path) -> None:
    app, backend = follower(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("4")
        await until(lambda: isinstance(app.screen, ServicesScreen), pilot)
        screen = app.screen
        assert isinstance(screen, ServicesScreen)
        for button in screen.query(Button):
            assert button.disabled, button.id
        assert screen.query_one("#offline", Switch).disabled
        assert all(field.disabled for field in screen.query("#faults Input").results(Input))
        screen._service = "bank"
        screen.query_one("#offline", Switch).value = True
        screen.apply_fault()  # as if a click reached it
        screen.reset_world()
        screen.set_fault(Fault(offline=True))
        await pilot.pause(0.3)
        assert not backend.wire.fault("bank").active
        assert app.services  # and it still watches: health and counts arrive
    await backend.aclose()


async def test_the_backend_refuses_every_change_and_still_reads(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path)
    guarded = ReadOnlyBackend(backend)
    with pytest.raises(ReadOnly):
        await guarded.reset()
    with pytest.raises(ReadOnly):
        await guarded.clear_faults()
    with pytest.raises(ReadOnly):
        await guarded.set_fault("bank", Fault(offline=True))
    with pytest.raises(ReadOnly):
        guarded.actor("buyer")
    with pytest.raises(ReadOnly):
        await guarded.show_stage(StageView(mode="map"))
    assert backend.board.version == 0
    await backend.show_stage(StageView(mode="trace"))
    shown = await guarded.stage()
    assert shown is not None and shown.view == StageView(mode="trace")
    assert await guarded.stage(shown.tag) is None
    assert [s.name for s in await guarded.services()] == [s.name for s in await backend.services()]
    assert await guarded.count(CallFilter()) == 0
    await guarded.aclose()


async def test_a_follower_in_indonesian_is_told_so_in_indonesian(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path)
    app = SandboxApp(backend, lang="id", animate=False, read_only=True)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            assert app.sub_title == "hanya baca: mengikuti penyaji"
            await pilot.press("ctrl+r")
            app.action_reset_world()
            await pilot.pause(0.2)
            assert any("hanya penyaji" in n.message for n in app._notifications)
    finally:
        await backend.aclose()
        from sandbox.tui import i18n

        i18n.set_language("en")
