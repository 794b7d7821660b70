"""Comparing two calls: JSON bodies by structure, headers by name, other bodies by line."""

from __future__ import annotations

import json
from dataclasses import replace

from sandbox.trace.compare import (
    ADDED,
    CHANGED,
    MAX_ROWS,
    REMOVED,
    SAME,
    SECTION_TITLES,
    Row,
    compare_bodies,
    compare_calls,
    compare_headers,
)
from tests.trace.conftest import CREATE_VA, checkout_calls


def _differing(rows: list[Row]) -> list[tuple[str | None, str | None, str]]:
    return [(r.left, r.right, r.kind) for r in rows if r.kind != SAME]


def test_compare_json_bodies_ignores_key_order_and_spacing() -> None:
    left = '{"trxId": "ORD-1", "totalAmount": {"value": "150000.00", "currency": "IDR"}}'
    right = json.dumps(
        {"totalAmount": {"currency": "IDR", "value": "150000.00"}, "trxId": "ORD-1"}, indent=4
    )
    rows, changes = compare_bodies(left, right)
    assert changes == []
    assert all(row.kind == SAME for row in rows)
    assert [row.left for row in rows][:2] == ["{", '  "trxId": "ORD-1"']


def test_compare_json_bodies_names_changed_added_and_removed_keys() -> None:
    left = json.dumps({"trxId": "ORD-1", "amount": {"value": "1.00"}, "note": None})
    right = json.dumps({"trxId": "ORD-1", "amount": {"value": "2.00"}, "retry": True})
    rows, changes = compare_bodies(left, right)
    assert changes == [("amount.value", CHANGED), ("note", REMOVED), ("retry", ADDED)]
    assert _differing(rows) == [
        ('    "value": "1.00"', '    "value": "2.00"', CHANGED),
        ('  "note": null', None, REMOVED),
        (None, '  "retry": true', ADDED),
    ]


def test_compare_json_lists_align_around_an_inserted_item() -> None:
    rows, changes = compare_bodies('{"items": [1, 2, 3]}', '{"items": [1, 9, 2, 3]}')
    assert changes == [("items[1]", ADDED)]
    assert _differing(rows) == [(None, "    9", ADDED)]


def test_compare_json_values_of_another_type_or_number_form_differ() -> None:
    rows, changes = compare_bodies(
        '{"a": 1, "b": true, "c": {"d": 1}}', '{"a": 1.0, "b": 1, "c": 5}'
    )
    assert [where for where, _ in changes] == ["a", "b", "c"]
    assert _differing(rows)[-3:] == [
        ('  "c": {', '  "c": 5', CHANGED),
        ('    "d": 1', None, CHANGED),
        ("  }", None, CHANGED),
    ]


def test_compare_whole_json_documents_of_different_shape() -> None:
    _, changes = compare_bodies("[1, 2]", '{"a": 1}')
    assert changes == [("", CHANGED)]


def test_compare_text_bodies_line_by_line() -> None:
    rows, changes = compare_bodies("a\nb\nc", "a\nB\nc\nd")
    assert changes == []
    assert _differing(rows) == [("b", "B", CHANGED), (None, "d", ADDED)]


def test_compare_json_with_text_shows_the_json_indented() -> None:
    rows, _ = compare_bodies('{"a":1}', "not json")
    assert [(r.left, r.right) for r in rows][:2] == [("{", "not json"), ('  "a": 1', None)]


def test_compare_headers_by_name_whatever_the_case() -> None:
    left = (("Content-Type", "application/json"), ("X-Timestamp", "1"), ("Accept", "a"))
    right = (("content-type", "application/json"), ("x-timestamp", "2"), ("Idempotency-Key", "k"))
    rows, changes = compare_headers(left, right)
    assert [(r.left, r.right, r.kind) for r in rows] == [
        ("Content-Type: application/json", "content-type: application/json", SAME),
        ("X-Timestamp: 1", "x-timestamp: 2", CHANGED),
        ("Accept: a", None, REMOVED),
        (None, "Idempotency-Key: k", ADDED),
    ]
    assert changes == [("X-Timestamp", CHANGED), ("Accept", REMOVED), ("Idempotency-Key", ADDED)]


def test_compare_headers_joins_repeated_ones() -> None:
    rows, _ = compare_headers((("Via", "a"), ("via", "b")), (("Via", "a, b"),))
    assert [(r.left, r.kind) for r in rows] == [("Via: a, b", SAME)]


def test_compare_calls_has_every_section_and_caps_rows() -> None:
    call = next(c for c in checkout_calls() if c.span_id == CREATE_VA)
    body = json.dumps({"n": list(range(MAX_ROWS + 10))})
    retry = replace(
        call, request_body=body, response_headers=(*call.response_headers, ("x-retry", "1"))
    )
    sections = compare_calls(call, retry)
    assert tuple(s.title for s in sections) == SECTION_TITLES
    headers, request_body = sections[0], sections[1]
    assert not headers.differs
    assert request_body.differs and len(request_body.rows) == MAX_ROWS
    assert request_body.left_out > 0
    assert sections[2].changes == (("x-retry", ADDED),)
