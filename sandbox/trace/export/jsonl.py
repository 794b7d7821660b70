"""JSON Lines: one flat, stable object per call, for `jq`, pandas, spreadsheets and diffs.

The field names are a contract (scripts and the README rely on them): new fields may be added,
existing ones are never renamed or retyped. Each line holds, in this order:

- `trace_id` (str): 32 hex digits shared by every call of the story.
- `span_id` (str): 16 hex digits identifying this call.
- `parent_id` (str | null): the `span_id` of the inbound call during which this call was made;
  null for a root call.
- `caller` (str): the calling service slug (verified by the callee, or recorded by the
  sandbox's own client), `external`, or a label a person's tool gave itself.
- `callee` (str): the service slug that was called.
- `method` (str): the HTTP method, upper case.
- `path` (str): path and query string as sent (signing parameters already masked).
- `status` (int | null): the HTTP status, or null when no response came back.
- `start` (str): when the call started, ISO-8601 UTC with milliseconds
  (`2024-03-01T08:00:00.125Z`).
- `started_at` (float): the same instant as Unix seconds.
- `duration_ms` (float): how long the caller waited, in milliseconds.
- `outcome` (str): `2xx`, `3xx`, `4xx`, `5xx`, or `failed` when there was no response.
- `error` (str | null): why no response came back (`refused`, `timeout`, ...), else null.
- `truncated` (bool): true when a body was cut at the recording limit.
- `request` and `response` (object): `headers`, a list of `[name, value]` pairs in the order
  sent (duplicates kept, credentials masked), and `body`, the recorded text ("" when empty;
  JSON bodies stay a string so the type never changes).
- `claimed_caller` (str | null): for an `external` caller, the institution or partner it
  claimed to be without proving it ("claims to be social"); null otherwise.

Lines end with a newline; an empty trace is an empty string. Output is UTF-8 (not escaped).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sandbox.trace.events import HttpCall


def to_jsonl(calls: Sequence[HttpCall]) -> str:
    """One JSON object per call, one call per line, in start order."""
    ordered = sorted(calls, key=lambda call: call.started_at)
    return "".join(
        json.dumps(call_record(call), ensure_ascii=False, separators=(",", ":")) + "\n"
        for call in ordered
    )


def call_record(call: HttpCall) -> dict[str, Any]:
    """The JSONL object of one call (the fields documented above, in that order)."""
    return {
        "trace_id": call.trace_id,
        "span_id": call.span_id,
        "parent_id": call.parent_id,
        "caller": call.caller,
        "callee": call.callee,
        "method": call.method,
        "path": call.path,
        "status": call.status,
        "start": _iso_utc(call.started_at),
        "started_at": call.started_at,
        "duration_ms": call.duration_ms,
        "outcome": call.outcome,
        "error": call.error,
        "truncated": call.truncated,
        "request": {"headers": _pairs(call.request_headers), "body": call.request_body},
        "response": {"headers": _pairs(call.response_headers), "body": call.response_body},
        "claimed_caller": call.claimed_caller,
    }


def _pairs(headers: Sequence[tuple[str, str]]) -> list[list[str]]:
    return [[name, value] for name, value in headers]


def _iso_utc(seconds: float) -> str:
    stamp = datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")
