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
"""

from __future__ import annotations

import secrets
from typing import Any

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
    summary = expect(response, 201, N_("admission"))
    story.facts.update(admission_id=summary["admission_id"])

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


async def _admit_covered(story: Story, persona: str) -> None:
    desk = _Desk(story, persona)
    await _arrives(story, desk)
    complaint, icd10 = VISIT
    await _admits(story, desk, admission_request(desk.person, complaint, icd10, consent=True))


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
