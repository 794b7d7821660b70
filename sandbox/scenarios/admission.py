"""The hospital analogy: one reception screen reaches four back-ends over APIs.

The front desk admits a patient by NIK. Behind one action the hospital verifies the person at the
civil registry (match flags only), finds or creates the patient's record at the health-records
platform and opens an encounter, checks insurance eligibility and issues an eligibility letter
(SEP), and asks the bank for a virtual account when the patient must pay - the same pattern as
the checkout, where one tap on Buy reaches the marketplace and the bank.

Two stories:

- `admission`, the headline: Agus is admitted for a stay and asks for a room one class above
  what his insurance covers ("naik kelas", allowed by Perpres 82/2018 Pasal 51 if the
  difference is paid). The insurer covers his own class; the hospital bills him the difference
  through a virtual account at the bank, he pays it in his bank app, and the bank's payment
  notification closes the bill on the desk's screen. All four back-ends, and the money.
- `admission-covered`: the same desk for an outpatient visit the insurer covers in full:
  identity, records and insurance answer, and there is nothing to bill.
- `admission-revoked`: the covered visit, then the patient revokes her consent on her phone;
  the doctor's diagnosis, the next step, is refused with a clear message.

In every story the desk first asks the civil registry for the patient's consent; the story
then acts as the patient in her IKD app (Dukcapil's digital ID app): she logs in with her NIK
and PIN, sees the hospital's request and approves it. Only then does the desk reach anyone.
"""

from __future__ import annotations

import secrets
from typing import Any

import httpx

from sandbox.language import N_, texts
from sandbox.scenarios.base import Gate, Report, Story, StoryFailed, expect, wait_for
from sandbox.wire import Wire
from sandbox.wire.context import random_hex

PATIENT = "patient"
VISIT = ("Demam dan batuk tiga hari", "J06.9")
"""The covered outpatient visit: a fever and a cough (J06.9, upper respiratory infection)."""
STAY = ("Demam tinggi sejak empat hari, muncul bintik merah di kulit", "A91")
"""The inpatient stay of the headline story: dengue haemorrhagic fever (A91)."""
UPGRADE_TO = "1"
"""The class Agus asks for: class I, one above the class II his insurance covers."""


def admission_request(
    person: dict[str, Any],
    complaint: str,
    icd10: str,
    *,
    consent: bool,
    service: str = "outpatient",
    requested_class: str | None = None,
) -> dict[str, Any]:
    """What the reception desk sends the hospital to admit `person`: the KTP's fields, the
    complaint, an ICD-10 code when one is known, the visit (and a higher class asked for, for a
    stay), and the consent."""
    return {
        "nik": person["nik"],
        "name": person["name"],
        "birth_date": person["birth_date"],
        "birth_place": person["birth_place"],
        "sex": person["sex"],
        "complaint": complaint,
        **({"icd10": icd10} if icd10 else {}),
        "service": service,
        **({"requested_class": requested_class} if requested_class else {}),
        "consent": consent,
    }


async def admission(
    wire: Wire,
    world: dict[str, Any],
    report: Report = print,
    gate: Gate | None = None,
    persona: str = PATIENT,
    lang: str = "en",
) -> Story:
    """Admit the patient for a stay one class above the cover, bill the difference at the bank
    and see it paid; raises StoryFailed unless all four back-ends answered and money moved once.
    """
    story = Story(wire, world, report, gate=gate, lang=lang, name="admission")
    return await story.run(lambda s: _admit_upgraded(s, persona))


async def admission_covered(
    wire: Wire,
    world: dict[str, Any],
    report: Report = print,
    gate: Gate | None = None,
    persona: str = PATIENT,
    lang: str = "en",
) -> Story:
    """Admit the patient for an outpatient visit; raises StoryFailed unless every back-end
    answered. Covered in full, nothing is billed."""
    story = Story(wire, world, report, gate=gate, lang=lang, name="admission-covered")
    return await story.run(lambda s: _admit_covered(s, persona))


class _Desk:
    """The reception desk in a story: the clerk's token, the patient's KTP, the hospital."""

    def __init__(self, story: Story, persona: str) -> None:
        who = story.world["personas"][persona]
        self.persona = persona
        self.person = next(p for p in story.world["persons"] if p["nik"] == who["nik"])
        self.hospital = story.world["hospital"]["hospitals"][0]
        staff = story.world["hospital"]["staff"][0]
        self.auth = {"Authorization": f"Bearer {staff['token']}"}
        self.client = story.client("reception", "hospital")


async def _arrives(story: Story, desk: _Desk) -> None:
    _ = texts("stories", story.lang)
    await story.step(
        _("{name} arrives at the reception desk of {hospital} and hands over the ID card").format(
            name=desk.person["name"].title(), hospital=desk.hospital["name"]
        )
    )


async def _admits(story: Story, desk: _Desk, request: dict[str, Any]) -> dict[str, Any]:
    """One action at the desk, then what each back-end answered, step by step."""
    _ = texts("stories", story.lang)
    await story.step(
        _(
            "One action on the desk's screen: admit (identity, records, "
            "insurance, billing behind it)"
        )
    )
    # A key of its own: should the answer be lost, the desk retries and gets this admission.
    key = {**desk.auth, "Idempotency-Key": f"admit-{random_hex()}"}
    response = await desk.client.post("/api/v1/admissions", headers=key, json=request)
    asked = expect(response, 202, N_("admission"))
    admission_id = asked["admission_id"]
    story.facts.update(admission_id=admission_id)
    story.report(
        _("    the desk waits for the patient's consent (request {request})").format(
            request=asked["consent"]["request_id"]
        )
    )
    await _approves(story, desk, asked["consent"]["request_id"])
    summary = await _admitted(story, desk, admission_id)

    await story.step(_("The civil registry answered with match flags, never the record"))
    for name, flag in summary["identity"]["fields"].items():
        story.report(f"    {name}: {flag}")
    if any(flag != "SESUAI" for flag in summary["identity"]["fields"].values()):
        raise StoryFailed.said(N_("the registry did not confirm the patient"))

    await story.step(_("The health-records platform knows the patient and opened an encounter"))
    story.report(
        _("    patient {patient}, encounter {encounter}").format(
            patient=summary["patient"]["ihs_number"], encounter=summary["records"]["encounter_id"]
        )
    )

    await story.step(_("The insurer checked eligibility"))
    insurance = summary["insurance"]
    story.report(
        f"    {insurance['status']}"
        + (f", {insurance['class']}" if insurance.get("class") else "")
        + (_(", SEP {value}").format(value=insurance["sep_no"]) if insurance.get("sep_no") else "")
    )
    if insurance.get("upgrade_class"):
        story.report(
            _("    the SEP notes the move up to {raised}; the insurer covers {covered}").format(
                raised=insurance["upgrade_class"], covered=insurance["class"]
            )
        )

    await story.step(_("Billing: the bank holds a virtual account only for what is not covered"))
    bill = summary["bill"]
    if bill.get("virtual_account_no"):
        story.report(
            _("    pay {amount} to VA {va}").format(
                amount=story.rupiah(bill["amount"]), va=bill["virtual_account_no"].strip()
            )
        )
    else:
        story.report(_("    nothing to pay at the desk: covered by insurance"))
    story.facts.update(covered=bool(insurance and insurance["covered"]), amount=bill["amount"])
    return summary


async def ikd_session(story: Story, persona: str) -> tuple[httpx.AsyncClient, dict[str, str]]:
    """The story acts as the person: logged in to her IKD app with her NIK and PIN."""
    who = story.world["personas"][persona]
    app = story.client(persona, "identity")
    login = expect(
        await app.post("/ikd/v1/sessions", json={"nik": who["nik"], "pin": who["ikd_pin"]}),
        201,
        N_("login to the IKD app"),
    )
    return app, {"Authorization": f"Bearer {login['session_token']}"}


async def _approves(story: Story, desk: _Desk, request_id: str) -> None:
    """On her phone: the hospital's request, approved."""
    _ = texts("stories", story.lang)
    await story.step(
        _("On the phone, the patient opens the IKD app and approves the hospital's request")
    )
    app, auth = await ikd_session(story, desk.persona)
    listed = await app.get("/ikd/v1/consent-requests", headers=auth)
    pending: list[dict[str, Any]] = listed.json() if listed.status_code == 200 else []
    if request_id not in [p["request_id"] for p in pending]:
        raise StoryFailed.said(
            N_("the IKD app does not show request {request}"), request=request_id
        )
    consent = expect(
        await app.post(f"/ikd/v1/consent-requests/{request_id}/approve", headers=auth),
        201,
        N_("approval in the IKD app"),
    )
    story.facts.update(consent_id=consent["consent_id"])
    story.report(
        _("    consent {consent} for {scopes}, until {until}").format(
            consent=consent["consent_id"],
            scopes=", ".join(consent["scopes"]),
            until=consent["expires_at"],
        )
    )


async def _admitted(story: Story, desk: _Desk, admission_id: str) -> dict[str, Any]:
    """The registry tells the desk; the desk admits. The admission as the desk shows it."""
    _ = texts("stories", story.lang)
    await story.step(_("The registry tells the desk; the desk continues the admission"))
    shown: dict[str, Any] = {}

    async def finished() -> bool:
        response = await desk.client.get(f"/api/v1/admissions/{admission_id}", headers=desk.auth)
        if response.status_code == 200:
            shown.update(response.json())
        return shown.get("status") not in (None, "AWAITING_CONSENT", "IN_PROGRESS")

    if not await wait_for(finished):
        raise StoryFailed.said(
            N_("the desk never continued admission {admission}"), admission=admission_id
        )
    if shown["status"] != "ADMITTED":
        failure = shown.get("failure") or {}
        raise StoryFailed.said(
            N_("admission {admission} ended {status}: {detail}"),
            admission=admission_id,
            status=shown["status"],
            detail=failure.get("message", ""),
        )
    return shown


async def _admit_covered(story: Story, persona: str) -> None:
    await _covered_visit(story, persona)


async def _covered_visit(story: Story, persona: str) -> dict[str, Any]:
    desk = _Desk(story, persona)
    await _arrives(story, desk)
    complaint, icd10 = VISIT
    return await _admits(
        story, desk, admission_request(desk.person, complaint, icd10, consent=True)
    )


async def admission_revoked(
    wire: Wire,
    world: dict[str, Any],
    report: Report = print,
    gate: Gate | None = None,
    persona: str = PATIENT,
    lang: str = "en",
) -> Story:
    """The covered visit, then the patient revokes her consent in the IKD app; raises
    StoryFailed unless the next step (the doctor's diagnosis) is refused clearly."""
    story = Story(wire, world, report, gate=gate, lang=lang, name="admission-revoked")
    return await story.run(lambda s: _admit_then_revoke(s, persona))


async def _admit_then_revoke(story: Story, persona: str) -> None:
    _ = texts("stories", story.lang)
    summary = await _covered_visit(story, persona)
    desk = _Desk(story, persona)
    await story.step(_("On the phone, the patient revokes the consent given to the hospital"))
    app, auth = await ikd_session(story, persona)
    consent_id = summary["consent"]["consent_id"]
    revoked = expect(
        await app.delete(f"/ikd/v1/consents/{consent_id}", headers=auth),
        200,
        N_("revocation in the IKD app"),
    )
    story.report(
        _("    consent {consent}: {status}").format(consent=consent_id, status=revoked["status"])
    )

    await story.step(_("The doctor adds a diagnosis: the desk must stop, the patient said no"))
    admission_id = summary["admission_id"]

    async def refused() -> bool:
        response = await desk.client.post(
            f"/api/v1/admissions/{admission_id}/diagnoses",
            headers=desk.auth,
            json={"icd10": "J20.9"},
        )
        if response.status_code == 200:
            raise StoryFailed.said(N_("the desk added a diagnosis after the consent was revoked"))
        story.facts.update(refusal=response.json().get("message", ""))
        return response.status_code == 403

    if not await wait_for(refused):
        raise StoryFailed.said(N_("the desk never refused the step after the revocation"))
    story.report(f"    {story.facts['refusal']}")


async def _admit_upgraded(story: Story, persona: str) -> None:
    _ = texts("stories", story.lang)
    desk = _Desk(story, persona)
    await _arrives(story, desk)
    await story.step(
        _(
            "The doctor admits the patient for a stay; the patient asks for a class I room, "
            "above what the insurance covers (naik kelas)"
        )
    )
    complaint, icd10 = STAY
    request = admission_request(
        desk.person,
        complaint,
        icd10,
        consent=True,
        service="inpatient",
        requested_class=UPGRADE_TO,
    )
    summary = await _admits(story, desk, request)
    bill = summary["bill"]
    if not bill.get("virtual_account_no"):
        raise StoryFailed.said(N_("the desk billed nothing for the class upgrade"))
    va, amount = bill["virtual_account_no"], bill["amount"]
    story.facts.update(va=va.strip(), upgrade_class=summary["insurance"]["upgrade_class"])

    await story.step(_("The patient pays the virtual account in the bank app"))
    patient = story.world["personas"][persona]
    bank = story.client(persona, "bank")
    login = expect(
        await bank.post(
            "/mobile/v1/sessions",
            json={"account_no": patient["account_no"], "pin": patient["pin"]},
        ),
        201,
        N_("login to the bank app"),
    )
    auth = {"Authorization": f"Bearer {login['session_token']}"}
    before = expect(
        await bank.get("/mobile/v1/accounts/me", headers=auth), 200, N_("the patient's balance")
    )
    paid = expect(
        await bank.post(
            "/mobile/v1/va-payments",
            json={"virtual_account_no": va, "amount": amount},
            headers={**auth, "Idempotency-Key": secrets.token_hex(12)},
        ),
        201,
        N_("payment of the bill"),
    )
    story.report(
        _("    paid at the bank, reference {reference}").format(reference=paid["reference_no"])
    )

    await story.step(_("The bank notifies the hospital; the desk shows the bill paid"))
    admission_id = summary["admission_id"]

    async def shown_paid() -> bool:
        response = await desk.client.get(f"/api/v1/admissions/{admission_id}", headers=desk.auth)
        return response.status_code == 200 and response.json()["bill"]["status"] == "PAID"

    if not await wait_for(shown_paid):
        raise StoryFailed.said(
            N_("the desk never showed the bill of {admission} as paid"), admission=admission_id
        )
    story.report(
        _("    the desk shows the bill of {admission}: {status}").format(
            admission=admission_id, status="PAID"
        )
    )

    await story.step(_("Check: the bill's amount left the patient's account exactly once"))
    after = expect(
        await bank.get("/mobile/v1/accounts/me", headers=auth), 200, N_("the patient's balance")
    )
    moved = before["balance"] - after["balance"]
    story.facts.update(moved=moved)
    if moved != amount:
        raise StoryFailed.said(
            N_("expected {amount} to leave the patient's account once, moved {moved}"),
            amount=story.rupiah(amount),
            moved=story.rupiah(moved),
        )
    story.report(
        _("    the patient's balance {before} -> {after} ({moved}, once)").format(
            before=story.rupiah(before["balance"]),
            after=story.rupiah(after["balance"]),
            moved=story.rupiah(moved),
        )
    )
