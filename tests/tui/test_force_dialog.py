"""The Services screen's Force button: the next call of a kind fails, in the bank's dialect."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, OptionList

from sandbox.tui.screens.force import ForceDialog
from tests.tui.factory import make_app, until


async def test_force_the_next_transfer_to_fail_from_the_services_screen(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await pilot.pause(0.3)
        app.screen.query_one("#service-list", OptionList).highlighted = 2  # bank
        await pilot.pause(0.3)
        await pilot.click("#force")
        await until(lambda: isinstance(app.screen, ForceDialog), pilot)
        assert isinstance(app.screen, ForceDialog)
        actions = app.screen.query_one("#force-actions", OptionList)
        await until(lambda: actions.option_count == 3, pilot)
        ids = [actions.get_option_at_index(i).id for i in range(actions.option_count)]
        assert ids == ["va-payment", "debit", "transfer"]
        actions.highlighted = 2
        await pilot.press("enter")
        forcing = backend.apps["bank"].state.forcing
        await until(lambda: forcing.state()["fail_next"] == {"transfer": 1}, pilot)
        assert forcing.state()["fail_next"] == {"transfer": 1}
        assert "next 1 armed" in str(actions.get_option_at_index(2).prompt)
        await pilot.press("escape")
        await pilot.pause()
        refused = await backend.actor("buyer").request(
            "bank",
            "POST",
            "/mobile/v1/transfers",
            json={"to_account_no": "9900000002", "amount": 1000},
            headers={"Idempotency-Key": "k-forced"},
        )
        assert (refused.status_code, refused.json()["code"]) == (403, "payment_declined")
        again = await backend.actor("buyer").request(
            "bank",
            "POST",
            "/mobile/v1/transfers",
            json={"to_account_no": "9900000002", "amount": 1000},
            headers={"Idempotency-Key": "k-after"},
        )
        assert again.status_code == 201, "one failure only"
    await backend.aclose()


async def test_a_service_with_nothing_to_force_says_so(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("4")
        await pilot.pause(0.3)
        app.screen.query_one("#service-list", OptionList).highlighted = 0
        await pilot.pause(0.3)
        await pilot.click("#force")
        await until(lambda: isinstance(app.screen, ForceDialog), pilot)
        assert isinstance(app.screen, ForceDialog)
        actions = app.screen.query_one("#force-actions", OptionList)
        await until(lambda: actions.option_count == 1, pilot)
        assert "Nothing can be forced" in str(actions.get_option_at_index(0).prompt)
    await backend.aclose()


async def test_decline_an_account_and_send_a_webhook_again_from_the_dialog(
    tmp_path: Path,
) -> None:
    app, backend = make_app(tmp_path)
    account = backend.world["personas"]["buyer"]["account_no"]
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await pilot.pause(0.3)
        app.screen.query_one("#service-list", OptionList).highlighted = 2  # bank
        await pilot.pause(0.3)
        await pilot.click("#force")
        await until(lambda: isinstance(app.screen, ForceDialog), pilot)
        assert isinstance(app.screen, ForceDialog)
        await pilot.click("#force-decline")
        await pilot.pause(0.2)
        assert not backend.apps["bank"].state.forcing.declines(account), "nothing typed yet"
        app.screen.query_one("#force-target", Input).value = account
        await pilot.click("#force-decline")
        forcing = backend.apps["bank"].state.forcing
        await until(lambda: forcing.declines(account), pilot)
        assert forcing.declines(account)
        refused = await backend.actor("buyer").request(
            "bank",
            "POST",
            "/mobile/v1/transfers",
            json={"to_account_no": "9900000002", "amount": 1000},
            headers={"Idempotency-Key": "k-declined"},
        )
        assert (refused.status_code, refused.json()["code"]) == (403, "payment_declined")
        await pilot.click("#force-undecline")
        await until(lambda: not forcing.declines(account), pilot)
        assert not forcing.declines(account)
        app.screen.query_one("#force-target", Input).value = "ntf_nobody"
        await pilot.click("#force-refire")
        await pilot.pause(0.3)
        assert isinstance(app.screen, ForceDialog), "a refusal is said, the dialog stays"
    await backend.aclose()
