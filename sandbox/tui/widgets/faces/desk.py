"""The hospital's reception desk: one screen, one action, four back-ends behind it.

The article's analogy made tangible: the clerk picks the patient whose KTP is on the counter,
the visit (an outpatient visit, or a stay, perhaps one class above the insured class: "naik
kelas"), types the complaint and presses Admit. Behind that one action the hospital asks the
civil registry (match flags only), the health-records platform (patient and encounter), the
insurer (eligibility and an SEP letter) and, for what is not covered, the bank (a virtual
account: the whole tariff, or the difference of a higher class). The desk shows only what each
back-end answered, as the real screen would; the calls are on the map. When the bank tells the
hospital the bill is paid, the desk shows it paid.

Her consent comes first, and it is hers: Admit answers "waiting for the patient's approval"
(the hospital asked the registry, which put the request in her IKD app). The desk follows the
calls: when the registry tells the hospital her answer (its webhook), or she answers in her
app, the desk reads the admission again and shows how it went. It also asks by itself while
it waits (`POLL_SECONDS`), as a real desk screen does, so a lost webhook, a refusal or a
request that expired unanswered is shown without a tap; the asking stops once she answered,
or while the apps are off screen.
"""

from __future__ import annotations

from typing import Any

from textual import getters, on, work
from textual.app import ComposeResult
from textual.containers import HorizontalGroup, VerticalGroup, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Button, Checkbox, Input, RadioSet, Select, Static

from sandbox.scenarios.admission import STAY, VISIT
from sandbox.trace.events import HttpCall
from sandbox.tui.clients import DeskClient, FaceError
from sandbox.tui.clients.bank import va_paid
from sandbox.tui.i18n import N_, Lazy, _
from sandbox.tui.widgets.faces.face import Face, Notice, plain, rupiah, text
from sandbox.tui.widgets.toggles import RadioChoice, TickBox
from sandbox.wire.context import current_span

PATIENTS = ("patient", "creator")
"""The personas who come to the desk in the stories and lesson 5: one insured, one not."""
DESK = "reception"
"""The clerk's identity (`sandbox.scenarios.identities.STAFF`)."""
ANSWERS = ("identity", "records", "insurance", "bill")
"""The back-ends whose answers the desk shows, in the order the hospital asks them."""
VISITS = {
    "outpatient": ("outpatient", None, N_("Outpatient visit")),
    "inpatient": ("inpatient", None, N_("Stay, in the insured class")),
    "inpatient-1": ("inpatient", "1", N_("Stay, class I (naik kelas)")),
    "inpatient-VIP": ("inpatient", "VIP", N_("Stay, VIP (naik kelas)")),
}
"""The visits the clerk can choose: (service, class asked for, label). One class above the
insured class is "naik kelas": the insurer covers the insured class, the patient pays the rest."""
CONSENT_WEBHOOK = "/api/v1/consent-notifications"
"""Where the registry tells the hospital the patient's answer."""
IKD_ANSWER = "/ikd/v1/consent-requests/"
"""Where she answers in her IKD app (approve or decline)."""
POLL_SECONDS = 3.0
"""How often the desk asks the hospital about an admission waiting for the patient's answer
(each ask is recorded: the desk, then the hospital asking the registry)."""


class DeskFace(Face):
    """The reception desk's screen at the hospital: pick a patient, admit, read the answers."""

    HELP = Lazy(
        "The hospital's reception desk: pick the patient, press "
        "Admit, read what each back-end answered."
    )
    DEFAULT_CSS = """
    DeskFace {
        width: 1fr; max-width: 64;
        RadioSet { width: 1fr; height: auto; border: none; padding: 0; }
        .desk--ktp { background: $boost; padding: 0 1; height: auto; }
        .desk--label { margin-top: 1; color: $text-muted; }
        Input { background: $boost; }
        Checkbox { margin-top: 1; }
        .face--actions { margin-top: 1; }
        .desk--submit { height: auto; margin-bottom: 1; }
        .desk--answer { height: auto; }
    }
    """
    service = "hospital"
    REFRESH_NOTICE = "#admit-notice"

    notice = getters.query_one("#admit-notice", Notice)

    class PatientPicked(Message):
        """Another patient is at the counter: her phone (the IKD app) is the one to show."""

        def __init__(self, persona: str) -> None:
            super().__init__()
            self.persona = persona
            """The patient's persona key in the seeded world."""

    def __init__(
        self,
        client: DeskClient,
        world: dict[str, Any],
        *,
        poll: float | None = POLL_SECONDS,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.client = client
        """Makes the desk's calls as the clerk."""
        people = {p["nik"]: p for p in world.get("persons", [])}
        personas = world.get("personas", {})
        self.patient_keys: list[str] = [
            key for key in PATIENTS if key in personas and personas[key].get("nik") in people
        ]
        """The persona keys of the patients who may come to the counter."""
        self.patients: list[dict[str, Any]] = [
            people[personas[key]["nik"]] for key in self.patient_keys
        ]
        """The KTPs the clerk can pick from (the civil registry's people)."""
        self.poll = poll
        """Seconds between asks while the admission waits for her (None: never ask)."""
        self._polling: Timer | None = None
        self._paused = False
        self._admit_trace = ""
        staff = world.get("hospital", {}).get("staff", [{}])
        self.clerk = str(staff[0].get("name", DESK)) if staff else DESK
        self.summary: dict[str, Any] | None = None
        """The hospital's answer to the last admission."""
        self.patient_name = ""
        """The name on the KTP of the last admission (the hospital does not keep it)."""

    @property
    def patient(self) -> dict[str, Any] | None:
        """The KTP on the counter (the picked patient)."""
        index = self.query_one(RadioSet).pressed_index
        return self.patients[index] if 0 <= index < len(self.patients) else None

    def compose(self) -> ComposeResult:
        yield from self.compose_bar(plain(_("desk: {clerk}"), clerk=self.clerk))
        with VerticalScroll(classes="face--body"):
            yield Static(plain(_("Patient (the KTP on the counter)")), classes="face--section")
            with RadioSet(compact=True, id="patients"):
                for n, person in enumerate(self.patients):
                    yield RadioChoice(_name(person), value=n == 0, compact=True)
            yield Static(classes="desk--ktp", id="ktp")
            yield Select(
                [(plain(_(label)), key) for key, (_s, _c, label) in VISITS.items()],
                value="outpatient",
                allow_blank=False,
                compact=True,
                id="visit",
                tooltip=plain(
                    _(
                        "An outpatient visit, or a stay. One class above the insured class is "
                        "naik kelas: the insurer covers the insured class, the patient pays "
                        "the difference at the bank"
                    )
                ),
            )
            yield Static(plain(_("Complaint")), classes="desk--label")
            yield Input(
                value=plain(_("Demam dan batuk tiga hari")),
                compact=True,
                placeholder=plain(_("Complaint")),
                id="complaint",
                max_length=500,
                tooltip=plain(_("What the patient came for, in the patient's words")),
            )
            yield Static(plain(_("ICD-10 code (optional)")), classes="desk--label")
            yield Input(
                value="J06.9",
                compact=True,
                placeholder=plain(_("ICD-10 code (optional)")),
                id="icd10",
                restrict=r"[A-Za-z0-9.]*",
                max_length=8,
                tooltip=plain(
                    _("An initial diagnosis, if the doctor already gave one (J06.9: a common cold)")
                ),
            )
            yield TickBox(
                plain(_("Patient agrees to be checked")),  # fits 80 columns
                value=True,
                compact=True,
                id="consent",
                tooltip=plain(
                    _(
                        "Without consent the registry and the other back-ends may "
                        "not be asked (UU PDP 27/2022): untick it to see the desk "
                        "refuse"
                    )
                ),
            )
            with VerticalGroup(classes="desk--submit"):
                with HorizontalGroup(classes="face--actions"):
                    yield Button(
                        plain(_("Admit")),
                        variant="primary",
                        compact=True,
                        id="admit",
                        tooltip=plain(
                            _(
                                "One action: the hospital asks identity, records, "
                                "insurance and billing"
                            )
                        ),
                    )
                yield Notice(id="admit-notice")
            for part in ANSWERS:
                yield Static(classes="desk--answer", id=f"answer-{part}")

    def on_mount(self) -> None:
        self.show_ktp()

    @on(RadioSet.Changed, "#patients")
    def show_ktp(self) -> None:
        """The KTP's details, as the clerk reads them off the card (NIK shortened on screen).

        Another patient at the counter: the last patient's answers leave the screen."""
        self.clear_answers()
        index = self.query_one(RadioSet).pressed_index
        if 0 <= index < len(self.patient_keys):
            self.post_message(DeskFace.PatientPicked(self.patient_keys[index]))
        person = self.patient
        ktp = self.query_one("#ktp", Static)
        if person is None:
            ktp.update(plain(_("No patient to admit.")))
            return
        ktp.update(
            text(
                _("NIK {nik} · born {place}, {born} · sex {sex}"),
                nik=f"…{person['nik'][-4:]}",
                place=person.get("birth_place", "?"),
                born=person.get("birth_date", "?"),
                sex=person.get("sex", "?"),
            )
        )

    @property
    def visit(self) -> tuple[str, str | None]:
        """The visit chosen: the service, and the class asked for (None: the insured one)."""
        key = self.query_one("#visit", Select).value
        service, klass, _label = VISITS.get(str(key), VISITS["outpatient"])
        return service, klass

    @on(Select.Changed, "#visit")
    def suggest_complaint(self) -> None:
        """A stay comes with a stay's complaint, unless the clerk has typed one of her own."""
        complaint, icd10 = self.query_one("#complaint", Input), self.query_one("#icd10", Input)
        visit = plain(_(VISIT[0]))  # the complaint field's first words, as the desk wrote them
        if complaint.value in (visit, STAY[0]) and icd10.value in (VISIT[1], STAY[1]):
            stay = self.visit[0] == "inpatient"
            complaint.value = STAY[0] if stay else visit
            icd10.value = STAY[1] if stay else VISIT[1]

    @on(Button.Pressed, "#admit")
    def tap_admit(self, event: Button.Pressed) -> None:
        event.stop()
        self.admit()

    @work(exclusive=True, group="desk-admit", exit_on_error=False)
    async def admit(self) -> None:
        """One action at the desk: the hospital reaches every back-end and answers once."""

        self.clear_answers()

        async def body() -> str:
            person = self.patient
            if person is None:
                raise FaceError(plain(_("No patient to admit.")))
            icd10 = self.query_one("#icd10", Input).value.strip().upper()
            service, klass = self.visit
            self.summary = await self.client.admit(
                person,
                complaint=self.query_one("#complaint", Input).value.strip() or "-",
                icd10=icd10,
                consent=self.query_one("#consent", Checkbox).value,
                service=service,
                requested_class=klass,
            )
            self.patient_name = _name(person)
            if self.awaiting:
                span = current_span.get()
                self._admit_trace = span.trace_id if span is not None else ""
                self.watch_for_answer()
                self.notice.show(_waiting(self.summary), "ok")
                return plain(_("{name}: waiting for the patient's approval"), name=_name(person))
            self.show_answers(self.summary)
            # On a short screen the answers are below the form: bring them into view.
            answers = self.query_one(f"#answer-{ANSWERS[0]}")
            self.call_after_refresh(answers.scroll_visible, animate=False, top=True)
            return plain(
                _("admitted {name}: {status}"),
                name=_name(person),
                status=str(self.summary.get("status", "?")),
            )

        await self.act("admit", self.notice, body)

    def show_answers(self, summary: dict[str, Any]) -> None:
        """What each back-end said, one block per institution, as the desk shows them."""
        flags = (summary.get("identity") or {}).get("fields") or {}
        self._answer(
            "identity",
            text(_("Civil registry: match flags")),
            Content("\n").join(
                text(_("  {field}: {flag}"), field=str(name), flag=str(flag))
                for name, flag in flags.items()
            )
            if flags
            else text(_("no answer")),
        )
        patient = summary.get("patient") or {}
        records = summary.get("records") or {}
        self._answer(
            "records",
            text(_("Health records: patient and visit")),
            text(
                _("  patient {ihs} · encounter {encounter}"),
                ihs=str(patient.get("ihs_number") or "-"),
                encounter=str(records.get("encounter_id") or "-"),
            ),
        )
        insurance = summary.get("insurance") or {}
        eligibility = (
            text(
                _("  {status} · {klass} · SEP {sep}"),
                status=str(insurance.get("status", "-")),
                klass=str(insurance.get("class") or "-"),
                sep=str(insurance.get("sep_no") or "-"),
            )
            if insurance
            else text(_("  not asked"))
        )
        if insurance.get("upgrade_class"):
            eligibility = Content.assemble(
                eligibility,
                "\n",
                text(
                    _("  naik kelas to {raised}: noted on the SEP, {klass} covered"),
                    raised=str(insurance["upgrade_class"]),
                    klass=str(insurance.get("class") or "-"),
                ),
            )
        self._answer("insurance", text(_("Insurer: eligibility")), eligibility)
        self._answer("bill", text(_("Bank: what the patient pays")), _bill(summary))

    def start_over(self) -> None:
        """A reset world has no admission: the answers on screen belong to the old one."""
        super().start_over()
        self.clear_answers()

    # -- waiting for her answer: asking by itself, never in a busy loop -------------------------

    def watch_for_answer(self) -> None:
        """Ask the hospital every `poll` seconds while the admission waits for her."""
        if self.poll is None or self._polling is not None:
            return
        self._polling = self.set_interval(
            self.poll, self._ask_again, name="desk-poll", pause=self._paused
        )

    def stop_watching(self) -> None:
        """No more asking: she answered, the admission is gone, or the widget is leaving."""
        if self._polling is not None:
            self._polling.stop()
            self._polling = None

    def pause_watching(self) -> None:
        """The apps went off screen: nobody reads the desk, so it stops asking meanwhile."""
        self._paused = True
        if self._polling is not None:
            self._polling.pause()

    def resume_watching(self) -> None:
        """The apps are back: ask again at once, then every `poll` seconds."""
        self._paused = False
        if self._polling is not None:
            self._polling.resume()
            self._ask_again()

    @property
    def watching(self) -> bool:
        """True while the desk asks by itself (an admission waits and the apps are shown)."""
        return self._polling is not None and not self._paused

    def _ask_again(self) -> None:
        if not self.awaiting:
            self.stop_watching()
            return
        follow = f"{self.service}-follow"
        if any(
            w.node is self and w.group == follow and not w.is_finished for w in self.app.workers
        ):
            return  # the last ask is still on its way: never two at once
        # Joins the admission's trace, like the refresh the registry's webhook causes.
        self._stale.add("admission")
        self._cause = self._admit_trace
        if self._due is None:
            self._catch_up()

    def on_unmount(self) -> None:
        self.stop_watching()

    @property
    def awaiting(self) -> bool:
        """The admission on screen waits for the patient's answer in her IKD app, or for the
        back-ends the registry's webhook set going (IN_PROGRESS): the desk reads it again until
        it has an outcome, since the last call it sees may come before the admission is saved."""
        return (self.summary or {}).get("status") in ("AWAITING_CONSENT", "IN_PROGRESS")

    def changed_by(self, call: HttpCall) -> frozenset[str]:
        """The patient's answer reaching the hospital (or given in her app) while the desk
        waits for it; the bank telling the hospital that the bill on screen is paid."""
        if self.awaiting:
            answered = call.callee == "hospital" and call.path.startswith(CONSENT_WEBHOOK)
            in_app = call.callee == "identity" and call.path.startswith(IKD_ANSWER)
            return frozenset({"admission"}) if answered or in_app else frozenset()
        bill = (self.summary or {}).get("bill") or {}
        va = "".join(str(bill.get("virtual_account_no") or "").split())
        if not va or bill.get("status") == "PAID" or call.callee != "hospital":
            return frozenset()
        return frozenset({"bill"}) if va_paid(call) == va else frozenset()

    async def refetch(self, parts: frozenset[str]) -> Content | None:
        """The admission as the hospital keeps it now: admitted once she approved (or why
        not), or the bill paid."""
        admission = str((self.summary or {}).get("admission_id") or "")
        if not admission:
            return None
        self.summary = await self.client.admission(admission)
        if "admission" not in parts:
            self.show_answers(self.summary)
            return text(_("↻ Updated by the bank's payment notification"))
        if self.awaiting:
            return _waiting(self.summary)  # her answer has not reached the hospital yet
        self.stop_watching()
        failure = self.summary.get("failure") or {}
        consent = str((self.summary.get("consent") or {}).get("consent_id") or "")
        if self.summary.get("status") == "REJECTED" and not failure:
            self.notice.show(_unanswered(self.summary), "failed")
            return None
        self.show_answers(self.summary)
        if failure.get("message"):
            self.notice.show(str(failure["message"]), "failed")
            return None
        return text(
            _("↻ The patient approved ({consent}): {name} {status}"),
            consent=consent or "-",
            name=self.patient_name or "-",
            status=str(self.summary.get("status", "?")),
        )

    def clear_answers(self) -> None:
        """Forget the last admission: its answers belong to someone else's visit."""
        self.stop_watching()
        self.summary = None
        for part in ANSWERS:
            self.query_one(f"#answer-{part}", Static).update("")

    def _answer(self, part: str, title: Content, body: Content) -> None:
        self.query_one(f"#answer-{part}", Static).update(
            Content.assemble(title.stylize("bold"), "\n", body, "\n")
        )


def _waiting(summary: dict[str, Any]) -> Content:
    """Admit's answer while her consent is asked: who must do what, and where (or, once she
    approved, that the desk is asking the back-ends)."""
    request = str((summary.get("consent") or {}).get("request_id") or "-")
    if summary.get("status") == "IN_PROGRESS":
        return text(_("⏳ The patient approved: the desk is asking the back-ends"))
    return text(
        _("⏳ Waiting for the patient's approval in the IKD app (request {request})"),
        request=request,
    )


def _unanswered(summary: dict[str, Any]) -> Content:
    """Why an admission closed before anyone was asked: she refused, or never answered."""
    if (summary.get("consent") or {}).get("status") == "EXPIRED":
        return text(
            _(
                "The patient did not answer in time: the request expired and no back-end "
                "was asked. Admit again to ask her again."
            )
        )
    return text(_("The patient declined: no back-end was asked about the patient."))


def _bill(summary: dict[str, Any]) -> Content:
    """What the patient owes and whether the bank has said it is paid, in words (not colour)."""
    bill = summary.get("bill") or {}
    va = str(bill.get("virtual_account_no") or "").strip()
    if not va:
        return text(_("  nothing to pay: covered by insurance"))
    amount = rupiah(bill.get("amount"))
    if bill.get("status") == "PAID":
        owed = text(_("  [b]{amount}[/b] paid to VA {va} ✓"), amount=amount, va=va)
    else:
        owed = text(_("  pay [b]{amount}[/b] to VA {va}\n  not paid yet"), amount=amount, va=va)
    if bill.get("reason") != "class_upgrade":
        return owed
    raised = str((summary.get("insurance") or {}).get("upgrade_class") or "-")
    why = text(_("  the difference for {raised}, not covered"), raised=raised)
    return Content.assemble(why, "\n", owed)


def _name(person: dict[str, Any]) -> str:
    return str(person.get("name", "?")).title()
