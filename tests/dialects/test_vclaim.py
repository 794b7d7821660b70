"""The insurer's VClaim dialect on its own: the published example, what it does not sign, and a
stale timestamp refused by the insurer's rule."""

from __future__ import annotations

import base64
import hashlib
import hmac

import httpx

from sandbox.dialects import vclaim
from sandbox.dialects.vclaim import InsuranceAuth
from sandbox.services.insurance.rules import timestamp_problem
from tests.dialects.published import example


def test_vclaim_signature_matches_the_published_example() -> None:
    ex = example("vclaim")
    message = f"{ex['X-cons-id']}&{ex['X-timestamp']}".encode()
    mac = hmac.new(ex["secret"].encode(), message, hashlib.sha256).digest()
    ours = vclaim.signature(ex["X-cons-id"], ex["secret"], ex["X-timestamp"])
    assert ours == base64.b64encode(mac).decode() == ex["X-signature"]
    assert vclaim.matches(ours, ex["X-signature"])


def test_insurance_auth_stamps_the_published_headers() -> None:
    ex = example("vclaim")
    auth = InsuranceAuth(ex["X-cons-id"], ex["secret"], "example-user-key", lambda: 1709280000.9)
    url = "http://insurance/vclaim-rest/Peserta/nik/9971015403960001/tglSEP/2024-03-01"
    signed = next(auth.auth_flow(httpx.Request("GET", url)))
    assert signed.headers["X-cons-id"] == ex["X-cons-id"]
    assert signed.headers["X-timestamp"] == ex["X-timestamp"]  # whole seconds
    assert signed.headers["X-signature"] == ex["X-signature"]
    assert signed.headers["user_key"] == "example-user-key"


def test_vclaim_refuses_a_tampered_signature() -> None:
    ex = example("vclaim")
    for cons_id, secret, ts in (
        ("1002", ex["secret"], ex["X-timestamp"]),
        (ex["X-cons-id"], "another-secret", ex["X-timestamp"]),
        (ex["X-cons-id"], ex["secret"], "1709280001"),
    ):
        assert not vclaim.matches(vclaim.signature(cons_id, secret, ts), ex["X-signature"])
    assert not vclaim.matches(ex["X-signature"], None)


def test_vclaim_signs_neither_path_nor_body() -> None:
    """Two different requests in the same second carry the same signature: the insurer cannot
    tell a replay from a second call (the lesson docs/services/insurance.md draws)."""
    ex = example("vclaim")
    auth = InsuranceAuth(ex["X-cons-id"], ex["secret"], "k", lambda: 1709280000.0)
    one = next(auth.auth_flow(httpx.Request("GET", "http://insurance/vclaim-rest/SEP/A")))
    two = next(auth.auth_flow(httpx.Request("DELETE", "http://insurance/vclaim-rest/SEP/B")))
    assert one.headers["X-signature"] == two.headers["X-signature"] == ex["X-signature"]


def test_vclaim_refuses_a_stale_timestamp() -> None:
    ts = example("vclaim")["X-timestamp"]
    assert timestamp_problem(ts, 1709280000 + 300) is None
    assert timestamp_problem(ts, 1709280000 + 301) is not None
    assert timestamp_problem(ts, 1709280000 - 301) is not None
    assert timestamp_problem("2024-03-01T15:00:00+07:00", 1709280000) is not None
    assert timestamp_problem("１７０９２８００００", 1709280000) is not None  # full-width digits
