"""Holding recorded answers to the callee's OpenAPI document (openapi-core), for the tests
that do it in-process (tests/framework/test_openapi_conformance.py) and over a real runtime
(tests/runtime/test_openapi_runtime.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import httpx
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

HOST = "http://sandbox.test"
METHODS = ("get", "put", "post", "delete", "patch")
SKIPPED = ("/docs", "/redoc", "/openapi.json", "/static-offline-docs")


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and its response, as the callee saw and sent them."""

    service: str
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    status: int
    response_headers: dict[str, str]
    response_body: bytes


class Capture:
    """ASGI wrapper that keeps every request and response of one institution, raw."""

    def __init__(self, service: str, app: Any, seen: list[Exchange]) -> None:
        self.service, self.app, self.seen = service, app, seen

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body, sent, answer = bytearray(), {"status": 0, "headers": []}, bytearray()

        async def read() -> Any:
            message = await receive()
            body.extend(message.get("body", b""))
            return message

        async def write(message: Any) -> None:
            if message["type"] == "http.response.start":
                sent.update(status=message["status"], headers=message.get("headers", []))
            elif message["type"] == "http.response.body":
                answer.extend(message.get("body", b""))
            await send(message)

        await self.app(scope, read, write)
        self.seen.append(
            Exchange(
                self.service,
                scope["method"],
                scope["path"],
                scope.get("query_string", b"").decode("latin-1"),
                {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]},
                bytes(body),
                int(sent["status"]),  # type: ignore[call-overload]
                {k.decode("latin-1"): v.decode("latin-1") for k, v in sent["headers"]},  # type: ignore[attr-defined]
                bytes(answer),
            )
        )


def _filled(path: str, value: str) -> str:
    """The path with every `{parameter}` replaced by `value`."""
    return re.sub(r"\{[^}]+\}", value, path)


async def probe(
    client_for: Callable[[str], httpx.AsyncClient], documents: dict[str, dict[str, Any]]
) -> None:
    """Call every operation as a careless client would: no credentials and an unknown id, a
    broken JSON body, and a method the path does not take."""
    for service, document in documents.items():
        client = client_for(service)
        for path, item in document["paths"].items():
            if path.startswith(SKIPPED) or path == "/health":
                continue
            methods = [m for m in METHODS if m in item]
            other = next(m for m in METHODS if m not in item)
            unknown = _filled(path, "0")
            for method in methods:
                await client.request(method, unknown)
                if method in ("post", "put", "patch"):
                    broken = {"Content-Type": "application/json"}
                    await client.request(method, unknown, content=b'{"broken', headers=broken)
            await client.request(other, unknown)


def _validate(api: OpenAPI, document: dict[str, Any], exchange: Exchange) -> str | None:
    """Why the response does not fit the document, or None."""
    path_item = _operation_path(document, exchange.path)
    if path_item is None:
        return None  # not an operation of the document (an unknown path)
    method = exchange.method.lower()
    if method not in path_item[1]:
        # Another method on a documented path: the path's operations say what it answers
        # (405 with Allow; the registry asks a stranger for credentials first: 401).
        method = next(m for m in METHODS if m in path_item[1])
    request = MockRequest(
        HOST,
        method,
        exchange.path,
        args=dict(_query(exchange.query)),
        headers=exchange.headers,
        data=exchange.body,
        content_type=exchange.headers.get("content-type", "application/json"),
    )
    response = MockResponse(
        exchange.response_body,
        exchange.status,
        headers=exchange.response_headers,
        content_type=exchange.response_headers.get("content-type", "application/json"),
    )
    try:
        api.validate_response(request, response)
    except Exception as exc:  # openapi-core raises one class per kind of mismatch
        detail = getattr(exc, "__cause__", None) or exc
        return f"{exchange.method} {exchange.path} -> {exchange.status}: {detail}"[:400]
    return None


def _unlisted_code(document: dict[str, Any], exchange: Exchange) -> str | None:
    """An error whose `code` its operation's document does not list for that status."""
    if exchange.status < 400 or not exchange.response_body.startswith(b"{"):
        return None
    found = _operation_path(document, exchange.path)
    if found is None:
        return None
    item = found[1]
    operation = item.get(exchange.method.lower()) or item[next(m for m in METHODS if m in item)]
    listed = operation["responses"].get(str(exchange.status), {}).get("x-error-codes", [])
    code = json.loads(exchange.response_body).get("code")
    if code in listed:
        return None
    return f"{exchange.method} {exchange.path} -> {exchange.status} {code!r} not in {listed}"


def _query(text: str) -> list[tuple[str, str]]:
    return parse_qsl(text, keep_blank_values=True)


def _operation_path(document: dict[str, Any], path: str) -> tuple[str, dict[str, Any]] | None:
    parts = path.strip("/").split("/")
    for template, item in document["paths"].items():
        pattern = template.strip("/").split("/")
        if len(pattern) == len(parts) and all(
            p == q or (p.startswith("{") and p.endswith("}"))
            for p, q in zip(pattern, parts, strict=True)
        ):
            return template, item
    return None


@dataclass(frozen=True, slots=True)
class Verdict:
    """How many answers conform, which do not, and the operations answering 401 unsecured."""

    seen: int
    failures: list[str]
    unsecured: set[str]

    @property
    def conforming(self) -> int:
        return self.seen - len(self.failures)

    def report(self, where: str) -> str:
        """The figure, printed by the tests (`-s` shows it)."""
        share = 100 * self.conforming / max(self.seen, 1)
        lines = [
            f"OpenAPI conformance ({where}): {self.conforming} of {self.seen} responses conform "
            f"({share:.1f}%); {len(self.unsecured)} operations answer 401 without declared "
            "security",
            *(f"   {failure}" for failure in self.failures),
        ]
        return "\n".join(lines)


def judge(documents: dict[str, dict[str, Any]], seen: list[Exchange]) -> Verdict:
    """Validate every exchange against its callee's document."""
    apis = {name: OpenAPI.from_dict(doc) for name, doc in documents.items()}
    failures: list[str] = []
    unsecured: set[str] = set()
    for exchange in seen:
        document = documents[exchange.service]
        problem = _validate(apis[exchange.service], document, exchange)
        if problem:
            failures.append(f"{exchange.service}: {problem}")
        unlisted = _unlisted_code(document, exchange)
        if unlisted:
            failures.append(f"{exchange.service}: {unlisted}")
        if exchange.status == 405 and "allow" not in exchange.response_headers:
            failures.append(f"{exchange.service}: 405 without Allow on {exchange.path}")
        found = _operation_path(document, exchange.path)
        if exchange.status == 401 and found:
            method = exchange.method.lower()
            sibling = next(m for m in METHODS if m in found[1])
            operation = found[1].get(method) or found[1][sibling]
            if not operation.get("security") and not operation.get("x-credentials-in-body"):
                unsecured.add(f"{exchange.service} {exchange.method} {found[0]}")
    return Verdict(len(seen), failures, unsecured)
