"""Dotted paths and `{{ placeholders }}`."""

from __future__ import annotations

import pytest

from sandbox.lessons.values import MISSING, UnknownPlaceholder, dig, fill, placeholders

SCOPE = {
    "personas": {"buyer": {"nik": "9971015403960001", "user_id": 1}},
    "saved": {"order_id": "26112900001", "items": [{"id": 7}]},
    "urls": {"bank": "http://127.0.0.1:8703"},
}


def test_dig_walks_tables_and_indexes_arrays() -> None:
    assert dig(SCOPE, "saved.items.0.id") == 7
    assert dig(SCOPE, "saved.items.-1.id") == 7
    assert dig(SCOPE, "saved.items.1.id") is MISSING
    assert dig(SCOPE, "saved.nope") is MISSING
    assert dig({"a": None}, "a") is None


def test_fill_keeps_the_type_of_a_whole_placeholder_and_formats_inside_text() -> None:
    body = {
        "user": "{{ personas.buyer.user_id }}",
        "ref": "order {{saved.order_id}}",
        "list": ["{{ urls.bank }}/x", 3],
    }
    assert fill(body, SCOPE) == {
        "user": 1,
        "ref": "order 26112900001",
        "list": ["http://127.0.0.1:8703/x", 3],
    }


def test_fill_names_a_missing_placeholder() -> None:
    with pytest.raises(UnknownPlaceholder, match=r"\{\{ saved.va \}\} has no value"):
        fill("/pay/{{ saved.va }}", SCOPE)


def test_placeholders_are_found_at_any_depth() -> None:
    assert placeholders({"a": ["{{ x.y }}", {"b": "{{z.w}} and {{ q.r }}"}], "n": 1}) == [
        "x.y",
        "z.w",
        "q.r",
    ]
