"""An unverified caller's claim is kept apart from who it is, and shown as a claim everywhere."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from sandbox.trace.events import HttpCall
from sandbox.trace.export import export
from sandbox.trace.snippets import curl
from sandbox.trace.store import TraceStore
from sandbox.trace.waterfall import call_line, waterfall

CLAIMED = HttpCall(
    trace_id="a" * 32,
    span_id="b" * 16,
    parent_id=None,
    caller="external",
    callee="bank",
    method="POST",
    path="/v1.0/transfer-va/create-va",
    status=401,
    started_at=1_709_280_000.0,
    duration_ms=2.0,
    claimed_caller="social",
)


def test_the_claim_survives_the_store_and_the_control_api_format(tmp_path: Path) -> None:
    store = TraceStore(tmp_path / "trace.db")
    store.add([CLAIMED])
    [stored] = store.trace(CLAIMED.trace_id)
    assert stored == CLAIMED and stored.caller == "external"
    assert HttpCall.from_dict(json.loads(json.dumps(stored.to_dict()))) == CLAIMED
    assert store.count(service="social") == 0, "a claim is not a caller"


def test_a_store_from_before_the_claim_gains_the_column(tmp_path: Path) -> None:
    path = tmp_path / "trace.db"
    old = sqlite3.connect(path)
    old.execute(
        "CREATE TABLE calls (seq INTEGER PRIMARY KEY, trace_id TEXT NOT NULL, span_id TEXT NOT"
        " NULL, parent_id TEXT, caller TEXT, callee TEXT, method TEXT, path TEXT, status INTEGER,"
        " started_at REAL, duration_ms REAL, error TEXT, truncated INTEGER, detail BLOB)"
    )
    old.commit()
    old.close()
    store = TraceStore(path)
    store.add([CLAIMED])
    assert store.trace(CLAIMED.trace_id)[0].claimed_caller == "social"


def test_every_view_says_it_is_a_claim() -> None:
    said = "external (claims to be social)"
    assert (
        CLAIMED.who == said
        and "claims" not in HttpCall(**{**CLAIMED.to_dict(), "claimed_caller": None}).who
    )
    assert said in "\n".join(waterfall([CLAIMED])) and said in call_line(CLAIMED)
    assert said in curl(CLAIMED, "http://127.0.0.1:8703")
    assert json.loads(export([CLAIMED], "jsonl"))["claimed_caller"] == "social"
    har = json.loads(export([CLAIMED], "har"))["log"]["entries"][0]
    assert (har["_caller"], har["_claimedCaller"]) == ("external", "social")
    assert "claims to be social" in export([CLAIMED], "mermaid")
    otlp = json.loads(export([CLAIMED], "otlp"))
    [span] = otlp["resourceSpans"][0]["scopeSpans"][0]["spans"]
    attributes = {a["key"]: a["value"] for a in span["attributes"]}
    assert attributes["sandbox.caller"] == {"stringValue": "external"}
    assert attributes["sandbox.claimed_caller"] == {"stringValue": "social"}
