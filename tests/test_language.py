"""Numbers and rupiah come from CLDR through Babel, in the formats the sandbox has always shown."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sandbox.language import number, rupiah


def _grouped(value: int, separator: str) -> str:
    """What the sandbox wrote before Babel: Python's grouping with the language's separator."""
    return f"{value:,}".replace(",", separator)


def test_numbers_are_grouped_as_each_language_groups_them() -> None:
    assert number(1_234_567, "en") == "1,234,567"
    assert number(1_234_567, "id") == "1.234.567"
    assert number(0, "id") == "0" and number(-48_210, "id") == "-48.210"


def test_rupiah_is_whole_with_the_prefix_and_the_grouping_people_read() -> None:
    assert rupiah(185_000, "en") == "Rp185,000"
    assert rupiah(185_000, "id") == "Rp185.000"  # not CLDR's "Rp 185.000,00" nor "IDR185,000"


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_babel_writes_every_whole_number_as_the_sandbox_always_did(value: int) -> None:
    assert number(value, "en") == _grouped(value, ",")
    assert number(value, "id") == _grouped(value, ".")
    assert rupiah(value, "id") == "Rp" + _grouped(value, ".")
