"""Unit tests of the records platform's rules: identifiers, status history, ICD-10."""

from __future__ import annotations

import pytest

from sandbox.services.records import errors, rules


def test_mask_nik_keeps_last_four() -> None:
    assert rules.mask_nik("9972013005720001") == "************0001"


def test_nik_from_search_parses_system_and_value() -> None:
    assert rules.nik_from_search(f"{rules.NIK_SYSTEM}|9972013005720001") == "9972013005720001"


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("9972013005720001", "invalid_identifier"),
        ("http://x|9972013005720001", "invalid_identifier"),
        (f"{rules.NIK_SYSTEM}|997201300572000", "invalid_nik"),
        (f"{rules.NIK_SYSTEM}|99720130057200OI", "invalid_nik"),
    ],
)
def test_nik_from_search_refuses(token: str, code: str) -> None:
    with pytest.raises(rules.Problem) as caught:
        rules.nik_from_search(token)
    assert caught.value.code == code


def test_reference_id() -> None:
    assert rules.reference_id("Patient/P10000000001", "Patient", "subject") == "P10000000001"
    for bad in ("P10000000001", "Patient/", "Encounter/E1", "Patient/a/b"):
        with pytest.raises(rules.Problem):
            rules.reference_id(bad, "Patient", "subject")


@pytest.mark.parametrize(
    ("status", "history", "ok"),
    [
        ("arrived", ["arrived"], True),
        ("finished", ["arrived", "in-progress", "finished"], True),
        ("finished", ["arrived", "finished"], True),
        ("in-progress", ["arrived"], False),
        ("arrived", [], False),
        ("arrived", ["in-progress", "arrived"], False),
        ("in-progress", ["arrived", "arrived", "in-progress"], False),
    ],
)
def test_status_history(status: str, history: list[str], ok: bool) -> None:
    assert (rules.status_history_problem(status, history) is None) is ok


@pytest.mark.parametrize("code", ["A09", "J06.9", "E11.9", "K29.7", "S72.001"])
def test_icd10_accepts_plausible_codes(code: str) -> None:
    assert rules.icd10_code([(rules.ICD10_SYSTEM, code)]) == code


@pytest.mark.parametrize("code", ["a09", "A9", "J06.", "J069", "flu", "A09.12345"])
def test_icd10_refuses_implausible_codes(code: str) -> None:
    with pytest.raises(rules.Problem) as caught:
        rules.icd10_code([(rules.ICD10_SYSTEM, code)])
    assert caught.value.code == "invalid_icd10"


def test_icd10_needs_exactly_one_coding() -> None:
    with pytest.raises(rules.Problem):
        rules.icd10_code([])
    with pytest.raises(rules.Problem):
        rules.icd10_code([(rules.ICD10_SYSTEM, "A09"), (rules.ICD10_SYSTEM, "I10")])


def test_sequences_match_the_seeded_world() -> None:
    assert rules.ihs_number(1) == "P10000000001"
    assert rules.encounter_id(62) == "E00000062"
    assert rules.condition_id(7) == "C00000007"


def test_parse_instant_needs_an_offset() -> None:
    assert rules.parse_instant("2024-03-01T08:00:00+00:00", "f") == 1_709_280_000.0
    with pytest.raises(rules.Problem):
        rules.parse_instant("2024-03-01T08:00:00", "f")


def test_render_is_an_operation_outcome() -> None:
    body = errors.render(403, "business_rule", errors.BUSINESS_RULE, {"issue": "business-rule"})
    assert body == {
        "resourceType": "OperationOutcome",
        "issue": [
            {"severity": "error", "code": "business-rule", "diagnostics": errors.BUSINESS_RULE}
        ],
        "code": "business_rule",
        "message": errors.BUSINESS_RULE,
    }
    assert errors.render(400, "missing_field", "m", {"field": "x"})["issue"][0] == {
        "severity": "error",
        "code": "required",
        "diagnostics": "m",
        "expression": ["x"],
    }
