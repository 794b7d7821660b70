"""HAR 1.2: the export holds every field the spec requires, with the right types."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sandbox import __version__
from sandbox.trace.events import HttpCall
from sandbox.trace.export.har import to_har
from tests.trace.conftest import BALANCE, CHECKOUT, DETAIL, ORDER, ORDER_WEBHOOK, TRACE

NUMBER = (int, float)
# HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/): object -> {field: (types, required)}.
# Fields outside the spec must start with "_".
SPEC: dict[str, dict[str, tuple[type | tuple[type, ...], bool]]] = {
    "log": {
        "version": (str, True),
        "creator": (dict, True),
        "browser": (dict, False),
        "pages": (list, False),
        "entries": (list, True),
        "comment": (str, False),
    },
    "creator": {"name": (str, True), "version": (str, True), "comment": (str, False)},
    "page": {
        "startedDateTime": (str, True),
        "id": (str, True),
        "title": (str, True),
        "pageTimings": (dict, True),
        "comment": (str, False),
    },
    "pageTimings": {
        "onContentLoad": (NUMBER, False),
        "onLoad": (NUMBER, False),
        "comment": (str, False),
    },
    "entry": {
        "pageref": (str, False),
        "startedDateTime": (str, True),
        "time": (NUMBER, True),
        "request": (dict, True),
        "response": (dict, True),
        "cache": (dict, True),
        "timings": (dict, True),
        "serverIPAddress": (str, False),
        "connection": (str, False),
        "comment": (str, False),
    },
    "request": {
        "method": (str, True),
        "url": (str, True),
        "httpVersion": (str, True),
        "cookies": (list, True),
        "headers": (list, True),
        "queryString": (list, True),
        "postData": (dict, False),
        "headersSize": (int, True),
        "bodySize": (int, True),
        "comment": (str, False),
    },
    "response": {
        "status": (int, True),
        "statusText": (str, True),
        "httpVersion": (str, True),
        "cookies": (list, True),
        "headers": (list, True),
        "content": (dict, True),
        "redirectURL": (str, True),
        "headersSize": (int, True),
        "bodySize": (int, True),
        "comment": (str, False),
    },
    "pair": {"name": (str, True), "value": (str, True), "comment": (str, False)},
    "postData": {
        "mimeType": (str, True),
        "params": (list, False),
        "text": (str, False),
        "comment": (str, False),
    },
    "content": {
        "size": (int, True),
        "compression": (int, False),
        "mimeType": (str, True),
        "text": (str, False),
        "encoding": (str, False),
        "comment": (str, False),
    },
    "cache": {
        "beforeRequest": (dict, False),
        "afterRequest": (dict, False),
        "comment": (str, False),
    },
    "timings": {
        "blocked": (NUMBER, False),
        "dns": (NUMBER, False),
        "connect": (NUMBER, False),
        "send": (NUMBER, True),
        "wait": (NUMBER, True),
        "receive": (NUMBER, True),
        "ssl": (NUMBER, False),
        "comment": (str, False),
    },
}


def _check(kind: str, obj: Any, where: str) -> list[str]:
    """Spec violations of one HAR object (not recursive)."""
    if not isinstance(obj, dict):
        return [f"{where}: {kind} is not an object"]
    problems = []
    for field, (types, required) in SPEC[kind].items():
        if field not in obj:
            if required:
                problems.append(f"{where}.{field}: missing")
        elif isinstance(obj[field], bool) or not isinstance(obj[field], types):
            problems.append(f"{where}.{field}: {type(obj[field]).__name__} is not {types}")
    problems += [
        f"{where}.{field}: custom field without '_'"
        for field in obj
        if field not in SPEC[kind] and not field.startswith("_")
    ]
    return problems


def har_problems(har: Any) -> list[str]:
    """Every place `har` breaks the HAR 1.2 structure (empty when it is valid)."""
    if not isinstance(har, dict) or set(har) != {"log"}:
        return ["top level must be {'log': ...}"]
    log = har["log"]
    problems = _check("log", log, "log")
    problems += _check("creator", log.get("creator"), "log.creator")
    for i, page in enumerate(log.get("pages", [])):
        problems += _check("page", page, f"pages[{i}]")
        problems += _check("pageTimings", page.get("pageTimings"), f"pages[{i}].pageTimings")
        problems += _datetime_problems(page.get("startedDateTime"), f"pages[{i}]")
    for i, entry in enumerate(log.get("entries", [])):
        problems += _entry_problems(entry, f"entries[{i}]")
    return problems


def _entry_problems(entry: dict[str, Any], at: str) -> list[str]:
    problems = _check("entry", entry, at)
    request, response = entry.get("request", {}), entry.get("response", {})
    problems += _check("request", request, f"{at}.request")
    problems += _check("response", response, f"{at}.response")
    problems += _check("cache", entry.get("cache"), f"{at}.cache")
    problems += _check("timings", entry.get("timings"), f"{at}.timings")
    problems += _check("content", response.get("content"), f"{at}.response.content")
    if "postData" in request:
        post = request["postData"]
        problems += _check("postData", post, f"{at}.request.postData")
        if ("text" in post) == ("params" in post):
            problems.append(f"{at}.request.postData: needs text or params, not both")
    lists = [
        ("request", "headers"),
        ("request", "queryString"),
        ("request", "cookies"),
        ("response", "headers"),
        ("response", "cookies"),
    ]
    for part, name in lists:
        for j, pair in enumerate(entry.get(part, {}).get(name, [])):
            problems += _check("pair", pair, f"{at}.{part}.{name}[{j}]")
    timings = entry.get("timings", {})
    total = sum(v for k, v in timings.items() if k != "comment" and v != -1)
    if abs(total - entry.get("time", -1)) > 1e-6:
        problems.append(f"{at}.time: {entry.get('time')} is not the sum of timings {total}")
    problems += _datetime_problems(entry.get("startedDateTime"), at)
    return problems


def _datetime_problems(value: Any, at: str) -> list[str]:
    try:
        stamp = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return [f"{at}.startedDateTime: {value!r} is not ISO 8601"]
    return [] if stamp.tzinfo is not None else [f"{at}.startedDateTime: no time zone"]


def _entries(calls: list[HttpCall]) -> dict[str, dict[str, Any]]:
    return {entry["_spanId"]: entry for entry in json.loads(to_har(calls))["log"]["entries"]}


def test_har_meets_the_har_1_2_structure(checkout: list[HttpCall]) -> None:
    har = json.loads(to_har(checkout))
    assert har_problems(har) == []
    assert har["log"]["version"] == "1.2"
    assert har["log"]["creator"] == {"name": "integration-sandbox", "version": __version__}
    assert len(har["log"]["entries"]) == len(checkout)


def test_har_checker_catches_missing_and_mistyped_fields(checkout: list[HttpCall]) -> None:
    har = json.loads(to_har(checkout))
    entry = har["log"]["entries"][0]
    del entry["request"]["cookies"]
    entry["response"]["status"] = "201"
    entry["flavour"] = "extra"
    assert sorted(har_problems(har)) == [
        "entries[0].flavour: custom field without '_'",
        "entries[0].request.cookies: missing",
        "entries[0].response.status: str is not <class 'int'>",
    ]


def test_har_empty_trace_is_valid() -> None:
    har = json.loads(to_har([]))
    assert har_problems(har) == []
    assert har["log"]["entries"] == []


def test_har_entries_carry_the_trace_tree(checkout: list[HttpCall]) -> None:
    entries = json.loads(to_har(checkout))["log"]["entries"]
    assert [e["_spanId"] for e in entries] == [call.span_id for call in checkout]
    order = _entries(checkout)[ORDER]
    assert order["_traceId"] == TRACE
    assert order["_parentId"] == CHECKOUT
    assert (order["_caller"], order["_callee"]) == ("social", "marketplace")
    assert _entries(checkout)[CHECKOUT]["_parentId"] is None
    assert order["pageref"] == TRACE


def test_har_request_has_an_absolute_url_and_query(checkout: list[HttpCall]) -> None:
    request = _entries(checkout)[DETAIL]["request"]
    assert (
        request["url"] == "http://marketplace.sandbox/api/v2/order/detail?order_sn=ORD-1&fields=a,b"
    )
    assert request["queryString"] == [
        {"name": "order_sn", "value": "ORD-1"},
        {"name": "fields", "value": "a,b"},
    ]
    assert "postData" not in request
    assert request["bodySize"] == 0


def test_har_request_body_becomes_post_data(checkout: list[HttpCall]) -> None:
    request = _entries(checkout)[ORDER]["request"]
    assert request["postData"] == {
        "mimeType": "application/json",
        "text": '{"items":[{"sku":"A1","qty":2}]}',
    }
    assert request["headers"] == [{"name": "content-type", "value": "application/json"}]


def test_har_failed_call_has_status_zero_and_error(checkout: list[HttpCall]) -> None:
    entry = _entries(checkout)[BALANCE]
    assert entry["response"]["status"] == 0
    assert entry["response"]["_error"] == "refused"
    assert entry["timings"] == {"send": 0, "wait": 5.0, "receive": 0}
    assert entry["time"] == 5.0


def test_har_client_error_keeps_status_and_body(checkout: list[HttpCall]) -> None:
    response = _entries(checkout)[DETAIL]["response"]
    assert (response["status"], response["statusText"]) == (404, "Not Found")
    assert "_error" not in response
    assert response["content"]["mimeType"] == "application/json"
    assert json.loads(response["content"]["text"])["error"] == "order_not_found"


def test_har_truncated_body_is_flagged(checkout: list[HttpCall]) -> None:
    entry = _entries(checkout)[ORDER_WEBHOOK]
    assert entry["_truncated"] is True
    assert entry["request"]["postData"]["mimeType"] == "text/plain"
    assert entry["request"]["postData"]["text"].endswith("…[truncated 120 characters]")
    assert entry["request"]["bodySize"] == len(entry["request"]["postData"]["text"].encode())


def test_har_started_date_time_is_utc_with_milliseconds(checkout: list[HttpCall]) -> None:
    assert _entries(checkout)[ORDER]["startedDateTime"] == "2024-03-01T08:00:00.010Z"
