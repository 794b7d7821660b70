"""The civil registry's dialect on its own: the published example, tampering, stale timestamps,
and `IdentityAuth` signing a request the registry's recipe verifies."""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx

from sandbox.dialects import registry
from sandbox.dialects.common import freshness_problem
from sandbox.dialects.registry import IdentityAuth
from tests.dialects.published import example

WHEN = 1_709_280_000.0
"""2024-03-01T15:00:00+07:00, the instant of the published example."""


def _recipe(secret: str, method: str, path: str, body: str, ts: str, nonce: str) -> str:
    compact = json.dumps(json.loads(body), separators=(",", ":")).encode() if body else b""
    text = f"{method}:{path}:{hashlib.sha256(compact).hexdigest()}:{ts}:{nonce}"
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def _ours(ex: dict[str, str], **changes: str) -> str:
    fields = {**ex, **changes}
    return registry.signature(
        fields["client secret"],
        fields["method"],
        fields["path"],
        fields["body"].encode(),
        fields["X-Timestamp"],
        fields["X-Nonce"],
    )


def test_registry_signature_matches_the_published_example() -> None:
    ex = example("registry")
    recipe = _recipe(
        ex["client secret"], ex["method"], ex["path"], ex["body"], ex["X-Timestamp"], ex["X-Nonce"]
    )
    assert _ours(ex) == recipe == ex["X-Signature"]
    assert registry.matches(_ours(ex), ex["X-Signature"])


def test_registry_refuses_a_tampered_request() -> None:
    ex = example("registry")
    for changes in (
        {"path": "/v1/consents"},
        {"body": ex["body"].replace("9971015403960001", "9971015403960002")},
        {"X-Nonce": "6f1c2a9e4b7d3f09"},
        {"X-Timestamp": "2024-03-01T15:00:01+07:00"},
        {"client secret": "another-secret"},
        {"method": "PUT"},
    ):
        assert not registry.matches(_ours(ex, **changes), ex["X-Signature"]), changes
    assert not registry.matches(_ours(ex), None)
    assert not registry.matches(_ours(ex), ex["X-Signature"].upper().replace("A", "Ａ"))


def test_registry_refuses_a_stale_timestamp() -> None:
    ts = example("registry")["X-Timestamp"]
    assert freshness_problem(ts, WHEN + 300) is None
    assert freshness_problem(ts, WHEN + 301) is not None
    assert freshness_problem(ts, WHEN - 301) is not None


def test_identity_auth_signs_what_the_registry_verifies() -> None:
    ex = example("registry")
    auth = IdentityAuth("example-client", ex["client secret"], clock=lambda: WHEN)
    request = httpx.Request("POST", "http://identity" + ex["path"], content=ex["body"].encode())
    signed = next(auth.auth_flow(request))
    headers = signed.headers
    assert headers["X-Client-Id"] == "example-client"
    assert headers["X-Timestamp"] == ex["X-Timestamp"]
    nonce = headers["X-Nonce"]
    expected = _ours(ex, **{"X-Nonce": nonce})
    assert registry.matches(expected, headers["X-Signature"])
    # A new nonce for every request: a captured one cannot be sent again as new.
    again = next(
        IdentityAuth("example-client", ex["client secret"], lambda: WHEN).auth_flow(
            httpx.Request("POST", "http://identity" + ex["path"], content=ex["body"].encode())
        )
    )
    assert again.headers["X-Nonce"] != nonce
