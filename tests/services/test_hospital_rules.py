"""The front desk's domain rules, one by one (no HTTP, no database)."""

from __future__ import annotations

from datetime import date

from sandbox.services.hospital import rules

WORLD_START = 1_709_280_000.0
"""2024-03-01 08:00 UTC = 15:00 WIB."""


def test_registry_fields_use_dukcapil_names_and_formats() -> None:
    assert rules.registry_fields(" Agus Pratama ", "sumber jaya", date(1972, 5, 30), "L") == {
        "nama_lgkp": "AGUS PRATAMA",
        "tmpt_lhr": "SUMBER JAYA",
        "tgl_lhr": "30-05-1972",
        "jenis_klmin": "LAKI-LAKI",
    }
    assert rules.registry_fields("X", "Y", date(2001, 7, 9), "P")["jenis_klmin"] == "PEREMPUAN"


def test_identity_mismatches_lists_unconfirmed_fields() -> None:
    sent = {"nama_lgkp": "A", "tgl_lhr": "01-01-2000"}
    ok = {"found": True, "fields": {"nama_lgkp": "SESUAI", "tgl_lhr": "SESUAI"}}
    assert rules.identity_mismatches(sent, ok) == []
    wrong = {"found": True, "fields": {"nama_lgkp": "SESUAI", "tgl_lhr": "TIDAK SESUAI"}}
    assert rules.identity_mismatches(sent, wrong) == ["tgl_lhr"]
    unanswered = {"found": True, "fields": {"nama_lgkp": "SESUAI"}}
    assert rules.identity_mismatches(sent, unanswered) == ["tgl_lhr"]
    unknown = {"found": False, "reason": "NIK_NOT_FOUND", "fields": {}}
    assert rules.identity_mismatches(sent, unknown) == ["nama_lgkp", "tgl_lhr"]


def test_coverage_only_for_active_members() -> None:
    active = {
        "noKartu": "9999000000011",
        "statusPeserta": {"kode": "0", "keterangan": "AKTIF"},
        "hakKelas": {"kode": "2", "keterangan": "KELAS II"},
    }
    cover = rules.coverage(active)
    assert (cover.status, cover.covered, cover.class_code, cover.reason) == (
        "ACTIVE",
        True,
        "2",
        None,
    )
    arrears = {**active, "statusPeserta": {"kode": "2", "keterangan": "TIDAK AKTIF - TUNGGAKAN"}}
    cover = rules.coverage(arrears)
    assert (cover.status, cover.covered, cover.reason) == (
        "INACTIVE",
        False,
        "TIDAK AKTIF - TUNGGAKAN",
    )
    none = rules.coverage(None)
    assert (none.status, none.covered, none.card_no) == ("NOT_INSURED", False, None)


def test_patient_share() -> None:
    assert rules.patient_share(True, 150000) == 0
    assert rules.patient_share(False, 150000) == 150000
    assert rules.patient_share(True, 750000, difference=200000) == 200000
    assert rules.patient_share(False, 750000, difference=200000) == 750000


def test_one_class_up_except_from_class_three() -> None:
    assert rules.upgrade_problem("2", "1") is None
    assert rules.upgrade_problem("1", "VIP") is None
    assert rules.upgrade_problem("2", "2") is None  # the entitled class: no upgrade at all
    assert "one class above" in (rules.upgrade_problem("2", "VIP") or "")
    assert "KELAS III may not move up" in (rules.upgrade_problem("3", "2") or "")
    assert "below" in (rules.upgrade_problem("1", "2") or "")
    assert "Unknown class" in (rules.upgrade_problem("4", "1") or "")
    assert rules.is_upgrade("2", "1") and rules.is_upgrade("1", "VIP")
    assert not rules.is_upgrade("2", "2") and not rules.is_upgrade("2", None)


def test_the_difference_of_a_higher_class() -> None:
    tariff = {"3": 750_000, "2": 900_000, "1": 1_100_000, "VIP": 2_000_000}
    assert rules.upgrade_difference("2", "1", tariff) == 200_000
    assert rules.upgrade_difference("1", "VIP", tariff) == 825_000  # 75% of class I, not 900,000
    cheap_vip = {**tariff, "VIP": 1_500_000}
    assert rules.upgrade_difference("1", "VIP", cheap_vip) == 400_000  # under the cap: all of it
    odd = {**tariff, "1": 1_100_001, "VIP": 9_000_000}
    assert rules.upgrade_difference("1", "VIP", odd) == 825_000  # rounded down: "at most"


def test_ids_and_customer_number() -> None:
    admission = rules.admission_id("20240301", 7)
    assert admission == "ADM-20240301-000007"
    assert rules.customer_no(admission) == "20240301000007"
    assert len(rules.customer_no(rules.admission_id("20991231", 999999))) <= 20


def test_time_formats_per_institution() -> None:
    assert rules.wib_day(WORLD_START) == "20240301"
    assert rules.wib_date(WORLD_START) == "2024-03-01"
    assert rules.wib_date(WORLD_START + 9 * 3600) == "2024-03-02"  # 00:00 WIB next day
    assert rules.wib_iso(WORLD_START) == "2024-03-01T15:00:00+07:00"
    assert rules.utc_iso(WORLD_START) == "2024-03-01T08:00:00+00:00"


def test_snap_amounts() -> None:
    assert rules.snap_amount(150000) == {"value": "150000.00", "currency": "IDR"}
    assert rules.parse_snap_amount("150000.00") == 150000
    for bad in ("150000", "150000.5", "150000.50", "-1.00", "01.00", "abc"):
        assert rules.parse_snap_amount(bad) is None


def test_token_hash_is_stable_and_not_the_token() -> None:
    digest = rules.token_hash("desk_abc")
    assert digest == rules.token_hash("desk_abc")
    assert "desk_abc" not in digest and len(digest) == 64
