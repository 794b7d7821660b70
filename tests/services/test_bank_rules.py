"""Unit tests of the bank's domain rules (no HTTP, no database)."""

from __future__ import annotations

from datetime import date

import pytest

from sandbox.services.bank import rules

NOW = 1_709_280_000.0  # 2024-03-01 15:00 WIB


@pytest.mark.parametrize(("text", "rupiah"), [("185000.00", 185000), ("0.00", 0), ("1.00", 1)])
def test_parse_amount_reads_whole_rupiah(text: str, rupiah: int) -> None:
    assert rules.parse_amount(text) == rupiah


@pytest.mark.parametrize("text", ["185000", "185000.5", "185000.50", "-1.00", "01.00", "1e5.00"])
def test_parse_amount_refuses_malformed_or_cents(text: str) -> None:
    assert rules.parse_amount(text) is None


def test_format_amount_has_two_decimals_and_idr() -> None:
    assert rules.format_amount(185000) == {"value": "185000.00", "currency": "IDR"}


def test_va_number_pads_the_prefix_to_eight() -> None:
    assert rules.va_number("88001", "123") == "   88001123"
    assert rules.va_digits("   88001123") == "88001123"


def test_wib_day_changes_at_jakarta_midnight() -> None:
    # 16:59:59 UTC is 23:59:59 WIB; one second later it is the next day in Jakarta.
    before = 1_709_312_399.0
    assert rules.wib_day(before) == "2024-03-01"
    assert rules.wib_day(before + 1) == "2024-03-02"


def test_parse_expiry_needs_an_offset() -> None:
    assert rules.parse_expiry("2024-03-01T15:00:00+07:00") == NOW
    assert rules.parse_expiry("2024-03-01T15:00:00") is None
    assert rules.parse_expiry("tomorrow") is None


@pytest.mark.parametrize(
    ("value", "ok"),
    [("123", True), ("1" * 36, True), ("1" * 37, False), ("12a", False), ("", False)],
)
def test_external_id_is_numeric_up_to_36(value: str, ok: bool) -> None:
    assert rules.external_id_ok(value) is ok


def test_channel_id_is_five_characters() -> None:
    assert rules.channel_id_ok("95221")
    assert not rules.channel_id_ok("9522")
    assert not rules.channel_id_ok("952210")


def test_unpaid_va_expires_at_its_deadline() -> None:
    assert rules.va_state("UNPAID", NOW + 1, NOW) == "UNPAID"
    assert rules.va_state("UNPAID", NOW, NOW) == "EXPIRED"
    assert rules.va_state("PAID", NOW - 10, NOW) == "PAID"
    assert rules.payment_flag("EXPIRED") == "02"
    assert rules.payment_flag("PAID") == "00"
    assert rules.payment_flag("UNPAID") == "01"


@pytest.mark.parametrize(
    ("state", "offered", "balance", "problem"),
    [
        ("UNPAID", 100, 100, None),
        ("DELETED", 100, 500, "va_deleted"),
        ("PAID", 100, 500, "va_already_paid"),
        ("EXPIRED", 100, 500, "va_expired"),
        ("UNPAID", 99, 500, "wrong_amount"),
        ("UNPAID", 100, 99, "insufficient_funds"),
    ],
)
def test_payment_problem(
    state: rules.VaState, offered: int, balance: int, problem: str | None
) -> None:
    assert rules.payment_problem(state, 100, offered, balance) == problem


def test_transfer_problem() -> None:
    assert rules.transfer_problem("1", "2", 100, 100) is None
    assert rules.transfer_problem("1", "1", 100, 10) == "same_account"
    assert rules.transfer_problem("1", "2", 5, 10) == "insufficient_funds"


def test_pin_hash_is_salted_and_verifies() -> None:
    first, second = rules.hash_pin("111111"), rules.hash_pin("111111")
    assert first != second  # a fresh salt each time
    assert "111111" not in first
    assert rules.pin_matches("111111", first)
    assert not rules.pin_matches("111112", first)
    assert not rules.pin_matches("111111", "garbage")


def test_lock_after_five_wrong_pins() -> None:
    assert not rules.is_locked(4)
    assert rules.is_locked(5)


def test_fingerprint_ignores_key_order_but_not_values() -> None:
    assert rules.fingerprint({"a": 1, "b": 2}) == rules.fingerprint({"b": 2, "a": 1})
    assert rules.fingerprint({"a": 1}) != rules.fingerprint({"a": 2})


def test_registry_fields_use_registry_formats() -> None:
    fields = rules.registry_fields("DEWI LESTARI", "TANJUNG DAMAI", date(2001, 7, 9), "P", None)
    assert fields == {
        "nama_lgkp": "DEWI LESTARI",
        "tmpt_lhr": "TANJUNG DAMAI",
        "tgl_lhr": "09-07-2001",
        "jenis_klmin": "PEREMPUAN",
    }
    with_address = rules.registry_fields("A", "B", date(2000, 1, 1), "L", "Jl. Mawar 1")
    assert with_address["alamat"] == "Jl. Mawar 1"
    assert with_address["jenis_klmin"] == "LAKI-LAKI"


def test_kyc_mismatches_lists_unconfirmed_fields() -> None:
    sent = {"nama_lgkp": "X", "tgl_lhr": "01-01-2000", "tmpt_lhr": "Y"}
    answered = {"nama_lgkp": "SESUAI", "tgl_lhr": "TIDAK SESUAI"}
    assert rules.kyc_mismatches(sent, answered) == ["tgl_lhr", "tmpt_lhr"]


@pytest.mark.parametrize(
    "typed",
    ["+62 812-0000-0001", "0812 0000 0001", "(0812) 0000-0001", "6281200000001", "+6281200000001"],
)
def test_phone_key_reads_one_number_however_it_is_written(typed: str) -> None:
    assert rules.phone_key(typed) == "+6281200000001"


@pytest.mark.parametrize("typed", ["", None, "12345", "0812-abcd-0001", "+62 812 ٠٠٠٠ 0001"])
def test_phone_key_refuses_what_is_not_a_phone_number(typed: str | None) -> None:
    assert rules.phone_key(typed) is None


def test_masks_show_only_the_last_four_digits() -> None:
    assert rules.mask_phone("+6281200000001") == "+62*******0001"
    assert rules.mask_account("9900000001") == "******0001"
