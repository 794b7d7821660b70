"""The health-records platform over HTTP: tokens, Patient, Encounter, Condition, business rules."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from sandbox.dialects.fhir import RecordsAuth
from sandbox.framework.service import ServiceEnv
from sandbox.runtime.seeding import partner_ids, seed_for
from sandbox.services.identity import create_app as create_identity
from sandbox.services.records import create_app
from sandbox.services.records.store import RecordsStore
from sandbox.trace.events import HttpCall
from sandbox.wire import Wire
from sandbox.wire.faults import Fault
from tests.conftest import FakeClock
from tests.services.consent_helpers import grant_at

NIK_SYSTEM = "https://fhir.kemkes.go.id/id/nik"
AGUS = {"ihs": "P10000000001", "nik": "9972013005720001", "name": "AGUS PRATAMA"}
"""The first seeded patient; seeded Encounter E00000001 (A09) is his visit at org 10000001."""
NEW_NIK = "9971015403960077"
OTHER = {
    "client_id": "klinik-lain-0001",
    "client_secret": "other-secret-0123456789",
    "org_id": "10000002",
    "org_name": "Klinik Lain",
}
"""A second facility, onboarded in the test by adding it to the seed slice's accepts."""
TOKEN_PATH = "/oauth2/v1/accesstoken?grant_type=client_credentials"


@dataclass
class Records:
    """The records app alone on a wire, with a fake clock and both facilities' credentials."""

    app: Any
    wire: Wire
    clock: FakeClock
    seed: dict[str, Any]
    calls: list[HttpCall]

    def client(self, caller: str = "hospital") -> httpx.AsyncClient:
        return self.wire.client(caller, "records")

    consents: dict[str, str]
    """The patient's approved consent per NIK (granted at the real registry on this wire)."""

    def auth(self, caller: str = "hospital", nik: str | None = None) -> QuotingAuth:
        """The facility's credentials, quoting the consent of `nik` (default: AGUS)."""
        creds = self.seed["accepts"][caller]
        return QuotingAuth(
            creds["client_id"],
            creds["client_secret"],
            self.clock,
            self.consents.get(nik or AGUS["nik"]),
        )

    @property
    def store(self) -> RecordsStore:
        store: RecordsStore = self.app.state.store
        return store


class QuotingAuth(RecordsAuth):
    """RecordsAuth that also quotes a consent in X-Consent-Id, as the desk does."""

    def __init__(self, client_id: str, secret: str, clock: Any, consent: str | None) -> None:
        super().__init__(client_id, secret, clock)
        self.consent = consent

    def auth_flow(self, request: httpx.Request) -> Any:
        if self.consent:
            request.headers["X-Consent-Id"] = self.consent
        return super().auth_flow(request)


@pytest.fixture
async def records(world: dict[str, Any], clock: FakeClock) -> AsyncIterator[Records]:
    seed = copy.deepcopy(seed_for("records", world))
    seed["accepts"]["other"] = dict(OTHER)
    calls: list[HttpCall] = []
    wire = Wire(recorder=calls.append, clock=clock, partner_ids=partner_ids(world))
    app = create_app(ServiceEnv("records", wire, seed))
    wire.mount("records", app)
    # The real registry, where the patients approve the hospital's consent requests.
    registry = create_identity(ServiceEnv("identity", wire, seed_for("identity", world)))
    wire.mount("identity", registry)
    consents = {nik: await grant_at(wire, world, registry, nik) for nik in (AGUS["nik"], NEW_NIK)}
    calls.clear()
    yield Records(app, wire, clock, seed, calls, consents)
    await wire.aclose()


def _outcome(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Assert an OperationOutcome error and return its body."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["code"] == code
    assert body["issue"][0]["severity"] == "error"
    assert body["issue"][0]["diagnostics"] == body["message"]
    return body


def _encounter_body(
    patient: str = AGUS["ihs"], org_id: str = "10000001", number: str = "ADM-1", **over: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "resourceType": "Encounter",
        "identifier": [
            {"system": f"http://sys-ids.kemkes.go.id/encounter/{org_id}", "value": number}
        ],
        "status": "in-progress",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
        "subject": {"reference": f"Patient/{patient}"},
        "participant": [{"individual": {"reference": "Practitioner/N10000001"}}],
        "period": {"start": "2024-03-01T08:00:00+00:00"},
        "statusHistory": [
            {"status": "arrived", "period": {"start": "2024-03-01T08:00:00+00:00"}},
            {"status": "in-progress", "period": {"start": "2024-03-01T08:10:00+00:00"}},
        ],
        "serviceProvider": {"reference": f"Organization/{org_id}"},
    }
    body.update(over)
    return body


def _condition_body(
    encounter: str = "E00000001", patient: str = AGUS["ihs"], icd10: str = "J06.9", **over: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "resourceType": "Condition",
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": icd10}]},
        "subject": {"reference": f"Patient/{patient}"},
        "encounter": {"reference": f"Encounter/{encounter}"},
    }
    body.update(over)
    return body


def _patient_body(nik: str = NEW_NIK, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "resourceType": "Patient",
        "identifier": [{"use": "official", "system": NIK_SYSTEM, "value": nik}],
        "name": [{"text": "SARI CONTOH"}],
        "gender": "female",
        "birthDate": "1996-03-14",
    }
    body.update(over)
    return body


async def _token(records: Records, caller: str = "hospital", **form: str) -> httpx.Response:
    creds = records.seed["accepts"][caller]
    data = {"client_id": creds["client_id"], "client_secret": creds["client_secret"], **form}
    return await records.client().post(TOKEN_PATH, data=data)


async def _bearer(records: Records, caller: str = "hospital") -> dict[str, str]:
    response = await _token(records, caller)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


# --- health and token --------------------------------------------------------------------------


async def test_health_says_sandbox(records: Records) -> None:
    response = await records.client().get("/health")
    assert response.json() == {
        "status": "ok",
        "service": "records",
        "title": "SANDBOX Rekam Medis",
        "sandbox": True,
    }


async def test_token_issued_for_known_client(records: Records) -> None:
    response = await _token(records)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == "3599"
    assert body["issued_at"] == str(int(records.clock.now * 1000))
    assert body["organization_name"] == "RSUD Sukamaju"
    assert len(body["access_token"]) >= 32


async def test_token_wrong_secret_is_401(records: Records) -> None:
    response = await _token(records, client_secret="not-the-secret")
    body = _outcome(response, 401, "invalid_client")
    assert body["issue"][0]["code"] == "login"


async def test_token_unknown_client_is_401(records: Records) -> None:
    response = await _token(records, client_id="nobody")
    _outcome(response, 401, "invalid_client")


async def test_token_missing_fields_and_grant_type(records: Records) -> None:
    missing = await records.client().post(TOKEN_PATH, data={"client_id": "x"})
    _outcome(missing, 401, "missing_credentials")
    creds = records.seed["accepts"]["hospital"]
    no_grant = await records.client().post(
        "/oauth2/v1/accesstoken",
        data={"client_id": creds["client_id"], "client_secret": creds["client_secret"]},
    )
    _outcome(no_grant, 400, "unsupported_grant_type")


async def test_token_expires_after_an_hour(records: Records) -> None:
    headers = {**await _bearer(records), "X-Consent-Id": records.consents[AGUS["nik"]]}
    client = records.client()
    url = f"/fhir-r4/v1/Patient?identifier={NIK_SYSTEM}|{AGUS['nik']}"
    records.clock.advance(3599)
    assert (await client.get(url, headers=headers)).status_code == 200
    records.clock.advance(1)
    body = _outcome(await client.get(url, headers=headers), 401, "expired_access_token")
    assert body["issue"][0]["code"] == "expired"


async def test_fhir_needs_a_known_bearer_token(records: Records) -> None:
    client = records.client()
    url = f"/fhir-r4/v1/Patient?identifier={NIK_SYSTEM}|{AGUS['nik']}"
    _outcome(await client.get(url), 401, "missing_access_token")
    bad = {"Authorization": "Bearer made-up-token"}
    _outcome(await client.get(url, headers=bad), 401, "invalid_access_token")


# --- RecordsAuth (client side) -----------------------------------------------------------------


async def test_records_auth_caches_and_refreshes_the_token(records: Records) -> None:
    client, auth = records.client(), records.auth()
    url = f"/fhir-r4/v1/Patient?identifier={NIK_SYSTEM}|{AGUS['nik']}"
    for _ in range(2):
        assert (await client.get(url, auth=auth)).status_code == 200
    tokens = [c for c in records.calls if c.path.startswith("/oauth2/")]
    assert len(tokens) == 1  # cached between the two calls
    records.clock.advance(3600)  # past expiry: fetched again before the call
    assert (await client.get(url, auth=auth)).status_code == 200
    assert len([c for c in records.calls if c.path.startswith("/oauth2/")]) == 2


async def test_records_auth_refetches_once_when_token_is_refused(records: Records) -> None:
    client, auth = records.client(), records.auth()
    url = f"/fhir-r4/v1/Patient?identifier={NIK_SYSTEM}|{AGUS['nik']}"
    assert (await client.get(url, auth=auth)).status_code == 200
    records.store.reset(records.seed)  # the platform forgets every token
    response = await client.get(url, auth=auth)
    assert response.status_code == 200
    statuses = [(c.path.split("?")[0], c.status) for c in records.calls]
    assert statuses[-3:] == [
        ("/fhir-r4/v1/Patient", 401),
        ("/oauth2/v1/accesstoken", 200),
        ("/fhir-r4/v1/Patient", 200),
    ]


async def test_records_auth_wrong_secret_surfaces_the_401(records: Records) -> None:
    auth = RecordsAuth(OTHER["client_id"], "wrong", records.clock)
    response = await records.client().get(
        f"/fhir-r4/v1/Patient?identifier={NIK_SYSTEM}|{AGUS['nik']}", auth=auth
    )
    _outcome(response, 401, "invalid_client")


# --- Patient -----------------------------------------------------------------------------------


async def test_patient_search_returns_minimal_masked_patient(records: Records) -> None:
    response = await records.client().get(
        "/fhir-r4/v1/Patient",
        params={"identifier": f"{NIK_SYSTEM}|{AGUS['nik']}"},
        auth=records.auth(),
    )
    assert response.status_code == 200
    bundle = response.json()
    assert (bundle["resourceType"], bundle["type"], bundle["total"]) == ("Bundle", "searchset", 1)
    patient = bundle["entry"][0]["resource"]
    assert patient["id"] == AGUS["ihs"]
    assert patient["identifier"][0] == {
        "use": "official",
        "system": NIK_SYSTEM,
        "value": "************0001",
    }
    assert patient["name"][0]["text"] == AGUS["name"]
    assert (patient["gender"], patient["birthDate"]) == ("male", "1972-05-30")
    assert set(patient) == {"resourceType", "id", "identifier", "name", "gender", "birthDate"}
    assert AGUS["nik"] not in response.text


async def test_patient_search_no_match_is_empty_bundle(records: Records) -> None:
    response = await records.client().get(
        "/fhir-r4/v1/Patient",
        params={"identifier": f"{NIK_SYSTEM}|{NEW_NIK}"},
        auth=records.auth(nik=NEW_NIK),
    )
    assert response.status_code == 200
    assert response.json() == {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": 0,
        "entry": [],
    }


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "missing_field"),
        ({"identifier": AGUS["nik"]}, "invalid_identifier"),
        ({"identifier": f"http://other/system|{AGUS['nik']}"}, "invalid_identifier"),
        ({"identifier": f"{NIK_SYSTEM}|12345"}, "invalid_nik"),
        ({"identifier": "x" * 500}, "invalid_field"),
    ],
)
async def test_patient_search_bad_identifier_is_400(
    records: Records, params: dict[str, str], code: str
) -> None:
    response = await records.client().get("/fhir-r4/v1/Patient", params=params, auth=records.auth())
    _outcome(response, 400, code)


async def test_patient_create_gives_next_ihs_number(records: Records) -> None:
    client, auth = records.client(), records.auth(nik=NEW_NIK)
    body = _patient_body(address=[{"text": "Jl. Melati 1"}], telecom=[{"value": "0812"}])
    response = await client.post("/fhir-r4/v1/Patient", json=body, auth=auth)
    assert response.status_code == 201, response.text
    patient = response.json()
    assert patient["id"] == "P10000000078"  # 77 seeded patients
    assert patient["identifier"][0]["value"] == "************0077"
    assert "address" not in patient and "telecom" not in patient
    found = await client.get(
        "/fhir-r4/v1/Patient", params={"identifier": f"{NIK_SYSTEM}|{NEW_NIK}"}, auth=auth
    )
    assert found.json()["entry"][0]["resource"]["id"] == "P10000000078"
    stored = records.store.patient("P10000000078")
    assert stored is not None and "address" not in stored and "phone" not in stored


async def test_patient_create_same_nik_is_409(records: Records) -> None:
    response = await records.client().post(
        "/fhir-r4/v1/Patient", json=_patient_body(nik=AGUS["nik"]), auth=records.auth()
    )
    body = _outcome(response, 409, "duplicate_patient")
    assert body["issue"][0]["code"] == "duplicate"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"identifier": [{"system": "http://x", "value": NEW_NIK}]}, "invalid_identifier"),
        ({"identifier": [{"system": NIK_SYSTEM, "value": "99"}]}, "invalid_nik"),
        ({"gender": "unknown"}, "invalid_field"),
        ({"birthDate": "2099-01-01"}, "invalid_field"),
        ({"birthDate": "1996-02-31"}, "invalid_field"),
        ({"resourceType": "Encounter"}, "invalid_field"),
        ({"name": []}, "invalid_field"),
    ],
)
async def test_patient_create_bad_body_is_400(
    records: Records, change: dict[str, Any], code: str
) -> None:
    response = await records.client().post(
        "/fhir-r4/v1/Patient", json=_patient_body(**change), auth=records.auth()
    )
    _outcome(response, 400, code)


async def test_patient_create_missing_field_is_required_issue(records: Records) -> None:
    body = _patient_body()
    del body["birthDate"]
    response = await records.client().post("/fhir-r4/v1/Patient", json=body, auth=records.auth())
    outcome = _outcome(response, 400, "missing_field")
    assert outcome["issue"][0]["code"] == "required"


# --- Encounter ---------------------------------------------------------------------------------


async def test_encounter_create_and_search(records: Records) -> None:
    client, auth = records.client(), records.auth()
    response = await client.post("/fhir-r4/v1/Encounter", json=_encounter_body(), auth=auth)
    assert response.status_code == 201, response.text
    encounter = response.json()
    assert encounter["id"] == "E00000062"  # 61 seeded encounters
    assert encounter["serviceProvider"] == {"reference": "Organization/10000001"}
    assert [s["status"] for s in encounter["statusHistory"]] == ["arrived", "in-progress"]
    found = await client.get("/fhir-r4/v1/Encounter", params={"subject": AGUS["ihs"]}, auth=auth)
    ids = [e["resource"]["id"] for e in found.json()["entry"]]
    assert ids == ["E00000001", "E00000062"]


async def test_encounter_search_shows_only_own_organization(records: Records) -> None:
    other = records.auth("other")
    client = records.client()
    empty = await client.get("/fhir-r4/v1/Encounter", params={"subject": AGUS["ihs"]}, auth=other)
    assert empty.json()["total"] == 0
    body = _encounter_body(org_id=OTHER["org_id"], number="KL-1")
    assert (await client.post("/fhir-r4/v1/Encounter", json=body, auth=other)).status_code == 201
    mine = await client.get("/fhir-r4/v1/Encounter", params={"subject": AGUS["ihs"]}, auth=other)
    assert [e["resource"]["id"] for e in mine.json()["entry"]] == ["E00000062"]
    hospital = await client.get(
        "/fhir-r4/v1/Encounter", params={"subject": f"Patient/{AGUS['ihs']}"}, auth=records.auth()
    )
    assert [e["resource"]["id"] for e in hospital.json()["entry"]] == ["E00000001"]


async def test_encounter_search_needs_subject(records: Records) -> None:
    response = await records.client().get("/fhir-r4/v1/Encounter", auth=records.auth())
    _outcome(response, 400, "missing_field")


async def test_encounter_for_another_organization_is_403(records: Records) -> None:
    # The other facility writes a visit in the hospital's name.
    response = await records.client().post(
        "/fhir-r4/v1/Encounter", json=_encounter_body(), auth=records.auth("other")
    )
    body = _outcome(response, 403, "business_rule")
    assert body["message"] == "resource cannot be accessed due to business rule"
    assert body["issue"][0]["code"] == "business-rule"


async def test_encounter_numbered_in_another_organization_system_is_403(records: Records) -> None:
    body = _encounter_body(org_id=OTHER["org_id"])
    body["identifier"][0]["system"] = "http://sys-ids.kemkes.go.id/encounter/10000001"
    response = await records.client().post(
        "/fhir-r4/v1/Encounter", json=body, auth=records.auth("other")
    )
    _outcome(response, 403, "business_rule")


async def test_read_another_organizations_encounter_is_403(records: Records) -> None:
    client = records.client()
    mine = await client.get("/fhir-r4/v1/Encounter/E00000001", auth=records.auth())
    assert mine.status_code == 200 and mine.json()["subject"]["reference"] == "Patient/P10000000001"
    theirs = await client.get("/fhir-r4/v1/Encounter/E00000001", auth=records.auth("other"))
    _outcome(theirs, 403, "business_rule")
    _outcome(
        await client.get("/fhir-r4/v1/Encounter/E99", auth=records.auth()),
        404,
        "encounter_not_found",
    )


async def test_encounter_unknown_patient_is_404(records: Records) -> None:
    response = await records.client().post(
        "/fhir-r4/v1/Encounter", json=_encounter_body(patient="P19999999999"), auth=records.auth()
    )
    _outcome(response, 404, "patient_not_found")


async def test_encounter_duplicate_number_is_409(records: Records) -> None:
    client, auth = records.client(), records.auth()
    assert (
        await client.post("/fhir-r4/v1/Encounter", json=_encounter_body(), auth=auth)
    ).status_code == 201
    again = await client.post("/fhir-r4/v1/Encounter", json=_encounter_body(), auth=auth)
    _outcome(again, 409, "duplicate_encounter")


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"status": "planned"}, "invalid_field"),
        ({"status": "finished"}, "invalid_status_history"),
        ({"statusHistory": []}, "invalid_field"),
        (
            {
                "statusHistory": [
                    {"status": "in-progress", "period": {"start": "2024-03-01T08:00:00+00:00"}},
                    {"status": "arrived", "period": {"start": "2024-03-01T08:10:00+00:00"}},
                ]
            },
            "invalid_status_history",
        ),
        ({"period": {"start": "yesterday"}}, "invalid_datetime"),
        ({"period": {"start": "2024-03-01T08:00:00"}}, "invalid_datetime"),
        ({"subject": {"reference": "P10000000001"}}, "invalid_reference"),
        ({"serviceProvider": {"reference": "Organization/"}}, "invalid_reference"),
        (
            {"identifier": [{"system": "http://example.org/visits", "value": "1"}]},
            "invalid_identifier",
        ),
        ({"participant": []}, "invalid_field"),
        ({"class": "AMB"}, "invalid_field"),
    ],
)
async def test_encounter_bad_body_is_400(
    records: Records, change: dict[str, Any], code: str
) -> None:
    response = await records.client().post(
        "/fhir-r4/v1/Encounter", json=_encounter_body(**change), auth=records.auth()
    )
    _outcome(response, 400, code)


# --- Condition ---------------------------------------------------------------------------------


async def test_condition_create_on_own_encounter(records: Records) -> None:
    response = await records.client().post(
        "/fhir-r4/v1/Condition", json=_condition_body(icd10="A09"), auth=records.auth()
    )
    assert response.status_code == 201, response.text
    condition = response.json()
    assert condition["id"] == "C00000062"
    assert condition["code"]["coding"] == [
        {"system": "http://hl7.org/fhir/sid/icd-10", "code": "A09"}
    ]
    assert condition["encounter"] == {"reference": "Encounter/E00000001"}
    assert [c["icd10"] for c in records.store.conditions_of("E00000001")] == ["A09", "A09"]


async def test_condition_on_another_organizations_encounter_is_403(records: Records) -> None:
    response = await records.client().post(
        "/fhir-r4/v1/Condition", json=_condition_body(), auth=records.auth("other")
    )
    body = _outcome(response, 403, "business_rule")
    assert body["message"] == "resource cannot be accessed due to business rule"
    assert records.store.count("conditions") == 61


async def test_condition_unknown_encounter_is_404(records: Records) -> None:
    response = await records.client().post(
        "/fhir-r4/v1/Condition", json=_condition_body(encounter="E99999999"), auth=records.auth()
    )
    _outcome(response, 404, "encounter_not_found")


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"code": {"coding": []}}, "invalid_field"),
        (
            {
                "code": {
                    "coding": [
                        {"system": "http://hl7.org/fhir/sid/icd-10", "code": "A09"},
                        {"system": "http://hl7.org/fhir/sid/icd-10", "code": "J06.9"},
                    ]
                }
            },
            "invalid_coding",
        ),
        (
            {"code": {"coding": [{"system": "http://snomed.info/sct", "code": "A09"}]}},
            "invalid_coding",
        ),
        (
            {"code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "flu"}]}},
            "invalid_icd10",
        ),
        ({"subject": {"reference": "Patient/P10000000002"}}, "subject_mismatch"),
        ({"encounter": {"reference": "Visit/E00000001"}}, "invalid_reference"),
    ],
)
async def test_condition_bad_body_is_400(
    records: Records, change: dict[str, Any], code: str
) -> None:
    response = await records.client().post(
        "/fhir-r4/v1/Condition", json=_condition_body(**change), auth=records.auth()
    )
    _outcome(response, 400, code)


# --- bad input never 5xx, reset ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/fhir-r4/v1/Patient", "/fhir-r4/v1/Encounter", "/fhir-r4/v1/Condition"]
)
@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not json",
        b"[]",
        b"null",
        b'{"resourceType": 5}',
        b'{"identifier": "x"}',
        b'{"resourceType": "Patient", "identifier": [{}], "name": [{"text": null}]}',
    ],
)
async def test_bad_input_is_4xx_operation_outcome(
    records: Records, path: str, content: bytes
) -> None:
    response = await records.client().post(
        path, content=content, headers={"Content-Type": "application/json"}, auth=records.auth()
    )
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["resourceType"] == "OperationOutcome"


async def test_unknown_route_is_operation_outcome(records: Records) -> None:
    response = await records.client().get("/fhir-r4/v1/Observation", auth=records.auth())
    _outcome(response, 404, "not_found")


async def test_reset_restores_the_seed(records: Records) -> None:
    client, auth = records.client(), records.auth()
    await client.post("/fhir-r4/v1/Patient", json=_patient_body(), auth=records.auth(nik=NEW_NIK))
    await client.post("/fhir-r4/v1/Encounter", json=_encounter_body(), auth=auth)
    await client.post("/fhir-r4/v1/Condition", json=_condition_body(), auth=auth)
    assert records.store.count("patients") == 78
    records.store.reset(records.seed)
    counts = [records.store.count(t) for t in ("patients", "encounters", "conditions", "tokens")]
    assert counts == [77, 61, 61, 0]
    assert records.store.patient_by_nik(NEW_NIK) is None
    again = await client.post(
        "/fhir-r4/v1/Patient", json=_patient_body(), auth=records.auth(nik=NEW_NIK)
    )
    assert again.json()["id"] == "P10000000078"


# --- consent quoted by the desk (X-Consent-Id), checked at the registry -------------------------


@pytest.mark.parametrize(
    ("consent", "code"),
    [
        (None, "consent_missing"),
        ("CNS-20240301-999999", "consent_not_found"),
        ("CNS-\u202e", "consent_not_found"),
        ("x" * 41, "consent_not_found"),
    ],
)
async def test_a_call_about_a_patient_needs_her_consent(
    records: Records, consent: str | None, code: str
) -> None:
    auth = records.auth()
    auth.consent = consent
    url = f"/fhir-r4/v1/Patient?identifier={NIK_SYSTEM}|{AGUS['nik']}"
    body = _outcome(await records.client().get(url, auth=auth), 403, code)
    assert body["issue"][0]["expression"] == ["X-Consent-Id"]


async def test_another_patients_consent_does_not_cover_him(records: Records) -> None:
    url = f"/fhir-r4/v1/Patient?identifier={NIK_SYSTEM}|{AGUS['nik']}"
    response = await records.client().get(url, auth=records.auth(nik=NEW_NIK))
    _outcome(response, 403, "consent_nik_mismatch")


async def test_a_revoked_consent_is_refused_once_the_short_cache_ends(records: Records) -> None:
    url = f"/fhir-r4/v1/Patient?identifier={NIK_SYSTEM}|{AGUS['nik']}"
    assert (await records.client().get(url, auth=records.auth())).status_code == 200
    registry = records.wire._apps["identity"].state.store
    registry.people.revoke(records.consents[AGUS["nik"]], AGUS["nik"], records.clock())
    records.clock.advance(5)
    _outcome(await records.client().get(url, auth=records.auth()), 403, "consent_revoked")


async def test_a_registry_that_cannot_answer_is_no_consent(records: Records) -> None:
    records.wire.set_fault("identity", Fault(offline=True))
    url = f"/fhir-r4/v1/Patient?identifier={NIK_SYSTEM}|{AGUS['nik']}"
    _outcome(await records.client().get(url, auth=records.auth()), 403, "consent_unverifiable")
