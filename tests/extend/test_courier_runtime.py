"""The courier example in a real runtime: the checkout's trace now reaches the courier."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from sandbox.audit.command import audit
from sandbox.config import Settings
from sandbox.runtime.config_file import load_config
from sandbox.runtime.remote import ControlClient
from sandbox.runtime.supervisor import Runtime
from sandbox.scenarios import PhoneReader, checkout
from sandbox.trace.events import HttpCall
from sandbox.wire import Wire

pytestmark = pytest.mark.slow
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "courier" / "sandbox.toml"


def test_checkout_with_the_courier_enabled(tmp_path: Path) -> None:
    runtime = Runtime(Settings(data_dir=tmp_path, port_base=0), load_config(EXAMPLE))
    runtime.start_in_thread()
    try:

        async def go() -> str:
            wire = Wire()
            for name, url in runtime.urls.items():
                wire.set_url(name, url)
            control = ControlClient(runtime.control_url)
            try:
                story = await checkout(
                    wire, runtime.world, lambda _: None, phone=PhoneReader(control.sms)
                )
            finally:
                await wire.aclose()
                await control.aclose()
            return story.trace_id

        trace_id = asyncio.run(go())
        control = runtime.control_url
        deadline = time.monotonic() + 10
        parties: set[tuple[str, str]] = set()
        while time.monotonic() < deadline:
            calls = httpx.get(f"{control}/traces/{trace_id}").json()
            parties = {(c["caller"], c["callee"]) for c in calls}
            if ("courier", "marketplace") in parties:
                break
            time.sleep(0.1)
        assert ("marketplace", "courier") in parties  # the booking, signed webhook
        assert ("courier", "marketplace") in parties  # the first tracking update
        booking = next(c for c in calls if c["callee"] == "courier")
        assert booking["status"] == 200 and "SHIPMENT_REQUEST" in booking["request_body"]
        assert "nik" not in booking["request_body"].lower()
        services = [s["name"] for s in httpx.get(f"{control}/services").json()]
        assert services[-1] == "courier"
        report = audit(tmp_path, [HttpCall.from_dict(c) for c in calls], runtime.urls)
        assert [r.rule.id for r in report.failed] == ["RE-AUDIT"]
    finally:
        runtime.stop_thread()
