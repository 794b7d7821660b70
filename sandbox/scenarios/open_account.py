"""Opening a bank account: the bank checks the applicant at the civil registry (KYC).

The bank sends what the applicant typed; the registry answers only "SESUAI" or "TIDAK SESUAI"
per field - never the stored record - and only because the applicant gave consent, in her own
IKD app: the bank asks the registry to put a consent request before her, she approves it on her
phone, and the bank's app then opens her application again.
"""

from __future__ import annotations

from typing import Any

from sandbox.language import N_, texts
from sandbox.scenarios.admission import ikd_session
from sandbox.scenarios.base import Gate, Report, Story, StoryFailed, expect
from sandbox.wire import Wire

NEW_PIN = "246810"


async def open_account(
    wire: Wire,
    world: dict[str, Any],
    report: Report = print,
    gate: Gate | None = None,
    lang: str = "en",
) -> Story:
    """Run the story; raises StoryFailed unless the account opens after a clean KYC."""
    story = Story(wire, world, report, gate=gate, lang=lang, name="open-account")
    return await story.run(_open_account)


async def _open_account(story: Story) -> None:
    _ = texts("stories", story.lang)
    persona = story.world["personas"]["newcomer"]
    person = next(p for p in story.world["persons"] if p["nik"] == persona["nik"])
    bank = story.client("newcomer", "bank")

    await story.step(
        _("{name} applies for an account in the bank's app").format(name=person["name"].title())
    )
    response = await bank.post(
        "/mobile/v1/registrations",
        json={
            "nik": person["nik"],
            "name": person["name"],
            "birth_place": person["birth_place"],
            "birth_date": person["birth_date"],
            "sex": person["sex"],
            "address": person["street"],
            "pin": NEW_PIN,
            "consent": True,
        },
    )
    if response.status_code == 409:
        raise StoryFailed.said(
            N_(
                "{name} already has an account (from an earlier run); "
                "`sandbox reset` restores the seeded world"
            ),
            name=person["name"].title(),
        )
    applied = expect(response, 202, N_("registration"))
    await story.step(_("On her phone, she opens the IKD app and approves the bank's request"))
    app, auth = await ikd_session(story, "newcomer")
    request_id = applied["consent_request_id"]
    expect(
        await app.post(f"/ikd/v1/consent-requests/{request_id}/approve", headers=auth),
        201,
        N_("approval in the IKD app"),
    )
    opened = expect(
        await bank.get(f"/mobile/v1/registrations/{applied['application_id']}"),
        200,
        N_("registration"),
    )
    if opened.get("status") != "OPENED":
        raise StoryFailed.said(
            N_("the bank did not open the account: {why}"),
            why=str(opened.get("message") or opened.get("status")),
        )
    await story.step(
        _("The bank verified her at the civil registry (her consent, then match flags)")
    )
    for name, flag in opened["kyc"]["fields"].items():
        story.report(f"    {name}: {flag}")
    story.facts.update(account_no=opened["account_no"])

    await story.step(_("She logs in with her new PIN"))
    login = expect(
        await bank.post(
            "/mobile/v1/sessions", json={"account_no": opened["account_no"], "pin": NEW_PIN}
        ),
        201,
        N_("login"),
    )
    me = expect(
        await bank.get(
            "/mobile/v1/accounts/me", headers={"Authorization": f"Bearer {login['session_token']}"}
        ),
        200,
        N_("account"),
    )
    if me["balance"] != 0:
        raise StoryFailed.said(
            N_("a new account should start at {zero}, not {balance}"),
            zero=story.rupiah(0),
            balance=story.rupiah(me["balance"]),
        )
    story.report(
        _("    account {account} is open, balance {balance}").format(
            account=me["account_no"], balance=story.rupiah(0)
        )
    )
