"""The hospital analogy: one reception screen reaches four back-ends over APIs.

The front desk admits a patient by NIK. Behind one action the hospital verifies the person at the
civil registry (match flags only), finds or creates the patient's record at the health-records
platform and opens an encounter, checks insurance eligibility and issues an eligibility letter
(SEP), and asks the bank for a virtual account when the patient must pay - the same pattern as
the checkout, where one tap on Buy reaches the marketplace and the bank.
"""

from __future__ import annotations

from typing import Any

from sandbox.language import N_, texts
from sandbox.scenarios.base import Gate, Report, Story, StoryFailed, expect
from sandbox.wire import Wire

PATIENT = "patient"


def admission_request(
    person: dict[str, Any], complaint: str, icd10: str, *, consent: bool
) -> dict[str, Any]:
    """What the reception desk sends the hospital to admit `person` (an outpatient visit):
    the KTP's fields, the complaint, an ICD-10 code when one is known, and the consent."""
    return {
        "nik": person["nik"],
        "name": person["name"],
        "birth_date": person["birth_date"],
        "birth_place": person["birth_place"],
        "sex": person["sex"],
        "complaint": complaint,
        **({"icd10": icd10} if icd10 else {}),
        "service": "outpatient",
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
    """Admit the named patient; raises StoryFailed unless every back-end answered."""
    story = Story(wire, world, report, gate=gate, lang=lang, name="admission")
    return await story.run(lambda s: _admit(s, persona))


async def _admit(story: Story, persona: str) -> None:
    _ = texts("stories", story.lang)
    who = story.world["personas"][persona]
    person = next(p for p in story.world["persons"] if p["nik"] == who["nik"])
    staff = story.world["hospital"]["staff"][0]
    hospital = story.world["hospital"]["hospitals"][0]
    desk = story.client("reception", "hospital")

    await story.step(
        _("{name} arrives at the reception desk of {hospital} and hands over the ID card").format(
            name=person["name"].title(), hospital=hospital["name"]
        )
    )
    await story.step(
        _(
            "One action on the desk's screen: admit (identity, records, "
            "insurance, billing behind it)"
        )
    )
    response = await desk.post(
        "/api/v1/admissions",
        headers={"Authorization": f"Bearer {staff['token']}"},
        json=admission_request(person, "Demam dan batuk tiga hari", "J06.9", consent=True),
    )
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
    story.facts.update(covered=not bill.get("virtual_account_no"), amount=bill["amount"])
