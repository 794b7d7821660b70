"""The bank's SNAP dialect on its own: the published examples, tampering, stale timestamps."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from sandbox.dialects import snap
from sandbox.dialects.common import (
    body_hash,
    freshness_problem,
    minify,
    parse_timestamp,
    timestamp,
)
from tests.dialects.published import example

WHEN = 1_709_280_000.0
"""2024-03-01T15:00:00+07:00, the instant of every published example."""


def _b64_hmac(secret: str, text: str, digest: str) -> str:
    mac = hmac.new(secret.encode(), text.encode(), digest)
    return base64.b64encode(mac.digest()).decode()


def _minified_hash(body: str) -> str:
    compact = json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(compact.encode()).hexdigest()


def test_snap_token_signature_matches_the_published_example() -> None:
    ex = example("snap-token")
    recipe = _b64_hmac(ex["client secret"], f"{ex['X-CLIENT-KEY']}|{ex['X-TIMESTAMP']}", "sha256")
    ours = snap.token_signature(ex["X-CLIENT-KEY"], ex["client secret"], ex["X-TIMESTAMP"])
    assert ours == recipe == ex["X-SIGNATURE"]
    assert snap.matches(ours, ex["X-SIGNATURE"])


def test_snap_transaction_signature_matches_the_published_example() -> None:
    ex = example("snap-transaction")
    assert body_hash(ex["body"].encode()) == _minified_hash(ex["body"]) == ex["body hash"]
    text = f"{ex['method']}:{ex['path']}:{ex['access token']}:{ex['body hash']}:{ex['X-TIMESTAMP']}"
    ours = snap.transaction_signature(
        ex["client secret"],
        ex["method"].lower(),  # the method is signed upper-case whatever the caller wrote
        ex["path"],
        ex["access token"],
        ex["body"].encode(),
        ex["X-TIMESTAMP"],
    )
    assert ours == _b64_hmac(ex["client secret"], text, "sha512") == ex["X-SIGNATURE"]


def test_snap_transaction_refuses_a_tampered_request() -> None:
    ex = example("snap-transaction")
    args = (ex["method"], ex["path"], ex["access token"], ex["body"].encode(), ex["X-TIMESTAMP"])
    published = ex["X-SIGNATURE"]
    tampered = [
        (ex["method"], "/v1.0/transfer-va/delete-va", *args[2:]),
        (*args[:3], ex["body"].replace("185000.00", "1850000.00").encode(), args[4]),
        (*args[:4], "2024-03-01T15:00:01+07:00"),
        (args[0], args[1], "another-token", *args[3:]),
    ]
    for changed in tampered:
        assert not snap.matches(
            snap.transaction_signature(ex["client secret"], *changed), published
        )
    assert not snap.matches(snap.transaction_signature("another-secret", *args), published)
    # Whitespace outside strings is not part of the message; inside a string it is.
    spaced = ex["body"].replace(", ", ",\n  ").encode()
    assert snap.transaction_signature(ex["client secret"], *args[:3], spaced, args[4]) == published
    inner = ex["body"].replace('"   88001"', '"88001"').encode()
    assert snap.transaction_signature(ex["client secret"], *args[:3], inner, args[4]) != published


def test_snap_refuses_a_stale_timestamp() -> None:
    ts = example("snap-transaction")["X-TIMESTAMP"]
    assert parse_timestamp(ts) == WHEN
    assert freshness_problem(ts, WHEN + 299) is None
    assert freshness_problem(ts, WHEN - 299) is None
    assert freshness_problem(ts, WHEN + 301) is not None
    assert freshness_problem(ts, WHEN - 301) is not None
    assert freshness_problem("2024-03-01T15:00:00", WHEN) is not None  # no offset
    assert freshness_problem(None, WHEN) is not None


def _notification_headers(ex: dict[str, str], **changes: str) -> dict[str, str]:
    headers = {
        "x-partner-id": "88001",
        "x-timestamp": ex["X-TIMESTAMP"],
        "x-signature": ex["X-SIGNATURE"],
    }
    return {**headers, **changes}


def _notification_verdict(
    headers: dict[str, str], body: str, now: float = WHEN
) -> tuple[str, str] | None:
    ex = example("snap-notification")
    return snap.notification_problem(
        partner_id="88001",
        secret=ex["notification secret"],
        method=ex["method"],
        path=ex["path"],
        headers=headers,
        body=body.encode(),
        now=now,
    )


def test_snap_notification_verifies_the_published_example() -> None:
    ex = example("snap-notification")
    text = f"{ex['method']}:{ex['path']}:{_minified_hash(ex['body'])}:{ex['X-TIMESTAMP']}"
    assert _b64_hmac(ex["notification secret"], text, "sha512") == ex["X-SIGNATURE"]
    assert (
        snap.notification_signature(
            ex["notification secret"],
            ex["method"],
            ex["path"],
            ex["body"].encode(),
            ex["X-TIMESTAMP"],
        )
        == ex["X-SIGNATURE"]
    )
    assert _notification_verdict(_notification_headers(ex), ex["body"]) is None


def test_snap_notification_refuses_tampering_and_stale_timestamps() -> None:
    ex = example("snap-notification")
    more = ex["body"].replace("185000.00", "185001.00")
    assert _notification_verdict(_notification_headers(ex), more) is not None
    verdict = _notification_verdict(_notification_headers(ex), more)
    assert verdict is not None and verdict[0] == "invalid_signature"
    other_time = _notification_headers(ex, **{"x-timestamp": "2024-03-01T15:00:01+07:00"})
    verdict = _notification_verdict(other_time, ex["body"])
    assert verdict is not None and verdict[0] == "invalid_signature"
    verdict = _notification_verdict(_notification_headers(ex), ex["body"], now=WHEN + 301)
    assert verdict is not None and verdict[0] == "invalid_timestamp"
    verdict = _notification_verdict(
        _notification_headers(ex, **{"x-partner-id": "88002"}), ex["body"]
    )
    assert verdict is not None and verdict[0] == "unknown_partner_id"
    non_ascii = _notification_headers(ex, **{"x-signature": ex["X-SIGNATURE"][:-2] + "é="})
    verdict = _notification_verdict(non_ascii, ex["body"])
    assert verdict is not None and verdict[0] == "invalid_signature"


def test_snap_minify_keeps_strings_and_order() -> None:
    raw = b'{ "b" : 1,\n "a" : "x y",  "c": null }'
    assert minify(raw) == b'{"b":1,"a":"x y","c":null}'
    ts = timestamp(1_709_280_000)
    assert ts == "2024-03-01T15:00:00+07:00"
    assert freshness_problem(ts, 1_709_280_000 + 301) is not None
    assert freshness_problem(ts, 1_709_280_000 + 10) is None
    one = snap.transaction_signature("s", "POST", "/p", "t", raw, ts)
    assert one == snap.transaction_signature("s", "post", "/p", "t", minify(raw), ts)
    assert one != snap.transaction_signature("s", "POST", "/p", "t", b'{"b":2}', ts)
