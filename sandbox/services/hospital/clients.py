"""The desk's clients for the four back ends, one small class each, all through the wire.

Every call goes through `env.wire.client("hospital", <callee>)`, so it is signed in the callee's
own dialect and recorded for the trace. Each method returns just what the desk needs (ids,
flags, statuses) or raises `BackendFailure` naming the institution: the admission flow turns
that into a 502 that says what was already done.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from sandbox.dialects.consent_check import HEADER as CONSENT_HEADER
from sandbox.dialects.fhir import RecordsAuth
from sandbox.dialects.registry import IdentityAuth
from sandbox.dialects.snap import SnapAuth
from sandbox.dialects.vclaim import InsuranceAuth
from sandbox.services.hospital import rules
from sandbox.wire import Wire

PURPOSE = "PATIENT_ADMISSION"
NIK_SYSTEM = "https://fhir.kemkes.go.id/id/nik"
ICD10_SYSTEM = "http://hl7.org/fhir/sid/icd-10"
FHIR = "/fhir-r4/v1"
CREATE_VA = "/v1.0/transfer-va/create-va"
VA_STATUS = "/v1.0/transfer-va/status"


GENERAL_EXAMINATION = "Z00.0"
"""ICD-10: encounter for general examination without complaint or diagnosis."""


consent_reference: ContextVar[str | None] = ContextVar("consent_reference", default=None)
"""The consent the patient approved, quoted on every call to records and insurance made while
an admission runs (`X-Consent-Id`). A context variable, because one `Desk` serves many
admissions at once and each must quote its own patient's consent."""
QUOTES_CONSENT = ("records", "insurance")


class ConsentRefused(Exception):
    """Records or insurance refused the quoted consent (revoked, expired, ...): the patient's
    decision, not a failing back end."""

    def __init__(self, institution: str, code: str, message: str) -> None:
        super().__init__(f"{institution}: {code}: {message}")
        self.institution = institution
        self.code = code
        self.message = message


class BackendFailure(Exception):
    """A back end was down, answered 5xx, or refused the desk's call."""

    def __init__(self, institution: str, detail: str) -> None:
        super().__init__(f"{institution}: {detail}")
        self.institution = institution
        self.detail = detail


async def _send(
    wire: Wire, callee: str, step: str, method: str, path: str, auth: httpx.Auth, **kwargs: Any
) -> httpx.Response:
    """One recorded call; network trouble and 5xx become a BackendFailure."""
    consent = consent_reference.get()
    if consent and callee in QUOTES_CONSENT:
        kwargs["headers"] = {**kwargs.get("headers", {}), CONSENT_HEADER: consent}
    try:
        response = await wire.client("hospital", callee).request(method, path, auth=auth, **kwargs)
    except (httpx.HTTPError, LookupError) as exc:
        raise BackendFailure(callee, f"{step}: no answer ({type(exc).__name__})") from None
    if response.status_code >= 500:
        raise BackendFailure(callee, f"{step}: HTTP {response.status_code}")
    if response.status_code == 403 and callee in QUOTES_CONSENT:
        code = _code(response) or ""
        if code.startswith("consent_"):
            body = _json(callee, step, response)
            raise ConsentRefused(callee, code, str(body.get("message") or code))
    return response


class InvalidNik(Exception):
    """The registry refused the NIK itself (length, region, birth date): the clerk's typing
    mistake, not a failing back end."""


def _refused(callee: str, step: str, response: httpx.Response) -> BackendFailure:
    """A 4xx the desk did not expect: the back end refused; quote its own code and message."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    meta = body.get("metaData") if isinstance(body, dict) else None
    code = body.get("code") or (meta or {}).get("code") or response.status_code
    message = body.get("message") or (meta or {}).get("message") or response.text[:200]
    return BackendFailure(callee, f"{step} refused: HTTP {response.status_code} {code} {message}")


def _code(response: httpx.Response) -> str | None:
    """The `code` of a JSON error answer, if it has one."""
    try:
        body = response.json()
    except ValueError:
        return None
    return str(body.get("code")) if isinstance(body, dict) else None


def _json(callee: str, step: str, response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise BackendFailure(callee, f"{step}: the answer is not JSON") from None
    if not isinstance(body, dict):
        raise BackendFailure(callee, f"{step}: the answer is not a JSON object")
    return body


# --- identity (civil registry) ----------------------------------------------------------------


class Registry:
    """Ask the patient for consent (she answers in her IKD app), then verify with it: the
    registry answers match flags only."""

    SCOPES = ("identity_verification", "health_records", "insurance_eligibility")

    def __init__(self, wire: Wire, creds: Mapping[str, Any], clock: Callable[[], float]) -> None:
        self.wire = wire
        self.auth = IdentityAuth(creds["client_id"], creds["client_secret"], clock)

    async def ask_consent(self, nik: str, reason: str) -> dict[str, Any]:
        """A consent request put before the patient; its view (`request_id`, `status`)."""
        asked = await _send(
            self.wire,
            "identity",
            "consent request",
            "POST",
            "/v1/consent-requests",
            self.auth,
            json={"nik": nik, "purpose": PURPOSE, "scopes": list(self.SCOPES), "reason": reason},
        )
        if asked.status_code == 400 and _code(asked) == "invalid_nik":
            raise InvalidNik(_json("identity", "consent", asked).get("message", "Invalid NIK."))
        if asked.status_code != 202:
            raise _refused("identity", "consent request", asked)
        return _json("identity", "consent request", asked)

    async def consent_request(self, request_id: str) -> dict[str, Any]:
        """The request's status now (for when a webhook was lost)."""
        answer = await _send(
            self.wire,
            "identity",
            "consent status",
            "GET",
            f"/v1/consent-requests/{request_id}",
            self.auth,
        )
        if answer.status_code != 200:
            raise _refused("identity", "consent status", answer)
        return _json("identity", "consent status", answer)

    async def consent_status(self, consent_id: str) -> str:
        """ACTIVE, REVOKED or EXPIRED: our consent as the registry knows it now."""
        answer = await _send(
            self.wire, "identity", "consent", "GET", f"/v1/consents/{consent_id}", self.auth
        )
        if answer.status_code == 404:
            return "REVOKED"  # gone for us: treat as no consent
        if answer.status_code != 200:
            raise _refused("identity", "consent", answer)
        return str(_json("identity", "consent", answer).get("status"))

    async def verify(self, nik: str, fields: Mapping[str, str], consent_id: str) -> dict[str, Any]:
        """The registry's verification answer (`found`, `reason`, `fields` flags)."""
        verify = await _send(
            self.wire,
            "identity",
            "verify",
            "POST",
            "/v1/verify",
            self.auth,
            json={
                "nik": nik,
                "consent_id": consent_id,
                "purpose": PURPOSE,
                "threshold": rules.NAME_THRESHOLD,
                **fields,
            },
        )
        if verify.status_code == 403 and (_code(verify) or "").startswith("consent_"):
            body = _json("identity", "verify", verify)
            raise ConsentRefused("identity", str(body["code"]), str(body.get("message")))
        if verify.status_code != 200:
            raise _refused("identity", "verify", verify)
        return _json("identity", "verify", verify)


# --- records (SATUSEHAT-style FHIR) -----------------------------------------------------------


class Records:
    """Find or create the patient, open an encounter, add the initial diagnosis."""

    def __init__(self, wire: Wire, creds: Mapping[str, Any], clock: Callable[[], float]) -> None:
        self.wire = wire
        self.org_id = str(creds["org_id"])
        self.auth = RecordsAuth(creds["client_id"], creds["client_secret"], clock)

    async def _post(self, kind: str, resource: dict[str, Any]) -> str:
        response = await _send(
            self.wire,
            "records",
            f"create {kind}",
            "POST",
            f"{FHIR}/{kind}",
            self.auth,
            json=resource,
        )
        if response.status_code not in (200, 201):
            raise _refused("records", f"create {kind}", response)
        created = _json("records", f"create {kind}", response).get("id")
        if not created:
            raise BackendFailure("records", f"create {kind}: the answer has no id")
        return str(created)

    async def find_patient(self, nik: str) -> str | None:
        """The patient's IHS number, or None when the platform does not know the NIK."""
        response = await _send(
            self.wire,
            "records",
            "find Patient",
            "GET",
            f"{FHIR}/Patient",
            self.auth,
            params={"identifier": f"{NIK_SYSTEM}|{nik}"},
        )
        if response.status_code != 200:
            raise _refused("records", "find Patient", response)
        bundle = _json("records", "find Patient", response)
        for entry in bundle.get("entry") or []:
            resource = entry.get("resource") or {}
            if resource.get("resourceType", "Patient") == "Patient" and resource.get("id"):
                return str(resource["id"])
        return None

    async def create_patient(self, nik: str, name: str, gender: str, birth_date: str) -> str:
        """Register a new patient known by NIK; returns the IHS number."""
        return await self._post(
            "Patient",
            {
                "resourceType": "Patient",
                "identifier": [{"use": "official", "system": NIK_SYSTEM, "value": nik}],
                "active": True,
                "name": [{"use": "official", "text": name}],
                "gender": gender,
                "birthDate": birth_date,
            },
        )

    async def open_encounter(
        self,
        ihs_number: str,
        name: str,
        admission_id: str,
        service: str,
        staff: Mapping[str, str],
        now: float,
    ) -> str:
        """An Encounter of this facility for the patient: it has just arrived."""
        start = rules.utc_iso(now)
        klass = ("IMP", "inpatient encounter") if service == "inpatient" else ("AMB", "ambulatory")
        return await self._post(
            "Encounter",
            {
                "resourceType": "Encounter",
                "identifier": [
                    {
                        "system": f"http://sys-ids.kemkes.go.id/encounter/{self.org_id}",
                        "value": admission_id,
                    }
                ],
                "status": "arrived",
                "class": {
                    "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                    "code": klass[0],
                    "display": klass[1],
                },
                "subject": {"reference": f"Patient/{ihs_number}", "display": name},
                "participant": [
                    {
                        "type": [
                            {
                                "coding": [
                                    {
                                        "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                        "code": "ADM",
                                        "display": "admitter",
                                    }
                                ]
                            }
                        ],
                        "individual": {"reference": f"Practitioner/{staff['staff_id']}"},
                    }
                ],
                "period": {"start": start},
                "statusHistory": [{"status": "arrived", "period": {"start": start}}],
                "serviceProvider": {"reference": f"Organization/{self.org_id}"},
            },
        )

    async def add_condition(self, ihs_number: str, encounter_id: str, icd10: str) -> str:
        """The initial diagnosis: exactly one ICD-10 code, tied to the encounter."""
        return await self._post(
            "Condition",
            {
                "resourceType": "Condition",
                "clinicalStatus": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                            "code": "active",
                        }
                    ]
                },
                "category": [
                    {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                                "code": "encounter-diagnosis",
                            }
                        ]
                    }
                ],
                "code": {"coding": [{"system": ICD10_SYSTEM, "code": icd10}]},
                "subject": {"reference": f"Patient/{ihs_number}"},
                "encounter": {"reference": f"Encounter/{encounter_id}"},
            },
        )


# --- insurance (VClaim-style) -----------------------------------------------------------------


class Insurer:
    """Eligibility by NIK for a date, and the SEP (the per-visit eligibility letter)."""

    def __init__(self, wire: Wire, creds: Mapping[str, Any], clock: Callable[[], float]) -> None:
        self.wire = wire
        self.ppk_code = str(creds["ppk_code"])
        self.auth = InsuranceAuth(creds["cons_id"], creds["secret"], creds["user_key"], clock)

    async def eligibility(self, nik: str, day: str) -> dict[str, Any] | None:
        """The member (`peserta`), or None when the insurer does not know the NIK."""
        response = await _send(
            self.wire,
            "insurance",
            "eligibility",
            "GET",
            f"/vclaim-rest/Peserta/nik/{nik}/tglSEP/{day}",
            self.auth,
        )
        body = _json("insurance", "eligibility", response)
        code = str((body.get("metaData") or {}).get("code", ""))
        if code == "201":
            return None  # "Peserta tidak ditemukan": simply not a member
        if response.status_code != 200 or code != "200":
            raise _refused("insurance", "eligibility", response)
        peserta: dict[str, Any] | None = (body.get("response") or {}).get("peserta")
        if not peserta:
            raise BackendFailure("insurance", "eligibility: the answer has no peserta")
        return peserta

    async def issue_sep(
        self,
        *,
        card_no: str,
        day: str,
        service: str,
        class_code: str,
        medical_record: str,
        icd10: str | None,
        staff_id: str,
        raised_class: str | None = None,
    ) -> str:
        """Insert an SEP for this visit; returns its number.

        A higher class the patient asked for ("naik kelas") is noted in `klsRawat` as SEP 2.0
        does: the class (`klsRawatNaik`) and who pays the difference - in the sandbox always
        the patient ("1", Pribadi). The SEP still covers the entitled class only.
        """
        klass = {"klsRawatHak": class_code}
        if raised_class:
            klass.update(
                klsRawatNaik=rules.VCLAIM_RAISED_CLASS[raised_class],
                pembiayaan="1",
                penanggungJawab="Pribadi",
            )
        t_sep = {
            "noKartu": card_no,
            "tglSep": day,
            "ppkPelayanan": self.ppk_code,
            "jnsPelayanan": rules.SERVICE_CODES[service],
            "klsRawat": klass,
            "noMR": medical_record,
            "rujukan": {"asalRujukan": "1", "tglRujukan": day, "noRujukan": "", "ppkRujukan": ""},
            # The insurer requires an initial diagnosis; a desk that has none yet files the
            # ICD-10 code for "general examination" and the doctor corrects it later.
            "diagAwal": icd10 or GENERAL_EXAMINATION,
            "poli": {"tujuan": "UMU" if service == "outpatient" else ""},
            "user": staff_id,
        }
        response = await _send(
            self.wire,
            "insurance",
            "SEP insert",
            "POST",
            "/vclaim-rest/SEP/2.0/insert",
            self.auth,
            json={"request": {"t_sep": t_sep}},
        )
        body = _json("insurance", "SEP insert", response)
        sep = ((body.get("response") or {}).get("sep") or {}).get("noSep")
        if (
            response.status_code != 200
            or str((body.get("metaData") or {}).get("code")) != "200"
            or not sep
        ):
            raise _refused("insurance", "SEP insert", response)
        return str(sep)


# --- bank (SNAP) ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Va:
    number: str
    expires_at: float


class Billing:
    """The hospital is a biller at the bank: one closed VA per unpaid bill."""

    def __init__(self, wire: Wire, creds: Mapping[str, Any], clock: Callable[[], float]) -> None:
        self.wire = wire
        self.partner_service_id = str(creds["partner_service_id"])
        self.auth = SnapAuth(
            creds["client_key"],
            creds["client_secret"],
            str(creds["partner_id"]),
            str(creds["channel_id"]),
            clock,
        )

    async def create_va(self, admission_id: str, name: str, amount: int, now: float) -> Va:
        """A closed VA for exactly `amount`, valid 24 hours: one per admission, even retried.

        The VA number is made from the admission id, so the bank refuses a second VA for the
        same admission (409). After a 409, a 5xx or no answer at all, the VA may exist anyway
        (the answer was lost): as SNAP says, the desk asks the bank's status before it gives
        up, and takes the VA that is there when it bills the same amount.
        """
        customer_no = rules.customer_no(admission_id)
        va_no = self.partner_service_id.rjust(8) + customer_no
        expires_at = now + rules.VA_HOURS * 3600
        try:
            response = await _send(
                self.wire,
                "bank",
                "create VA",
                "POST",
                CREATE_VA,
                self.auth,
                json={
                    "partnerServiceId": self.partner_service_id.rjust(8),
                    "customerNo": customer_no,
                    "virtualAccountNo": va_no,
                    "virtualAccountName": name[:255],
                    "trxId": admission_id,
                    "totalAmount": rules.snap_amount(amount),
                    "expiredDate": rules.wib_iso(expires_at),
                    # Nothing medical goes to the bank (MINIMIZE rule).
                    "additionalInfo": {},
                },
                headers={"X-EXTERNAL-ID": _external_id()},
            )
        except BackendFailure:
            found = await self._existing(customer_no, va_no, amount)
            if found is None:
                raise
            return found
        if response.status_code == 200:
            return Va(va_no, expires_at)
        if response.status_code == 409:
            found = await self._existing(customer_no, va_no, amount)
            if found is not None:
                return found
        raise _refused("bank", "create VA", response)

    async def _existing(self, customer_no: str, va_no: str, amount: int) -> Va | None:
        """The admission's VA if the bank has it, unpaid or paid, for `amount`; else None."""
        try:
            response = await _send(
                self.wire,
                "bank",
                "VA status",
                "POST",
                VA_STATUS,
                self.auth,
                json={
                    "partnerServiceId": self.partner_service_id.rjust(8),
                    "customerNo": customer_no,
                    "virtualAccountNo": va_no,
                    "inquiryRequestId": _external_id(),
                },
                headers={"X-EXTERNAL-ID": _external_id()},
            )
        except BackendFailure:
            return None
        if response.status_code != 200:
            return None
        data = _json("bank", "VA status", response).get("virtualAccountData") or {}
        total = rules.parse_snap_amount(str((data.get("totalAmount") or {}).get("value", "")))
        if data.get("paymentFlagStatus") not in ("00", "01") or total != amount:
            return None
        try:
            expires_at = datetime.fromisoformat(str(data.get("expiredDate"))).timestamp()
        except ValueError:
            return None
        return Va(va_no, expires_at)


def _external_id() -> str:
    return str(secrets.randbelow(10**18)).zfill(18)
