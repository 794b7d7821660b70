"""HAR 1.2: one trace as an HTTP Archive, so browser devtools and HAR viewers can open it.

A HAR viewer shows requests as a browser saw them; ours are calls between institutions, so a few
HAR fields are filled by convention (all documented here, and in `log.comment`):

- URLs: a recorded call keeps the path but not the host, which changes every run (port 0), so
  each URL is `http://<callee>.sandbox<path>` - the same base URL the in-process wire uses.
- Timings: only the caller's total wait was measured, so `send` and `receive` are 0 and `wait`
  is the whole duration (`time` equals it).
- Sizes: `bodySize` and `content.size` are the UTF-8 bytes of the recorded body, which is the
  redacted and possibly truncated text, not what crossed the wire; `headersSize` is -1.
- Failed calls (no response): `status` 0, empty `statusText` and `httpVersion`, and the reason
  in `_error`, as browsers write it.
- Custom fields (HAR allows names starting with `_`): `_traceId`, `_spanId`, `_parentId`,
  `_caller`, `_callee` and `_truncated` on every entry, and `_claimedCaller` ("claims to be
  social") on a call from an `external` caller that named an identity it did not prove.
- Pages: one page per trace, titled after its first call, so viewers group the story.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from sandbox import __version__
from sandbox.trace.events import Headers, HttpCall

HOST_SUFFIX = ".sandbox"
"""Every callee's URL is `http://<callee>.sandbox`: recorded calls carry no host."""
HTTP_VERSION = "HTTP/1.1"
COMMENT = (
    "Exported by the integration sandbox. URLs use http://<callee>.sandbox as host because "
    "recorded calls keep no host; bodies are redacted and may be truncated; timings.wait is "
    "the caller's whole wait."
)


def to_har(calls: Sequence[HttpCall]) -> str:
    """The calls as a HAR 1.2 JSON document, entries in start order."""
    ordered = sorted(calls, key=lambda call: call.started_at)
    log: dict[str, Any] = {
        "version": "1.2",
        "creator": {"name": "integration-sandbox", "version": __version__},
        "pages": _pages(ordered),
        "entries": [har_entry(call) for call in ordered],
        "comment": COMMENT,
    }
    return json.dumps({"log": log}, ensure_ascii=False, indent=2)


def har_entry(call: HttpCall) -> dict[str, Any]:
    """One HAR entry (request, response, timings and our `_` fields) for one call."""
    return {
        "pageref": call.trace_id,
        "startedDateTime": _iso_utc(call.started_at),
        "time": call.duration_ms,
        "request": _request(call),
        "response": _response(call),
        "cache": {},
        "timings": {"send": 0, "wait": call.duration_ms, "receive": 0},
        "_traceId": call.trace_id,
        "_spanId": call.span_id,
        "_parentId": call.parent_id,
        "_caller": call.caller,
        "_callee": call.callee,
        "_truncated": call.truncated,
        **({"_claimedCaller": call.claimed_caller} if call.claimed_caller else {}),
    }


def _pages(ordered: Sequence[HttpCall]) -> list[dict[str, Any]]:
    pages: dict[str, dict[str, Any]] = {}
    for call in ordered:
        pages.setdefault(
            call.trace_id,
            {
                "startedDateTime": _iso_utc(call.started_at),
                "id": call.trace_id,
                "title": f"{call.who}: {call.method} {call.path} (trace {call.trace_id})",
                "pageTimings": {"onContentLoad": -1, "onLoad": -1},
            },
        )
    return list(pages.values())


def _request(call: HttpCall) -> dict[str, Any]:
    query = call.path.split("?", 1)[1] if "?" in call.path else ""
    request: dict[str, Any] = {
        "method": call.method,
        "url": f"http://{call.callee}{HOST_SUFFIX}{call.path}",
        "httpVersion": HTTP_VERSION,
        "cookies": [],
        "headers": _headers(call.request_headers),
        "queryString": [
            {"name": name, "value": value}
            for name, value in parse_qsl(query, keep_blank_values=True)
        ],
        "headersSize": -1,
        "bodySize": _size(call.request_body),
    }
    if call.request_body:
        request["postData"] = {
            "mimeType": _mime_type(call.request_headers, call.request_body),
            "text": call.request_body,
        }
    return request


def _response(call: HttpCall) -> dict[str, Any]:
    failed = call.status is None
    response: dict[str, Any] = {
        "status": 0 if failed else call.status,
        "statusText": "" if failed else _reason(call.status),
        "httpVersion": "" if failed else HTTP_VERSION,
        "cookies": [],
        "headers": _headers(call.response_headers),
        "content": {
            "size": _size(call.response_body),
            "mimeType": _mime_type(call.response_headers, call.response_body) if not failed else "",
            "text": call.response_body,
        },
        "redirectURL": _header(call.response_headers, "location") or "",
        "headersSize": -1,
        "bodySize": -1 if failed else _size(call.response_body),
    }
    if failed:
        response["_error"] = call.error or "failed"
    return response


def _headers(pairs: Headers) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in pairs]


def _header(pairs: Headers, wanted: str) -> str | None:
    return next((value for name, value in pairs if name.lower() == wanted), None)


def _mime_type(pairs: Headers, body: str) -> str:
    declared = _header(pairs, "content-type")
    if declared:
        return declared
    # No header recorded (a hand-made or replayed call): say what the text looks like.
    return "application/json" if body[:1] in ("{", "[") else "text/plain"


def _reason(status: int | None) -> str:
    try:
        return HTTPStatus(status or 0).phrase
    except ValueError:
        return ""


def _size(body: str) -> int:
    return len(body.encode("utf-8"))


def _iso_utc(seconds: float) -> str:
    stamp = datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")
