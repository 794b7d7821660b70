"""The whole UI over in-process institutions: every screen opens, and its actions work."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.widgets import Button, Checkbox, DataTable, Input, OptionList, RichLog, Switch

from sandbox.tui.screens.audit import AuditScreen
from sandbox.tui.screens.composer import ComposerScreen
from sandbox.tui.screens.faces import FacesScreen
from sandbox.tui.screens.map import MapScreen
from sandbox.tui.screens.services import ServicesScreen
from sandbox.tui.screens.stories import StoriesScreen
from sandbox.tui.screens.trace import TraceScreen
from sandbox.tui.widgets.call_log import CallLog
from sandbox.tui.widgets.sequence import SequencePlayer
from sandbox.tui.widgets.step_card import StepCard
from tests.tui.factory import make_app, until

SCREENS = {
    "1": MapScreen,
    "2": TraceScreen,
    "3": FacesScreen,
    "4": ServicesScreen,
    "5": StoriesScreen,
    "6": ComposerScreen,
    "7": AuditScreen,
}


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
async def test_every_mode_opens_by_its_key_at_both_sizes(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app, backend = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        for key, screen in SCREENS.items():
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, screen), key
        await pilot.press("question_mark")
        await pilot.pause()
        assert "Composer" in type(app.screen).__name__ or app.screen.is_modal
        await pilot.press("escape")
    await backend.aclose()


async def test_story_runs_and_calls_reach_the_log_and_the_trace_player(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("5")
        await pilot.pause()
        stories = app.screen
        assert isinstance(stories, StoriesScreen)
        await pilot.click("#run")
        for _ in range(100):
            await pilot.pause(0.05)
            if stories.last_trace:
                break
        story_log = stories.query_one("#story-log", RichLog)
        assert stories.last_trace, "\n".join(str(line.text) for line in story_log.lines)
        await pilot.press("t")
        await pilot.pause(0.3)
        assert isinstance(app.screen, TraceScreen)
        player = app.screen.query_one(SequencePlayer)
        assert player.total > 20  # 17+ calls, each with its return arrow
        await pilot.press("right", "right")
        await pilot.pause(0.1)
        assert app.screen.query_one(StepCard).display
        await pilot.press("1")
        await pilot.pause(0.3)
        log = app.screen.query_one(CallLog)
        assert log.total >= 17
    await backend.aclose()


async def test_step_mode_waits_for_the_presenter(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("5")
        await pilot.pause()
        app.screen.query_one("#step-mode", Checkbox).value = True
        await pilot.click("#run")
        await pilot.pause(0.2)
        assert app.screen.waiting  # type: ignore[attr-defined]
        assert backend.store.count() == 0, "nothing is called before the presenter says so"
        await pilot.press("n")
        await pilot.pause(0.3)
        assert backend.store.count() > 0
    await backend.aclose()


async def test_filter_narrows_the_log(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await backend.actor("buyer").request("social", "GET", "/api/v1/feed")
        await backend.actor("anonymous").request("bank", "GET", "/mobile/v1/accounts/me")
        await pilot.pause(0.3)
        log = app.screen.query_one(CallLog)
        log.refresh_count()
        await pilot.pause(0.2)
        assert log.total == 2
        await pilot.press("slash")
        await pilot.press(*"service:bank", "enter")
        await pilot.pause(0.3)
        assert log.total == 1
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert log.total == 2
    await backend.aclose()


async def test_fault_controls_change_what_the_bank_does(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("4")
        await pilot.pause(0.3)
        services = app.screen.query_one("#service-list", OptionList)
        services.highlighted = 2  # bank
        await pilot.pause(0.3)
        assert app.screen.query_one("#tables", DataTable).row_count >= 3
        app.screen.query_one("#offline", Switch).value = True
        await pilot.click("#apply")
        await pilot.pause(0.3)
        assert backend.wire.fault("bank").offline
        with pytest.raises(httpx.ConnectError, match="offline"):
            await backend.actor("external").request("bank", "GET", "/health")
        assert "OFFLINE" in str(services.get_option_at_index(2).prompt)
        await pilot.click("#restore")
        await pilot.pause(0.3)
        answer = await backend.actor("external").request("bank", "GET", "/health")
        assert answer.status_code == 200
    await backend.aclose()


async def test_the_fault_form_offers_and_applies_a_rate_limit(tmp_path: Path) -> None:
    """Every fault kind the control API accepts, the bank's rate limit too; the form shows a
    service's fault as it is, so applying another kind keeps it."""
    app, backend = make_app(tmp_path)

    async def apply(pilot: Any) -> None:
        # Pressed, not clicked: the toast of the last Apply may lie over the button.
        app.screen.query_one("#apply", Button).press()
        await pilot.pause()

    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("4")
        await pilot.pause(0.3)
        services = app.screen.query_one("#service-list", OptionList)
        services.highlighted = 2  # bank
        await pilot.pause(0.3)
        app.screen.query_one("#rate-limit", Input).value = "2.5"
        await apply(pilot)
        await until(lambda: backend.wire.fault("bank").rate_limit == 2.5, pilot)

        def shown() -> bool:
            return "throttles above 2.5/s" in str(services.get_option_at_index(2).prompt)

        await until(shown, pilot)
        assert backend.wire.fault("bank").rate_limit == 2.5 and shown()
        services.highlighted = 1
        await pilot.pause(0.3)
        services.highlighted = 2  # back at the bank: its limit is in the form
        await pilot.pause(0.3)
        assert app.screen.query_one("#rate-limit", Input).value == "2.5"
        app.screen.query_one("#latency", Input).value = "300"
        await apply(pilot)
        await until(lambda: backend.wire.fault("bank").latency_ms == 300, pilot)
        assert backend.wire.fault("bank").rate_limit == 2.5
        app.screen.query_one("#rate-limit", Input).value = "-1"
        await apply(pilot)

        def told() -> bool:
            return any("rate limit" in n.message for n in app._notifications)

        await until(told, pilot)
        assert told() and backend.wire.fault("bank").rate_limit == 2.5  # refused, not sent
    await backend.aclose()


async def test_reset_world_and_screenshot(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await backend.actor("buyer").request(
            "bank",
            "POST",
            "/mobile/v1/transfers",
            json={"to_account_no": "9900000002", "amount": 1000},
            headers={"Idempotency-Key": "k1"},
        )
        await pilot.press("ctrl+r")
        await pilot.pause(0.3)
        me = await backend.actor("buyer").request("bank", "GET", "/mobile/v1/accounts/me")
        assert me.json()["balance"] == 2_500_000
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert list((tmp_path / "shots").glob("*.svg"))
    await backend.aclose()


async def test_indonesian_ui_text(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path, lang="id")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("5")
        await pilot.pause()
        assert "Jalankan" in str(app.screen.query_one("#run", Button).label)
        await pilot.click("#run")  # the story itself speaks Indonesian too
        await until(lambda: bool(app.screen.last_trace), pilot)  # type: ignore[attr-defined]
        told = "\n".join(line.text for line in app.screen.query_one("#story-log", RichLog).lines)
        assert "menonton video 1" in told and "Rp185.000" in told, told  # (wrapped lines)
        assert "watches video" not in told
    await backend.aclose()
    from sandbox.tui import i18n

    i18n.set_language("en")


async def test_composer_sends_a_real_request(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("6")
        await pilot.pause(0.3)
        assert app.screen.query(Input)
        await pilot.press("f5")
        await pilot.pause(0.5)
        assert backend.store.count() >= 1
    await backend.aclose()


async def test_a_lost_sandbox_is_said_once_and_shown_unreachable(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path)

    async def refuse() -> list[Any]:
        raise ConnectionError("connection refused")

    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        working = backend.services
        backend.services = refuse  # type: ignore[method-assign]
        for _ in range(3):
            await app.refresh_services()
        await pilot.pause()
        notices = [n.message for n in app._notifications]
        assert sum("does not answer" in m for m in notices) == 1
        assert all(s.health == "unreachable" for s in app.services)
        backend.services = working  # type: ignore[method-assign]
        await app.refresh_services()
        await pilot.pause()
        assert any("again" in n.message for n in app._notifications)
        assert all(s.health == "ok" for s in app.services)
    await backend.aclose()


async def test_reset_world_button_on_the_services_screen(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await backend.actor("buyer").request(
            "bank",
            "POST",
            "/mobile/v1/transfers",
            json={"to_account_no": "9900000002", "amount": 5000},
            headers={"Idempotency-Key": "k2"},
        )
        await pilot.press("4")
        await pilot.pause(0.2)
        await pilot.click("#reset-world")
        await pilot.pause(0.3)
        me = await backend.actor("buyer").request("bank", "GET", "/mobile/v1/accounts/me")
        assert me.json()["balance"] == 2_500_000
    await backend.aclose()


async def test_a_timer_firing_while_the_app_quits_does_not_crash_it(tmp_path: Path) -> None:
    """The health timer awaits the sandbox; the app may have closed every screen meanwhile."""
    app, backend = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.1)
    assert not app.screen_stack  # quit: no screen shows any more
    await app.refresh_services()
    late = object()
    app._pending.append(late)  # type: ignore[arg-type]
    app.drain_events()
    assert app._pending == [late]  # kept for a screen to show, not thrown away
    await backend.aclose()


async def test_the_map_keeps_a_story_and_l_switches_to_the_live_tail(tmp_path: Path) -> None:
    from sandbox.tui.widgets.call_map import CallMap

    app, backend = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await backend.actor("buyer").request("social", "GET", "/api/v1/videos/1")
        call_map = app.screen.query_one(CallMap)
        await until(lambda: bool(call_map.arrows), pilot)
        assert call_map.trace_id is not None and not call_map.live_tail
        kept = {(a.call.caller, a.call.callee) for a in call_map.arrows}
        assert ("buyer", "social") in kept and ("social", "marketplace") in kept
        await pilot.press("l")
        assert call_map.live_tail and "Live tail" in call_map.caption
        await pilot.press("l")
        assert not call_map.live_tail
    await backend.aclose()


async def test_ctrl_t_cycles_dark_light_and_high_contrast(tmp_path: Path) -> None:
    from sandbox.tui.themes import CONTRAST, DARK, LIGHT

    app, backend = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        seen = [app.theme]
        for _ in range(3):
            await pilot.press("ctrl+t")
            seen.append(app.theme)
        assert seen == [DARK, LIGHT, CONTRAST, DARK]
        assert app.theme_variables["svc-bank"] == "#60A5FA"
    await backend.aclose()


async def test_back_on_the_map_a_story_run_elsewhere_is_drawn(tmp_path: Path) -> None:
    from sandbox.tui.widgets.call_map import CallMap

    app, backend = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("5")
        await until(lambda: isinstance(app.screen, StoriesScreen), pilot)
        await pilot.click("#run")
        await until(lambda: bool(app.screen.last_trace), pilot)  # type: ignore[attr-defined]
        story = app.screen.last_trace  # type: ignore[attr-defined]
        await pilot.press("1")
        await until(lambda: isinstance(app.screen, MapScreen), pilot)
        call_map = app.screen.query_one(CallMap)
        await until(lambda: call_map.trace_id == story, pilot)
        assert len(call_map.arrows) >= 6
    await backend.aclose()
