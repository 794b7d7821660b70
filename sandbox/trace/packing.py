"""How a recorded call's headers and bodies are kept in the trace store: one blob per call.

The blob is compact JSON of `[request headers, request body, response headers, response
body]`, deflated with a preset dictionary of what most calls share, behind a version byte.

Version 2 (written now) leaves out what the row already holds: the call's trace, span and
parent ids, which its `traceparent`, `traceresponse` and `X-Request-Id` headers repeat, are
replaced by one control byte each (JSON never holds a raw control byte, so they cannot be
mistaken for text), and the deflate stream goes without zlib's 10-byte wrapper (its header,
dictionary id and checksum). Random hex does not compress: these ids were 40 to 50 of the
350-odd bytes of an ordinary call. Version 1 blobs (zlib with the same dictionary) and blobs
from before the version byte (plain zlib) are still read.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

import orjson

from sandbox.trace.events import HttpCall

ZDICT = (
    b'[["host","127.0.0.1:"],["accept","*/*"],["accept-encoding","gzip, deflate"],'
    b'["connection","keep-alive"],["user-agent","integration-sandbox/"],'
    b'["content-type","application/json"],["content-length","'
    b'["authorization","[redacted]"],["x-signature","[redacted]"],["x-timestamp","'
    b'["x-partner-id","["x-external-id","["channel-id","["x-client-id","["x-nonce","'
    b'["x-sandbox-caller","["x-sandbox-recorded","1"],["traceparent","00-'
    b'["date","["server","uvicorn"],"responseCode":"","responseMessage":"Successful",'
    b'"code":"","message":"","virtualAccountNo":"   88001","totalAmount":{"value":"'
    b'.00","currency":"IDR"},"order_id":"","status":"AWAITING_SHIPMENT","UNPAID",'
    b'"product_id":,"quantity":,"price":,"name":"'
)
"""Strings most recorded calls share: a preset dictionary lets zlib compress even one small
call well (a record is a few hundred bytes, too short for zlib to learn them itself)."""
PACKED_V1 = b"\x01"
PACKED_V2 = b"\x02"
_MARKS = (b"\x01", b"\x02", b"\x03")
"""What stands for the trace id, the span id and the parent id inside a version 2 blob."""


def ids_of(call: HttpCall) -> tuple[str, str, str]:
    """The ids a version 2 blob leaves out, in the order of `_MARKS` ("" for none)."""
    return call.trace_id, call.span_id, call.parent_id or ""


def pack_detail(call: HttpCall) -> bytes:
    """A call's headers and bodies as one compressed blob (`detail` in `trace.db`)."""
    detail = [call.request_headers, call.request_body, call.response_headers, call.response_body]
    text = _json(detail)
    for mark, value in zip(_MARKS, ids_of(call), strict=True):
        if value.isascii() and value.isalnum():  # so it reads the same inside JSON; not ""
            text = text.replace(value.encode(), mark)
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS, zdict=ZDICT)
    return PACKED_V2 + packer.compress(text) + packer.flush()


def _json(detail: list[Any]) -> bytes:
    """Compact JSON as UTF-8. orjson is several times faster than `json.dumps` on every
    recorded call; it refuses a lone surrogate, which `json.dumps` writes as an escape, so
    such a call is still kept."""
    try:
        return orjson.dumps(detail)
    except TypeError:
        return json.dumps(detail, separators=(",", ":")).encode()


def unpack_detail(blob: bytes, ids: tuple[str, str, str] = ("", "", "")) -> Any:
    """The four parts `pack_detail` packed, as JSON values (lists of pairs and strings).

    `ids` are the call's own (`ids_of`), which a version 2 blob needs back.
    """
    if blob[:1] == PACKED_V2:
        unpacker = zlib.decompressobj(-zlib.MAX_WBITS, zdict=ZDICT)
        text = unpacker.decompress(blob[1:]) + unpacker.flush()
        for mark, value in zip(_MARKS, ids, strict=True):
            if value.isascii() and value.isalnum():
                text = text.replace(mark, value.encode())
        return json.loads(text)
    if blob[:1] == PACKED_V1:
        unpacker = zlib.decompressobj(zdict=ZDICT)
        return json.loads(unpacker.decompress(blob[1:]) + unpacker.flush())
    return json.loads(zlib.decompress(blob))
