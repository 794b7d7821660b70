"""Reading an institution's OpenAPI document: its endpoints and a body worth sending.

The composer lets a student pick any endpoint and send it as someone; it needs the list of
operations, the parameters each takes, and a request body that the service would accept as it
stands - so a first press of Send teaches something other than "field required". Bodies come
from the document's own examples when it has them and are otherwise made up from the schema.
Pure functions over the document (a dict as FastAPI serves it); no HTTP, no Textual.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
"""Keys of an OpenAPI path item that are operations (the rest are shared fields)."""
HIDDEN_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"})
"""Framework pages, not the institution's API: never offered."""
LAST_PATHS = frozenset({"/health"})
"""Offered, but after the endpoints a student came for."""
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"

_MAX_DEPTH = 12
"""Self-referencing schemas (a comment with replies) stop here instead of recursing forever."""
_EXAMPLE_DATE = "2024-03-01"
_EXAMPLE_DATE_TIME = "2024-03-01T15:00:00+07:00"
"""The seeded world's first day, in WIB: the same every run, so snapshots stay stable."""
_FORMATS = {
    "date": _EXAMPLE_DATE,
    "date-time": _EXAMPLE_DATE_TIME,
    "time": "15:00:00",
    "email": "someone@example.sandbox",
    "uri": "http://example.sandbox/",
    "uuid": "00000000-0000-4000-8000-000000000000",
}
_DIGITS = re.compile(r"\^?(?:\\d|\[0-9\])\{([0-9]+)(?:,([0-9]+))?\}\$?")
"""A pattern of only digits (`^[0-9]{16}$` or `^\\d{16}$`): examples get that many ones."""
"""Patterns like `^\\d{16}$` (a NIK, a PIN): the one pattern shape worth honouring by hand."""


@dataclass(frozen=True, slots=True)
class Parameter:
    """One path, query or header parameter of an operation."""

    name: str
    location: str
    """"path", "query" or "header", as in the document's `in`."""
    required: bool
    description: str
    example: str
    """A value to start from, as text ("" when the document suggests none)."""
    default: str = ""
    """What the service assumes when the parameter is left out, as text ("" for none)."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One operation a person can call: what to show in a list and what it takes."""

    method: str
    """Upper case, as sent on the wire."""
    path: str
    """The template, with `{name}` placeholders for path parameters."""
    summary: str
    has_body: bool
    media_type: str | None
    """The request body's content type (JSON preferred), None without a body."""
    path_params: tuple[Parameter, ...] = ()
    query_params: tuple[Parameter, ...] = ()
    header_params: tuple[Parameter, ...] = ()
    """Headers the operation names itself (Idempotency-Key); credentials are left out."""

    @property
    def key(self) -> str:
        """`METHOD /path`: unique within one document."""
        return f"{self.method} {self.path}"

    @property
    def label(self) -> str:
        """`METHOD /path - summary`, for a pick list."""
        return f"{self.key} - {self.summary}" if self.summary else self.key


def endpoints(doc: dict[str, Any]) -> list[Endpoint]:
    """Every operation in document order, framework pages left out and /health last."""
    found: list[tuple[bool, int, Endpoint]] = []
    for path, item in (doc.get("paths") or {}).items():
        if path in HIDDEN_PATHS or not isinstance(item, dict):
            continue
        shared = item.get("parameters") or []
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                endpoint = _endpoint(doc, path, method, operation, shared)
                found.append((path in LAST_PATHS, len(found), endpoint))
    return [endpoint for _, _, endpoint in sorted(found, key=lambda row: row[:2])]


def example_body(doc: dict[str, Any], endpoint: Endpoint) -> Any:
    """A request body for `endpoint`: the document's example, else one made from the schema.

    Returns None when the operation takes no body.
    """
    media = _media(doc, _operation(doc, endpoint))
    if media is None:
        return None
    if "example" in media:
        return media["example"]
    examples = media.get("examples")
    if isinstance(examples, dict) and examples:
        first = _resolve(doc, next(iter(examples.values())))
        if isinstance(first, dict) and "value" in first:
            return first["value"]
    return example_value(doc, media.get("schema") or {})


def example_value(doc: dict[str, Any], schema: dict[str, Any], depth: int = 0) -> Any:
    """A value that satisfies `schema` (examples first, then enum, const, default, type)."""
    schema = _resolve(doc, schema)
    if depth > _MAX_DEPTH or not isinstance(schema, dict):
        return None
    for source in ("example", "const"):
        if source in schema:
            return schema[source]
    examples = schema.get("examples")
    if isinstance(examples, list) and examples:
        return examples[0]
    if schema.get("enum"):
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    if schema.get("allOf"):
        return _all_of(doc, schema["allOf"], depth)
    for combinator in ("anyOf", "oneOf"):
        if schema.get(combinator):
            return example_value(doc, _first_branch(doc, schema[combinator]), depth + 1)
    return _by_type(doc, schema, depth)


def fill_path(path: str, values: dict[str, str]) -> str:
    """The path with each `{name}` replaced by its value, percent-encoded.

    Raises:
        ValueError: naming every placeholder that has no (non-blank) value.
    """
    missing = [name for name in path_names(path) if not str(values.get(name, "")).strip()]
    if missing:
        raise ValueError(f"Fill in the path parameter(s): {', '.join(missing)}.")
    return re.sub(r"\{([^{}]+)\}", lambda m: quote(str(values[m[1]]).strip(), safe=""), path)


def path_names(path: str) -> list[str]:
    """The placeholder names in a path template, in order."""
    return re.findall(r"\{([^{}]+)\}", path)


def _endpoint(
    doc: dict[str, Any], path: str, method: str, operation: dict[str, Any], shared: list[Any]
) -> Endpoint:
    params = _parameters(doc, [*shared, *(operation.get("parameters") or [])])
    media_type = _media_type(doc, operation)
    return Endpoint(
        method=method.upper(),
        path=path,
        summary=str(operation.get("summary") or operation.get("operationId") or ""),
        has_body=media_type is not None,
        media_type=media_type,
        path_params=tuple(p for p in params if p.location == "path"),
        query_params=tuple(p for p in params if p.location == "query"),
        header_params=tuple(
            p for p in params if p.location == "header" and p.name.lower() != "authorization"
        ),
    )


def _parameters(doc: dict[str, Any], raw: list[Any]) -> list[Parameter]:
    """Parameters by name and place, an operation's own overriding the path item's."""
    by_key: dict[tuple[str, str], Parameter] = {}
    for entry in raw:
        param = _resolve(doc, entry)
        if not isinstance(param, dict) or "name" not in param:
            continue
        if param.get("x-sandbox-credential"):
            continue  # a signing header or parameter: the caller's credentials fill it in
        schema = _resolve(doc, param.get("schema") or {})
        example = param.get("example", _schema_example(doc, schema))
        by_key[(param["name"], param.get("in", "query"))] = Parameter(
            name=str(param["name"]),
            location=str(param.get("in", "query")),
            required=bool(param.get("required", False)),
            description=str(param.get("description") or schema.get("description") or ""),
            example="" if example is None else str(example),
            default="" if schema.get("default") is None else str(schema["default"]),
        )
    return list(by_key.values())


def _schema_example(doc: dict[str, Any], schema: Any) -> Any:
    """An explicit example or default for a parameter; None rather than an invented value."""
    if not isinstance(schema, dict):
        return None
    if "example" in schema:
        return schema["example"]
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return schema["examples"][0]
    for combinator in ("anyOf", "oneOf"):
        if schema.get(combinator):
            return _schema_example(doc, _resolve(doc, _first_branch(doc, schema[combinator])))
    return None


def _operation(doc: dict[str, Any], endpoint: Endpoint) -> dict[str, Any]:
    item = (doc.get("paths") or {}).get(endpoint.path) or {}
    operation = item.get(endpoint.method.lower()) if isinstance(item, dict) else None
    return operation if isinstance(operation, dict) else {}


def _media_type(doc: dict[str, Any], operation: dict[str, Any]) -> str | None:
    body = _resolve(doc, operation.get("requestBody"))
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, dict) or not content:
        return None
    if JSON in content:
        return JSON
    json_like = [name for name in content if name.endswith("+json")]
    return json_like[0] if json_like else str(next(iter(content)))


def _media(doc: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any] | None:
    media_type = _media_type(doc, operation)
    if media_type is None:
        return None
    media = _resolve(doc, operation["requestBody"])["content"][media_type]
    return media if isinstance(media, dict) else {}


def _resolve(doc: dict[str, Any], node: Any) -> Any:
    """Follow local `$ref`s (`#/components/...`); an unknown one resolves to {}."""
    for _ in range(_MAX_DEPTH):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            return node
        target: Any = doc
        for part in node["$ref"].removeprefix("#/").split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, dict) else None
        node = target if target is not None else {}
    return {}


def _first_branch(doc: dict[str, Any], branches: list[Any]) -> Any:
    """The first branch that is not plain null (`Optional[X]` lists X first, but not always)."""
    for branch in branches:
        if _resolve(doc, branch).get("type") != "null":
            return branch
    return branches[0]


def _all_of(doc: dict[str, Any], branches: list[Any], depth: int) -> Any:
    """Objects merged branch by branch; anything else is the first branch's value."""
    values = [example_value(doc, branch, depth + 1) for branch in branches]
    if all(isinstance(value, dict) for value in values):
        merged: dict[str, Any] = {}
        for value in values:
            merged.update(value)
        return merged
    return values[0]


def _by_type(doc: dict[str, Any], schema: dict[str, Any], depth: int) -> Any:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else None
    if kind == "object":
        return _object(doc, schema, depth)
    if kind == "array":
        item = example_value(doc, schema.get("items") or {}, depth + 1)
        return [item] * max(1, int(schema.get("minItems", 1)))
    if kind == "string":
        return _string(schema)
    if kind in ("integer", "number"):
        return _number(schema, integer=kind == "integer")
    if kind == "boolean":
        return True
    return None


def _object(doc: dict[str, Any], schema: dict[str, Any], depth: int) -> dict[str, Any]:
    """Required properties, plus optional ones the document gives an example for."""
    required = set(schema.get("required") or [])
    body: dict[str, Any] = {}
    for name, prop in (schema.get("properties") or {}).items():
        if name in required or _has_example(doc, prop):
            body[name] = example_value(doc, prop, depth + 1)
    return body


def _has_example(doc: dict[str, Any], prop: Any) -> bool:
    resolved = _resolve(doc, prop)
    return isinstance(resolved, dict) and ("example" in resolved or bool(resolved.get("examples")))


def _string(schema: dict[str, Any]) -> str:
    text = _FORMATS.get(str(schema.get("format")), "")
    digits = _DIGITS.fullmatch(str(schema.get("pattern", "")))
    if not text and digits:
        text = "1" * int(digits[1])
    text = text or "string"
    low, high = int(schema.get("minLength", 0)), schema.get("maxLength")
    if len(text) < low:
        text = text + "x" * (low - len(text))
    if high is not None and len(text) > int(high):
        text = text[: int(high)]
    return text


def _number(schema: dict[str, Any], *, integer: bool) -> int | float:
    """The smallest allowed value (or 1): small, valid and obviously made up."""
    value: float = 1
    if "minimum" in schema:
        value = float(schema["minimum"])
    elif "exclusiveMinimum" in schema and not isinstance(schema["exclusiveMinimum"], bool):
        value = float(schema["exclusiveMinimum"]) + 1
    if "maximum" in schema:
        value = min(value, float(schema["maximum"]))
    return int(value) if integer else value
