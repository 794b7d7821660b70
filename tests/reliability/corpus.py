"""A corpus of malformed requests, built from each institution's own OpenAPI document.

Each endpoint gets a valid-looking body (`sandbox.scenarios.openapi.example_body`) and then
every way of breaking it we know: not JSON, the wrong shape, each required field missing or of
the wrong type, a body over 1 MB (announced or streamed), nesting deep enough to exhaust a
parser, bytes that are not UTF-8, structurally impossible NIKs and ids that do not exist.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sandbox.scenarios.openapi import Endpoint, endpoints, example_body, fill_path, path_names

MB = 1024 * 1024
BAD_NIKS = {
    "15 digits": "997101540396000",
    "17 digits": "99710154039600011",
    "letters": "99710154O396000I",
    "unknown province 00": "0071015403960001",
    "unknown region 99 99 99": "9999995403960001",
    "birth day 00": "9971010003960001",
    "birth day 32 (men 01-31)": "9971013203960001",
    "birth day 72 (women 41-71)": "9971017203960001",
    "birth month 13": "9971011413960001",
    "30 February": "9971013002960001",
    "serial 0000": "9971015403960000",
}
"""NIKs that cannot exist: wrong length or characters, a region, date or serial that is
impossible (layout PP KK CC DDMMYY SSSS, women's day + 40)."""
REGION_NIKS = frozenset({"unknown province 00", "unknown region 99 99 99"})
"""Well-formed NIKs whose region does not exist: only the civil registry has the region table,
so the health-records platform and the insurer take them for someone, and ask for her consent
(403 consent_missing in their own dialect) rather than call them malformed."""
REGION_BLIND = frozenset({"records", "insurance"})
UNKNOWN_IDS = ("99999999", "ORD-00000000-000000", "..%2F..%2Fetc%2Fpasswd", "%00", "x" * 300)


@dataclass(frozen=True, slots=True)
class BadRequest:
    """One malformed request and why it is malformed."""

    what: str
    method: str
    path: str
    content: bytes | None = None
    headers: tuple[tuple[str, str], ...] = (("content-type", "application/json"),)


def operations(doc: dict[str, Any]) -> list[Endpoint]:
    """The institution's endpoints, without /health (it takes no input)."""
    return [e for e in endpoints(doc) if e.path != "/health"]


def sample_path(endpoint: Endpoint, value: str = "1") -> str:
    """The endpoint's path with every placeholder filled in."""
    return fill_path(endpoint.path, {name: value for name in path_names(endpoint.path)})


def body_problems(doc: dict[str, Any], endpoint: Endpoint) -> Iterator[BadRequest]:
    """Every broken variant of the endpoint's body."""
    path = sample_path(endpoint)

    def send(what: str, content: bytes) -> BadRequest:
        return BadRequest(what, endpoint.method, path, content)

    yield send("invalid json", b'{"nik": "99",')
    yield send("not utf-8", b'{"name": "\xff\xfe"}')
    yield send("a list", b"[1, 2]")
    yield send("a bare string", b'"hello"')
    yield send("null", b"null")
    yield send("NaN literal", b'{"amount": NaN}')
    yield send("deep nesting", b"[" * 100_000 + b"]" * 100_000)
    yield send("huge body (1 MB + 1)", b'{"pad": "' + b"x" * MB + b'"}')
    yield BadRequest(
        "huge body, streamed without length",
        endpoint.method,
        path,
        b'{"pad": "' + b"x" * (MB + 10) + b'"}',
        (("content-type", "application/json"), ("x-corpus-stream", "1")),
    )
    example = example_body(doc, endpoint)
    if not isinstance(example, dict) or endpoint.media_type != "application/json":
        return
    for field in required_fields(doc, endpoint):
        rest = {k: v for k, v in example.items() if k != field}
        yield send(f"missing {field}", json.dumps(rest).encode())
        wrong = [1] if isinstance(example.get(field), dict) else {"wrong": ["type"]}
        yield send(f"wrong type for {field}", json.dumps({**example, field: wrong}).encode())


def nik_problems(doc: dict[str, Any], endpoint: Endpoint) -> Iterator[BadRequest]:
    """The endpoint called with each impossible NIK, wherever it takes one."""
    example = example_body(doc, endpoint)
    for what, nik in BAD_NIKS.items():
        if "nik" in path_names(endpoint.path):
            values = {
                name: "2024-03-01" if "tgl" in name else nik for name in path_names(endpoint.path)
            }
            yield BadRequest(f"NIK {what}", endpoint.method, fill_path(endpoint.path, values))
        elif any(p.name == "identifier" for p in endpoint.query_params):
            query = f"?identifier=https://fhir.kemkes.go.id/id/nik|{nik}"
            yield BadRequest(f"NIK {what}", endpoint.method, sample_path(endpoint) + query)
        elif isinstance(example, dict) and "nik" in example:
            yield BadRequest(
                f"NIK {what}",
                endpoint.method,
                sample_path(endpoint),
                json.dumps({**example, "nik": nik}).encode(),
            )


def unknown_ids(endpoint: Endpoint) -> Iterator[BadRequest]:
    """The endpoint with ids that name nothing (and some that try to escape the path)."""
    if not path_names(endpoint.path):
        return
    for value in UNKNOWN_IDS:
        path = re.sub(r"\{[^{}]+\}", value, endpoint.path)
        yield BadRequest(
            f"unknown id {value[:20]}", endpoint.method, path, b"{}" if endpoint.has_body else None
        )


def required_fields(doc: dict[str, Any], endpoint: Endpoint) -> list[str]:
    """The top-level required fields of the endpoint's JSON body."""
    operation = doc["paths"][endpoint.path][endpoint.method.lower()]
    media = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = _resolve(doc, media.get("schema", {}))
    return list(schema.get("required", []))


def _resolve(doc: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = doc
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node
