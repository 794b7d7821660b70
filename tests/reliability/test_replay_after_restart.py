"""A signed request captured before a restart and replayed after it is still refused.

Over real HTTP: a partner's signed request is sent and captured as it went out; the sandbox is
stopped and started again on the same data directory, and the exact request is sent once more
within its timestamp's five minutes. The institutions that promise replay protection (the
marketplace and the registry by nonce, the bank by X-EXTERNAL-ID) refuse it, and nothing
happens twice.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.config import Settings
from sandbox.dialects.partners import partner_auth
from sandbox.runtime.supervisor import Runtime

pytestmark = [pytest.mark.reliability, pytest.mark.slow]


def _captured(
    runtime: Runtime, callee: str, caller: str, method: str, path: str, body: dict[str, Any]
) -> tuple[httpx.Response, httpx.Request]:
    """Send a signed request as `caller` and return its answer and the request as sent."""
    sent: list[httpx.Request] = []
    creds = runtime.world["partners"][callee][caller]
    with httpx.Client(
        base_url=runtime.urls[callee],
        auth=partner_auth(callee, creds, time.time),
        event_hooks={"request": [sent.append]},
    ) as client:
        response = client.request(method, path, json=body)
    return response, sent[-1]


def _replay(runtime: Runtime, callee: str, request: httpx.Request) -> httpx.Response:
    """The same method, path, query, headers and body, to the new server."""
    url = runtime.urls[callee] + request.url.raw_path.decode()
    headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host",)}
    return httpx.request(request.method, url, headers=headers, content=request.content)


def _count(data_dir: Path, service: str, sql: str) -> int:
    db = sqlite3.connect(f"file:{data_dir / f'{service}.db'}?mode=ro", uri=True)
    try:
        return int(db.execute(sql).fetchone()[0])
    finally:
        db.close()


def test_a_request_replayed_after_a_restart_is_refused(tmp_path: Path) -> None:
    first = Runtime(Settings(data_dir=tmp_path, port_base=0))
    first.start_in_thread()
    try:
        buyer = first.world["marketplace"]["buyers"][0]["link_token"]
        ordered, order = _captured(
            first,
            "marketplace",
            "social",
            "POST",
            "/api/v2/fs/7001/orders",
            {"buyer_link_token": buyer, "items": [{"product_id": 300181, "quantity": 1}]},
        )
        assert ordered.status_code == 201, ordered.text
        nik = first.world["personas"]["newcomer"]["nik"]
        consented, consent = _captured(
            first,
            "identity",
            "bank",
            "POST",
            "/v1/consent-requests",
            {"nik": nik, "purpose": "ACCOUNT_OPENING", "scopes": ["identity_verification"]},
        )
        assert consented.status_code in (201, 202), consented.text
    finally:
        first.stop_thread()
    orders = _count(tmp_path, "marketplace", "SELECT COUNT(*) FROM orders")
    consents = _count(tmp_path, "identity", "SELECT COUNT(*) FROM consent_requests")

    second = Runtime(Settings(data_dir=tmp_path, port_base=0))
    second.start_in_thread()
    try:
        again = _replay(second, "marketplace", order)
        assert (again.status_code, again.json()["code"]) == (401, "replayed_request")
        again = _replay(second, "identity", consent)
        assert (again.status_code, again.json()["code"]) == (401, "replayed_request")
        fresh, _ = _captured(
            second,
            "marketplace",
            "social",
            "POST",
            "/api/v2/fs/7001/orders",
            {"buyer_link_token": buyer, "items": [{"product_id": 300181, "quantity": 1}]},
        )
        assert fresh.status_code == 201, "a new request, signed anew, still works"
    finally:
        second.stop_thread()
    assert _count(tmp_path, "marketplace", "SELECT COUNT(*) FROM orders") == orders + 1
    assert _count(tmp_path, "identity", "SELECT COUNT(*) FROM consent_requests") == consents
