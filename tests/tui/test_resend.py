"""Which documented endpoint a recorded call was made to, and the values it was sent with."""

from __future__ import annotations

import json

from sandbox.scenarios.openapi import FORM, JSON, Endpoint, Parameter
from sandbox.trace.snippets import Draft
from sandbox.tui.resend import editor_text, match_endpoint, open_draft


def _endpoint(method: str, path: str, *query: str, media: str | None = None) -> Endpoint:
    params = tuple(Parameter(name, "query", False, "", "") for name in query)
    return Endpoint(method, path, "", media is not None, media, query_params=params)


ENDPOINTS = [
    _endpoint("GET", "/orders/{order_id}"),
    _endpoint("GET", "/orders/mine"),
    _endpoint("POST", "/orders/{order_id}/items", "dry_run", media=JSON),
    _endpoint("POST", "/oauth/token", media=FORM),
    _endpoint("GET", "/"),
]


def _draft(
    method: str, path: str, query: tuple[tuple[str, str], ...] = (), body: str = ""
) -> Draft:
    return Draft("shop", method, path, query, (("Idempotency-Key", "k"),), body, "buyer", "1")


def test_match_endpoint_fills_placeholders_and_prefers_literal_segments() -> None:
    found = match_endpoint(ENDPOINTS, "get", "/orders/A%2F1")
    assert found is not None and found[0].path == "/orders/{order_id}"
    assert found[1] == {"order_id": "A/1"}
    mine = match_endpoint(ENDPOINTS, "GET", "/orders/mine")
    assert mine is not None and mine[0].path == "/orders/mine" and mine[1] == {}
    root = match_endpoint(ENDPOINTS, "GET", "/")
    assert root is not None and root[0].path == "/"


def test_match_endpoint_needs_the_method_and_every_segment() -> None:
    assert match_endpoint(ENDPOINTS, "DELETE", "/orders/1") is None
    assert match_endpoint(ENDPOINTS, "GET", "/orders/1/items") is None
    assert match_endpoint(ENDPOINTS, "GET", "/elsewhere") is None


def test_open_draft_adds_undocumented_query_parameters_as_inputs() -> None:
    draft = _draft("POST", "/orders/7/items", (("dry_run", "1"), ("lang", "id")), '{"sku":1}')
    opened = open_draft(draft, ENDPOINTS)
    assert opened.documented
    assert [p.name for p in opened.endpoint.query_params] == ["dry_run", "lang"]
    assert opened.values == {"order_id": "7", "dry_run": "1", "lang": "id"}
    assert json.loads(opened.body) == {"sku": 1} and opened.body.startswith("{\n  ")
    assert opened.headers == "Idempotency-Key: k"


def test_open_draft_of_an_unlisted_call_keeps_its_path_and_body() -> None:
    opened = open_draft(_draft("PUT", "/hooks/x", body="plain text"), ENDPOINTS)
    assert not opened.documented
    assert (opened.endpoint.key, opened.endpoint.has_body) == ("PUT /hooks/x", True)
    assert opened.body == "plain text"


def test_editor_text_writes_a_form_as_a_json_object() -> None:
    assert json.loads(editor_text("grant_type=client_credentials&scope=a+b", FORM)) == {
        "grant_type": "client_credentials",
        "scope": "a b",
    }
    assert editor_text("", JSON) == ""
