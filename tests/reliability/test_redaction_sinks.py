"""Disguised secrets and NIKs reach no sink: trace.db, exports, the log, snippets, control API.

Over real HTTP against a running sandbox: each of the disguises in `tests/disguises.py` (40,
from a BOM before a JSON body to a NIK in full-width digits) is sent to three institutions as
an outsider would send it, the stories run (so the institutions' own calls carry the world's
real secrets), and then every place a call is kept or shown is read back and searched:

- trace.db: every stored call (decompressed), and the raw file's bytes;
- every export of every trace: HAR, JSON lines, OTLP/JSON and Mermaid;
- logs/sandbox.log, written through the CLI's redacting handler;
- copy-as-curl and copy-as-httpx of every call;
- the control API: pages of calls, each trace, the live event stream and every table.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.config import Settings
from sandbox.runtime.remote import ControlClient
from sandbox.runtime.supervisor import Runtime
from sandbox.scenarios import PhoneReader, admission, checkout, open_account
from sandbox.trace.export import FORMATS
from sandbox.trace.logs import log_to_file
from sandbox.trace.snippets import curl, httpx_snippet
from sandbox.wire import Wire
from tests.disguises import disguises, exposed
from tests.reliability.test_security import _fixture_secrets

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

TARGETS = (
    ("bank", "/mobile/v1/sessions"),
    ("marketplace", "/oauth/token"),
    ("identity", "/v1/verify"),
)
"""Where each disguise is sent: a login, a token endpoint, a partner API."""


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A running sandbox that has seen every disguise and every story; what its event stream
    carried meanwhile is in `events`."""
    data_dir = tmp_path_factory.mktemp("sinks")
    handler = log_to_file(data_dir / "logs" / "sandbox.log")
    runtime = Runtime(Settings(data_dir=data_dir, port_base=0))
    runtime.start_in_thread()
    events: list[str] = []
    listening = threading.Event()

    def follow() -> None:
        with httpx.stream("GET", f"{runtime.control_url}/events", timeout=30) as stream:
            listening.set()
            for line in stream.iter_lines():
                events.append(line)
                if line.startswith("data:") and '"done-marker"' in line:
                    return

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    assert listening.wait(10)
    try:
        asyncio.run(_stories(runtime))  # first: the disguised PINs lock the buyer's account
        _send_disguises(runtime)
        httpx.get(f"{runtime.urls['bank']}/health", headers={"x-sandbox-caller": "done-marker"})
        reader.join(30)
        runtime.writer.flush()
        yield {"runtime": runtime, "events": "\n".join(events)}
    finally:
        runtime.stop_thread()
        logging.getLogger().removeHandler(handler)
        handler.close()


def _send_disguises(runtime: Runtime) -> None:
    for disguise in disguises():
        for service, path in TARGETS:
            headers = {**disguise.headers}
            if disguise.content_type:
                headers["content-type"] = disguise.content_type
            query = f"?{disguise.query}" if disguise.query else ""
            response = httpx.post(
                f"{runtime.urls[service]}{path}{query}",
                content=disguise.body,
                headers=headers,
                timeout=10,
            )
            assert response.status_code < 500, (disguise.name, service, response.text[:200])


async def _stories(runtime: Runtime) -> None:
    wire = Wire()  # the sandbox records these calls on its side, as for a developer's script
    for name, url in runtime.urls.items():
        wire.set_url(name, url)
    control = ControlClient(runtime.control_url)
    try:
        # Both ways to pay: her bank's code and the token for her account must not leak either.
        await checkout(wire, runtime.world, lambda _: None, phone=PhoneReader(control.sms))
        await checkout(wire, runtime.world, lambda _: None, pay="va")
        for story in (open_account, admission):
            await story(wire, runtime.world, lambda _: None)
    finally:
        await wire.aclose()
        await control.aclose()


def _secrets(runtime: Runtime) -> dict[str, str]:
    found = {f"disguise {d.name}": d.secret for d in disguises()}
    found.update(_fixture_secrets(runtime.world))
    return found


def _leaks(secrets: dict[str, str], sink: str, text: str) -> list[str]:
    return [f"{what} in {sink}" for what, value in secrets.items() if exposed(value, text)]


def test_the_corpus_is_big_and_went_out(sandbox: dict[str, Any]) -> None:
    runtime: Runtime = sandbox["runtime"]
    assert len(disguises()) >= 30
    sent = runtime.traces.count(text="/mobile/v1/sessions")
    assert sent >= len(disguises()), "every disguise reached the bank and was recorded"


def test_no_disguised_secret_in_the_trace_store(sandbox: dict[str, Any]) -> None:
    runtime: Runtime = sandbox["runtime"]
    secrets = _secrets(runtime)
    stored = [c.to_dict() for c in runtime.traces.calls(0, 100_000)]
    found = _leaks(secrets, "trace.db (calls)", json.dumps(stored, ensure_ascii=False))
    raw = (runtime.settings.data_dir / "trace.db").read_bytes().decode("latin-1")
    found += _leaks(secrets, "trace.db (file bytes)", raw)
    assert not found, "\n".join(found)


def test_no_disguised_secret_in_any_export_or_snippet(sandbox: dict[str, Any]) -> None:
    runtime: Runtime = sandbox["runtime"]
    secrets = _secrets(runtime)
    found: list[str] = []
    traces = {c.trace_id for c in runtime.traces.calls(0, 100_000)}
    for trace_id in sorted(traces):
        calls = runtime.traces.trace(trace_id)
        for fmt, exporter in FORMATS.items():
            found += _leaks(secrets, f"{fmt} of {trace_id[:8]}", exporter(calls))
        for call in calls:
            url = runtime.urls.get(call.callee, "http://127.0.0.1:1")
            snippets = curl(call, url) + httpx_snippet(call, url)
            found += _leaks(secrets, f"snippets of {call.span_id}", snippets)
    assert not found, "\n".join(found[:20])


def test_no_disguised_secret_in_the_log(sandbox: dict[str, Any]) -> None:
    runtime: Runtime = sandbox["runtime"]
    text = (runtime.settings.data_dir / "logs" / "sandbox.log").read_text(encoding="utf-8")
    found = _leaks(_secrets(runtime), "logs/sandbox.log", text)
    assert not found, "\n".join(found)
    assert "HTTP Request" not in text, "httpx's request lines stay out of the log"


def test_no_disguised_secret_through_the_control_api(sandbox: dict[str, Any]) -> None:
    runtime: Runtime = sandbox["runtime"]
    secrets = _secrets(runtime)
    control = runtime.control_url
    found = _leaks(secrets, "/events", sandbox["events"])
    total = httpx.get(f"{control}/calls/count").json()["total"]
    for offset in range(0, total, 500):
        page = httpx.get(f"{control}/calls", params={"offset": offset, "limit": 500}).text
        found += _leaks(secrets, f"/calls at {offset}", page)
    for summary in httpx.get(f"{control}/traces", params={"limit": 500}).json():
        found += _leaks(
            secrets, "/traces/ID", httpx.get(f"{control}/traces/{summary['trace_id']}").text
        )
    for service in runtime.urls:
        for table in httpx.get(f"{control}/services/{service}/tables").json():
            rows = httpx.get(
                f"{control}/services/{service}/tables/{table['name']}", params={"limit": 500}
            ).text
            found += _leaks(secrets, f"table {service}.{table['name']}", rows)
    assert not found, "\n".join(found[:20])
