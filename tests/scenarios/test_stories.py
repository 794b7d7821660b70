"""The stories in-process: they succeed, form one trace, and leak no secret anywhere."""

from __future__ import annotations

import json
from typing import Any

from sandbox.scenarios import StoryFailed, checkout, open_account
from sandbox.trace.export import FORMATS
from sandbox.trace.steps import steps_for
from sandbox.trace.store import TraceStore
from sandbox.wire.context import current_step
from tests.conftest import Services
from tests.leaks import leaks


def _secrets(world: dict[str, Any]) -> set[str]:
    """Every credential value in the world: partner secrets, PINs, session and link tokens."""
    found: set[str] = set()
    for callers in world["partners"].values():
        for creds in callers.values():
            if isinstance(creds, str):  # admin keys
                found.add(creds)
            else:
                found |= {v for k, v in creds.items() if "secret" in k}
    for user in world["social"]["users"]:
        found |= {user["session_token"], user["link_token"]}
    found |= {a["pin"] for a in world["bank"]["accounts"] if len(a["pin"]) == 6}
    return {s for s in found if len(s) >= 6}


async def test_checkout_is_one_trace_with_the_promised_edges(services: Services) -> None:
    story = await checkout(services.wire, services.world, lambda _: None, phone=services.phone)
    assert story.facts["moved"] == story.facts["amount"] == 185_000
    assert story.facts["pay"] == "debit"
    assert {c.trace_id for c in services.calls} == {story.trace_id}
    edges = {(c.caller, c.callee) for c in services.calls}
    assert ("social", "bank") not in edges and ("social", "identity") not in edges
    assert ("bank", "marketplace") in edges and ("marketplace", "social") in edges


async def test_the_default_checkout_never_has_the_buyer_call_the_bank(services: Services) -> None:
    """No jump app: she pays inside the checkout; the marketplace debits her bank account."""
    await checkout(services.wire, services.world, lambda _: None, phone=services.phone)
    assert not [c for c in services.calls if (c.caller, c.callee) == ("buyer", "bank")]
    debits = [
        c
        for c in services.calls
        if (c.caller, c.callee, c.path)
        == ("marketplace", "bank", "/v1.0/debit/payment-host-to-host")
    ]
    assert [c.status for c in debits] == [200], "one debit, from the marketplace"
    notes = [c for c in services.calls if c.path == "/v1.0/debit/notify"]
    assert [(c.caller, c.callee, c.status) for c in notes] == [("bank", "marketplace", 200)]
    retried = [c for c in services.calls if c.path.endswith("/direct-debit/otp")]
    assert len(retried) == 2 and {c.status for c in retried} == {200}


async def test_the_va_checkout_still_jumps_to_the_bank_app(services: Services) -> None:
    said: list[str] = []
    story = await checkout(services.wire, services.world, said.append, pay="va")
    assert story.facts["moved"] == story.facts["amount"] and story.facts["pay"] == "va"
    paid = [
        (c.method, c.path, c.status)
        for c in services.calls
        if (c.caller, c.callee) == ("buyer", "bank")
    ]
    assert paid == [
        ("POST", "/mobile/v1/sessions", 201),
        ("GET", "/mobile/v1/accounts/me", 200),
        ("POST", "/mobile/v1/va-payments", 201),
        ("POST", "/mobile/v1/va-payments", 201),
        ("GET", "/mobile/v1/accounts/me", 200),
    ]
    assert len(story.steps) == 7 and "pays the virtual account" in story.steps[3]
    assert not any("/debit" in c.path for c in services.calls)


async def test_paying_with_bank_contoh_needs_her_phone(services: Services) -> None:
    try:
        await checkout(services.wire, services.world, lambda _: None)
    except StoryFailed as exc:
        assert "--pay va" in str(exc)
    else:
        raise AssertionError("without a phone the bank's code cannot be read")
    assert services.calls == [], "it says so before anything happens"


async def test_a_bound_buyer_pays_the_second_checkout_without_a_code(services: Services) -> None:
    await checkout(services.wire, services.world, lambda _: None, phone=services.phone)
    said: list[str] = []
    story = await checkout(services.wire, services.world, said.append, phone=services.phone)
    assert "bound already" in story.steps[3] and len(story.steps) == 7
    assert story.facts["moved"] == 185_000


async def test_every_call_of_a_story_says_its_step_or_inherits_it(services: Services) -> None:
    """The stage names the story and step behind an arrow, even for a story run elsewhere."""
    said: list[str] = []
    story = await checkout(services.wire, services.world, said.append, phone=services.phone)
    steps = steps_for(services.calls)
    assert set(steps) == {c.span_id for c in services.calls}
    assert {s.source for s in steps.values()} == {"checkout"}
    numbers = sorted({s.number for s in steps.values()})
    assert numbers[0] == 1 and numbers[-1] <= len(story.steps) and len(numbers) >= 4
    for step in steps.values():
        assert step.sentence == story.steps[step.number - 1]
    assert current_step.get() is None  # the story's steps do not leak into what runs after


async def test_no_secret_reaches_the_store_or_any_export(services: Services) -> None:
    await checkout(services.wire, services.world, lambda _: None, phone=services.phone)
    await open_account(services.wire, services.world, lambda _: None)
    store = TraceStore(None)
    store.add(services.calls)
    stored = [c for t in store.traces(50) for c in store.trace(t.trace_id)]
    assert len(stored) == len(services.calls)
    texts = [json.dumps([c.to_dict() for c in stored])]
    for trace_id in {c.trace_id for c in stored}:
        calls = store.trace(trace_id)
        texts += [render(calls) for render in FORMATS.values()]
    nik = services.world["personas"]["newcomer"]["nik"]
    for secret in _secrets(services.world) | {nik}:
        for text in texts:
            assert not leaks(secret, text), f"a secret ({secret[:4]}...) leaked"


def test_a_pin_inside_a_timestamp_is_not_a_leak_but_on_its_own_it_is() -> None:
    assert not leaks("070970", '"endTimeUnixNano": "1709280000007097000"')
    assert leaks("070970", '{"pin": "070970"}')
    assert leaks("070970", "pin=070970&x=1")
    assert leaks("sk_live", "Authorization: sk_live")


async def test_open_account_twice_says_what_to_do(services: Services) -> None:
    await open_account(services.wire, services.world, lambda _: None)
    try:
        await open_account(services.wire, services.world, lambda _: None)
    except StoryFailed as exc:
        assert "sandbox reset" in str(exc)
    else:
        raise AssertionError("a second account for the same person must be refused")


async def test_a_gate_pauses_before_every_step(services: Services) -> None:
    seen: list[str] = []
    calls_at_gate: list[int] = []

    async def gate(step: str) -> None:
        seen.append(step)
        calls_at_gate.append(len(services.calls))

    story = await checkout(
        services.wire, services.world, lambda _: None, gate=gate, phone=services.phone
    )
    assert seen == story.steps and len(seen) == 9
    assert calls_at_gate[0] == 0, "nothing happens before the first step is allowed"
    assert calls_at_gate[1] > calls_at_gate[0], "each step's calls come after its gate"


def test_cli_knows_every_story() -> None:
    from sandbox.cli.stories import STORIES
    from sandbox.scenarios import SCENARIOS, VARIANTS

    assert set(STORIES) == set(SCENARIOS) | set(VARIANTS)


async def test_admission_reaches_four_back_ends_from_one_desk(services: Services) -> None:
    """The headline: Agus stays one class above his cover; the desk bills the difference at
    the bank, he pays it, and the bank's notification closes the bill."""
    from sandbox.scenarios import admission

    bank = services.apps["bank"].state.store
    total = bank.total_balance()
    story = await admission(services.wire, services.world, lambda _: None)
    await services.settle()
    assert story.facts["covered"] and story.facts["upgrade_class"] == "KELAS I"
    hospital_account = services.world["partners"]["bank"]["hospital"]["account_no"]
    assert bank.account(hospital_account)["balance"] == 200_000  # the hospital got the difference
    assert bank.total_balance() == total  # money moved, none made or lost
    assert story.facts["amount"] == story.facts["moved"] == 200_000  # class I minus class II
    assert {c.trace_id for c in services.calls} == {story.trace_id}
    edges = {(c.caller, c.callee) for c in services.calls}
    assert {("hospital", b) for b in ("identity", "records", "insurance", "bank")} <= edges
    assert ("patient", "bank") in edges  # he pays in his bank app
    create_va = [c for c in services.calls if c.path == "/v1.0/transfer-va/create-va"]
    assert [(c.caller, c.status) for c in create_va] == [("hospital", 200)]
    assert json.loads(create_va[0].request_body)["totalAmount"]["value"] == "200000.00"
    notified = [c for c in services.calls if c.path == "/v1.0/transfer-va/payment"]
    assert [(c.caller, c.callee, c.status) for c in notified] == [("bank", "hospital", 200)]
    assert json.loads(notified[0].response_body)["code"] == "payment_recorded"
    sep = next(c for c in services.calls if c.path.endswith("/SEP/2.0/insert"))
    assert json.loads(sep.request_body)["request"]["t_sep"]["klsRawat"]["klsRawatNaik"] == "3"


async def test_the_covered_admission_makes_no_call_to_the_bank(services: Services) -> None:
    from sandbox.scenarios import admission_covered

    story = await admission_covered(services.wire, services.world, lambda _: None)
    assert story.facts["covered"] and story.facts["amount"] == 0
    callees = {c.callee for c in services.calls if c.caller == "hospital"}
    assert callees == {"identity", "records", "insurance"}, "covered: no bill at the bank"
    assert not any(c.callee == "bank" for c in services.calls)
    assert len(story.steps) == 8
    # She approved on her phone before the desk reached anyone but the registry.
    first_verify = next(i for i, c in enumerate(services.calls) if c.path == "/v1/verify")
    approved = next(i for i, c in enumerate(services.calls) if c.path.endswith("/approve"))
    assert approved < first_verify
    assert services.calls[approved].caller == "patient"


async def test_revoking_consent_on_the_phone_stops_the_next_step(services: Services) -> None:
    from sandbox.scenarios import admission_revoked

    story = await admission_revoked(services.wire, services.world, lambda _: None)
    assert "revoked" in story.facts["refusal"] and "IKD" in story.facts["refusal"]
    diagnoses = [c for c in services.calls if c.path.endswith("/diagnoses")]
    assert diagnoses and {c.status for c in diagnoses} == {403}
    assert not any(
        c.path == "/fhir-r4/v1/Condition" and c.status == 201
        for c in services.calls
        if c.started_at > diagnoses[0].started_at
    )


async def test_admission_of_a_member_in_arrears_bills_the_whole_stay(services: Services) -> None:
    from sandbox.scenarios import admission

    story = await admission(services.wire, services.world, lambda _: None, persona="creator")
    assert not story.facts["covered"] and story.facts["amount"] == 750_000
    assert story.facts["moved"] == 750_000
    assert any(
        c.caller == "hospital" and c.callee == "bank" and c.path.endswith("/create-va")
        for c in services.calls
    )


async def test_every_admission_call_says_its_step(services: Services) -> None:
    from sandbox.scenarios import admission

    story = await admission(services.wire, services.world, lambda _: None)
    await services.settle()
    steps = steps_for(services.calls)
    assert {s.source for s in steps.values()} == {"admission"}
    by_path = {c.path: steps[c.span_id].sentence for c in services.calls if c.span_id in steps}
    assert by_path["/mobile/v1/va-payments"] == story.steps[9]
    assert by_path["/v1.0/transfer-va/payment"] == story.steps[9]  # the notification it caused
