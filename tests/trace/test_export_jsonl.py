"""JSON Lines: one object per call, with the documented fields in a stable order."""

from __future__ import annotations

import json
import re
from typing import Any

from sandbox.trace.events import HttpCall
from sandbox.trace.export import jsonl
from sandbox.trace.export.jsonl import to_jsonl
from tests.trace.conftest import BALANCE, DETAIL, ORDER, ORDER_WEBHOOK, T0

FIELDS = [
    "trace_id",
    "span_id",
    "parent_id",
    "caller",
    "callee",
    "method",
    "path",
    "status",
    "start",
    "started_at",
    "duration_ms",
    "outcome",
    "error",
    "truncated",
    "request",
    "response",
    "claimed_caller",
]


def _records(calls: list[HttpCall]) -> dict[str, dict[str, Any]]:
    text = to_jsonl(calls)
    assert text.endswith("\n")
    lines = text.splitlines()
    assert len(lines) == len(calls)
    return {record["span_id"]: record for record in map(json.loads, lines)}


def test_jsonl_one_object_per_call_with_stable_fields(checkout: list[HttpCall]) -> None:
    for record in _records(checkout).values():
        assert list(record) == FIELDS
        assert list(record["request"]) == list(record["response"]) == ["headers", "body"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record["start"])


def test_jsonl_fields_are_documented_in_the_module() -> None:
    for field in [*FIELDS, "headers", "body"]:
        assert f"`{field}`" in (jsonl.__doc__ or ""), field


def test_jsonl_values_of_an_ordinary_call(checkout: list[HttpCall]) -> None:
    record = _records(checkout)[ORDER]
    assert record["start"] == "2024-03-01T08:00:00.010Z"
    assert record["started_at"] == T0 + 0.010
    assert record["outcome"] == "2xx"
    assert record["request"] == {
        "headers": [["content-type", "application/json"]],
        "body": '{"items":[{"sku":"A1","qty":2}]}',
    }


def test_jsonl_failed_client_error_and_truncated(checkout: list[HttpCall]) -> None:
    records = _records(checkout)
    failed = records[BALANCE]
    assert (failed["status"], failed["outcome"], failed["error"]) == (None, "failed", "refused")
    assert failed["response"] == {"headers": [], "body": ""}
    assert (records[DETAIL]["status"], records[DETAIL]["outcome"]) == (404, "4xx")
    assert records[ORDER_WEBHOOK]["truncated"] is True
    assert records[ORDER_WEBHOOK]["request"]["body"].endswith("…[truncated 120 characters]")


def test_jsonl_rebuilds_the_calls(checkout: list[HttpCall]) -> None:
    for call, record in zip(checkout, _records(checkout).values(), strict=True):
        rebuilt = HttpCall(
            trace_id=record["trace_id"],
            span_id=record["span_id"],
            parent_id=record["parent_id"],
            caller=record["caller"],
            callee=record["callee"],
            method=record["method"],
            path=record["path"],
            status=record["status"],
            started_at=record["started_at"],
            duration_ms=record["duration_ms"],
            request_headers=tuple(tuple(h) for h in record["request"]["headers"]),
            request_body=record["request"]["body"],
            response_headers=tuple(tuple(h) for h in record["response"]["headers"]),
            response_body=record["response"]["body"],
            error=record["error"],
            truncated=record["truncated"],
        )
        assert rebuilt == call


def test_jsonl_empty_trace_is_empty() -> None:
    assert to_jsonl([]) == ""
