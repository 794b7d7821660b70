"""The wire builds an app's OpenAPI document from its code: a route added later is covered.

A small app made here (its helpers in tests/framework/openapi_sample.py, so the source can be read)
gets, with no OpenAPI work of its own, its credentials declared, every error its code raises
listed by status, no phantom 422, 405 with `Allow`, and a valid OpenAPI 3.1 document.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from sandbox.framework.app import new_app
from sandbox.framework.service import ServiceEnv
from sandbox.wire import Wire
from tests.framework import openapi_sample


def _app() -> Any:
    env = ServiceEnv("lab", Wire(), {"data": {}, "accepts": {}, "holds": {}})
    app = new_app(env, "Lab", "A service made by a test.")
    app.include_router(openapi_sample.router)
    return app


def test_a_new_route_gets_its_security_and_errors_declared() -> None:
    document = _app().openapi()
    operation = document["paths"]["/lab/{item_id}"]["post"]
    assert operation["security"] == [{"labKey": []}]
    assert document["components"]["securitySchemes"]["labKey"]["name"] == "X-Lab-Key"
    signature = next(p for p in operation["parameters"] if p["name"] == "X-Lab-Signature")
    assert signature["required"] and "METHOD:path" in signature["description"]
    responses = operation["responses"]
    assert "422" not in responses and "HTTPValidationError" not in str(document)
    assert responses["401"]["x-error-codes"] == ["bad_signature", "missing_key"]
    assert responses["404"]["x-error-codes"] == ["item_not_found"]  # through a helper
    assert responses["409"]["x-error-codes"] == ["item_locked"]  # two calls deep
    assert "invalid_json" in responses["400"]["x-error-codes"]
    assert responses["405"]["headers"]["Allow"]
    assert "413" in responses  # it takes a body
    enum = responses["404"]["content"]["application/json"]["schema"]["allOf"][1]
    assert enum == {"properties": {"code": {"enum": ["item_not_found"]}}}
    assert OpenAPI.from_dict(document)


def test_a_code_computed_at_run_time_is_not_claimed_to_be_listed() -> None:
    operation = _app().openapi()["paths"]["/lab/{item_id}"]["post"]
    refused = operation["responses"]["403"]
    assert refused["x-error-codes"] == []  # the code comes from a variable
    assert refused["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


def test_an_enforced_header_is_documented_as_required() -> None:
    operation = _app().openapi()["paths"]["/lab/{item_id}"]["post"]
    key = next(p for p in operation["parameters"] if p["name"] == "Idempotency-Key")
    assert key["required"] is True and "x-sandbox-required" not in key["schema"]


def test_a_status_both_the_endpoint_and_the_wire_answer_lists_both_bodies() -> None:
    document = _app().openapi()
    offline = document["paths"]["/lab/{item_id}"]["post"]["responses"]["503"]
    assert offline["x-error-codes"] == ["lab_busy", "service_offline"]
    assert "lab_busy, service_offline" in offline["description"]
    api = OpenAPI.from_dict(document)
    request = MockRequest("http://lab.sandbox", "post", "/lab/3", data=b'{"note": "x"}')
    bodies = {  # the endpoint's own 503, the wire's (the lab taken offline), and a stranger
        "lab_busy": True, "service_offline": True, "item_locked": False}  # fmt: skip
    for code, fits in bodies.items():
        body = json.dumps({"code": code, "message": "Not now."}).encode()
        try:
            api.validate_response(request, MockResponse(body, 503))
        except Exception:  # openapi-core raises one class per kind of mismatch
            assert not fits, code
        else:
            assert fits, code


async def test_a_405_names_the_methods_the_path_takes() -> None:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://lab.sandbox") as client:
        answer = await client.delete("/lab/1")
    assert answer.status_code == 405 and answer.headers["allow"] == "POST"
    assert answer.json()["code"] == "method_not_allowed"
