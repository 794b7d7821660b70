"""The log file is redacted like the trace: no full NIK, no `sign=`, no token in it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sandbox.trace.logs import log_to_file
from tests.disguises import NIK, PIN, TOKEN, exposed


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "logs" / "sandbox.log"
    levels = {n: logging.getLogger(n).level for n in ("", "httpx", "httpcore")}
    handler = log_to_file(path)
    yield path
    logging.getLogger().removeHandler(handler)
    handler.close()
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_log_lines_and_tracebacks_are_redacted(log_file: Path) -> None:
    log = logging.getLogger("sandbox.test")
    log.info("verify %s for nik=%s", f"/v1?sign={TOKEN}&x=1", NIK)
    log.warning('body {"pin": "%s", "session_token": "sess_0123456789abcdef"}', PIN)
    try:
        raise httpx.ConnectError(f"cannot reach http://127.0.0.1:1/api?access_token={TOKEN}")
    except httpx.ConnectError:
        log.exception("calling the bank failed")
    text = log_file.read_text(encoding="utf-8")
    for secret in (NIK, PIN, TOKEN, "0123456789abcdef"):
        assert not exposed(secret, text), secret
    assert f"************{NIK[-4:]}" in text and "ConnectError" in text


def test_httpx_request_lines_are_not_logged_at_info(log_file: Path) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200)

    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        client.get(f"http://127.0.0.1:1/v1/persons/{NIK}?sign={TOKEN}")
    assert "HTTP Request" not in log_file.read_text(encoding="utf-8")
