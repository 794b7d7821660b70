"""The insurer's endpoints: eligibility (Peserta) and the per-visit eligibility letter (SEP).

Every endpoint first authenticates the facility (`authenticate_facility`), then validates, then
asks the store. Answers are always the VClaim envelope `{"metaData", "response"}`.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request

from sandbox.dialects.consent_check import HEADER, QUOTED, ConsentChecker
from sandbox.framework.contract import secured
from sandbox.services.insurance import errors, rules
from sandbox.services.insurance.auth import Facility, authenticate_facility
from sandbox.services.insurance.schemas import (
    DeletedAnswer,
    PesertaAnswer,
    SepAnswer,
    SepDelete,
    SepInsert,
)
from sandbox.services.insurance.store import InsuranceStore

log = logging.getLogger(__name__)
router = APIRouter(prefix="/vclaim-rest")
FacilityDep = Annotated[Facility, Depends(authenticate_facility)]
DatePath = Annotated[str, Path(max_length=40, description="yyyy-MM-dd")]


def _store(request: Request) -> InsuranceStore:
    store: InsuranceStore = request.app.state.store
    return store


def _date(value: str, field: str) -> date:
    day = rules.parse_date(value)
    if day is None:
        raise errors.bad_request(
            "invalid_date",
            f"{field} must be a real date written yyyy-MM-dd, e.g. 2024-03-01.",
            field=field,
        )
    return day


# --- eligibility -------------------------------------------------------------------------------


def _peserta(member: dict[str, Any]) -> dict[str, Any]:
    """Membership fields only (no diagnosis, visit or claim: eligibility is not history)."""
    return {
        "noKartu": member["card_no"],
        "nama": member["name"],
        "sex": member["sex"],
        "hakKelas": {"kode": member["class_code"], "keterangan": member["class_name"]},
        "jenisPeserta": {"kode": member["type_code"], "keterangan": member["type_name"]},
        "statusPeserta": {"kode": member["status_code"], "keterangan": member["status_name"]},
        "provUmum": {"kdProvider": member["provider_code"], "nmProvider": member["provider_name"]},
    }


async def _consented(request: Request, nik: str) -> None:
    """A call about a member quotes her consent (`X-Consent-Id`), checked at the registry:
    even "is she an active member" is her personal data."""
    checker: ConsentChecker = request.app.state.consents
    verdict = await checker.check(request.headers.get(HEADER), nik)
    if not verdict.ok:
        raise errors.consent_refused(verdict.code, verdict.message)


@router.get(
    "/Peserta/nik/{nik}/tglSEP/{tgl_sep}",
    response_model=PesertaAnswer,
    tags=["eligibility"],
    summary="Is the person with this NIK a member, and an active one, on this date?",
)
@secured(QUOTED)
async def peserta_by_nik(
    nik: Annotated[str, Path(max_length=40)],
    tgl_sep: DatePath,
    facility: FacilityDep,
    request: Request,
) -> dict[str, Any]:
    """Someone who is not a member gets HTTP 200 with metaData code "201" (as VClaim does)."""
    problem = rules.nik_problem(nik)
    if problem:
        raise errors.bad_request("invalid_nik", problem, field="nik")
    _date(tgl_sep, "tglSEP")
    await _consented(request, nik)
    member = _store(request).member_by_nik(nik)
    if member is None:
        raise errors.member_not_found()
    return errors.envelope({"peserta": _peserta(member)})


@router.get(
    "/Peserta/nokartu/{card}/tglSEP/{tgl_sep}",
    response_model=PesertaAnswer,
    tags=["eligibility"],
    summary="Is the holder of this card an active member on this date?",
)
@secured(QUOTED)
async def peserta_by_card(
    card: Annotated[str, Path(max_length=40)],
    tgl_sep: DatePath,
    facility: FacilityDep,
    request: Request,
) -> dict[str, Any]:
    """Same answer as by NIK; an unknown card is HTTP 200 with metaData code "201"."""
    problem = rules.card_problem(card)
    if problem:
        raise errors.bad_request("invalid_card", problem, field="noKartu")
    _date(tgl_sep, "tglSEP")
    member = _store(request).member_by_card(card)
    if member is None:
        raise errors.member_not_found()
    await _consented(request, member["nik"])
    return errors.envelope({"peserta": _peserta(member)})


# --- SEP ---------------------------------------------------------------------------------------


def _sep(sep: dict[str, Any], member: dict[str, Any]) -> dict[str, Any]:
    return {
        "noSep": sep["no_sep"],
        "tglSep": sep["tgl_sep"],
        "ppkPelayanan": sep["ppk_code"],
        "jnsPelayanan": rules.SERVICE_TYPES[sep["service_type"]],
        "kelasRawat": sep["class_code"],
        "klsRawat": {
            "klsRawatHak": sep["class_code"],
            "klsRawatNaik": sep["raised_class"] or "",
            "pembiayaan": sep["raised_payer"] or "",
            "penanggungJawab": sep["raised_guarantor"] or "",
        },
        "diagnosa": sep["diagnosis"],
        "poli": sep["clinic"],
        "noRujukan": sep["referral"].get("noRujukan") or "",
        "peserta": {
            "noKartu": member["card_no"],
            "nama": member["name"],
            "tglLahir": member["birth_date"],
            "kelamin": member["sex"],
            "jnsPeserta": member["type_name"],
            "hakKelas": member["class_name"],
            "noMr": sep["no_mr"],
        },
    }


@router.post(
    "/SEP/2.0/insert",
    response_model=SepAnswer,
    tags=["SEP"],
    summary="Issue an SEP: the letter that says this visit is covered",
)
@secured(QUOTED)
async def insert_sep(body: SepInsert, facility: FacilityDep, request: Request) -> dict[str, Any]:
    """Only an active member gets one; the facility can only issue SEPs in its own name."""
    store, now = _store(request), request.app.state.clock()
    t_sep = body.request.t_sep
    day = _date(t_sep.tgl_sep, "tglSep")
    if t_sep.ppk_pelayanan != facility.ppk_code:
        raise errors.forbidden(
            "wrong_facility",
            f"ppkPelayanan {t_sep.ppk_pelayanan!r} is not your facility code "
            f"({facility.ppk_code}); a facility issues SEPs only for its own patients.",
        )
    member = store.member_by_card(t_sep.no_kartu)
    if member is None:
        raise errors.not_found(
            "member_not_found", f"Peserta tidak ditemukan: no card {t_sep.no_kartu}."
        )
    await _consented(request, member["nik"])
    if not rules.is_active(member["status_code"]):
        raise errors.refused(
            "member_not_active",
            rules.inactive_message(member["status_code"], member["status_name"]),
        )
    kls = t_sep.kls_rawat
    problem = rules.upgrade_problem(
        t_sep.jns_pelayanan,
        member["class_code"],
        kls.kls_rawat_naik,
        kls.pembiayaan,
        kls.penanggung_jawab,
    )
    if problem:
        raise errors.refused("invalid_upgrade", problem)
    row = {
        "ppk_code": facility.ppk_code,
        "card_no": member["card_no"],
        "tgl_sep": day.isoformat(),
        "service_type": t_sep.jns_pelayanan,
        # The class comes from the membership, not from the request: a desk cannot upgrade it.
        "class_code": member["class_code"],
        # A raised class is noted on the SEP; the insurer still covers the entitled class only.
        "raised_class": kls.kls_rawat_naik,
        "raised_payer": kls.pembiayaan if kls.kls_rawat_naik else "",
        "raised_guarantor": kls.penanggung_jawab.strip() if kls.kls_rawat_naik else "",
        "no_mr": t_sep.no_mr,
        "referral": t_sep.rujukan.model_dump(by_alias=True, exclude_none=True)
        if t_sep.rujukan
        else {},
        "diagnosis": t_sep.diag_awal,
        "clinic": t_sep.poli.tujuan if t_sep.poli else "",
        "user": t_sep.user,
        "created_at": now,
    }
    no_sep = store.add_sep(row, lambda seq: rules.sep_number(facility.ppk_code, day, seq))
    log.info("SEP %s issued by %s", no_sep, facility.ppk_code)
    sep = store.sep(no_sep)
    assert sep is not None
    return errors.envelope({"sep": _sep(sep, member)})


def _own_sep(store: InsuranceStore, no_sep: str, facility: Facility) -> dict[str, Any]:
    """The SEP, if it exists and this facility issued it."""
    sep = store.sep(no_sep)
    if sep is None:
        raise errors.not_found("sep_not_found", f"Data SEP {no_sep!r} tidak ditemukan.")
    if sep["ppk_code"] != facility.ppk_code:
        raise errors.forbidden(
            "not_your_sep", f"SEP {no_sep} was issued by another facility; only it may use it."
        )
    return sep


@router.get(
    "/SEP/{no_sep}",
    response_model=SepAnswer,
    tags=["SEP"],
    summary="Read an SEP your facility issued",
)
@secured(QUOTED)
async def get_sep(
    no_sep: Annotated[str, Path(max_length=19)], facility: FacilityDep, request: Request
) -> dict[str, Any]:
    """Another facility's SEP is refused (403); a deleted one no longer exists."""
    store = _store(request)
    sep = _own_sep(store, no_sep, facility)
    member = store.member_by_card(sep["card_no"])
    assert member is not None  # members are never removed
    await _consented(request, member["nik"])
    return errors.envelope({"sep": _sep(sep, member)})


@router.delete(
    "/SEP/2.0/delete",
    response_model=DeletedAnswer,
    tags=["SEP"],
    summary="Delete an SEP your facility issued (e.g. the patient went home untreated)",
)
async def delete_sep(body: SepDelete, facility: FacilityDep, request: Request) -> dict[str, Any]:
    """The number is never reused; deleting twice finds nothing the second time."""
    store = _store(request)
    t_sep = body.request.t_sep
    _own_sep(store, t_sep.no_sep, facility)
    store.delete_sep(t_sep.no_sep, t_sep.user, request.app.state.clock())
    return errors.envelope(t_sep.no_sep)
