"""A recorded call as a curl command or an httpx script, so a developer can send it again.

Both reproduce what was recorded: method, URL (`base_url` + the recorded path and query),
headers and body. Recorded calls are redacted, so credential values stay `[redacted]`
placeholders and a comment says where real credentials come from; signatures are time-bound
anyway, so a developer signs a fresh request with the `httpx.Auth` classes instead.

Some recorded headers are left out because sending them again would be wrong, not just stale:
hop-by-hop headers and `host`/`content-length` (the new connection sets them),
`accept-encoding` (curl would print compressed bytes), `traceparent`/`tracestate` (a replay is
a new action, so it starts its own trace) and `x-sandbox-recorded` (the runtime's proof that
its own client recorded the call: redacted, and worthless to anyone else).

`resend_draft` is the third form, for the composer: what a person edits before sending the
call again as an identity of their choice. It keeps what the request *says* (its path and
query, body and headers such as an Idempotency-Key) and leaves out everything that says who
sent it - credentials, signatures and the parameters and headers that carry them - because
the composer signs the request afresh, in the callee's own dialect, for the chosen identity.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from urllib.parse import parse_qsl

from sandbox.trace.events import Headers, HttpCall
from sandbox.trace.redact import MASK

SKIPPED_HEADERS = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
        "accept-encoding",
        "traceparent",
        "tracestate",
        "x-sandbox-recorded",
    }
)
"""Recorded headers a replay must not send (see the module docstring for why)."""
CREDENTIALS_HELP = (
    "Credentials were redacted when this call was recorded: replace each [redacted].",
    "Partner credentials: fixtures/world/partners.json (per callee, per caller).",
    "Signing and tokens per institution: sandbox/dialects/ (snap: SnapAuth, open_platform:",
    "MarketplaceAuth, registry: IdentityAuth, vclaim: InsuranceAuth, fhir: RecordsAuth)",
    "- signatures carry a timestamp, so sign a fresh request.",
)
CREDENTIAL_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "x-signature",
        "x-client-key",
        "x-client-secret",
        "x-tts-access-token",
        "x-admin-key",
        "x-api-key",
        "x-cons-id-secret",
        "user_key",
        "x-client-id",
        "x-timestamp",
        "x-nonce",
        "x-partner-id",
        "channel-id",
        "x-cons-id",
        "x-sandbox-caller",
    }
)
"""Headers that prove or say who sent a call and when it was signed (each dialect's `Auth` in
sandbox/dialects/, and the caller's name the wire adds): the identity that sends it again sets
its own. Any header whose recorded value holds `[redacted]` is left out as well."""
SIGNING_PARAMS = frozenset(
    {"sign", "access_token", "client_secret", "token", "app_key", "timestamp", "nonce"}
)
"""Query parameters that sign or authenticate a call (the open platform's, OAuth's)."""
CLIENT_HEADERS = frozenset({"user-agent", "accept", "content-type"})
"""Headers the sending client sets for itself (the composer sends JSON or a form)."""
_NIK_MASK = re.compile(r"\*{12}\d{4}")
_CURL_GLOB = re.compile(r"[\[\]{}]")


def curl(call: HttpCall, base_url: str) -> str:
    """A shell command (POSIX quoting) that sends the recorded request again."""
    url = request_url(call, base_url)
    words = ["curl"]
    if _CURL_GLOB.search(url):
        words.append("--globoff")  # `[redacted]` would otherwise be read as a curl URL range
    words.extend(_curl_method(call))
    words.append(shlex.quote(url))
    parts = [" ".join(words)]
    parts.extend(f"-H {shlex.quote(f'{name}: {value}')}" for name, value in replay_headers(call))
    if call.request_body:
        parts.append(f"--data-raw {shlex.quote(call.request_body)}")
    command = " \\\n  ".join(parts)
    return "\n".join([*(f"# {line}" for line in notes(call)), command]) + "\n"


def httpx_snippet(call: HttpCall, base_url: str) -> str:
    """A Python script using httpx that sends the recorded request again."""
    lines = [f"# {line}" for line in notes(call)]
    lines += ["import httpx", "", "response = httpx.request("]
    lines += [f"    {call.method.upper()!r},", f"    {request_url(call, base_url)!r},"]
    headers = replay_headers(call)
    if headers:
        names = [name.lower() for name, _ in headers]
        unique = len(set(names)) == len(names)
        lines.append("    headers={" if unique else "    headers=[")
        for name, value in headers:
            lines.append(
                f"        {name!r}: {value!r}," if unique else f"        ({name!r}, {value!r}),"
            )
        lines.append("    }," if unique else "    ],")
    if call.request_body:
        lines.append(f"    content={call.request_body!r}.encode(),")
    lines += [")", "print(response.status_code)", "print(response.text)"]
    return "\n".join(lines) + "\n"


def request_url(call: HttpCall, base_url: str) -> str:
    """The base URL joined with the recorded path and query string."""
    path = call.path if call.path.startswith("/") else f"/{call.path}"
    return base_url.rstrip("/") + path


def replay_headers(call: HttpCall) -> Headers:
    """The recorded request headers worth sending again, in recorded order."""
    return tuple((k, v) for k, v in call.request_headers if k.lower() not in SKIPPED_HEADERS)


def notes(call: HttpCall) -> list[str]:
    """Comment lines: where the call came from, and what was redacted or cut."""
    lines = [f"{call.who} -> {call.callee}, trace {call.trace_id}, span {call.span_id}"]
    text = " ".join([call.path, call.request_body, *(v for _, v in replay_headers(call))])
    if MASK in text:
        lines.extend(CREDENTIALS_HELP)
    if _NIK_MASK.search(text):
        lines.append("NIKs were masked to their last four digits when recorded.")
    if call.truncated:
        lines.append("A body was truncated when recorded; this sends only what was kept.")
    return lines


def _curl_method(call: HttpCall) -> list[str]:
    method = call.method.upper()
    if method == "HEAD":
        return ["--head"]
    if method == "GET" and not call.request_body:
        return []
    return ["-X", shlex.quote(method)]


@dataclass(frozen=True, slots=True)
class Draft:
    """A recorded request without its credentials, to edit and send again."""

    service: str
    """The institution called (the recorded callee)."""
    method: str
    path: str
    """The path without its query string."""
    query: tuple[tuple[str, str], ...]
    """The query parameters worth sending again, in recorded order."""
    headers: Headers
    """The request headers worth sending again: none that authenticate or sign."""
    body: str
    """The request body as recorded ("" for none); redacted fields still read `[redacted]`."""
    caller: str
    """Who sent the recorded call (preselected when it is an identity the composer knows)."""
    span_id: str
    """The recorded call this draft came from."""

    @property
    def has_masks(self) -> bool:
        """True when the body or query still holds a `[redacted]` placeholder to fill in."""
        return MASK in self.body or any(MASK in value for _, value in self.query)


def resend_draft(call: HttpCall) -> Draft:
    """The request of `call` for the composer: credentials and signing left out."""
    path, _, query = call.path.partition("?")
    params = tuple(
        (name, value)
        for name, value in parse_qsl(query, keep_blank_values=True)
        if name.lower() not in SIGNING_PARAMS and MASK not in value
    )
    dropped = SKIPPED_HEADERS | CREDENTIAL_HEADERS | CLIENT_HEADERS
    headers = tuple(
        (name, value)
        for name, value in call.request_headers
        if name.lower() not in dropped and MASK not in value
    )
    return Draft(
        service=call.callee,
        method=call.method.upper(),
        path=path or "/",
        query=params,
        headers=headers,
        body=call.request_body,
        caller=call.caller,
        span_id=call.span_id,
    )
