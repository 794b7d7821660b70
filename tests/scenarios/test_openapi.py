"""The composer's reading of OpenAPI documents, against every institution's real document."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sandbox.scenarios.identities import Actor
from sandbox.scenarios.openapi import Endpoint, endpoints, example_body, example_value, fill_path
from tests.conftest import Services

_TOP_LEVEL = {"object": dict, "array": list, "string": str, "integer": int, "boolean": bool}


def _by_key(doc: dict[str, Any]) -> dict[str, Endpoint]:
    return {endpoint.key: endpoint for endpoint in endpoints(doc)}


def _request_schema(doc: dict[str, Any], endpoint: Endpoint) -> dict[str, Any]:
    operation = doc["paths"][endpoint.path][endpoint.method.lower()]
    schema: dict[str, Any] = operation["requestBody"]["content"][endpoint.media_type]["schema"]
    if "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def test_endpoints_list_every_operation_with_health_last(services: Services) -> None:
    for name, app in services.apps.items():
        listed = endpoints(app.openapi())
        assert listed, name
        assert listed[-1].key == "GET /health"
        assert not any(e.path in ("/docs", "/openapi.json") for e in listed)
        assert len({e.key for e in listed}) == len(listed)


def test_endpoints_describe_parameters_and_bodies(services: Services) -> None:
    social = _by_key(services.apps["social"].openapi())
    buy = social["POST /api/v1/videos/{video_id}/buy"]
    assert buy.has_body and buy.media_type == "application/json"
    assert [p.name for p in buy.path_params] == ["video_id"]
    assert buy.label.startswith("POST /api/v1/videos/{video_id}/buy - Buy")
    feed = social["GET /api/v1/feed"]
    assert not feed.has_body and feed.media_type is None
    assert [p.name for p in feed.query_params] == ["limit", "cursor"]
    assert feed.query_params[0].default == "20"
    bank = _by_key(services.apps["bank"].openapi())
    pay = bank["POST /mobile/v1/va-payments"]
    assert [p.name for p in pay.header_params] == ["Idempotency-Key"]
    market = _by_key(services.apps["marketplace"].openapi())
    assert market["POST /oauth/token"].media_type == "application/x-www-form-urlencoded"


def test_example_bodies_are_json_of_the_schema_type(services: Services) -> None:
    checked = 0
    for name, app in services.apps.items():
        doc = app.openapi()
        for endpoint in endpoints(doc):
            body = example_body(doc, endpoint)
            if not endpoint.has_body:
                assert body is None, endpoint.key
                continue
            assert json.loads(json.dumps(body)) == body, (name, endpoint.key)
            kind = _request_schema(doc, endpoint).get("type", "object")
            assert isinstance(body, _TOP_LEVEL[kind]), (name, endpoint.key)
            checked += 1
    assert checked >= 15


async def test_create_va_example_is_accepted_by_the_bank(services: Services) -> None:
    doc = services.apps["bank"].openapi()
    endpoint = _by_key(doc)["POST /v1.0/transfer-va/create-va"]
    actor = Actor(services.wire, services.world, "marketplace")
    response = await actor.request(
        "bank", endpoint.method, endpoint.path, json=example_body(doc, endpoint)
    )
    assert response.status_code == 200, response.text
    assert response.json()["responseCode"] == "2002700"


@pytest.mark.parametrize("partner", ["marketplace", "bank"])
async def test_verify_example_passes_the_registry_validation(
    services: Services, partner: str
) -> None:
    doc = services.apps["identity"].openapi()
    endpoint = _by_key(doc)["POST /v1/verify"]
    actor = Actor(services.wire, services.world, partner)
    response = await actor.request(
        "identity", endpoint.method, endpoint.path, json=example_body(doc, endpoint)
    )
    # The example quotes a consent nobody recorded yet: refused on the merits, not the shape.
    assert response.status_code not in (400, 401, 422), response.text


def test_example_value_synthesises_from_the_schema() -> None:
    doc: dict[str, Any] = {
        "components": {
            "schemas": {
                "Money": {
                    "type": "object",
                    "required": ["value"],
                    "properties": {"value": {"type": "integer", "minimum": 500}},
                },
                "Node": {
                    "type": "object",
                    "required": ["child"],
                    "properties": {"child": {"$ref": "#/components/schemas/Node"}},
                },
            }
        }
    }
    schema = {
        "type": "object",
        "required": ["nik", "born", "at", "sex", "amount", "tags", "code", "note", "ok"],
        "properties": {
            "nik": {"type": "string", "pattern": "^\\d{16}$"},
            "born": {"type": "string", "format": "date"},
            "at": {"type": "string", "format": "date-time"},
            "sex": {"anyOf": [{"type": "null"}, {"type": "string", "enum": ["L", "P"]}]},
            "amount": {"allOf": [{"$ref": "#/components/schemas/Money"}]},
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 3}},
            "code": {"type": "string", "minLength": 8},
            "note": {"type": ["string", "null"], "maxLength": 2},
            "ok": {"type": "boolean"},
            "skipped": {"type": "string"},
            "hinted": {"type": "string", "examples": ["from the document"]},
        },
    }
    assert example_value(doc, schema) == {
        "nik": "1111111111111111",
        "born": "2024-03-01",
        "at": "2024-03-01T15:00:00+07:00",
        "sex": "L",
        "amount": {"value": 500},
        "tags": ["str"],
        "code": "stringxx",
        "note": "st",
        "ok": True,
        "hinted": "from the document",
    }
    assert example_value(doc, {"$ref": "#/components/schemas/Node"}) is not None
    assert example_value(doc, {"$ref": "#/components/schemas/Missing"}) is None


def test_example_body_prefers_media_examples() -> None:
    doc: dict[str, Any] = {
        "paths": {
            "/a": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {"type": "object"},
                                "examples": {"first": {"value": [1, 2]}},
                            }
                        }
                    }
                }
            }
        }
    }
    (endpoint,) = endpoints(doc)
    assert example_body(doc, endpoint) == [1, 2]


def test_fill_path_encodes_values_and_names_missing_ones() -> None:
    path = "/api/v2/fs/{fs_id}/orders/{order_id}"
    assert (
        fill_path(path, {"fs_id": "7001", "order_id": "a b/c"})
        == "/api/v2/fs/7001/orders/a%20b%2Fc"
    )
    assert fill_path("/health", {}) == "/health"
    with pytest.raises(ValueError, match="order_id"):
        fill_path(path, {"fs_id": "7001", "order_id": "  "})
