"""OTLP's protobuf encoding, for collectors told to take `http/protobuf` (OpenTelemetry's
default protocol) and for a board that receives either encoding.

We build every span once, as the OTLP/JSON dictionary of `sandbox.trace.export.otlp`, and
convert it here with the official definitions (`opentelemetry-proto`) rather than keep a
second span builder: the two encodings cannot drift apart. The only real difference is the
ids: OTLP/JSON writes them in hex, protobuf's own JSON mapping (which `json_format` reads)
in base64. The import is lazy so the sandbox starts without protobuf loaded.
"""

from __future__ import annotations

import base64
import binascii
import copy
from typing import Any

ID_FIELDS = ("traceId", "spanId", "parentSpanId")


class NotOtlp(ValueError):
    """The bytes are not an `ExportTraceServiceRequest`."""


def to_protobuf(request: dict[str, Any]) -> bytes:
    """An OTLP/JSON `ExportTraceServiceRequest` dictionary as protobuf bytes."""
    from google.protobuf import json_format
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    converted = copy.deepcopy(request)
    for span in _spans(converted):
        for key in ID_FIELDS:
            if span.get(key):
                span[key] = base64.b64encode(bytes.fromhex(span[key])).decode()
    message = json_format.ParseDict(converted, ExportTraceServiceRequest())
    return bytes(message.SerializeToString())


def from_protobuf(body: bytes) -> dict[str, Any]:
    """Protobuf bytes as the OTLP/JSON dictionary (hex ids, camelCase names); NotOtlp when
    they do not parse."""
    from google.protobuf import json_format
    from google.protobuf.message import DecodeError
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    message = ExportTraceServiceRequest()
    try:
        message.ParseFromString(body)
    except (DecodeError, RuntimeError, ValueError) as exc:  # RecursionError is a RuntimeError
        raise NotOtlp(f"not an OTLP protobuf request ({exc})") from None
    request: dict[str, Any] = json_format.MessageToDict(message, use_integers_for_enums=True)
    for span in _spans(request):
        for key in ID_FIELDS:
            if span.get(key):
                try:
                    span[key] = base64.b64decode(span[key]).hex()
                except (binascii.Error, ValueError):
                    span[key] = ""
    return request


def _spans(request: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        span
        for resource_spans in request.get("resourceSpans", [])
        for scope_spans in resource_spans.get("scopeSpans", [])
        for span in scope_spans.get("spans", [])
    ]
