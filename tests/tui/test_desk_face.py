"""The hospital desk admits a patient with one action; four back-ends answer behind it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.message import Message
from textual.widgets import Checkbox, Input, RadioButton, Select, Static

from sandbox.tui.clients import DeskClient
from sandbox.tui.screens.faces import FacesScreen
from sandbox.tui.widgets.faces import DeskFace, Notice
from sandbox.tui.widgets.faces.desk import ANSWERS, DESK
from tests.conftest import Services
from tests.services.consent_helpers import approve_on, approve_pending
from tests.tui.factory import make_app, until
from tests.tui.test_faces import People, acted, settle
from tests.tui.test_faces_live import digits, pay_elsewhere


class DeskApp(App[None]):
    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services

    def compose(self) -> ComposeResult:
        people = People(self.services)
        yield DeskFace(DeskClient(people, DESK), self.services.world)


def answer(desk: DeskFace, part: str) -> str:
    return str(desk.query_one(f"#answer-{part}", Static).render())


async def approved(pilot: Any, desk: DeskFace, services: Services) -> None:
    """Admit waits for her; she approves in her IKD app; the desk follows the calls (the
    registry's webhook) to the admission's result."""
    assert desk.awaiting and all(not answer(desk, part).strip() for part in ANSWERS)
    assert "Waiting for the patient's approval" in str(desk.notice.render())
    assert desk.patient is not None
    start = len(services.calls)
    await approve_pending(services, desk.patient["nik"])
    await services.settle()  # the registry's webhook: the hospital runs the admission
    desk.follow(services.calls[start:])
    await until(lambda: not desk.awaiting, pilot)
    await settle(pilot)


async def test_one_admit_reaches_identity_records_and_insurance(services: Services) -> None:
    seen: list[Message] = []
    async with DeskApp(services).run_test(size=(70, 50), message_hook=seen.append) as pilot:
        desk = pilot.app.query_one(DeskFace)
        assert desk.patient is not None and desk.patient["name"] == "AGUS PRATAMA"
        assert "…0001" in str(desk.query_one("#ktp", Static).render())
        await pilot.click("#admit")
        await settle(pilot)
        await approved(pilot, desk, services)
        assert desk.summary is not None and desk.summary["status"] == "ADMITTED"
        assert "The patient approved" in str(desk.notice.render())
        assert "nama_lgkp: SESUAI" in answer(desk, "identity")
        assert "ACTIVE" in answer(desk, "insurance") and "SEP" in answer(desk, "insurance")
        assert "covered by insurance" in answer(desk, "bill")
    [admit] = acted(seen, "admit")
    assert admit.ok and admit.face == "hospital"
    assert "Agus Pratama: waiting for the patient's approval" in admit.detail
    asked = {(c.caller, c.callee) for c in services.calls if c.trace_id == admit.trace_id}
    assert {("reception", "hospital"), ("hospital", "identity")} == asked  # her consent first
    edges = {(c.caller, c.callee) for c in services.calls}
    assert {("hospital", "identity"), ("hospital", "records"), ("hospital", "insurance")} <= edges


async def test_an_uninsured_patient_gets_a_virtual_account(services: Services) -> None:
    async with DeskApp(services).run_test(size=(70, 50)) as pilot:
        desk = pilot.app.query_one(DeskFace)
        await pilot.click(list(desk.query(RadioButton))[1])
        await pilot.pause()
        assert desk.patient is not None and desk.patient["name"] == "RINA KUSUMA"
        await pilot.click("#admit")
        await settle(pilot)
        await approved(pilot, desk, services)
        assert desk.summary is not None and desk.summary["bill"]["virtual_account_no"]
        assert "pay Rp" in answer(desk, "bill") and "to VA" in answer(desk, "bill")
        assert "not paid yet" in answer(desk, "bill")
    assert any(c.caller == "hospital" and c.callee == "bank" for c in services.calls)


async def test_without_consent_the_desk_refuses_and_asks_nobody(services: Services) -> None:
    seen: list[Message] = []
    async with DeskApp(services).run_test(size=(70, 50), message_hook=seen.append) as pilot:
        desk = pilot.app.query_one(DeskFace)
        desk.query_one("#consent", Checkbox).value = False
        await pilot.click("#admit")
        await settle(pilot)
        notice = desk.query_one("#admit-notice", Notice)
        assert "-failed" in notice.classes and "consent" in str(notice.render()).lower()
        assert desk.summary is None
    assert not acted(seen, "admit")[0].ok
    assert [c.callee for c in services.calls] == ["hospital"]  # the back-ends were never asked


async def test_h_switches_the_apps_screen_to_the_desk_and_back(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path, lang="id")
    try:
        async with app.run_test(size=(140, 44)) as pilot:
            await pilot.press("3")
            await pilot.pause(0.2)
            assert isinstance(app.screen, FacesScreen)
            desk = app.screen.query_one(DeskFace)
            assert not desk.display or not desk.parent.display  # type: ignore[union-attr]
            await pilot.press("h")
            await pilot.pause(0.2)
            assert desk.parent is not None and desk.parent.display
            assert str(desk.query_one("#admit").label) == "Daftarkan"  # type: ignore[attr-defined]
            await pilot.press("enter")  # Admit has the focus
            # the app's own workers never finish: wait for the answer itself
            await until(lambda: desk.summary is not None, pilot)
            assert desk.awaiting and "persetujuan pasien" in str(desk.notice.render())
            assert desk.patient is not None
            await approve_on(backend.wire, backend.world, desk.patient["nik"])
            await until(lambda: not desk.awaiting, pilot)  # the desk follows the calls
            assert "tanda kecocokan" in answer(desk, "identity")
            taps: Any = app.screen.query_one("#taps")
            assert any("hospital: daftarkan" in str(o.prompt) for o in taps.options)
            await pilot.press("h")
            await pilot.pause(0.1)
            assert not desk.parent.display
            assert app.focused is not None and app.focused.display  # keys still reach the phone
    finally:
        await backend.aclose()


async def test_another_patient_or_a_refusal_clears_the_last_answers(services: Services) -> None:
    async with DeskApp(services).run_test(size=(70, 50)) as pilot:
        desk = pilot.app.query_one(DeskFace)
        await pilot.click("#admit")
        await settle(pilot)
        await approved(pilot, desk, services)
        assert "SESUAI" in answer(desk, "identity")
        await pilot.click(list(desk.query(RadioButton))[1])  # Rina comes to the counter
        await pilot.pause()
        assert desk.summary is None and not answer(desk, "identity").strip()
        desk.query_one("#consent", Checkbox).value = False
        await pilot.click("#admit")
        await settle(pilot)
        assert desk.summary is None
        assert all(not answer(desk, part).strip() for part in ANSWERS)


async def test_the_bill_says_in_words_whether_it_is_paid(services: Services) -> None:
    async with DeskApp(services).run_test(size=(70, 50)) as pilot:
        desk = pilot.app.query_one(DeskFace)
        bill = {"amount": 150_000, "virtual_account_no": "  88002", "status": "UNPAID"}
        desk.show_answers({"bill": bill})
        assert "pay Rp150.000 to VA 88002\n  not paid yet" in answer(desk, "bill")
        desk.show_answers({"bill": {**bill, "status": "PAID"}})
        assert "Rp150.000 paid to VA 88002 ✓" in answer(desk, "bill")
        assert "not paid" not in answer(desk, "bill")
        desk.show_answers({"bill": {"amount": 0, "virtual_account_no": None, "status": "NONE"}})
        assert "covered by insurance" in answer(desk, "bill")


async def test_a_stay_one_class_up_is_billed_and_the_bank_closes_the_bill(
    services: Services,
) -> None:
    """Agus asks for class I (he is insured in class II): the desk shows the difference to pay
    at the bank, he pays it from his bank app, and the bank's notification shows it paid."""
    seen: list[Message] = []
    async with DeskApp(services).run_test(size=(70, 50), message_hook=seen.append) as pilot:
        desk = pilot.app.query_one(DeskFace)
        desk.query_one("#visit", Select).value = "inpatient-1"
        await pilot.pause()
        assert desk.visit == ("inpatient", "1")
        assert desk.query_one("#icd10", Input).value == "A91"  # a stay's complaint, suggested
        await pilot.click("#admit")
        await settle(pilot)
        await approved(pilot, desk, services)
        assert desk.summary is not None
        bill = desk.summary["bill"]
        assert (bill["amount"], bill["reason"], bill["status"]) == (
            200_000,
            "class_upgrade",
            "UNPAID",
        )
        assert "naik kelas to KELAS I: noted on the SEP, KELAS II covered" in answer(
            desk, "insurance"
        )
        shown = answer(desk, "bill")
        assert "the difference for KELAS I, not covered" in shown
        assert "pay Rp200.000 to VA" in shown and "not paid yet" in shown

        start = len(services.calls)
        await pay_elsewhere(
            services.wire, services.world, "patient", digits(bill["virtual_account_no"]), 200_000
        )
        await services.settle()  # the bank notifies the hospital
        desk.follow(services.calls[start:])
        await until(lambda: (desk.summary or {})["bill"]["status"] == "PAID", pilot)
        shown = answer(desk, "bill")
        assert "Rp200.000 paid to VA" in shown and "✓" in shown and "not paid" not in shown
        assert "payment notification" in str(desk.notice.render())
    assert acted(seen, "admit")
    callees = {c.callee for c in services.calls if c.caller == "hospital"}
    assert {"identity", "records", "insurance", "bank"} <= callees
    notified = [c for c in services.calls[start:] if c.path == "/v1.0/transfer-va/payment"]
    assert [(c.caller, c.callee, c.status) for c in notified] == [("bank", "hospital", 200)]


async def test_a_class_the_rules_refuse_is_said_at_the_desk(services: Services) -> None:
    async with DeskApp(services).run_test(size=(70, 50)) as pilot:
        desk = pilot.app.query_one(DeskFace)
        desk.query_one("#visit", Select).value = "inpatient-VIP"  # two classes above class II
        await pilot.pause()
        await pilot.click("#admit")
        await settle(pilot)
        await approved(pilot, desk, services)  # only the insurer's answer can refuse the class
        notice = desk.query_one("#admit-notice", Notice)
        assert "-failed" in notice.classes
        assert "Only one class above the entitlement" in str(notice.render())
        assert desk.summary is not None and desk.summary["status"] != "ADMITTED"
    assert not any(c.callee == "bank" for c in services.calls)
