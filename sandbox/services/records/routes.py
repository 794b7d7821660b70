"""The platform's endpoints: the token endpoint and the FHIR resources under `/fhir-r4/v1`.

Every FHIR endpoint knows the calling organization from its token. That is how the business rule
works: a facility may write visits only in its own name, and sees only its own visits.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from sandbox.dialects.consent_check import HEADER, QUOTED, ConsentChecker
from sandbox.dialects.fhir import RECORDS_TOKEN
from sandbox.framework.contract import secured
from sandbox.services.records import errors, resources, rules
from sandbox.services.records.auth import Organization, authenticate_org, issue_token
from sandbox.services.records.schemas import (
    AccessToken,
    ConditionCreate,
    EncounterCreate,
    PatientCreate,
)
from sandbox.services.records.store import RecordsStore

router = APIRouter()
fhir = APIRouter(prefix="/fhir-r4/v1", tags=["fhir"])
OrgDep = Annotated[Organization, Depends(authenticate_org)]


def _store(request: Request) -> RecordsStore:
    store: RecordsStore = request.app.state.store
    return store


def _now(request: Request) -> float:
    now: float = request.app.state.clock()
    return now


def _checked(check: Any, *args: Any) -> Any:
    """Run a rule; a refusal becomes a 400 OperationOutcome."""
    try:
        return check(*args)
    except rules.Problem as problem:
        raise errors.bad_request(problem.code, problem.message, problem.field) from None


# --- token -------------------------------------------------------------------------------------


@router.post(
    "/oauth2/v1/accesstoken",
    response_model=AccessToken,
    tags=["auth"],
    summary="Trade a facility's client credentials for a one-hour bearer token",
)
@secured(RECORDS_TOKEN)
async def access_token(
    request: Request,
    grant_type: Annotated[str | None, Query(max_length=40)] = None,
) -> dict[str, Any]:
    """Form fields `client_id` and `client_secret`; query `grant_type=client_credentials`."""
    request.app.state.partners.refresh()  # a facility registered a moment ago is known now
    return issue_token(_store(request), grant_type, await request.body(), _now(request))


async def _consented(request: Request, nik: str) -> None:
    """Every call about a person quotes her consent (`X-Consent-Id`), checked at the registry:
    health data is specific personal data (UU PDP 27/2022), processed only with her consent."""
    checker: ConsentChecker = request.app.state.consents
    verdict = await checker.check(request.headers.get(HEADER), nik)
    if not verdict.ok:
        raise errors.consent_refused(verdict.code, verdict.message)


async def _consented_for(request: Request, ihs_number: str) -> None:
    """The consent check for a call that names the patient by IHS number."""
    patient = _store(request).patient(ihs_number)
    if patient is not None:
        await _consented(request, patient["nik"])


# --- Patient -----------------------------------------------------------------------------------


@fhir.get("/Patient", summary="Find a patient by NIK (minimal demographics only)")
@secured(QUOTED)
async def search_patient(
    org: OrgDep,
    request: Request,
    identifier: Annotated[str | None, Query(max_length=120)] = None,
) -> dict[str, Any]:
    """`identifier=https://fhir.kemkes.go.id/id/nik|{nik}` -> a searchset Bundle (total 0 or 1)."""
    if identifier is None:
        raise errors.bad_request(
            "missing_field",
            f"Search needs identifier={rules.NIK_SYSTEM}|<16-digit NIK>.",
            field="identifier",
        )
    nik = _checked(rules.nik_from_search, identifier)
    await _consented(request, nik)
    row = _store(request).patient_by_nik(nik)
    return resources.bundle("Patient", [resources.patient(row)] if row else [])


@fhir.post("/Patient", status_code=201, summary="Register a patient known by NIK")
@secured(QUOTED)
async def create_patient(body: PatientCreate, org: OrgDep, request: Request) -> dict[str, Any]:
    """The platform gives the NIK its IHS number; one NIK has only one (else 409).

    Any address or phone in the body is ignored: the platform keeps minimal demographics.
    """
    store, now = _store(request), _now(request)
    niks = [i.value for i in body.identifier if i.system == rules.NIK_SYSTEM]
    if len(niks) != 1:
        raise errors.bad_request(
            "invalid_identifier",
            f"identifier must hold exactly one entry with system {rules.NIK_SYSTEM}.",
            field="identifier",
        )
    nik = _checked(rules.check_nik, niks[0])
    _check_birth_date(body.birth_date, now)
    await _consented(request, nik)
    row = store.add_patient(
        nik=nik, name=body.name[0].text, birth_date=body.birth_date, gender=body.gender, now=now
    )
    if row is None:
        raise errors.conflict(
            "duplicate_patient",
            "This NIK already has an IHS number; find it with "
            "GET /fhir-r4/v1/Patient?identifier=...",
            field="identifier",
        )
    return resources.patient(row)


def _check_birth_date(value: str, now: float) -> None:
    try:
        born = date.fromisoformat(value)
    except ValueError:
        born = None
    if born is None or born.isoformat() > rules.instant(now)[:10]:
        raise errors.bad_request(
            "invalid_field", "birthDate must be a real date, not in the future.", "birthDate"
        )


# --- Encounter ---------------------------------------------------------------------------------


@fhir.post("/Encounter", status_code=201, summary="Open a visit at your own facility")
@secured(QUOTED)
async def create_encounter(body: EncounterCreate, org: OrgDep, request: Request) -> dict[str, Any]:
    """Checks in order: well-formed (400), the patient exists (404), it is your facility (403),
    the visit number is new (409)."""
    store, now = _store(request), _now(request)
    patient_id = _checked(rules.reference_id, body.subject.reference, "Patient", "subject")
    provider_id = _checked(
        rules.reference_id, body.service_provider.reference, "Organization", "serviceProvider"
    )
    history = [entry.status for entry in body.status_history]
    problem = rules.status_history_problem(body.status, history)
    if problem:
        raise errors.bad_request("invalid_status_history", problem, field="statusHistory")
    _checked(rules.parse_instant, body.period.start, "period.start")
    for n, entry in enumerate(body.status_history):
        _checked(rules.parse_instant, entry.period.start, f"statusHistory[{n}].period.start")
    if store.patient(patient_id) is None:
        raise errors.not_found(
            "patient_not_found",
            f"No Patient/{patient_id}; find or create the patient first.",
            field="subject",
        )
    await _consented_for(request, patient_id)
    # The business rule: a facility writes visits only in its own name and numbering.
    if provider_id != org.org_id:
        raise errors.business_rule(field="serviceProvider")
    values = [i.value for i in body.identifier if i.system == rules.encounter_system(org.org_id)]
    if any(i.system.startswith(rules.ENCOUNTER_SYSTEM) for i in body.identifier) and not values:
        raise errors.business_rule(field="identifier")
    if len(values) != 1:
        raise errors.bad_request(
            "invalid_identifier",
            f"identifier must hold one entry with system {rules.encounter_system(org.org_id)} "
            "(your own visit number).",
            field="identifier",
        )
    if store.encounter_by_identifier(org.org_id, values[0]) is not None:
        raise errors.conflict(
            "duplicate_encounter",
            f"Your facility already recorded visit number {values[0]!r}.",
            field="identifier",
        )
    row = store.add_encounter(
        {
            "ihs_number": patient_id,
            "org_id": org.org_id,
            "identifier_value": values[0],
            "status": body.status,
            "class_code": body.class_.code,
            "period_start": body.period.start,
            "period_end": body.period.end,
            "participant": [
                p.model_dump(by_alias=True, exclude_none=True) for p in body.participant
            ],
            "status_history": [
                e.model_dump(by_alias=True, exclude_none=True) for e in body.status_history
            ],
        },
        now,
    )
    return resources.encounter(row)


@fhir.get("/Encounter", summary="Your facility's visits of one patient")
@secured(QUOTED)
async def search_encounters(
    org: OrgDep,
    request: Request,
    subject: Annotated[str | None, Query(max_length=100)] = None,
) -> dict[str, Any]:
    """`subject={ihs_number}` (or `Patient/{ihs_number}`). Other facilities' visits never show."""
    if not subject:
        raise errors.bad_request(
            "missing_field", "Search needs subject=<IHS number of the patient>.", field="subject"
        )
    patient_id = subject.removeprefix("Patient/")
    await _consented_for(request, patient_id)
    rows = _store(request).encounters_of(patient_id, org.org_id)
    return resources.bundle("Encounter", [resources.encounter(r) for r in rows])


@fhir.get("/Encounter/{encounter_id}", summary="One of your facility's visits")
async def read_encounter(
    encounter_id: Annotated[str, Path(max_length=40)], org: OrgDep, request: Request
) -> dict[str, Any]:
    """Another facility's visit is refused with the business-rule OperationOutcome."""
    row = _store(request).encounter(encounter_id)
    if row is None:
        raise errors.not_found("encounter_not_found", f"No Encounter/{encounter_id}.")
    if row["org_id"] != org.org_id:
        raise errors.business_rule()
    return resources.encounter(row)


# --- Condition ---------------------------------------------------------------------------------


@fhir.post("/Condition", status_code=201, summary="Record the diagnosis of one of your visits")
@secured(QUOTED)
async def create_condition(body: ConditionCreate, org: OrgDep, request: Request) -> dict[str, Any]:
    """Exactly one ICD-10 coding; the Encounter must be one of your facility's."""
    store, now = _store(request), _now(request)
    codings = [(c.system, c.code) for c in body.code.coding]
    icd10 = _checked(rules.icd10_code, codings)
    patient_id = _checked(rules.reference_id, body.subject.reference, "Patient", "subject")
    encounter_id = _checked(rules.reference_id, body.encounter.reference, "Encounter", "encounter")
    encounter = store.encounter(encounter_id)
    if encounter is None:
        raise errors.not_found(
            "encounter_not_found", f"No Encounter/{encounter_id}.", field="encounter"
        )
    if encounter["org_id"] != org.org_id:
        raise errors.business_rule(field="encounter")
    if encounter["ihs_number"] != patient_id:
        raise errors.bad_request(
            "subject_mismatch",
            f"Encounter/{encounter_id} is a visit of Patient/{encounter['ihs_number']}, "
            f"not Patient/{patient_id}.",
            field="subject",
        )
    await _consented_for(request, patient_id)
    row = store.add_condition(
        encounter_id=encounter_id,
        ihs_number=patient_id,
        org_id=org.org_id,
        icd10=icd10,
        display=body.code.coding[0].display,
        now=now,
    )
    return resources.condition(row)


router.include_router(fhir)
