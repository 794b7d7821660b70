"""One action at the desk, four institutions behind it: the admission flow.

The order matters and is part of the lesson:
0. consent: the desk asks the registry to put a consent request before the patient; she
   approves it in her IKD app. Until then the admission is AWAITING_CONSENT (202) and nobody
   is asked anything about her; her approval (a webhook, `consents.py`) runs steps 1-4, each
   quoting the consent (`clients.consent_reference`).
1. identity: verify with the consent. If the registry does not confirm the patient, stop - no
   record, no insurance check and no bill may be made for someone we could not identify.
2. records: find the patient by NIK (create when new), open an Encounter, add the Condition.
3. insurance: eligibility for today; an active member gets an SEP and pays nothing at the desk,
   unless the patient asked for a higher inpatient class ("naik kelas",
   `rules.upgrade_problem`): the SEP notes it, and the patient pays the difference.
4. bank: a closed virtual account for what the patient pays (the tariff when not covered, the
   difference of a higher class when covered).

After every step the admission row is updated with the *reference* it produced (an IHS number,
an encounter id, an SEP number, a VA number). If a back end fails, the row already says what
exists, so the desk can tell the clerk exactly what was done and what was not.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sandbox.framework.errors import ApiError
from sandbox.services.hospital import errors, rules
from sandbox.services.hospital.clients import (
    BackendFailure,
    Billing,
    ConsentRefused,
    Insurer,
    InvalidNik,
    Records,
    Registry,
    consent_reference,
)
from sandbox.services.hospital.schemas import AdmissionRequest
from sandbox.services.hospital.store import HospitalStore

STEPS = ("identity", "records", "insurance", "bank")


class UpgradeRefused(Exception):
    """The patient asked for a class the rules do not allow (the message says which rule)."""


@dataclass(frozen=True, slots=True)
class Desk:
    """Everything the admission flow needs: store, clock, back-end clients, the facility."""

    store: HospitalStore
    clock: Callable[[], float]
    registry: Registry
    records: Records
    insurer: Insurer
    billing: Billing
    hospital: Mapping[str, Any]
    """This facility's row of the seed: code, name, tariff per service."""


async def admit(
    desk: Desk,
    body: AdmissionRequest,
    staff: Mapping[str, str],
    idempotency_key: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """Run the whole admission; the stored admission row (references only), and whether it is
    the answer to an earlier request (a replay).

    With an Idempotency-Key, a retry of the same request never makes a second admission or a
    second bill: a finished admission is answered again, one a back end stopped is resumed
    where it stopped (what exists is reused), one still running is a 409.
    """
    _check(body)
    key = idempotency_key
    fingerprint = rules.request_fingerprint(body.model_dump(mode="json")) if key else None
    first = desk.store.admission_by_key(staff["staff_id"], key) if key else None
    if first is None:
        now = desk.clock()
        try:
            admission_id = desk.store.new_admission(
                rules.wib_day(now),
                {
                    "staff_id": staff["staff_id"],
                    "hospital_code": desk.hospital["code"],
                    "service": body.service,
                    "status": "AWAITING_CONSENT",
                    "nik_last4": body.nik[-4:],
                    "amount": 0,
                    "bill_status": "NONE",
                    "idempotency_key": key,
                    "request_fingerprint": fingerprint,
                    "created_at": now,
                    "updated_at": now,
                },
            )
        except sqlite3.IntegrityError:  # the same key, sent twice at the same moment
            first = desk.store.admission_by_key(staff["staff_id"], key) if key else None
            if first is None:
                raise
        else:
            return await _ask_consent(desk, admission_id, body), False
    assert key is not None
    return await _retried(desk, first, body, staff, key, fingerprint)


def _check(body: AdmissionRequest) -> None:
    """Refuse, before anyone is asked, what no back end could make right."""
    if not body.consent:
        raise errors.bad_request(
            "consent_required",
            "The desk may check the patient at the registry, health records and insurer only "
            'with the patient\'s consent: ask, then send "consent": true.',
            field="consent",
        )
    if body.requested_class and body.service != "inpatient":
        raise errors.bad_request(
            "invalid_field",
            'requested_class is the class of an inpatient stay: send "service": "inpatient", '
            "or leave requested_class out.",
            field="requested_class",
        )


async def _retried(
    desk: Desk,
    first: dict[str, Any],
    body: AdmissionRequest,
    staff: Mapping[str, str],
    key: str,
    fingerprint: str | None,
) -> tuple[dict[str, Any], bool]:
    """The answer to a request whose Idempotency-Key already made `first`."""
    admission_id = first["admission_id"]
    if first["request_fingerprint"] != fingerprint:
        raise errors.idempotency_key_reused(key, admission_id)
    if first["status"] == "ADMITTED":
        return first, True
    if first["status"] == "REJECTED":
        raise errors.admission_rejected(key, admission_id, first["failure"])
    if first["status"] == "AWAITING_CONSENT":
        return first, True  # still waiting for her answer
    # INCOMPLETE: resume it, but only one retry at a time (the claim is one UPDATE).
    if first["status"] != "INCOMPLETE" or not desk.store.claim_incomplete(admission_id):
        raise errors.admission_in_progress(key, admission_id)
    if not first["consent_id"]:  # the consent request itself had failed: ask again
        return await _ask_consent(desk, admission_id, body), False
    return await run(desk, admission_id, body, staff), False


async def _ask_consent(desk: Desk, admission_id: str, body: AdmissionRequest) -> dict[str, Any]:
    """Step 0: put a consent request before the patient and wait (the admission is stored
    AWAITING_CONSENT, with the clerk's request held until she answers)."""
    desk.store.hold(admission_id, body.model_dump_json())
    reason = f"Pendaftaran pasien {admission_id} di {desk.hospital['name']}"
    try:
        asked = await desk.registry.ask_consent(body.nik, reason)
    except InvalidNik as exc:
        _finish(desk, admission_id, status="REJECTED", failure="invalid_nik")
        raise errors.bad_request("invalid_nik", str(exc), field="nik") from None
    except BackendFailure as failure:
        raise _incomplete(desk, admission_id, failure, [], ["consent", *STEPS]) from None
    _save(
        desk,
        admission_id,
        status="AWAITING_CONSENT",
        consent_request_id=asked.get("request_id"),
        consent_status="PENDING",
        failed_at=None,
        failure=None,
    )
    return _row(desk, admission_id)


async def run(
    desk: Desk, admission_id: str, body: AdmissionRequest, staff: Mapping[str, str]
) -> dict[str, Any]:
    """The four steps, in order; a step whose reference the admission already holds (from an
    attempt a back end stopped) is not done again."""
    row = _row(desk, admission_id)
    now = row["created_at"]  # the visit's time, also when resumed
    done: list[str] = []
    step = "identity"
    token = consent_reference.set(row["consent_id"])
    try:
        await _identify(desk, admission_id, body)
        done.append("identity verified")
        step = "records"
        ihs, encounter = await _record(desk, admission_id, body, staff, now)
        done.append(f"patient {ihs}")
        done.append(f"encounter {encounter} opened")
        if body.icd10:
            done.append("condition added")
        step = "insurance"
        cover = await _insure(desk, admission_id, body, ihs, staff, now)
        done.append(f"SEP {cover}" if cover else "eligibility checked (not covered)")
        step = "bank"
        await _bill(desk, admission_id, body, covered=cover is not None, now=desk.clock())
    except UpgradeRefused as refused:
        done.append("eligibility checked")
        _finish(desk, admission_id, status="REJECTED", failure=str(refused))
        raise errors.upgrade_not_allowed(admission_id, str(refused), done) from None
    except ConsentRefused as refused:
        _finish(
            desk,
            admission_id,
            status="REJECTED",
            failed_at=refused.institution,
            failure=refused.code,
            consent_status=_consent_status(refused.code),
        )
        raise errors.consent_refused(
            admission_id, refused.institution, refused.message, done
        ) from None
    except BackendFailure as failure:
        missing = list(STEPS[STEPS.index(step) :])
        raise _incomplete(desk, admission_id, failure, done, missing) from None
    finally:
        consent_reference.reset(token)
    _finish(desk, admission_id, status="ADMITTED", failed_at=None, failure=None)
    return _row(desk, admission_id)


def _consent_status(code: str) -> str:
    """What a refusal says of the consent itself."""
    return {"consent_revoked": "REVOKED", "consent_withdrawn": "REVOKED"}.get(
        code, "EXPIRED" if code == "consent_expired" else "REFUSED"
    )


def _incomplete(
    desk: Desk, admission_id: str, failure: BackendFailure, done: list[str], missing: list[str]
) -> ApiError:
    """A back end failed midway: the admission is stored INCOMPLETE, naming where, and the
    clerk's error says what was done and what was not (its held request stays, to resume)."""
    _save(
        desk,
        admission_id,
        status="INCOMPLETE",
        failed_at=failure.institution,
        failure=failure.detail,
    )
    return errors.backend_failed(admission_id, failure.institution, failure.detail, done, missing)


def _finish(desk: Desk, admission_id: str, **changes: Any) -> None:
    """The admission's last word: saved, and the clerk's held request forgotten with it."""
    with desk.store.atomic():
        _save(desk, admission_id, **changes)
        desk.store.release(admission_id)


async def _identify(desk: Desk, admission_id: str, body: AdmissionRequest) -> None:
    """Verify at the registry; a mismatch stores REJECTED and answers 422 (nothing else done).

    A resumed admission was verified already: only a confirmed patient gets past this step.
    """
    if _row(desk, admission_id)["verification_id"]:
        return
    sent = rules.registry_fields(body.name, body.birth_place, body.birth_date, body.sex)
    consent_id = _row(desk, admission_id)["consent_id"]
    answer = await desk.registry.verify(body.nik, sent, consent_id)
    flags = {name: str((answer.get("fields") or {}).get(name, "TIDAK SESUAI")) for name in sent}
    _save(
        desk,
        admission_id,
        verification_id=answer.get("verification_id"),
        identity_flags=json.dumps(flags),
    )
    mismatched = rules.identity_mismatches(sent, answer)
    if mismatched:
        _finish(
            desk,
            admission_id,
            status="REJECTED",
            failure=f"identity_mismatch: {', '.join(mismatched)}",
        )
        raise errors.identity_mismatch(admission_id, mismatched, answer.get("reason"))


async def _record(
    desk: Desk, admission_id: str, body: AdmissionRequest, staff: Mapping[str, str], now: float
) -> tuple[str, str]:
    """Find or create the patient, open the encounter, add the condition (each once)."""
    row = _row(desk, admission_id)
    ihs = row["ihs_number"] or await desk.records.find_patient(body.nik)
    if ihs is None:
        gender = "male" if body.sex == "L" else "female"
        ihs = await desk.records.create_patient(
            body.nik, body.name, gender, body.birth_date.isoformat()
        )
    _save(desk, admission_id, ihs_number=ihs)
    encounter = row["encounter_id"] or await desk.records.open_encounter(
        ihs, body.name, admission_id, body.service, staff, now
    )
    _save(desk, admission_id, encounter_id=encounter)
    if body.icd10 and not row["condition_id"]:
        condition = await desk.records.add_condition(ihs, encounter, body.icd10)
        _save(desk, admission_id, condition_id=condition)
    return ihs, encounter


async def _insure(
    desk: Desk,
    admission_id: str,
    body: AdmissionRequest,
    ihs: str,
    staff: Mapping[str, str],
    now: float,
) -> str | None:
    """Eligibility for today (WIB); an active member gets an SEP. Returns the SEP number.

    A resumed admission with an SEP, or found not covered, keeps that answer: the bill it may
    already have at the bank was made for it.
    """
    row = _row(desk, admission_id)
    if row["sep_no"] or (row["insurance_status"] and not row["covered"]):
        return str(row["sep_no"]) if row["sep_no"] else None
    day = rules.wib_date(now)
    cover = rules.coverage(await desk.insurer.eligibility(body.nik, day))
    _save(
        desk,
        admission_id,
        insurance_status=cover.status,
        covered=int(cover.covered),
        card_last4=cover.card_no[-4:] if cover.card_no else None,
        class_code=cover.class_code,
        class_name=cover.class_name,
        coverage_reason=cover.reason,
    )
    if not cover.covered:
        return None  # a patient without cover pays the whole tariff, whatever the class
    assert cover.card_no is not None
    entitled = cover.class_code or "3"
    raised = None
    if body.requested_class:
        problem = rules.upgrade_problem(entitled, body.requested_class)
        if problem:
            raise UpgradeRefused(problem)
        if rules.is_upgrade(entitled, body.requested_class):
            raised = body.requested_class
    sep = await desk.insurer.issue_sep(
        card_no=cover.card_no,
        day=day,
        service=body.service,
        class_code=entitled,
        medical_record=ihs,
        icd10=body.icd10,
        staff_id=staff["staff_id"],
        raised_class=raised,
    )
    _save(desk, admission_id, sep_no=sep, requested_class=raised)
    return sep


async def _bill(
    desk: Desk, admission_id: str, body: AdmissionRequest, *, covered: bool, now: float
) -> None:
    """A VA for the patient's share; covered visits cost nothing at the desk, so no VA, unless
    the patient stays in a higher class than covered: then the VA is for the difference."""
    row = _row(desk, admission_id)
    if row["va_no"]:
        return  # billed by an earlier attempt
    difference = 0
    if covered and row["requested_class"]:
        difference = rules.upgrade_difference(
            row["class_code"], row["requested_class"], desk.hospital["inpatient_class_tariff"]
        )
    amount = rules.patient_share(covered, int(desk.hospital["tariff"][body.service]), difference)
    reason = None if amount == 0 else "class_upgrade" if covered else "not_covered"
    _save(desk, admission_id, amount=amount, bill_reason=reason)
    if amount == 0:
        return
    va = await desk.billing.create_va(admission_id, body.name, amount, now)
    _save(desk, admission_id, va_no=va.number, va_expires_at=va.expires_at, bill_status="UNPAID")


def _save(desk: Desk, admission_id: str, **changes: Any) -> None:
    desk.store.update_admission(admission_id, {**changes, "updated_at": desk.clock()})


def _row(desk: Desk, admission_id: str) -> dict[str, Any]:
    row = desk.store.admission(admission_id)
    assert row is not None
    return row


def summary(row: Mapping[str, Any], name: str | None = None) -> dict[str, Any]:
    """The admission as the desk shows it, built from references only.

    `name` is what the clerk typed in this request; a stored admission has no name to show.
    """
    insurance = None
    if row["insurance_status"]:
        insurance = {
            "status": row["insurance_status"],
            "covered": bool(row["covered"]),
            "reason": row["coverage_reason"],
            "card_no_last4": row["card_last4"],
            "class": row["class_name"],
            "upgrade_class": rules.CLASS_NAMES.get(row["requested_class"] or ""),
            "sep_no": row["sep_no"],
        }
    return {
        "admission_id": row["admission_id"],
        "status": row["status"],
        "service": row["service"],
        "nik_last4": row["nik_last4"],
        "patient": {"ihs_number": row["ihs_number"], "name": name or ""},
        "identity": {
            "verification_id": row["verification_id"],
            "fields": json.loads(row["identity_flags"] or "{}"),
        },
        "insurance": insurance,
        "records": {"encounter_id": row["encounter_id"], "condition_id": row["condition_id"]},
        "failure": json.loads(row["outcome"]) if row["outcome"] else None,
        "consent": {
            "request_id": row["consent_request_id"],
            "consent_id": row["consent_id"],
            "status": row["consent_status"],
        },
        "bill": {
            "amount": row["amount"] or 0,
            "virtual_account_no": row["va_no"],
            "status": row["bill_status"],
            "reason": row["bill_reason"],
            "expires_at": rules.wib_iso(row["va_expires_at"]) if row["va_expires_at"] else None,
        },
        "created_at": rules.wib_iso(row["created_at"]),
    }


async def add_diagnosis(desk: Desk, row: Mapping[str, Any], icd10: str) -> dict[str, Any]:
    """A later step of an admission: the doctor's diagnosis, added to the visit's encounter.

    It quotes the admission's consent like every call about the patient. A consent she revoked
    stops it here - the desk heard of it by webhook - or at records, which asks the registry.
    """
    admission_id = row["admission_id"]
    if row["status"] != "ADMITTED" or not row["encounter_id"]:
        raise errors.bad_request(
            "not_admitted", f"Admission {admission_id} is {row['status']}, not ADMITTED."
        )
    if row["consent_status"] == "REVOKED":
        raise errors.consent_refused(
            admission_id, "hospital", "The patient revoked her consent in her IKD app.", []
        )
    token = consent_reference.set(row["consent_id"])
    try:
        # Asked afresh at each later step, not trusted from the admission: she may have
        # revoked it a second ago, before any webhook or cache could tell us.
        status = await desk.registry.consent_status(row["consent_id"])
        if status != "ACTIVE":
            said = {
                "REVOKED": "The patient revoked her consent in her IKD app.",
                "EXPIRED": "The patient's consent has expired (consents last 24 hours).",
            }
            raise ConsentRefused(
                "identity",
                f"consent_{status.lower()}",
                said.get(status, f"The patient's consent is {status}."),
            )
        condition = await desk.records.add_condition(row["ihs_number"], row["encounter_id"], icd10)
    except ConsentRefused as refused:
        _save(desk, admission_id, consent_status=_consent_status(refused.code))
        raise errors.consent_refused(
            admission_id, refused.institution, refused.message, []
        ) from None
    except BackendFailure as failure:
        raise errors.backend_failed(
            admission_id, failure.institution, failure.detail, [], ["records"]
        ) from None
    finally:
        consent_reference.reset(token)
    _save(desk, admission_id, condition_id=condition)
    return _row(desk, admission_id)
