"""How a recorded call's headers and bodies are kept in the trace store: one blob per call.

The blob is compact JSON of `[request headers, request body, response headers, response
body]`, deflated with a preset dictionary of what most calls share, behind a version byte.
Blobs from before the version byte (plain zlib) are still read.
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


def pack_detail(call: HttpCall) -> bytes:
    """A call's headers and bodies as one compressed blob (`detail` in `trace.db`)."""
    detail = [call.request_headers, call.request_body, call.response_headers, call.response_body]
    packer = zlib.compressobj(6, zdict=ZDICT)
    return PACKED_V1 + packer.compress(_json(detail)) + packer.flush()


def _json(detail: list[Any]) -> bytes:
    """Compact JSON as UTF-8. orjson is several times faster than `json.dumps` on every
    recorded call; it refuses a lone surrogate, which `json.dumps` writes as an escape, so
    such a call is still kept."""
    try:
        return orjson.dumps(detail)
    except TypeError:
        return json.dumps(detail, separators=(",", ":")).encode()


def unpack_detail(blob: bytes) -> Any:
    """The four parts `pack_detail` packed, as JSON values (lists of pairs and strings)."""
    if blob[:1] == PACKED_V1:
        unpacker = zlib.decompressobj(zdict=ZDICT)
        return json.loads(unpacker.decompress(blob[1:]) + unpacker.flush())
    return json.loads(zlib.decompress(blob))
