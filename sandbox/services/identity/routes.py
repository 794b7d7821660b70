"""The registry's endpoints: consent and verification for partners, a small admin API for staff.

Note what is *missing*: there is no endpoint that lists, searches or returns a person. Partners
can only ask "is what I hold correct?" and get SESUAI / TIDAK SESUAI back (verify, not fetch).
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from sandbox.dialects.common import timestamp
from sandbox.services.identity import consent_requests, errors, rules
from sandbox.services.identity.auth import (
    Partner,
    authenticate_admin,
    authenticate_partner,
    require_fields,
    require_purpose,
)
from sandbox.services.identity.schemas import (
    AgreementChanged,
    AgreementStatus,
    ConsentWithdrawn,
    PartnerUsage,
    PersonRegistered,
    PersonRequest,
    UsageReport,
    VerifyRequest,
    VerifyResult,
)
from sandbox.services.identity.store import IdentityStore

log = logging.getLogger(__name__)
router = APIRouter()
PartnerDep = Annotated[Partner, Depends(authenticate_partner)]
ADMIN = [Depends(authenticate_admin)]


def _store(request: Request) -> IdentityStore:
    store: IdentityStore = request.app.state.store
    return store


def _now(request: Request) -> float:
    now: float = request.app.state.clock()
    return now


def _day(now: float) -> str:
    """YYYYMMDD in Indonesian time, used inside consent and verification ids."""
    return datetime.fromtimestamp(now, rules.WIB).strftime("%Y%m%d")


def _parse_nik(store: IdentityStore, nik: str, now: float) -> rules.NikParts:
    today = datetime.fromtimestamp(now, rules.WIB).date()
    try:
        return rules.parse_nik(nik, store.known_districts, today)
    except rules.NikError as exc:
        raise errors.bad_request("invalid_nik", str(exc), field="nik") from None


# --- partners: consent -------------------------------------------------------------------------


@router.post(
    "/v1/consents",
    status_code=410,
    response_model=None,
    tags=["consent"],
    summary="Retired: a partner no longer records consent; ask the person instead",
)
async def create_consent(partner: PartnerDep) -> None:
    """Always 410 `consent_endpoint_retired`, whatever the body.

    A partner used to assert here that the person had consented. Consent is hers to give: ask
    her with `POST /v1/consent-requests`; she answers in her IKD app, and
    `GET /v1/consent-requests/{request_id}` gives the `consent_id` once she approved.
    """
    raise errors.refusal(
        410,
        "consent_endpoint_retired",
        "Partners no longer record consent themselves. Ask the person with POST "
        "/v1/consent-requests (nik, purpose, scopes); she approves in her IKD app, and "
        "GET /v1/consent-requests/{request_id} then gives the consent_id to quote.",
    )


@router.delete(
    "/v1/consents/{consent_id}",
    response_model=ConsentWithdrawn,
    tags=["consent"],
    summary="Withdraw a consent (the person changed their mind)",
)
async def withdraw_consent(
    consent_id: Annotated[str, Path(max_length=40)], partner: PartnerDep, request: Request
) -> ConsentWithdrawn:
    """Withdrawing twice is harmless: the first withdrawal time is kept."""
    store, now = _store(request), _now(request)
    consent = store.consent(consent_id)
    if consent is None or consent["partner"] != partner.name:
        raise errors.not_found("consent_not_found", f"No consent {consent_id!r} exists for you.")
    store.withdraw_consent(consent_id, now)
    withdrawn = store.consent(consent_id)
    assert withdrawn is not None
    return ConsentWithdrawn(
        consent_id=consent_id, withdrawn_at=timestamp(withdrawn["withdrawn_at"])
    )


# --- partners: verification --------------------------------------------------------------------


@router.post(
    "/v1/verify",
    response_model=VerifyResult,
    tags=["verification"],
    summary="Check the data you hold against the register (match flags only)",
)
async def verify(body: VerifyRequest, partner: PartnerDep, request: Request) -> VerifyResult:
    """Answer SESUAI / TIDAK SESUAI for each field sent, never the register's own values."""
    store, now = _store(request), _now(request)
    require_purpose(partner, body.purpose)
    sent = body.sent_fields()
    if not sent:
        raise errors.bad_request(
            "no_fields", f"Send at least one field to verify: {', '.join(rules.VERIFY_FIELDS)}."
        )
    require_fields(partner, list(sent))
    _parse_nik(store, body.nik, now)
    if "tgl_lhr" in sent:
        _check_dmy(sent["tgl_lhr"])
    problem = rules.consent_problem(
        store.consent(body.consent_id), partner.name, body.nik, body.purpose, now
    )
    if problem:
        raise errors.refusal(*problem)
    person = store.person(body.nik)
    flags, score = rules.compare_fields(sent, person, body.threshold)
    if request.app.state.forcing.take("kyc"):  # sandbox-only: `sandbox force fail-next kyc`
        flags, score = {field: rules.NO_MATCH for field in flags}, 0 if score is not None else None
    verification_id = store.log_verification(
        day=_day(now),
        partner=partner.name,
        purpose=body.purpose,
        consent_id=body.consent_id,
        nik_masked=rules.mask_nik(body.nik),
        fields_asked=list(sent),
        result=flags,
        found=person is not None,
        name_score=score,
        threshold=body.threshold,
        semester=rules.semester_of(now),
        now=now,
    )
    log.info(
        "verification %s by %s for %s: %s",
        verification_id,
        partner.name,
        rules.mask_nik(body.nik),
        flags,
    )
    return VerifyResult(
        verification_id=verification_id,
        nik_last4=body.nik[-4:],
        found=person is not None,
        reason=None if person else "NIK_NOT_FOUND",
        fields=flags,
        name_score=score,
        threshold=body.threshold,
        purpose=body.purpose,
        consent_id=body.consent_id,
    )


def _check_dmy(value: str) -> None:
    try:
        rules.parse_dmy(value)
    except ValueError:
        raise errors.bad_request(
            "invalid_field",
            f"tgl_lhr {value!r} is not a real date (format dd-mm-yyyy, e.g. 14-03-1996).",
            field="tgl_lhr",
        ) from None


# --- admin (registry staff, fixtures and lessons) ----------------------------------------------


@router.post(
    "/admin/v1/persons",
    status_code=201,
    response_model=PersonRegistered,
    dependencies=ADMIN,
    tags=["admin"],
    summary="Register a birth or new resident",
)
async def register_person(body: PersonRequest, request: Request) -> PersonRegistered:
    """The NIK must agree with the birth date, sex and district it is registered with."""
    store, now = _store(request), _now(request)
    parts = _parse_nik(store, body.nik, now)
    try:
        born = date.fromisoformat(body.birth_date)
    except ValueError:
        raise errors.bad_request(
            "invalid_field",
            f"birth_date {body.birth_date!r} is not a real date (YYYY-MM-DD).",
            field="birth_date",
        ) from None
    region = store.region(body.district_code)
    if region is None:
        raise errors.bad_request(
            "unknown_district",
            f"district_code {body.district_code!r} is not in the region table.",
            field="district_code",
        )
    _check_nik_agrees(parts, born, body.sex, body.district_code)
    row = {
        **body.model_dump(exclude={"district_code"}),
        "district": region["district"],
        "regency": region["regency"],
        "province": region["province"],
        "postcode": region["postcode"],
        "name": body.name.upper(),
        "birth_place": body.birth_place.upper(),
    }
    if not store.add_person(row):
        raise errors.conflict("nik_exists", "A person with this NIK is already registered.")
    log.info("registered person %s in %s", rules.mask_nik(body.nik), body.district_code)
    return PersonRegistered(
        nik_last4=body.nik[-4:], district_code=body.district_code, registered_at=timestamp(now)
    )


def _check_nik_agrees(parts: rules.NikParts, born: date, sex: str, district: str) -> None:
    if parts.district != district:
        raise errors.bad_request(
            "nik_mismatch",
            f"NIK digits 1-6 give district {parts.district}, but district_code is {district}.",
            field="nik",
        )
    if parts.birth_date != born:
        raise errors.bad_request(
            "nik_mismatch",
            f"NIK digits 7-12 give birth date "
            f"{parts.birth_date.isoformat()}, but birth_date is "
            f"{born.isoformat()}.",
            field="nik",
        )
    if parts.sex != sex:
        raise errors.bad_request(
            "nik_mismatch",
            f"NIK digits 7-8 say sex {parts.sex} (women add 40 to the day), but sex is {sex}.",
            field="nik",
        )


@router.get(
    "/admin/v1/usage",
    response_model=UsageReport,
    dependencies=ADMIN,
    tags=["admin"],
    summary="Calls and verifications per partner in a semester",
)
async def usage(
    request: Request,
    semester: Annotated[
        str | None, Query(pattern=r"^[0-9]{4}-[12]$", description="e.g. 2024-1; default: now")
    ] = None,
) -> UsageReport:
    """The semester usage report every partner agreement requires."""
    period = semester or rules.semester_of(_now(request))
    rows = _store(request).usage(period)
    return UsageReport(semester=period, partners=[PartnerUsage(**r) for r in rows])


@router.patch(
    "/admin/v1/agreements/{partner}",
    response_model=AgreementChanged,
    dependencies=ADMIN,
    tags=["admin"],
    summary="Suspend, revoke or reactivate a partner's agreement",
)
async def change_agreement(
    partner: Annotated[str, Path(max_length=40)], body: AgreementStatus, request: Request
) -> AgreementChanged:
    """A suspended or revoked partner gets 403 on every call (its calls are still counted)."""
    if not _store(request).set_agreement_status(partner, body.status):
        raise errors.not_found("partner_not_found", f"No agreement with partner {partner!r}.")
    log.info("agreement of %s is now %s", partner, body.status)
    return AgreementChanged(partner=partner, status=body.status)


# --- anything else under /v1: a partner first, then "no such endpoint" --------------------------


def _method_first(request: Request) -> None:
    """A path that exists, asked with another method: 405 with `Allow`, before credentials,
    as the router answers at every other institution (and as the published OpenAPI document
    already says which paths exist, nothing is given away)."""
    allowed: set[str] = set()
    for route in (*consent_requests.router.routes, *router.routes):  # every /v1 path
        if route.matches(request.scope)[0] == Match.PARTIAL:
            allowed |= getattr(route, "methods", None) or set()
    if allowed:
        raise StarletteHTTPException(405, headers={"Allow": ", ".join(sorted(allowed))})


@router.api_route(
    "/v1/{rest:path}",
    methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    include_in_schema=False,
    dependencies=[Depends(_method_first)],  # route dependencies run before `partner`
)
async def no_such_endpoint(partner: PartnerDep, request: Request) -> None:
    """Who is asking comes before what is asked, as at a real API gateway: a stranger probing
    for a lookup endpoint gets 401 and learns nothing, while a partner asking for one (the
    lesson's "just ask for the record") is recognised, counted and told there is none. Only
    a wrong method on a path that exists is answered first (`_method_first`).
    """
    raise StarletteHTTPException(404)
