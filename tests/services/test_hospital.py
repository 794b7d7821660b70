"""The hospital front desk over HTTP: admissions across four institutions, staff auth, payments.

Every back end is the real service, wired in-process like tests/conftest.py. The small fakes at
the bottom follow docs/contracts.md only; one test runs the desk against them, so a change in a
back end that breaks the contract shows up as a difference between the two.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from sandbox.dialects import snap
from sandbox.dialects.common import timestamp
from sandbox.framework.service import ServiceEnv
from sandbox.runtime.seeding import seed_for
from sandbox.services.hospital import create_app
from sandbox.services.hospital.store import HospitalStore
from sandbox.services.insurance import create_app as create_insurance
from sandbox.services.records import create_app as create_records
from sandbox.wire import Wire
from sandbox.wire.faults import Fault
from tests.conftest import FakeClock, Services
from tests.services.consent_helpers import activate_ikd, log_in

PAYMENT = "/v1.0/transfer-va/payment"
BACK_ENDS = ("identity", "records", "insurance", "bank")


class Desk:
    """Every institution in-process, plus the hospital and records/insurance."""

    def __init__(self, services: Services, fakes: bool = False) -> None:
        self.services = services
        self.world = services.world
        for name, app in back_ends(services.wire, services.world, fakes).items():
            services.apps[name] = app
            services.wire.mount(name, app)
        env = ServiceEnv("hospital", services.wire, seed_for("hospital", services.world))
        self.app = create_app(env)
        services.apps["hospital"] = self.app
        services.wire.mount("hospital", self.app)
        self.token = services.world["hospital"]["staff"][0]["token"]
        self.client = services.wire.client("reception", "hospital")

    @property
    def store(self) -> HospitalStore:
        store: HospitalStore = self.app.state.store
        return store

    def row(self, admission_id: str) -> dict[str, Any]:
        row = self.store.admission(admission_id)
        assert row is not None, admission_id
        return row

    def body(self, persona: str, **changes: Any) -> dict[str, Any]:
        nik = self.world["personas"][persona]["nik"]
        person = next(p for p in self.world["persons"] if p["nik"] == nik)
        return {
            "nik": nik,
            "name": person["name"],
            "birth_date": person["birth_date"],
            "birth_place": person["birth_place"],
            "sex": person["sex"],
            "complaint": "Demam dan batuk tiga hari",
            "icd10": "J06.9",
            "service": "outpatient",
            "consent": True,
            **changes,
        }

    async def admit(
        self,
        persona: str,
        token: str | None = None,
        key: str | None = None,
        approve: bool = True,
        **changes: Any,
    ) -> httpx.Response:
        """Ask for the admission; the patient approves in her IKD app; the admission as it
        ended: the summary (200), or the error the desk recorded for the clerk."""
        self.services.calls.clear()
        headers = {"Authorization": f"Bearer {token or self.token}"}
        if key:
            headers["Idempotency-Key"] = key
        asked = await self.client.post(
            "/api/v1/admissions", json=self.body(persona, **changes), headers=headers
        )
        if asked.status_code != 202 or not approve:
            return asked
        await self.approve(changes.get("nik") or self.world["personas"][persona]["nik"])
        return await self.finished(asked.json()["admission_id"], token)

    async def approve(self, nik: str, verb: str = "approve", pin: str | None = None) -> None:
        """She logs in to her IKD app and answers every pending request; webhooks delivered."""
        app = await log_in(self.services, nik, pin)
        for pending in (await app.get("/ikd/v1/consent-requests")).json():
            answer = await app.post(f"/ikd/v1/consent-requests/{pending['request_id']}/{verb}")
            assert answer.status_code in {200, 201}, answer.text
        await self.services.settle()

    async def finished(self, admission_id: str, token: str | None = None) -> httpx.Response:
        """The admission read back; a run that stopped answers the error it recorded."""
        headers = {"Authorization": f"Bearer {token or self.token}"}
        read = await self.client.get(f"/api/v1/admissions/{admission_id}", headers=headers)
        failure = read.json().get("failure") if read.status_code == 200 else None
        if failure:
            body = {**failure, "admission_id": admission_id, "status": read.json()["status"]}
            return httpx.Response(failure["http_status"], json=body)
        return read

    def called(self, caller: str = "hospital") -> list[tuple[str, str, str]]:
        return [
            (c.callee, c.method, c.path.split("?")[0])
            for c in self.services.calls
            if c.caller == caller
        ]


def back_ends(wire: Wire, world: dict[str, Any], fakes: bool) -> dict[str, Any]:
    """Records and insurance: the real services, or the contract fakes below."""
    if fakes:
        return {"records": fake_records(world), "insurance": fake_insurance(world)}
    return {
        name: factory(ServiceEnv(name, wire, seed_for(name, world)))
        for name, factory in (("records", create_records), ("insurance", create_insurance))
    }


@pytest.fixture
async def desk(services: Services) -> AsyncIterator[Desk]:
    yield Desk(services)


def _tariff(desk: Desk, service: str = "outpatient") -> int:
    return int(desk.world["hospital"]["hospitals"][0]["tariff"][service])


# --- admissions --------------------------------------------------------------------------------


async def test_insured_patient_gets_an_sep_and_no_va(desk: Desk) -> None:
    response = await desk.admit("patient")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ADMITTED"
    assert body["patient"] == {"ihs_number": "P10000000001", "name": ""}  # never stored
    assert set(body["identity"]["fields"].values()) == {"SESUAI"}
    assert body["insurance"]["status"] == "ACTIVE"
    assert body["insurance"]["covered"] is True
    assert body["insurance"]["sep_no"].startswith("0301R001")
    assert body["records"]["encounter_id"]
    assert body["records"]["condition_id"]
    assert body["bill"] == {
        "amount": 0,
        "virtual_account_no": None,
        "status": "NONE",
        "reason": None,
        "expires_at": None,
    }
    assert body["insurance"]["upgrade_class"] is None
    steps = [c for c in desk.called() if "token" not in c[2]]
    assert [(c[0], c[2].rsplit("/", 1)[-1] if c[0] != "insurance" else c[1]) for c in steps] == [
        ("identity", "consent-requests"),
        ("identity", "verify"),
        ("records", "Patient"),
        ("records", "Encounter"),
        ("records", "Condition"),
        ("insurance", "GET"),
        ("insurance", "POST"),
    ]
    assert "bank" not in [c[0] for c in desk.called()]


async def test_patient_in_arrears_gets_a_va_for_the_tariff(desk: Desk) -> None:
    response = await desk.admit("creator")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["insurance"]["status"] == "INACTIVE"
    assert body["insurance"]["covered"] is False
    assert "TUNGGAKAN" in body["insurance"]["reason"]
    assert body["insurance"]["sep_no"] is None
    assert body["bill"]["amount"] == _tariff(desk)
    digits = body["admission_id"].replace("ADM-", "").replace("-", "")
    assert body["bill"]["virtual_account_no"] == "   77001" + digits
    assert body["bill"]["status"] == "UNPAID"
    assert body["bill"]["expires_at"] == "2024-03-02T15:00:00+07:00"  # 24 h after 15:00 WIB
    # The creator is new to the records platform: found nothing, so created.
    paths = [(c[0], c[1], c[2]) for c in desk.called() if c[0] == "records"]
    assert ("records", "POST", "/fhir-r4/v1/Patient") in paths
    assert ("insurance", "POST", "/vclaim-rest/SEP/2.0/insert") not in desk.called()
    va = await _bank_inquiry(desk, "creator", body["bill"]["virtual_account_no"])
    assert (va["amount"], va["status"]) == (_tariff(desk), "UNPAID")


async def test_newcomer_without_insurance_gets_a_va(desk: Desk) -> None:
    response = await desk.admit("newcomer", service="inpatient", icd10=None)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["insurance"]["status"] == "NOT_INSURED"
    assert body["insurance"]["covered"] is False
    assert body["bill"]["amount"] == _tariff(desk, "inpatient")
    assert body["bill"]["virtual_account_no"]
    assert body["records"]["condition_id"] is None
    assert ("records", "POST", "/fhir-r4/v1/Condition") not in desk.called()
    assert desk.called()[-1][0] == "bank"


# --- a higher class: naik kelas --------------------------------------------------------------


def _class_tariff(desk: Desk, klass: str) -> int:
    return int(desk.world["hospital"]["hospitals"][0]["inpatient_class_tariff"][klass])


def _stay(**changes: Any) -> dict[str, Any]:
    """An inpatient stay for dengue haemorrhagic fever (A91)."""
    return {"service": "inpatient", "icd10": "A91", "complaint": "Demam tinggi empat hari"} | (
        changes
    )


def _sent_sep(desk: Desk) -> dict[str, Any]:
    sent = next(c for c in desk.services.calls if c.path.startswith("/vclaim-rest/SEP/2.0/insert"))
    t_sep: dict[str, Any] = json.loads(sent.request_body or "{}")["request"]["t_sep"]
    return t_sep


async def test_a_class_upgrade_bills_exactly_the_difference(desk: Desk) -> None:
    """Agus is entitled to class II and asks for class I: the insurer covers class II, he pays
    the class I tariff minus the class II tariff, through a VA at the bank."""
    response = await desk.admit("patient", **_stay(requested_class="1"))
    assert response.status_code == 200, response.text
    body = response.json()
    difference = _class_tariff(desk, "1") - _class_tariff(desk, "2")
    assert difference == 200_000
    assert (body["insurance"]["class"], body["insurance"]["upgrade_class"]) == (
        "KELAS II",
        "KELAS I",
    )
    assert body["insurance"]["covered"] is True and body["insurance"]["sep_no"]
    bill = body["bill"]
    assert (bill["amount"], bill["reason"], bill["status"]) == (
        difference,
        "class_upgrade",
        "UNPAID",
    )
    assert _sent_sep(desk)["klsRawat"] == {
        "klsRawatHak": "2",
        "klsRawatNaik": "3",
        "pembiayaan": "1",
        "penanggungJawab": "Pribadi",
    }
    steps = [c for c in desk.called() if "token" not in c[2]]
    assert steps[-2:] == [
        ("insurance", "POST", "/vclaim-rest/SEP/2.0/insert"),
        ("bank", "POST", "/v1.0/transfer-va/create-va"),
    ]
    va = await _bank_inquiry(desk, "patient", bill["virtual_account_no"])
    assert (va["amount"], va["status"]) == (difference, "UNPAID")
    assert desk.row(body["admission_id"])["requested_class"] == "1"


async def test_above_class_one_the_difference_is_at_most_75_percent(desk: Desk) -> None:
    """Sari is entitled to class I and asks for VIP: the tariffs differ by Rp900,000, but
    the difference is capped at 75% of the class I tariff."""
    response = await desk.admit("buyer", **_stay(requested_class="VIP"))
    assert response.status_code == 200, response.text
    cap = _class_tariff(desk, "1") * 75 // 100
    assert _class_tariff(desk, "VIP") - _class_tariff(desk, "1") > cap
    assert response.json()["bill"]["amount"] == cap == 825_000
    assert _sent_sep(desk)["klsRawat"]["klsRawatNaik"] == "2"


async def test_asking_for_the_covered_class_is_no_upgrade(desk: Desk) -> None:
    response = await desk.admit("patient", **_stay(requested_class="2"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["bill"]["amount"], body["insurance"]["upgrade_class"]) == (0, None)
    assert "klsRawatNaik" not in _sent_sep(desk)["klsRawat"]
    assert "bank" not in [c[0] for c in desk.called()]


async def test_without_cover_the_patient_pays_the_whole_stay(desk: Desk) -> None:
    response = await desk.admit("creator", **_stay(requested_class="1"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["bill"]["amount"] == _tariff(desk, "inpatient")
    assert (body["bill"]["reason"], body["insurance"]["upgrade_class"]) == ("not_covered", None)


def _active_class_three_member(desk: Desk) -> dict[str, Any]:
    """A generated person whose membership is active, in class III."""
    niks = {
        m["nik"]
        for m in desk.world["insurance"]["members"]
        if m["class"]["kode"] == "3" and m["status"]["kode"] == "0"
    }
    person: dict[str, Any] = next(p for p in desk.world["persons"] if p["nik"] in niks)
    return person


@pytest.mark.parametrize(
    ("who", "asked", "said"),
    [
        ("patient", "VIP", "Only one class above the entitlement"),
        ("patient", "3", "below the KELAS II"),
        ("class III", "2", "KELAS III may not move up"),
    ],
)
async def test_a_class_the_rules_do_not_allow_is_refused_before_the_sep(
    desk: Desk, who: str, asked: str, said: str
) -> None:
    if who == "class III":
        person = _active_class_three_member(desk)
        fields = {k: person[k] for k in ("nik", "name", "birth_date", "birth_place", "sex")}
        activate_ikd(desk.services, person["nik"], "246810")
        response = await desk.admit("patient", **fields, **_stay(requested_class=asked))
    else:
        response = await desk.admit(who, **_stay(requested_class=asked))
    assert response.status_code == 422, response.text
    body = response.json()
    assert (body["code"], body["status"]) == ("upgrade_not_allowed", "REJECTED")
    assert said in body["message"] and "No SEP was issued" in body["message"]
    assert body["done"][-1] == "eligibility checked"
    called = desk.called()
    assert ("insurance", "POST", "/vclaim-rest/SEP/2.0/insert") not in called
    assert "bank" not in [c[0] for c in called]
    row = desk.row(body["admission_id"])
    assert (row["status"], row["sep_no"], row["va_no"]) == ("REJECTED", None, None)


async def test_a_higher_class_is_only_for_an_inpatient_stay(desk: Desk) -> None:
    response = await desk.admit("patient", requested_class="1")
    assert response.status_code == 400, response.text
    assert (response.json()["code"], response.json()["field"]) == (
        "invalid_field",
        "requested_class",
    )
    assert desk.called() == []
    unknown = await desk.admit("patient", **_stay(requested_class="VVIP"))
    assert (unknown.status_code, unknown.json()["field"]) == (400, "requested_class")


# --- retries: one admission, one bill ----------------------------------------------------------


def _hospital_vas(desk: Desk) -> list[dict[str, Any]]:
    """The hospital's virtual accounts, as the bank keeps them."""
    bank_db = desk.services.apps["bank"].state.store.db
    return list(bank_db.query("SELECT * FROM vas WHERE partner = 'hospital'"))


async def test_a_retry_with_the_same_key_gets_the_same_admission_and_bill(desk: Desk) -> None:
    first = await desk.admit("creator", key="desk-try-1")
    assert first.status_code == 200, first.text
    again = await desk.admit("creator", key="desk-try-1")
    assert again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["admission_id"] == first.json()["admission_id"]
    assert again.json()["bill"] == first.json()["bill"]
    assert desk.called() == []  # answered from the desk's own database
    assert len(_hospital_vas(desk)) == 1
    other = await desk.admit("creator", key="desk-try-2")
    assert other.json()["admission_id"] != first.json()["admission_id"]  # a new key: a new one


async def test_the_same_key_for_another_request_is_refused(desk: Desk) -> None:
    first = await desk.admit("creator", key="desk-try-1")
    reused = await desk.admit("patient", key="desk-try-1")
    assert reused.status_code == 422, reused.text
    body = reused.json()
    assert (body["code"], body["admission_id"]) == (
        "idempotency_key_reused",
        first.json()["admission_id"],
    )
    assert desk.called() == []


async def test_two_tries_at_once_make_one_admission(desk: Desk) -> None:
    """A double tap: both requests arrive at once; one consent request, one admission, one
    bill - and the patient's approval and the clerk's look at the admission, at the same
    moment, run it once."""
    desk.services.wire.set_fault("insurance", Fault(latency_ms=50))
    desk.services.calls.clear()
    answers = await asyncio.gather(
        *(
            desk.client.post(
                "/api/v1/admissions",
                json=desk.body("patient", **_stay(requested_class="1")),
                headers={"Authorization": f"Bearer {desk.token}", "Idempotency-Key": "twice"},
            )
            for _ in range(2)
        )
    )
    assert [a.status_code for a in answers] == [202, 202]
    assert [a.headers.get("Idempotent-Replayed") for a in answers].count("true") == 1
    assert len({a.json()["admission_id"] for a in answers}) == 1
    admission_id = answers[0].json()["admission_id"]
    nik = desk.world["personas"]["patient"]["nik"]
    read = desk.client.get(
        f"/api/v1/admissions/{admission_id}", headers={"Authorization": f"Bearer {desk.token}"}
    )
    await asyncio.gather(desk.approve(nik), read)
    assert desk.row(admission_id)["status"] == "ADMITTED"
    assert len(_hospital_vas(desk)) == 1
    assert len([c for c in desk.called() if c[2].endswith("/create-va")]) == 1
    assert len([c for c in desk.called() if c[2] == "/v1/consent-requests"]) == 1


async def test_a_retry_resumes_where_the_bank_stopped_it(desk: Desk) -> None:
    """The bank is down at the last step; the clerk retries with the same key once it is back:
    the admission is finished, nothing before the bank is done twice, and there is one bill."""
    desk.services.wire.set_fault("bank", Fault(offline=True))
    stopped = await desk.admit("patient", key="resume-1", **_stay(requested_class="1"))
    assert stopped.status_code == 502, stopped.text
    assert (stopped.json()["code"], stopped.json()["missing"]) == ("bank_failed", ["bank"])
    admission_id = stopped.json()["admission_id"]
    sep = desk.row(admission_id)["sep_no"]
    desk.services.wire.set_fault("bank", Fault())

    resumed = await desk.admit("patient", key="resume-1", **_stay(requested_class="1"))
    assert resumed.status_code == 201, resumed.text
    body = resumed.json()
    assert (body["admission_id"], body["status"]) == (admission_id, "ADMITTED")
    assert (body["insurance"]["sep_no"], body["bill"]["amount"]) == (sep, 200_000)
    assert {c[0] for c in desk.called()} == {"bank"}  # identity, records, insurance: done
    assert len(_hospital_vas(desk)) == 1
    row = desk.row(admission_id)
    assert (row["failed_at"], row["failure"]) == (None, None)


async def test_a_retry_after_the_insurer_failed_opens_no_second_encounter(desk: Desk) -> None:
    desk.services.wire.set_fault("insurance", Fault(offline=True))
    stopped = await desk.admit("patient", key="resume-2")
    assert stopped.json()["code"] == "insurance_failed"
    encounter = desk.row(stopped.json()["admission_id"])["encounter_id"]
    desk.services.wire.set_fault("insurance", Fault())
    resumed = await desk.admit("patient", key="resume-2")
    assert resumed.status_code == 201, resumed.text
    assert resumed.json()["records"]["encounter_id"] == encounter
    assert {c[0] for c in desk.called()} == {"insurance"}


def test_only_one_retry_resumes_an_incomplete_admission(desk: Desk) -> None:
    now = desk.services.clock()
    admission_id = desk.store.new_admission(
        "20240301",
        {
            "staff_id": "FD-001",
            "hospital_code": "0301R001",
            "service": "outpatient",
            "status": "INCOMPLETE",
            "nik_last4": "0001",
            "created_at": now,
            "updated_at": now,
        },
    )
    assert desk.store.claim_incomplete(admission_id)
    assert not desk.store.claim_incomplete(admission_id)
    assert desk.row(admission_id)["status"] == "IN_PROGRESS"


async def test_a_bill_whose_answer_was_lost_is_found_not_made_twice(desk: Desk) -> None:
    """The bank creates the VA but its answer never arrives: the desk asks the bank's status
    (SNAP's advice after a timeout) and keeps the VA that is there."""
    bank = desk.services.apps["bank"]

    async def answer_lost(scope: Any, receive: Any, send: Any) -> None:
        if not (scope["type"] == "http" and scope["path"].endswith("/create-va")):
            await bank(scope, receive, send)
            return

        async def drop(message: Any) -> None:
            pass  # the bank does the work; its answer never reaches the desk

        await bank(scope, receive, drop)
        raise httpx.ReadTimeout("the answer was lost")

    desk.services.wire.mount("bank", answer_lost)
    admitted = await desk.admit("creator")
    desk.services.wire.mount("bank", bank)
    assert admitted.status_code == 200, admitted.text
    bill = admitted.json()["bill"]
    [va] = _hospital_vas(desk)
    assert (va["virtual_account_no"], va["amount"]) == (bill["virtual_account_no"], bill["amount"])
    paths = [c[2] for c in desk.called() if c[0] == "bank" and "token" not in c[2]]
    assert paths == ["/v1.0/transfer-va/create-va", "/v1.0/transfer-va/status"]


async def test_a_rejected_admission_is_not_tried_again_with_its_key(desk: Desk) -> None:
    wrong: dict[str, Any] = {"birth_date": "1972-05-31"}
    refused = await desk.admit("patient", key="typo", **wrong)
    assert refused.status_code == 422
    again = await desk.admit("patient", key="typo", **wrong)
    assert again.status_code == 422, again.text
    body = again.json()
    assert (body["code"], body["status"]) == ("admission_rejected", "REJECTED")
    assert "identity_mismatch: tgl_lhr" in body["message"]
    assert desk.called() == []


async def test_wrong_birth_date_is_refused_before_any_other_institution(desk: Desk) -> None:
    response = await desk.admit("patient", birth_date="1972-05-31")
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "identity_mismatch"
    assert body["mismatched"] == ["tgl_lhr"]
    assert "tgl_lhr" in body["message"]
    assert {c[0] for c in desk.called()} == {"identity"}
    row = desk.store.admission(body["admission_id"])
    assert row is not None
    assert (row["status"], row["ihs_number"], row["va_no"]) == ("REJECTED", None, None)


async def test_unknown_nik_waits_for_a_consent_nobody_gives(desk: Desk) -> None:
    """Nobody with this NIK has IKD (nobody has it at all): the request is never answered, the
    registry does not say so, and after 15 minutes the admission is rejected unasked."""
    response = await desk.admit("patient", approve=False, nik="9972013005720099")
    assert response.status_code == 202, response.text
    assert response.json()["consent"]["status"] == "PENDING"
    desk.services.clock.advance(15 * 60 + 1)
    read = await desk.finished(response.json()["admission_id"])
    assert read.json()["status"] == "REJECTED"
    assert read.json()["consent"]["status"] == "EXPIRED"
    assert [c[2] for c in desk.called() if c[0] == "identity"] == [
        "/v1/consent-requests",
        f"/v1/consent-requests/{response.json()['consent']['request_id']}",
    ]


async def test_unknown_nik_with_consent_matches_nothing(desk: Desk) -> None:
    """A NIK the register does not hold, whose holder somehow approved: every flag is no."""
    nik = "9972013005720099"
    activate_ikd(desk.services, nik)
    response = await desk.admit("patient", nik=nik)
    assert response.status_code == 422, response.text
    assert response.json()["reason"] == "NIK_NOT_FOUND"
    assert set(response.json()["mismatched"]) == {"nama_lgkp", "tmpt_lhr", "tgl_lhr", "jenis_klmin"}
    assert {c[0] for c in desk.called()} == {"identity"}


async def test_insurance_down_leaves_an_incomplete_admission(desk: Desk) -> None:
    desk.services.wire.set_fault("insurance", Fault(offline=True))
    response = await desk.admit("patient")
    assert response.status_code == 502, response.text
    body = response.json()
    assert body["code"] == "insurance_failed"
    assert body["institution"] == "insurance"
    assert body["status"] == "INCOMPLETE"
    assert body["missing"] == ["insurance", "bank"]
    assert any(step.startswith("encounter ") for step in body["done"])
    assert "encounter" in body["message"] and "insurance" in body["message"]
    row = desk.store.admission(body["admission_id"])
    assert row is not None
    assert row["status"] == "INCOMPLETE"
    assert row["failed_at"] == "insurance"
    assert row["encounter_id"] and row["sep_no"] is None and row["va_no"] is None
    assert "bank" not in [c[0] for c in desk.called()]
    shown = await desk.client.get(
        f"/api/v1/admissions/{body['admission_id']}",
        headers={"Authorization": f"Bearer {desk.token}"},
    )
    assert shown.json()["status"] == "INCOMPLETE"


async def test_bank_answering_500_is_a_502_naming_the_bank(desk: Desk) -> None:
    desk.services.wire.set_fault("bank", Fault(error_rate=1.0))
    response = await desk.admit("creator")
    assert response.status_code == 502, response.text
    body = response.json()
    assert (body["code"], body["missing"]) == ("bank_failed", ["bank"])
    row = desk.store.admission(body["admission_id"])
    assert row is not None
    assert (row["status"], row["amount"], row["va_no"]) == ("INCOMPLETE", _tariff(desk), None)


async def test_identity_down_does_nothing_else(desk: Desk) -> None:
    desk.services.wire.set_fault("identity", Fault(offline=True))
    response = await desk.admit("patient")
    assert response.status_code == 502
    assert response.json()["code"] == "identity_failed"
    assert response.json()["done"] == []
    assert {c[0] for c in desk.called()} == {"identity"}


async def test_admission_needs_consent_and_valid_fields(desk: Desk) -> None:
    refused = await desk.admit("patient", consent=False)
    assert (refused.status_code, refused.json()["code"]) == (400, "consent_required")
    bad = await desk.admit("patient", nik="12345")
    assert (bad.status_code, bad.json()["field"]) == (400, "nik")
    bad_sex = await desk.admit("patient", sex="X")
    assert bad_sex.status_code == 400
    assert desk.called() == []


# --- staff auth and reading back ---------------------------------------------------------------


async def test_staff_token_is_required(desk: Desk) -> None:
    missing = await desk.client.post("/api/v1/admissions", json=desk.body("patient"))
    assert (missing.status_code, missing.json()["code"]) == (401, "missing_token")
    wrong = await desk.admit("patient", token="desk_not-a-real-token")
    assert (wrong.status_code, wrong.json()["code"]) == (401, "invalid_token")
    assert desk.called() == []
    read = await desk.client.get("/api/v1/admissions/ADM-20240301-000001")
    assert read.status_code == 401


async def test_get_admission_shows_references(desk: Desk) -> None:
    admitted = (await desk.admit("creator")).json()
    headers = {"Authorization": f"Bearer {desk.token}"}
    shown = await desk.client.get(f"/api/v1/admissions/{admitted['admission_id']}", headers=headers)
    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert body["bill"] == admitted["bill"]
    assert body["records"] == admitted["records"]
    assert body["patient"] == {"ihs_number": admitted["patient"]["ihs_number"], "name": ""}
    missing = await desk.client.get("/api/v1/admissions/ADM-20990101-000009", headers=headers)
    assert (missing.status_code, missing.json()["code"]) == (404, "admission_not_found")


async def test_database_holds_no_personal_or_medical_text(desk: Desk) -> None:
    for persona in ("patient", "creator", "newcomer"):
        assert (await desk.admit(persona)).status_code == 200
    dumped = json.dumps(desk.store.dump())
    for persona in ("patient", "creator", "newcomer"):
        body = desk.body(persona)
        for value in (body["name"], body["birth_place"], body["nik"], body["birth_date"]):
            assert value not in dumped
    for text in ("Demam", "J06.9", "Jl.", desk.token):
        assert text not in dumped
    assert desk.row("ADM-20240301-000001")["nik_last4"] == "0001"


# --- payment notifications from the bank -------------------------------------------------------


async def _bank_session(desk: Desk, persona: str) -> httpx.AsyncClient:
    who = desk.world["personas"][persona]
    bank = desk.services.client("bank", persona)
    login = await bank.post(
        "/mobile/v1/sessions", json={"account_no": who["account_no"], "pin": who["pin"]}
    )
    assert login.status_code == 201, login.text
    bank.headers["Authorization"] = f"Bearer {login.json()['session_token']}"
    return bank


async def _bank_inquiry(desk: Desk, persona: str, va: str) -> dict[str, Any]:
    bank = await _bank_session(desk, persona)
    seen = await bank.post("/mobile/v1/va-inquiries", json={"virtual_account_no": va})
    assert seen.status_code == 200, seen.text
    body: dict[str, Any] = seen.json()
    return body


async def test_paying_the_va_marks_the_bill_paid(desk: Desk) -> None:
    admitted = (await desk.admit("creator")).json()
    va, amount = admitted["bill"]["virtual_account_no"], admitted["bill"]["amount"]
    bank = await _bank_session(desk, "creator")
    paid = await bank.post(
        "/mobile/v1/va-payments",
        headers={"Idempotency-Key": "h-1"},
        json={"virtual_account_no": va, "amount": amount},
    )
    assert paid.status_code == 201, paid.text
    await desk.services.settle()
    notified = [c for c in desk.services.calls if c.callee == "hospital" and c.path == PAYMENT]
    assert [c.status for c in notified] == [200]
    row = desk.store.admission(admitted["admission_id"])
    assert row is not None and row["bill_status"] == "PAID"
    assert desk.services.apps["bank"].state.outbox.pending() == []


async def test_the_difference_paid_twice_at_once_leaves_the_account_once(desk: Desk) -> None:
    """Agus pays his bill from two phones at the same moment (two idempotency keys): the bank
    takes one payment, the hospital records one, and no rupiah is made or lost."""
    admitted = (await desk.admit("patient", **_stay(requested_class="1"))).json()
    va, amount = admitted["bill"]["virtual_account_no"], admitted["bill"]["amount"]
    store = desk.services.apps["bank"].state.store
    total = store.total_balance()
    account = desk.world["personas"]["patient"]["account_no"]
    before = store.account(account)["balance"]
    bank = await _bank_session(desk, "patient")
    answers = await asyncio.gather(
        *(
            bank.post(
                "/mobile/v1/va-payments",
                headers={"Idempotency-Key": f"phone-{n}"},
                json={"virtual_account_no": va, "amount": amount},
            )
            for n in range(2)
        )
    )
    assert sorted(a.status_code for a in answers)[0] == 201
    assert [a.status_code for a in answers].count(201) == 1, [a.text for a in answers]
    await desk.services.settle()
    assert store.account(account)["balance"] == before - amount
    assert store.total_balance() == total
    payments = [r for r in desk.store.dump() if r.get("payment_request_id")]
    assert [p["paid_amount"] for p in payments] == [amount]
    assert desk.row(admitted["admission_id"])["bill_status"] == "PAID"


def _note(
    desk: Desk, admitted: dict[str, Any], request_id: str = "PRQ0001", amount: int | None = None
) -> dict[str, Any]:
    va = admitted["bill"]["virtual_account_no"]
    value = f"{amount if amount is not None else admitted['bill']['amount']}.00"
    return {
        "partnerServiceId": va[:8],
        "customerNo": va[8:],
        "virtualAccountNo": va,
        "virtualAccountName": "RINA KUSUMA",
        "trxId": admitted["admission_id"],
        "paymentRequestId": request_id,
        "paidAmount": {"value": value, "currency": "IDR"},
        "totalAmount": {"value": value, "currency": "IDR"},
        "trxDateTime": "2024-03-01T15:10:00+07:00",
        "referenceNo": "REF0001",
        "paymentFlagStatus": "00",
        "paymentFlagReason": {"english": "Success", "indonesia": "Sukses"},
    }


async def _notify(
    desk: Desk,
    note: dict[str, Any],
    *,
    secret: str | None = None,
    partner_id: str | None = None,
    ts: str | None = None,
) -> httpx.Response:
    creds = desk.world["partners"]["bank"]["hospital"]
    raw = json.dumps(note).encode()
    ts = ts or timestamp(desk.services.clock())
    signature = snap.notification_signature(
        secret or creds["notification_secret"], "POST", PAYMENT, raw, ts
    )
    return await desk.services.client("hospital", "bank").post(
        PAYMENT,
        content=raw,
        headers={
            "content-type": "application/json",
            "X-TIMESTAMP": ts,
            "X-SIGNATURE": signature,
            "X-PARTNER-ID": partner_id or creds["partner_id"],
            "X-EXTERNAL-ID": "1",
            "CHANNEL-ID": creds["channel_id"],
        },
    )


async def test_signed_notification_is_recorded_once(desk: Desk) -> None:
    admitted = (await desk.admit("creator")).json()
    first = await _notify(desk, _note(desk, admitted))
    assert first.status_code == 200, first.text
    assert (first.json()["responseCode"], first.json()["code"]) == ("2002500", "payment_recorded")
    again = await _notify(desk, _note(desk, admitted))
    assert again.status_code == 200
    assert (again.json()["responseCode"], again.json()["code"]) == ("2002500", "duplicate_payment")
    assert len([r for r in desk.store.dump() if r.get("payment_request_id")]) == 1
    assert desk.row(admitted["admission_id"])["bill_status"] == "PAID"


async def test_a_bill_is_paid_once_a_second_payment_is_refused(desk: Desk) -> None:
    admitted = (await desk.admit("creator")).json()
    first = await _notify(desk, _note(desk, admitted, "PRQ0001"))
    assert first.json()["code"] == "payment_recorded"
    second = await _notify(desk, _note(desk, admitted, "PRQ0002"))
    assert second.status_code == 404, second.text
    assert (second.json()["responseCode"], second.json()["code"]) == (
        "4042514",
        "bill_already_paid",
    )
    assert admitted["admission_id"] in second.json()["message"]
    payments = [r for r in desk.store.dump() if r.get("payment_request_id")]
    assert [p["payment_request_id"] for p in payments] == ["PRQ0001"]


async def test_two_payments_of_one_bill_at_once_pay_it_once(desk: Desk) -> None:
    """Two notifications for the same bill, different payments, at the same moment."""
    admitted = (await desk.admit("creator")).json()
    answers = await asyncio.gather(
        *(_notify(desk, _note(desk, admitted, f"PRQ-RACE-{n}")) for n in range(4))
    )
    codes = sorted(a.json()["responseCode"] for a in answers)
    assert codes == ["2002500", "4042514", "4042514", "4042514"]
    payments = [r for r in desk.store.dump() if r.get("payment_request_id")]
    assert len(payments) == 1
    assert payments[0]["paid_amount"] == admitted["bill"]["amount"]
    assert desk.row(admitted["admission_id"])["bill_status"] == "PAID"


def test_the_store_marks_a_bill_paid_only_once(desk: Desk) -> None:
    """The check is in the UPDATE itself, so no interleaving can pay a bill twice."""
    now = desk.services.clock()
    admission_id = desk.store.new_admission(
        "20240301",
        {
            "staff_id": "FD-001",
            "hospital_code": "0301R001",
            "service": "outpatient",
            "status": "ADMITTED",
            "nik_last4": "0001",
            "amount": 1000,
            "bill_status": "UNPAID",
            "created_at": now,
            "updated_at": now,
        },
    )
    row = {"admission_id": admission_id, "paid_amount": 1000, "received_at": now}
    assert desk.store.record_payment({**row, "payment_request_id": "A"}, now)
    assert not desk.store.record_payment({**row, "payment_request_id": "B"}, now)
    assert desk.store.payment("B") is None


async def test_notification_with_bad_signature_is_refused(desk: Desk) -> None:
    admitted = (await desk.admit("creator")).json()
    forged = await _notify(desk, _note(desk, admitted), secret="not-the-secret")
    assert forged.status_code == 401
    assert (forged.json()["responseCode"], forged.json()["code"]) == (
        "4012500",
        "invalid_signature",
    )
    stranger = await _notify(desk, _note(desk, admitted), partner_id="88001")
    assert stranger.json()["code"] == "unknown_partner_id"
    stale = await _notify(desk, _note(desk, admitted), ts="2024-03-01T14:00:00+07:00")
    assert (stale.status_code, stale.json()["code"]) == (401, "invalid_timestamp")
    assert desk.row(admitted["admission_id"])["bill_status"] == "UNPAID"


async def test_notification_for_wrong_amount_or_unknown_va(desk: Desk) -> None:
    admitted = (await desk.admit("creator")).json()
    short = await _notify(desk, _note(desk, admitted, amount=1000))
    assert (short.status_code, short.json()["responseCode"]) == (404, "4042513")
    unknown = _note(desk, admitted)
    unknown["virtualAccountNo"] = "   7700199999999"
    missing = await _notify(desk, unknown)
    assert (missing.status_code, missing.json()["responseCode"]) == (404, "4042512")
    broken = _note(desk, admitted)
    del broken["paymentRequestId"]
    bad = await _notify(desk, broken)
    assert (bad.status_code, bad.json()["responseCode"]) == (400, "4002502")
    assert desk.row(admitted["admission_id"])["bill_status"] == "UNPAID"


async def test_health_and_openapi(desk: Desk) -> None:
    health = await desk.client.get("/health")
    assert health.json()["title"] == "SANDBOX Hospital Front Desk"
    spec = (await desk.client.get("/openapi.json")).json()
    assert "/api/v1/admissions" in spec["paths"]
    assert PAYMENT in spec["paths"]


async def test_reset_restores_the_seed(desk: Desk) -> None:
    assert (await desk.admit("creator")).status_code == 200
    desk.store.reset(seed_for("hospital", desk.world))
    assert desk.store.admission("ADM-20240301-000001") is None
    assert (await desk.admit("creator")).json()["admission_id"] == "ADM-20240301-000001"


# --- fakes for records and insurance (docs/contracts.md) ---------------------------------------


def fake_records(world: dict[str, Any]) -> FastAPI:
    """A tiny SATUSEHAT: token, Patient search/create, Encounter, Condition."""
    app = FastAPI()
    creds = world["partners"]["records"]["hospital"]
    patients = {p["nik"]: p["ihs_number"] for p in world["records"]["patients"]}
    counter = {"n": 0}

    def next_id(prefix: str) -> str:
        counter["n"] += 1
        return f"{prefix}-{counter['n']:04d}"

    def authorized(request: Request) -> bool:
        return request.headers.get("authorization") == "Bearer fake-records-token"

    @app.post("/oauth2/v1/accesstoken")
    async def token(request: Request) -> JSONResponse:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        if (
            form.get("client_id") != creds["client_id"]
            or form.get("client_secret") != creds["client_secret"]
        ):
            return JSONResponse({"code": "invalid_client"}, 401)
        return JSONResponse(
            {"access_token": "fake-records-token", "token_type": "Bearer", "expires_in": "3599"}
        )

    @app.get("/fhir-r4/v1/Patient")
    async def search(request: Request, identifier: str) -> JSONResponse:
        if not authorized(request):
            return JSONResponse({"code": "unauthorized"}, 401)
        nik = identifier.rsplit("|", 1)[-1]
        found = (
            [{"resource": {"resourceType": "Patient", "id": patients[nik]}}]
            if nik in patients
            else []
        )
        return JSONResponse(
            {"resourceType": "Bundle", "type": "searchset", "total": len(found), "entry": found}
        )

    @app.post("/fhir-r4/v1/{kind}")
    async def create(kind: str, request: Request) -> JSONResponse:
        if not authorized(request):
            return JSONResponse({"code": "unauthorized"}, 401)
        resource = await request.json()
        assert resource["resourceType"] == kind
        if kind == "Patient":
            new = next_id("P2")
            patients[resource["identifier"][0]["value"]] = new
            return JSONResponse({**resource, "id": new}, 201)
        if kind == "Encounter":
            assert resource["serviceProvider"]["reference"] == f"Organization/{creds['org_id']}"
        return JSONResponse({**resource, "id": next_id(kind[:3].upper())}, 201)

    return app


def fake_insurance(world: dict[str, Any]) -> FastAPI:
    """A tiny VClaim: eligibility by NIK and SEP insert."""
    app = FastAPI()
    creds = world["partners"]["insurance"]["hospital"]
    members = {m["nik"]: m for m in world["insurance"]["members"]}
    counter = {"n": 0}

    @app.get("/vclaim-rest/Peserta/nik/{nik}/tglSEP/{day}")
    async def peserta(nik: str, day: str, request: Request) -> JSONResponse:
        assert request.headers.get("x-cons-id") == creds["cons_id"]
        assert day == "2024-03-01"
        member = members.get(nik)
        if member is None:
            return JSONResponse(
                {
                    "metaData": {"code": "201", "message": "Peserta tidak ditemukan"},
                    "response": None,
                }
            )
        return JSONResponse(
            {
                "metaData": {"code": "200", "message": "OK"},
                "response": {
                    "peserta": {
                        "noKartu": member["card_no"],
                        "nama": member["name"],
                        "sex": member["sex"],
                        "hakKelas": member["class"],
                        "jenisPeserta": member["type"],
                        "statusPeserta": member["status"],
                        "provUmum": member["primary_care"],
                    }
                },
            }
        )

    @app.post("/vclaim-rest/SEP/2.0/insert")
    async def insert(request: Request) -> JSONResponse:
        t_sep = (await request.json())["request"]["t_sep"]
        assert t_sep["ppkPelayanan"] == creds["ppk_code"]
        counter["n"] += 1
        return JSONResponse(
            {
                "metaData": {"code": "200", "message": "OK"},
                "response": {
                    "sep": {
                        "noSep": f"{creds['ppk_code']}0324V{counter['n']:06d}",
                        "tglSep": t_sep["tglSep"],
                    }
                },
            }
        )

    return app


async def test_desk_works_against_the_contract_fakes(services: Services) -> None:
    desk = Desk(services, fakes=True)
    response = await desk.admit("patient")
    assert response.status_code == 200, response.text
    assert response.json()["insurance"]["sep_no"].startswith("0301R001")
    creator = await desk.admit("creator")
    assert creator.json()["bill"]["amount"] == _tariff(desk)


def test_clock_is_the_world_start(clock: FakeClock) -> None:
    assert timestamp(clock()) == "2024-03-01T15:00:00+07:00"
