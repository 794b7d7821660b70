"""The insurer's rules as plain functions."""

from __future__ import annotations

from datetime import date

import pytest

from sandbox.services.insurance import rules

NOW = 1_709_280_000.0


def test_nik_must_be_16_digits() -> None:
    assert rules.nik_problem("9971015403960001") is None
    assert "16 digits" in (rules.nik_problem("99710154039600") or "")
    assert "digits only" in (rules.nik_problem("997101540396000A") or "")
    assert rules.nik_problem("٩٩٧١٠١٥٤٠٣٩٦٠٠٠١") is not None  # Arabic-Indic digits are not ASCII


def test_card_must_be_13_digits() -> None:
    assert rules.card_problem("9999000000035") is None
    assert rules.card_problem("999900000003") is not None
    assert rules.card_problem("99990000000AB") is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01", date(2024, 3, 1)),
        ("2024-02-29", date(2024, 2, 29)),
        ("2023-02-29", None),
        ("01-03-2024", None),
        ("2024-3-1", None),
        ("", None),
    ],
)
def test_parse_date(text: str, expected: date | None) -> None:
    assert rules.parse_date(text) == expected


def test_timestamp_must_be_fresh_unix_seconds() -> None:
    assert rules.timestamp_problem(str(int(NOW)), NOW) is None
    assert rules.timestamp_problem(str(int(NOW) - 300), NOW) is None
    assert "300 seconds" in (rules.timestamp_problem(str(int(NOW) - 301), NOW) or "")
    assert "Unix seconds" in (rules.timestamp_problem("2024-03-01T08:00:00Z", NOW) or "")
    assert rules.timestamp_problem("9" * 40, NOW) is not None


def test_only_status_zero_is_active() -> None:
    assert rules.is_active("0")
    assert not rules.is_active("2")
    assert not rules.is_active("")


def test_inactive_message_explains_arrears() -> None:
    message = rules.inactive_message("2", "TIDAK AKTIF - TUNGGAKAN")
    assert "arrears" in message and "TUNGGAKAN" in message
    assert "kode 0" in rules.inactive_message("9", "DIBEKUKAN")


def test_sep_number_layout() -> None:
    assert rules.sep_number("0301R001", date(2024, 11, 5), 1) == "0301R0011124V000001"
    assert rules.sep_number("0301R001", date(2017, 11, 5), 8) == "0301R0011117V000008"
    assert len(rules.sep_number("0301R001", date(2024, 3, 1), 999_999)) == 19


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("A09", True),
        ("K35.8", True),
        ("a09", False),
        ("A9", False),
        ("A09.", False),
        ("A09\n", False),
    ],
)
def test_icd10_pattern(code: str, ok: bool) -> None:
    assert bool(rules.ICD10.fullmatch(code)) is ok


def test_today_is_in_indonesian_time() -> None:
    # 2024-02-29 20:00 UTC is already 1 March in WIB.
    assert rules.today(1_709_236_800.0) == date(2024, 3, 1)


def test_a_raised_class_must_be_an_inpatient_room_above_the_entitlement() -> None:
    assert rules.upgrade_problem("1", "2", "", "", "") is None  # no upgrade asked
    assert rules.upgrade_problem("1", "2", "3", "1", "Pribadi") is None  # class 2 -> Kelas 1
    assert rules.upgrade_problem("1", "1", "2", "1", "Pribadi") is None  # class 1 -> VIP
    assert "inpatient" in (rules.upgrade_problem("2", "2", "3", "1", "Pribadi") or "")
    assert "not above" in (rules.upgrade_problem("1", "2", "4", "1", "Pribadi") or "")
    assert "not above" in (rules.upgrade_problem("1", "1", "3", "1", "Pribadi") or "")
    assert rules.upgrade_problem("1", "1", "8", "1", "Pribadi") is None  # above Kelas 1
    assert "intensive care" in (rules.upgrade_problem("1", "3", "6", "1", "Pribadi") or "")
    assert "who pays" in (rules.upgrade_problem("1", "2", "3", "", "Pribadi") or "")
