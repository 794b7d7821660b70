"""Her IKD app on the phone: she approves, refuses and revokes; the desk waits by itself."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import App, ComposeResult
from textual.message import Message
from textual.widgets import Button, OptionList, RadioButton

from sandbox.tui.clients import DeskClient
from sandbox.tui.widgets.faces import DeskFace, IkdFace
from sandbox.tui.widgets.faces.desk import DESK
from tests.conftest import Services
from tests.services.consent_helpers import ask, log_in
from tests.tui.factory import until
from tests.tui.test_faces import People, acted, settle

PATIENT = "patient"


class IkdApp(App[None]):
    """The desk and the patient's phone side by side, wired as the apps screen wires them."""

    CSS = "Screen { layout: horizontal; }"

    def __init__(
        self, services: Services, poll: float | None = None, ikd_poll: float | None = None
    ) -> None:
        super().__init__()
        self.services = services
        self.poll = poll
        self.ikd_poll = ikd_poll

    def compose(self) -> ComposeResult:
        people = People(self.services)
        yield DeskFace(DeskClient(people, DESK), self.services.world, poll=self.poll)
        yield IkdFace(people, PATIENT, poll=self.ikd_poll)

    @on(DeskFace.PatientPicked)
    def show_phone(self, message: DeskFace.PatientPicked) -> None:
        self.query_one(IkdFace).show_person(message.persona)


def nik(services: Services, who: str = PATIENT) -> str:
    return str(services.world["personas"][who]["nik"])


def prompts(face: IkdFace, list_id: str) -> list[str]:
    options = face.query_one(list_id, OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def asked(services: Services, pilot: Any, face: IkdFace, **extra: Any) -> str:
    """The hospital asks for her consent; her app follows the call; the request's id."""
    start = len(services.calls)
    response = await ask(services, nik(services), "hospital", **extra)
    assert response.status_code == 202, response.text
    face.follow(services.calls[start:])
    request_id = str(response.json()["request_id"])
    await until(lambda: any(r["request_id"] == request_id for r in face.requests), pilot)
    await settle(pilot)
    return request_id


async def test_she_sees_who_asks_for_what_and_how_long_then_approves(services: Services) -> None:
    seen: list[Message] = []
    async with IkdApp(services).run_test(size=(100, 50), message_hook=seen.append) as pilot:
        face = pilot.app.query_one(IkdFace)
        await settle(pilot)
        assert face.requests == () and "Nothing waiting" in prompts(face, "#ikd-requests")[0]
        assert face.query_one("#ikd-approve", Button).disabled
        request_id = await asked(services, pilot, face, reason="Pendaftaran rawat jalan")
        [shown] = prompts(face, "#ikd-requests")
        assert "asks: admission at the hospital" in shown
        assert "check who you are" in shown and "health records" in shown
        assert "for 24 hours" in shown and "Pendaftaran rawat jalan" in shown
        assert "New request from" in str(face.notice.render())
        await pilot.click("#ikd-approve")
        await settle(pilot)
        assert face.requests == ()
        [consent] = face.consents
        assert consent["status"] == "ACTIVE" and consent["request_id"] == request_id
        assert "active" in prompts(face, "#ikd-consents")[0]
        assert "Approved" in str(face.notice.render())
    [approve] = acted(seen, "approve")
    assert approve.ok and approve.face == "identity"
    assert approve.app_name == "IKD"  # the taps list says the app she knows
    mine = [c for c in services.calls if c.trace_id == approve.trace_id]
    assert (PATIENT, "identity") in {(c.caller, c.callee) for c in mine}  # the person answered
    assert any(c.path == f"/ikd/v1/consent-requests/{request_id}/approve" for c in mine)
    store = services.apps["identity"].state.store
    assert store.people.request(request_id)["status"] == "APPROVED"


async def test_she_refuses_and_no_consent_is_made(services: Services) -> None:
    async with IkdApp(services).run_test(size=(100, 50)) as pilot:
        face = pilot.app.query_one(IkdFace)
        await settle(pilot)
        request_id = await asked(services, pilot, face)
        await pilot.click("#ikd-decline")
        await settle(pilot)
        assert face.requests == () and face.consents == ()
        assert "Refused" in str(face.notice.render())
    store = services.apps["identity"].state.store
    assert store.people.request(request_id)["status"] == "DECLINED"


async def test_she_revokes_a_consent_and_the_registry_refuses_it(services: Services) -> None:
    async with IkdApp(services).run_test(size=(100, 50)) as pilot:
        face = pilot.app.query_one(IkdFace)
        await settle(pilot)
        await asked(services, pilot, face)
        await pilot.click("#ikd-approve")
        await settle(pilot)
        consent_id = face.consents[0]["consent_id"]
        await pilot.click("#ikd-revoke")
        await settle(pilot)
        assert face.consents[0]["status"] == "REVOKED"
        assert "revoked" in prompts(face, "#ikd-consents")[0]
        assert "refused from now on" in str(face.notice.render())
    app = await log_in(services, nik(services))
    listed = await app.get("/ikd/v1/consents")
    assert [c["status"] for c in listed.json() if c["consent_id"] == consent_id] == ["REVOKED"]


async def test_an_expired_request_cannot_be_approved(services: Services) -> None:
    async with IkdApp(services).run_test(size=(100, 50)) as pilot:
        face = pilot.app.query_one(IkdFace)
        await settle(pilot)
        await asked(services, pilot, face)
        services.clock.advance(16 * 60)  # a request waits 15 minutes for her answer
        await pilot.click("#ikd-approve")
        await settle(pilot)
        assert "expired" in str(face.notice.render()).lower()
        assert "-failed" in face.notice.classes
        assert face.consents == ()


async def test_another_persons_request_is_not_hers_to_answer(services: Services) -> None:
    """A request id from someone else's phone (or made up, with NUL bytes and slashes) is
    "not found" to her: the face says the registry's words and nothing is answered."""
    other = await ask(services, nik(services, "creator"), "hospital")
    assert other.status_code == 202
    async with IkdApp(services).run_test(size=(100, 50)) as pilot:
        face = pilot.app.query_one(IkdFace)
        await settle(pilot)
        for request_id in (other.json()["request_id"], "../consents\x00", "CRQ-" + "9" * 36):
            face.answer(True, request_id)
            await settle(pilot)
            assert "-failed" in face.notice.classes
            said = str(face.notice.render()).lower()
            assert "no consent request" in said or "no endpoint" in said
            answered = [c for c in services.calls if c.caller == PATIENT and "/approve" in c.path]
            assert answered[-1].status == 404
        face.revoke("CNS-of-someone-else")
        await settle(pilot)
        assert "-failed" in face.notice.classes and "no consent" in str(face.notice.render())
    store = services.apps["identity"].state.store
    assert store.people.request(other.json()["request_id"])["status"] == "PENDING"


async def test_wire_words_are_never_markup(services: Services) -> None:
    async with IkdApp(services).run_test(size=(100, 50)) as pilot:
        face = pilot.app.query_one(IkdFace)
        await settle(pilot)
        await asked(services, pilot, face, reason="[b]x[/b] [link=http://x]y[/link] [/]")
        assert "[b]x[/b] [link=http://x]y[/link] [/]" in prompts(face, "#ikd-requests")[0]


async def test_the_phone_follows_the_patient_at_the_counter(services: Services) -> None:
    async with IkdApp(services).run_test(size=(100, 50)) as pilot:
        desk, face = pilot.app.query_one(DeskFace), pilot.app.query_one(IkdFace)
        await settle(pilot)
        await pilot.click(list(desk.query(RadioButton))[1])
        await settle(pilot)
        assert face.client.who == "creator" and "Rina Kusuma" in face.owner


async def admit(pilot: Any, desk: DeskFace) -> None:
    await pilot.click("#admit")
    await until(lambda: desk.summary is not None, pilot)
    assert desk.awaiting


async def test_the_desk_moves_on_by_itself_once_she_approves_on_her_phone(
    services: Services,
) -> None:
    """No follow by hand: the desk asks every `poll` seconds, sees her approval through the
    hospital, shows the admission, and stops asking."""
    async with IkdApp(services, poll=0.1).run_test(size=(100, 50)) as pilot:
        desk, face = pilot.app.query_one(DeskFace), pilot.app.query_one(IkdFace)
        await settle(pilot)
        await admit(pilot, desk)
        assert desk.watching
        face.follow(services.calls)  # her phone hears of the hospital's request
        await until(lambda: bool(face.requests), pilot)
        await pilot.click("#ikd-approve")
        await services.settle()
        await until(lambda: not desk.awaiting, pilot)
        await settle(pilot)
        assert desk.summary is not None and desk.summary["status"] == "ADMITTED"
        assert not desk.watching
        asks = len([c for c in services.calls if c.path.startswith("/api/v1/admissions/")])
        await pilot.pause(0.4)
        after = len([c for c in services.calls if c.path.startswith("/api/v1/admissions/")])
        assert after == asks  # no more asking once she answered


async def test_the_desk_says_so_when_she_refuses(services: Services) -> None:
    async with IkdApp(services, poll=0.1).run_test(size=(100, 50)) as pilot:
        desk, face = pilot.app.query_one(DeskFace), pilot.app.query_one(IkdFace)
        await settle(pilot)
        await admit(pilot, desk)
        face.follow(services.calls)
        await until(lambda: bool(face.requests), pilot)
        await pilot.click("#ikd-decline")
        await until(lambda: not desk.awaiting, pilot)
        await settle(pilot)
        assert "declined" in str(desk.notice.render()) and "-failed" in desk.notice.classes
        assert not desk.watching


async def test_the_desk_says_so_when_the_request_expires(services: Services) -> None:
    async with IkdApp(services, poll=0.1).run_test(size=(100, 50)) as pilot:
        desk = pilot.app.query_one(DeskFace)
        await settle(pilot)
        await admit(pilot, desk)
        services.clock.advance(16 * 60)
        await until(lambda: not desk.awaiting, pilot)
        await settle(pilot)
        said = str(desk.notice.render())
        assert "did not answer in time" in said and "-failed" in desk.notice.classes
        assert not desk.watching
    asked = {(c.caller, c.callee) for c in services.calls}
    assert ("hospital", "records") not in asked and ("hospital", "insurance") not in asked


async def test_the_desk_stops_asking_while_the_apps_are_away(services: Services) -> None:
    async with IkdApp(services, poll=0.1).run_test(size=(100, 50)) as pilot:
        desk = pilot.app.query_one(DeskFace)
        await settle(pilot)
        await admit(pilot, desk)
        desk.pause_watching()
        await settle(pilot)
        before = len(services.calls)
        await pilot.pause(0.5)
        assert len(services.calls) == before and not desk.watching
        desk.resume_watching()
        await until(lambda: len(services.calls) > before, pilot)
        assert desk.watching


def her_reads(services: Services, path: str = "/ikd/v1/consent-requests") -> list[Any]:
    return [c for c in services.calls if c.caller == PATIENT and c.path == path]


async def test_her_app_shows_a_new_request_by_itself(services: Services) -> None:
    """No follow by hand and no tap: the app asks every `poll` seconds while it is shown, one
    read of the waiting requests each time, each ask in a trace of its own."""
    async with IkdApp(services, ikd_poll=0.1).run_test(size=(100, 50)) as pilot:
        face = pilot.app.query_one(IkdFace)
        await settle(pilot)
        assert face.watching
        response = await ask(services, nik(services), "hospital")
        assert response.status_code == 202
        await until(lambda: bool(face.requests), pilot)
        await until(lambda: "New request from" in str(face.notice.render()), pilot)
        assert face.requests[0]["request_id"] == response.json()["request_id"]
        await until(lambda: len(her_reads(services)) >= 3, pilot)
    reads = her_reads(services)
    assert all(c.method == "GET" and c.status == 200 and c.callee == "identity" for c in reads)
    assert len({c.trace_id for c in reads}) == len(reads)
    assert len(her_reads(services, "/ikd/v1/consents")) == 1  # the asking reads requests only


async def test_her_app_never_asks_twice_at_once(services: Services) -> None:
    """An ask while a read is on its way is skipped, however fast the timer fires."""
    async with IkdApp(services, ikd_poll=0.1).run_test(size=(100, 50)) as pilot:
        face = pilot.app.query_one(IkdFace)
        await settle(pilot)
        face.pause_watching()
        await settle(pilot)
        before = len(her_reads(services))
        face.load()  # a read on its way...
        face._ask_again()  # ...so the timer's ask finds it and stays quiet
        face._ask_again()
        await settle(pilot)
        assert len(her_reads(services)) == before + 1


async def test_her_app_stops_asking_while_hidden_or_away(services: Services) -> None:
    async with IkdApp(services, ikd_poll=0.1).run_test(size=(100, 50)) as pilot:
        face = pilot.app.query_one(IkdFace)
        await settle(pilot)

        def hidden() -> None:
            face.display = False

        def shown() -> None:
            face.display = True

        for hide, show in ((hidden, shown), (face.pause_watching, face.resume_watching)):
            hide()
            await settle(pilot)
            assert not face.watching
            before = len(her_reads(services))
            await pilot.pause(0.5)
            assert len(her_reads(services)) == before
            show()
            await until(lambda: len(her_reads(services)) > before, pilot)  # noqa: B023
            assert face.watching


async def test_her_app_answers_and_revokes_with_keys(services: Services) -> None:
    async with IkdApp(services).run_test(size=(100, 50)) as pilot:
        face = pilot.app.query_one(IkdFace)
        await settle(pilot)
        face.requests_list.focus()
        await pilot.pause()
        keys = pilot.app.screen.active_bindings
        assert {"a", "x", "v"} <= set(keys)
        assert not keys["a"].enabled and not keys["v"].enabled  # nothing to act on yet
        await asked(services, pilot, face)
        assert pilot.app.screen.active_bindings["a"].enabled
        await pilot.press("a")
        await settle(pilot)
        assert face.requests == () and face.consents[0]["status"] == "ACTIVE"
        refused = await asked(services, pilot, face)
        await pilot.press("x")
        await settle(pilot)
        assert face.requests == ()
        await pilot.press("v")
        await settle(pilot)
        assert face.consents[0]["status"] == "REVOKED"
    store = services.apps["identity"].state.store
    assert store.people.request(refused)["status"] == "DECLINED"
