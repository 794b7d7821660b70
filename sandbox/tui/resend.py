"""Opening a recorded call in the composer: which documented endpoint it called, with what.

A recorded call has a concrete path (`/api/v2/fs/7001/orders`); the composer edits endpoints
of a service's OpenAPI document (`/api/v2/fs/{shop_id}/orders`) with one input per parameter.
`open_draft` finds the endpoint the call was made to and the values of its parameters, so the
composer shows the recorded request in its usual form. A call no document lists (a webhook
path, a service without a document) still opens, as an endpoint made from the recording.
Plain functions: no Textual, tested without an app.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl, unquote

from sandbox.scenarios.openapi import FORM, JSON, Endpoint, Parameter
from sandbox.trace.snippets import Draft

_PLACEHOLDER = re.compile(r"^\{([^{}]+)\}$")


@dataclass(frozen=True, slots=True)
class Opened:
    """What the composer fills in for a draft."""

    endpoint: Endpoint
    """The documented endpoint (with any undocumented query parameters added), or one made
    from the recording when no document lists it."""
    values: dict[str, str] = field(default_factory=dict)
    """Parameter name -> value, for the path and query inputs."""
    body: str = ""
    """The editor's text: JSON indented; a form written as a JSON object, as the composer
    takes forms."""
    headers: str = ""
    """The headers input: `Name: value; Other: value`."""
    documented: bool = True
    """False when the endpoint was made from the recording."""


def open_draft(draft: Draft, endpoints: list[Endpoint]) -> Opened:
    """The endpoint `draft` was sent to, and every value the composer shows for it."""
    found = match_endpoint(endpoints, draft.method, draft.path)
    endpoint, values = found if found is not None else (_recorded_endpoint(draft), {})
    known = {p.name for p in endpoint.query_params}
    extra = [Parameter(name, "query", False, "", value) for name, value in draft.query]
    added = _unique(tuple(p for p in extra if p.name not in known))
    endpoint = replace(endpoint, query_params=endpoint.query_params + added)
    values.update(dict(draft.query))
    return Opened(
        endpoint=endpoint,
        values=values,
        body=editor_text(draft.body, endpoint.media_type),
        headers="; ".join(f"{name}: {value}" for name, value in draft.headers),
        documented=found is not None,
    )


def match_endpoint(
    endpoints: list[Endpoint], method: str, path: str
) -> tuple[Endpoint, dict[str, str]] | None:
    """The endpoint whose template matches `method` and `path`, with its path parameters.

    A template with more literal segments wins (`/orders/mine` over `/orders/{id}`).
    """
    segments = path.rstrip("/").split("/") if path != "/" else [""]
    best: tuple[int, Endpoint, dict[str, str]] | None = None
    for endpoint in endpoints:
        if endpoint.method != method.upper():
            continue
        template = endpoint.path.rstrip("/").split("/") if endpoint.path != "/" else [""]
        if len(template) != len(segments):
            continue
        values: dict[str, str] = {}
        literal = 0
        for want, got in zip(template, segments, strict=True):
            placeholder = _PLACEHOLDER.match(want)
            if placeholder:
                values[placeholder[1]] = unquote(got)
            elif want == got:
                literal += 1
            else:
                break
        else:
            if best is None or literal > best[0]:
                best = (literal, endpoint, values)
    return None if best is None else (best[1], best[2])


def editor_text(body: str, media_type: str | None) -> str:
    """A recorded body as the composer's editor holds it."""
    if not body:
        return ""
    if media_type == FORM and not body.lstrip().startswith(("{", "[")):
        return json.dumps(dict(parse_qsl(body, keep_blank_values=True)), indent=2)
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body


def _recorded_endpoint(draft: Draft) -> Endpoint:
    """An endpoint for a call no document lists: its path as recorded, a body if it had one."""
    return Endpoint(
        method=draft.method,
        path=draft.path,
        summary="",
        has_body=bool(draft.body) or draft.method not in ("GET", "HEAD", "DELETE", "OPTIONS"),
        media_type=JSON,
    )


def _unique(params: tuple[Parameter, ...]) -> tuple[Parameter, ...]:
    """One input per name (a repeated query parameter keeps its last value, as the recording
    is sent again through a dict)."""
    return tuple({p.name: p for p in params}.values())
