"""A call's headers and bodies come back from the trace store exactly as they were recorded."""

from __future__ import annotations

import json
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from sandbox.trace.events import HttpCall
from sandbox.trace.packing import (
    PACKED_V1,
    PACKED_V2,
    ZDICT,
    ZDICT_V3,
    ids_of,
    pack_detail,
    unpack_detail,
)
from sandbox.trace.store import TraceStore

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
SPAN = "00f067aa0ba902b7"
PARENT = "b7ad6b7169203331"


def _call(**fields: object) -> HttpCall:
    call = HttpCall(
        trace_id=TRACE,
        span_id=SPAN,
        parent_id=PARENT,
        caller="marketplace",
        callee="bank",
        method="POST",
        path="/v1.0/transfer-va/create-va",
        status=200,
        started_at=1000.0,
        duration_ms=2.5,
        request_headers=(("traceparent", f"00-{TRACE}-{SPAN}-01"), ("x-parent", PARENT)),
        request_body=json.dumps({"note": f"{TRACE}{SPAN}", "raw": "\x01\x02\x03"}),
        response_headers=(("traceresponse", f"00-{TRACE}-{SPAN}-01"), ("x-request-id", SPAN)),
        response_body='{"responseCode":"2002700","responseMessage":"Successful"}',
    )
    return replace(call, **fields)  # type: ignore[arg-type]


def _parts(call: HttpCall) -> Any:
    return json.loads(
        json.dumps(
            [call.request_headers, call.request_body, call.response_headers, call.response_body]
        )
    )


def test_packing_gives_back_every_byte_including_the_ids_it_leaves_out() -> None:
    for call in (
        _call(),
        _call(parent_id=None),
        _call(trace_id="not-hex id", request_body="not-hex id \u2603 \ud800"),
        _call(span_id=TRACE[:16]),  # the span id is also part of the trace id
        _call(request_headers=(), response_body=""),
    ):
        blob = pack_detail(call)
        assert unpack_detail(blob, ids_of(call)) == _parts(call)
        for mark in (b"\x01", b"\x02", b"\x03"):
            assert mark not in json.dumps(_parts(call)).encode()


def test_packed_calls_leave_their_ids_to_the_row() -> None:
    call = _call()
    blob = pack_detail(call)
    text = json.dumps(_parts(call), separators=(",", ":")).encode()
    packer = zlib.compressobj(6, zdict=ZDICT)
    assert len(blob) + 40 < len(PACKED_V1 + packer.compress(text) + packer.flush())
    with pytest.raises(ValueError):  # without the ids the blob is not the call
        unpack_detail(blob)


def test_a_store_reads_calls_packed_by_the_previous_version(tmp_path: Path) -> None:
    store = TraceStore(tmp_path / "trace.db")
    call = _call()
    store.add([call])
    text = json.dumps(_parts(call), separators=(",", ":")).encode()
    packer = zlib.compressobj(6, zdict=ZDICT)
    old = PACKED_V1 + packer.compress(text) + packer.flush()
    store.db.execute("UPDATE calls SET detail = ?", [old])
    assert store.trace(TRACE) == [call]
    store.db.execute("UPDATE calls SET detail = ?", [zlib.compress(text)])  # before versions
    assert store.trace(TRACE) == [call]
    store.close()


def _packed_v2(call: HttpCall) -> bytes:
    """A blob as version 2 packed it (the code of that version, kept here)."""
    text = json.dumps(_parts(call), separators=(",", ":")).encode()
    for mark, value in zip((b"\x01", b"\x02", b"\x03"), ids_of(call), strict=True):
        if value.isascii() and value.isalnum():
            text = text.replace(value.encode(), mark)
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS, zdict=ZDICT)
    return PACKED_V2 + packer.compress(text) + packer.flush()


def test_a_store_reads_calls_packed_by_version_2(tmp_path: Path) -> None:
    store = TraceStore(tmp_path / "trace.db")
    call = _call()
    store.add([call])
    store.db.execute("UPDATE calls SET detail = ?", [_packed_v2(call)])
    assert store.trace(TRACE) == [call]
    store.close()


def test_the_headers_every_recorded_call_carries_cost_a_few_bytes() -> None:
    # Version 3's dictionary holds them with the ids already marked: these four lines take
    # a few bytes where version 2 spent several dozen.
    bare = _call(request_headers=(), response_headers=(), request_body="", response_body="")
    named = replace(
        bare,
        response_headers=(
            ("content-type", "application/json"),
            ("traceresponse", f"00-{TRACE}-{SPAN}-01"),
            ("x-request-id", SPAN),
        ),
        request_headers=(("traceparent", f"00-{TRACE}-{SPAN}-01"),),
    )
    added = len(pack_detail(named)) - len(pack_detail(bare))
    assert added < len(_packed_v2(named)) - len(_packed_v2(bare)) - 20
    assert added <= 12
    assert unpack_detail(pack_detail(named), ids_of(named)) == _parts(named)
    assert b"traceresponse" in ZDICT_V3
