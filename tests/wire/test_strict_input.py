"""Signatures, digits and patterns are checked as the ASCII they must be, before any use.

`hmac.compare_digest` raises TypeError on a non-ASCII str, `str.isdigit()` accepts "²" (which
`int()` refuses) and "١٢" (which `int()` reads as 12), and `re.match` with `$` accepts a value
ending in a newline: each turned a caller's mistake into a 500 or let bad data in.
"""

from __future__ import annotations

import pytest

from sandbox.dialects import open_platform, registry, snap, vclaim
from sandbox.dialects.common import digits, same
from sandbox.services.bank import rules as bank_rules
from sandbox.services.hospital import rules as hospital_rules
from sandbox.services.insurance import rules as insurance_rules
from sandbox.services.marketplace import rules as marketplace_rules
from sandbox.services.records import rules as records_rules
from sandbox.wire.context import parse_traceparent

HOSTILE = ["é", "\u00e9" * 40, "²", "١٢٣", "", "\x00"]


@pytest.mark.parametrize("given", [*HOSTILE, None])
@pytest.mark.parametrize("dialect", [snap, registry, open_platform, vclaim])
def test_a_signature_that_is_not_ascii_is_a_mismatch_not_a_crash(
    dialect: object, given: str | None
) -> None:
    assert dialect.matches("c2lnbmF0dXJl", given) is False  # type: ignore[attr-defined]
    assert same("abc", "abc") and not same("abc", "abd")


@pytest.mark.parametrize("value", ["²", "١٢", "12\n", " 12", "1_2", "", "1" * 13])
def test_digits_are_ascii_digits_of_a_bounded_length(value: str) -> None:
    assert not digits(value, 12)
    assert digits("1709280000", 12)


@pytest.mark.parametrize("suffix", ["\n", " ", "\x00"])
def test_a_value_with_a_trailing_character_does_not_pass_a_pattern(suffix: str) -> None:
    with pytest.raises(records_rules.Problem):
        records_rules.check_nik("9971015403960001" + suffix)
    assert bank_rules.parse_amount("150000.00" + suffix) is None
    assert not bank_rules.external_id_ok("123" + suffix)
    assert hospital_rules.parse_snap_amount("150000.00" + suffix) is None
    assert insurance_rules.parse_date("2024-03-01" + suffix) is None
    with pytest.raises(ValueError):
        marketplace_rules.rupiah_from_snap("150000.00" + suffix)
    assert parse_traceparent("00-" + "a" * 32 + "-" + "b" * 16 + "-01x") is None


def test_unicode_digits_are_not_digits() -> None:
    assert bank_rules.parse_amount("١٥٠٠٠٠.00") is None
    assert not bank_rules.external_id_ok("١٢٣")
    assert not bank_rules.channel_id_ok("٩٥٢٢١")
    assert insurance_rules.parse_date("٢٠٢٤-03-01") is None
    assert records_rules.check_nik("9971015403960001") == "9971015403960001"
