"""`sandbox listen`: the webhooks meant for a developer's client reach a URL on this machine,
signed as the institution signs them, recorded like any call - and only there."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.cli import main
from sandbox.config import Settings
from sandbox.dialects.open_platform import webhook_signature
from sandbox.runtime.config_file import load_config
from sandbox.runtime.supervisor import Runtime
from sandbox.services.marketplace.auth import webhook_kind
from tests.extend.partner_probe import held

pytestmark = pytest.mark.slow


class Receiver(ThreadingHTTPServer):
    """The developer's own server: keeps what it was sent, answers 200."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.got: list[tuple[str, dict[str, str], bytes]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        self.server.got.append((self.path, dict(self.headers.items()), body))
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    config = tmp_path / "sandbox.toml"
    assert main(["new", "client", "me", "--calls", "marketplace", "--config", str(config)]) == 0
    running = Runtime(
        Settings(data_dir=tmp_path / "data", port_base=0),
        load_config(config, plugins=False),
        partners_file=config,
    )
    running.start_in_thread()
    yield running
    running.stop_thread()


def _control(runtime: Runtime, method: str, path: str, **kw: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {runtime.control_token}"}
    return httpx.request(method, runtime.control_url + path, headers=headers, timeout=10, **kw)


def _webhook_to_me(runtime: Runtime, event_id: str) -> None:
    """Queue what the marketplace queues when an order of `me` changes status."""
    app = runtime.apps["marketplace"].state
    partner = app.partners.by_name["me"]
    app.outbox.enqueue(
        event_id=event_id,
        target="me",
        path=partner.webhook_path,
        kind=webhook_kind(partner),
        body={"type": "ORDER_STATUS_CHANGE", "notification_id": event_id, "data": {}},
    )


def _wait(predicate: Any, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_a_clients_webhooks_reach_its_local_url_signed_and_recorded(
    runtime: Runtime, receiver: Receiver, tmp_path: Path
) -> None:
    answer = _control(runtime, "PUT", "/listeners/me", json={"url": receiver.url + "/hooks"})
    assert answer.status_code == 200, answer.text
    assert _control(runtime, "GET", "/listeners").json() == {"me": receiver.url + "/hooks"}
    _webhook_to_me(runtime, "ntf_listen_1")
    assert _wait(lambda: receiver.got), "the webhook reached the developer's server"
    path, headers, body = receiver.got[0]
    creds = held(tmp_path / "sandbox.toml", "me")["marketplace"]
    assert path == "/hooks", "the developer's path replaces the institution's"
    assert headers["Authorization"] == webhook_signature(
        creds["app_secret"], creds["app_key"], body
    ), "signed as the marketplace signs the webhooks of its partners"

    def recorded() -> list[Any]:
        runtime.writer.flush()
        return [c for c in runtime.traces.calls(limit=100) if c.callee == "me"]

    assert _wait(lambda: recorded())
    (call,) = recorded()
    assert (call.caller, call.path, call.status) == ("marketplace", "/hooks", 200)

    assert _control(runtime, "DELETE", "/listeners/me").status_code == 200
    assert _control(runtime, "GET", "/listeners").json() == {}
    _webhook_to_me(runtime, "ntf_listen_2")
    time.sleep(1.2)  # two rounds of the outbox: it tries, and fails, without a listener
    assert len(receiver.got) == 1, "no listener: the webhook waits in the outbox"


@pytest.mark.parametrize(
    ("name", "url", "status", "code"),
    [
        ("me", "http://192.0.2.1:4242/hooks", 400, "not_local"),
        ("me", "http://localhost.example:4242/", 400, "not_local"),
        ("me", "http://10.0.0.1/", 400, "not_local"),
        ("me", "ftp://127.0.0.1/", 400, "invalid_url"),
        ("me", "http://user:pw@127.0.0.1:4242/", 400, "invalid_url"),
        ("me", "not a url at all", 400, "invalid_url"),
        ("marketplace", "http://127.0.0.1:4242/", 409, "not_a_client"),
        ("social", "http://127.0.0.1:4242/", 409, "not_a_client"),
        ("nobody", "http://127.0.0.1:4242/", 404, "unknown_client"),
    ],
)
def test_only_a_client_and_only_this_machine(
    runtime: Runtime, name: str, url: str, status: int, code: str
) -> None:
    answer = _control(runtime, "PUT", f"/listeners/{name}", json={"url": url})
    assert (answer.status_code, answer.json()["code"]) == (status, code), answer.text
    assert _control(runtime, "GET", "/listeners").json() == {}


def test_forwarding_changes_only_with_the_control_token(runtime: Runtime) -> None:
    url = runtime.control_url + "/listeners/me"
    answer = httpx.put(url, json={"url": "http://127.0.0.1:4242/"}, timeout=10)
    assert answer.status_code == 401
    extra = _control(runtime, "PUT", "/listeners/me", json={"url": "http://[::1]:1/", "x": 1})
    assert extra.status_code == 400, "unknown fields are refused"


def test_sandbox_listen_forwards_until_interrupted(
    runtime: Runtime, receiver: Receiver, tmp_path: Path
) -> None:
    argv = [sys.executable, "-m", "sandbox", "listen", "me", "--forward-to", receiver.url]
    argv += ["--data-dir", str(tmp_path / "data")]
    # xdist's workers ignore SIGINT, and a child inherits an ignored signal: Python would then
    # never raise KeyboardInterrupt in it, as it does for Ctrl+C in a terminal. A handler set
    # here is reset to the default in the child (whether an earlier test on this worker had
    # left one decided, until now, whether this test passed).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        child = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ)
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        assert _wait(lambda: _control(runtime, "GET", "/listeners").json(), 30)
        _webhook_to_me(runtime, "ntf_listen_cli")
        assert _wait(lambda: receiver.got)
        assert receiver.got[0][0] == "/webhooks/marketplace", "no path given: the sender's"
        time.sleep(0.5)  # the line is printed once the call is recorded
    finally:
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=20)
    assert child.returncode == 0, err
    assert "Forwarding webhooks for me to" in out
    assert "ORDER_STATUS_CHANGE" in out and "-> 200" in out, out
    assert _control(runtime, "GET", "/listeners").json() == {}, "Ctrl+C stops forwarding"


def test_sandbox_listen_says_why_it_cannot(tmp_path: Path, capsys: Any) -> None:
    code = main(["listen", "me", "--forward-to", "http://127.0.0.1:1", "--data-dir", str(tmp_path)])
    assert code == 2
    assert "no sandbox is running" in capsys.readouterr().err
