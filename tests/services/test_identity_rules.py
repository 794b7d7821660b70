"""The civil registry's rules, without HTTP: NIK decoding, name matching, agreements, consent."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from sandbox.services.identity import rules

DISTRICTS = frozenset({"990101", "990102", "990201", "997101", "997201"})
TODAY = date(2024, 3, 1)
SARI = "9971015403960001"
"""Persona "buyer": SARI WULANDARI, born 14-03-1996 in Bandar Barat (997101), female."""
SARI_ROW = {
    "nik": SARI,
    "name": "SARI WULANDARI",
    "birth_place": "BANDAR CONTOH",
    "birth_date": "1996-03-14",
    "sex": "P",
    "street": "Jl. Melati No. 12",
    "regency": "Kota Bandar Contoh",
}


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


# --- NIK ---------------------------------------------------------------------------------------


def test_parse_nik_decodes_a_woman() -> None:
    parts = rules.parse_nik(SARI, DISTRICTS, TODAY)
    assert parts == rules.NikParts(
        province="99",
        regency="9971",
        district="997101",
        birth_date=date(1996, 3, 14),
        sex="P",
        serial=1,
    )


def test_parse_nik_decodes_a_man() -> None:
    parts = rules.parse_nik("9901011708850001", DISTRICTS, TODAY)
    assert (parts.sex, parts.birth_date, parts.district) == ("L", date(1985, 8, 17), "990101")


def test_parse_nik_picks_the_century_that_is_not_in_the_future() -> None:
    assert rules.parse_nik("9901010101200003", DISTRICTS, TODAY).birth_date == date(2020, 1, 1)
    assert rules.parse_nik("9901010101300003", DISTRICTS, TODAY).birth_date == date(1930, 1, 1)


def test_parse_nik_accepts_a_leap_day_in_2000() -> None:
    assert rules.parse_nik("9901016902000001", DISTRICTS, TODAY).birth_date == date(2000, 2, 29)


@pytest.mark.parametrize(
    ("nik", "expected"),
    [
        ("997101540396001", "NIK must be 16 digits; got 15."),
        ("99710154039600011", "NIK must be 16 digits; got 17."),
        ("99710154039600O1", "digits only"),
        ("９９71015403960001", "digits only"),  # full-width digits are not ASCII digits
        ("9871015403960001", "province code '98'"),
        ("9903015403960001", "regency/city code '9903'"),
        ("9901095403960001", "district code '990109'"),
        ("9971010003960001", "birth day 00"),
        ("9971013503960001", "41-71"),
        ("9971017203960001", "birth day 72"),
        ("9971011413960001", "birth month 13"),
        ("9971017002960001", "30-02-1996 does not exist (day digits 70 = 30 + 40)"),
        ("9971012902010001", "29-02-2001 does not exist"),
        ("9971011403240001", "in the future"),
        ("9971015403960000", "serial"),
    ],
)
def test_parse_nik_refuses_with_a_precise_message(nik: str, expected: str) -> None:
    with pytest.raises(rules.NikError) as caught:
        rules.parse_nik(nik, DISTRICTS, TODAY)
    assert expected in str(caught.value)


def test_mask_nik_keeps_only_the_last_four_digits() -> None:
    assert rules.mask_nik(SARI) == "************0001"


# --- matching ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "score"),
    [
        ("SARI WULANDARI", 100),
        ("sari  wulandari", 100),
        ("Dr. Sari Wulandari, S.Farm", 100),
        ("HJ. SARI WULANDARI", 100),
        ("SARI WULANDARY", 93),
        ("", 0),
    ],
)
def test_name_score(sent: str, score: int) -> None:
    assert rules.name_score(sent, "SARI WULANDARI") == score


def test_name_score_of_another_person_is_low() -> None:
    assert rules.name_score("BUDI SANTOSO", "SARI WULANDARI") < 50


def test_compare_fields_flags_only_what_was_sent() -> None:
    flags, score = rules.compare_fields(
        {"nama_lgkp": "SARI WULANDARI", "tgl_lhr": "15-03-1996"}, SARI_ROW, 80
    )
    assert flags == {"nama_lgkp": "SESUAI", "tgl_lhr": "TIDAK SESUAI"}
    assert score == 100


def test_compare_fields_normalises_addresses_places_and_regencies() -> None:
    sent = {
        "alamat": "JALAN MELATI NOMOR 12",
        "tmpt_lhr": "bandar  contoh",
        "kab_name": "KOTA BANDAR CONTOH",
        "jenis_klmin": "PEREMPUAN",
    }
    flags, score = rules.compare_fields(sent, SARI_ROW, 80)
    assert set(flags.values()) == {"SESUAI"}
    assert score is None  # no name sent, so no name score


def test_compare_fields_spells_out_kab() -> None:
    row = {**SARI_ROW, "regency": "Kabupaten Sukamaju"}
    flags, _ = rules.compare_fields({"kab_name": "KAB. SUKAMAJU"}, row, 80)
    assert flags == {"kab_name": "SESUAI"}


def test_compare_fields_uses_the_threshold_for_the_name() -> None:
    sent = {"nama_lgkp": "SARI WULANDARY"}  # score 93
    assert rules.compare_fields(sent, SARI_ROW, 93)[0] == {"nama_lgkp": "SESUAI"}
    assert rules.compare_fields(sent, SARI_ROW, 94)[0] == {"nama_lgkp": "TIDAK SESUAI"}


def test_compare_fields_wrong_sex() -> None:
    flags, _ = rules.compare_fields({"jenis_klmin": "LAKI-LAKI"}, SARI_ROW, 80)
    assert flags == {"jenis_klmin": "TIDAK SESUAI"}


def test_compare_fields_for_an_unknown_person_matches_nothing() -> None:
    flags, score = rules.compare_fields(
        {"nama_lgkp": "SARI WULANDARI", "jenis_klmin": "PEREMPUAN"}, None, 80
    )
    assert flags == {"nama_lgkp": "TIDAK SESUAI", "jenis_klmin": "TIDAK SESUAI"}
    assert score == 0


def test_parse_dmy_refuses_impossible_dates() -> None:
    assert rules.parse_dmy("14-03-1996") == date(1996, 3, 14)
    with pytest.raises(ValueError):
        rules.parse_dmy("31-02-1996")


# --- agreements, quota, consent ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "semester"),
    [
        ("2024-01-01T00:00:00+07:00", "2024-1"),
        ("2024-06-30T23:59:00+07:00", "2024-1"),
        ("2024-06-30T17:30:00+00:00", "2024-2"),  # already 1 July in Indonesia
        ("2024-12-31T12:00:00+07:00", "2024-2"),
    ],
)
def test_semester_of_uses_indonesian_time(moment: str, semester: str) -> None:
    assert rules.semester_of(_epoch(moment)) == semester


AGREEMENT = {"status": "ACTIVE", "valid_until": "2024-03-01", "quota": 2}


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({}, None),
        ({"status": "SUSPENDED"}, "agreement_suspended"),
        ({"status": "REVOKED"}, "agreement_revoked"),
        ({"status": "DRAFT"}, "agreement_inactive"),
        ({"valid_until": "2024-02-29"}, "agreement_expired"),
    ],
)
def test_agreement_problem(change: dict[str, Any], code: str | None) -> None:
    problem = rules.agreement_problem({**AGREEMENT, **change}, _epoch("2024-03-01T23:00:00+07:00"))
    assert (problem[0] if problem else None) == code


def test_agreement_ends_after_its_last_day_in_indonesian_time() -> None:
    assert rules.agreement_problem(AGREEMENT, _epoch("2024-03-02T00:00:00+07:00")) is not None


def test_quota_left_counts_calls_before_this_one() -> None:
    assert rules.quota_left(AGREEMENT, 1)
    assert not rules.quota_left(AGREEMENT, 2)


CONSENT = {
    "partner": "marketplace",
    "nik": SARI,
    "purpose": "SELLER_KYC",
    "withdrawn_at": None,
    "expires_at": 1000.0,
}


@pytest.mark.parametrize(
    ("consent", "partner", "nik", "purpose", "code"),
    [
        (CONSENT, "marketplace", SARI, "SELLER_KYC", None),
        (None, "marketplace", SARI, "SELLER_KYC", "consent_not_found"),
        (CONSENT, "bank", SARI, "SELLER_KYC", "consent_not_found"),
        ({**CONSENT, "withdrawn_at": 10.0}, "marketplace", SARI, "SELLER_KYC", "consent_withdrawn"),
        ({**CONSENT, "expires_at": 999.0}, "marketplace", SARI, "SELLER_KYC", "consent_expired"),
        (CONSENT, "marketplace", "9901011708850001", "SELLER_KYC", "consent_nik_mismatch"),
        (CONSENT, "marketplace", SARI, "ACCOUNT_OPENING", "consent_purpose_mismatch"),
    ],
)
def test_consent_problem(
    consent: dict[str, Any] | None, partner: str, nik: str, purpose: str, code: str | None
) -> None:
    problem = rules.consent_problem(consent, partner, nik, purpose, now=999.0)
    assert (problem[1] if problem else None) == code
