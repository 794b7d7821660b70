"""User services in a real runtime: served, proxied, started later, refused clearly."""

from __future__ import annotations

import http.server
import json
import socket
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sandbox.config import Settings
from sandbox.runtime.config_file import load_config
from sandbox.runtime.supervisor import AppLoadFailed, PortInUse, Runtime

pytestmark = pytest.mark.slow


class _Echo(http.server.BaseHTTPRequestHandler):
    """A developer's own server, in no particular framework: echoes what it got."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        answer = json.dumps(
            {
                "path": self.path,
                "got": json.loads(body or b"null"),
                "traceparent": self.headers.get("traceparent"),
            }
        ).encode()
        self.send_response(201)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def echo_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def start(tmp_path: Path, text: str) -> Runtime:
    config_path = tmp_path / "sandbox.toml"
    config_path.write_text(textwrap.dedent(text))
    runtime = Runtime(
        Settings(data_dir=tmp_path / "data", port_base=0), load_config(config_path, plugins=False)
    )
    runtime.start_in_thread()
    return runtime


def _owner(runtime: Runtime) -> dict[str, str]:
    """The control token: changing a sandbox needs it."""
    return {"Authorization": f"Bearer {runtime.control_token}"}


def calls_of(runtime: Runtime, service: str) -> list[dict[str, object]]:
    control = runtime.control_url
    httpx.post(f"{control}/flush", headers=_owner(runtime))
    found: list[dict[str, object]] = httpx.get(
        f"{control}/calls", params={"service": service}
    ).json()["calls"]
    return found


def test_a_server_in_any_language_is_recorded_through_the_proxy(
    tmp_path: Path, echo_server: str
) -> None:
    runtime = start(
        tmp_path,
        f"""
        [services.loyalty]
        url = "{echo_server}"
        title = "Poin Plus"
        """,
    )
    try:
        proxied = runtime.urls["loyalty"]
        assert proxied != echo_server
        answer = httpx.post(f"{proxied}/v1/points?x=1", json={"account": "9900000001"})
        assert answer.status_code == 201
        assert answer.json()["path"] == "/v1/points?x=1"
        assert answer.json()["got"] == {"account": "9900000001"}
        assert answer.json()["traceparent"] is None  # nothing invented for an outside caller
        (call,) = calls_of(runtime, "loyalty")
        assert (call["caller"], call["callee"], call["method"], call["status"]) == (
            "external",
            "loyalty",
            "POST",
            201,
        )
        services = {s["name"]: s for s in httpx.get(f"{runtime.control_url}/services").json()}
        assert services["loyalty"]["kind"] == "url" and services["loyalty"]["title"] == "Poin Plus"
    finally:
        runtime.stop_thread()


def test_a_proxied_server_that_is_down_gets_a_clear_502(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    runtime = start(tmp_path, f'[services.loyalty]\nurl = "http://127.0.0.1:{free}"\n')
    try:
        answer = httpx.get(f"{runtime.urls['loyalty']}/anything")
        assert answer.status_code == 502
        assert answer.json()["code"] == "upstream_unreachable"
        assert "is your server running?" in answer.json()["message"]
    finally:
        runtime.stop_thread()


def test_a_service_declared_to_start_later(tmp_path: Path) -> None:
    package = tmp_path / "later_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "app.py").write_text(
        "from sandbox.extend import new_app\n"
        "def create_app(env):\n    return new_app(env, 'Later', 'joins mid-lesson')\n"
    )
    runtime = start(
        tmp_path,
        """
        [services.later]
        app = "later_pkg.app:create_app"
        start = false
        """,
    )
    try:
        control = runtime.control_url
        owner = _owner(runtime)
        start_later = f"{control}/services/later/start"
        names = [s["name"] for s in httpx.get(f"{control}/services").json()]
        assert "later" not in names
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{runtime.urls['later']}/health")
        assert httpx.post(start_later, headers=owner).json()["started"] is True
        assert httpx.get(f"{runtime.urls['later']}/health").json()["status"] == "ok"
        assert httpx.post(start_later, headers=owner).json()["started"] is False
        names = [s["name"] for s in httpx.get(f"{control}/services").json()]
        assert names[-1] == "later"
        state = json.loads((tmp_path / "data" / "runtime.json").read_text())
        assert "later" in state["services"]
        # A reset returns to the declared world: the late service is stopped again...
        assert httpx.post(f"{control}/reset", headers=owner).json()["stopped"] == ["later"]
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{runtime.urls['later']}/health")
        # ...and can join again, on the same port.
        assert httpx.post(start_later, headers=owner).json()["started"] is True
        assert httpx.get(f"{runtime.urls['later']}/health").json()["status"] == "ok"
    finally:
        runtime.stop_thread()


def test_a_taken_port_names_the_declaration(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config_path = tmp_path / "sandbox.toml"
        config_path.write_text(f'[services.loyalty]\nurl = "http://127.0.0.1:1"\nport = {port}\n')
        runtime = Runtime(
            Settings(data_dir=tmp_path, port_base=0), load_config(config_path, plugins=False)
        )
        with pytest.raises(PortInUse, match=rf"port {port} .*declared at {config_path}:1"):
            runtime.bind()


def test_an_app_that_fails_to_build_is_named(tmp_path: Path) -> None:
    package = tmp_path / "crashy_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "app.py").write_text("def create_app(env):\n    raise RuntimeError('oops')\n")
    config_path = tmp_path / "sandbox.toml"
    config_path.write_text('[services.crashy]\napp = "crashy_pkg.app:create_app"\n')
    runtime = Runtime(
        Settings(data_dir=tmp_path, port_base=0), load_config(config_path, plugins=False)
    )
    runtime.bind()
    try:
        with pytest.raises(
            AppLoadFailed,
            match=r"crashy \(declared at .*:1\) could not be "
            r"built: RuntimeError: oops",
        ):
            runtime.build()
    finally:
        runtime.close_sockets()


def test_a_plain_asgi_app_is_recorded_too(tmp_path: Path) -> None:
    package = tmp_path / "plain_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "app.py").write_text(
        textwrap.dedent("""
        async def app(scope, receive, send):
            if scope["type"] != "http":
                return
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"plain"})
        """)
    )
    runtime = start(tmp_path, '[services.plain]\napp = "plain_pkg.app:app"\n')
    try:
        assert httpx.get(f"{runtime.urls['plain']}/hi").text == "plain"
        deadline = time.monotonic() + 5
        while not calls_of(runtime, "plain") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert calls_of(runtime, "plain")[0]["path"] == "/hi"
    finally:
        runtime.stop_thread()


def test_calls_from_a_url_service_are_attributed_by_its_credential(
    tmp_path: Path, echo_server: str
) -> None:
    from sandbox.dialects.open_platform import MarketplaceAuth

    runtime = start(
        tmp_path,
        f"""
        [services.loyalty]
        url = "{echo_server}"
        calls = ["marketplace"]

        [services.loyalty.partners.marketplace]
        app_key = "loyalty-1"
        app_secret = "loyalty-secret"
        fs_id = 7400
        webhook_path = "/hooks"
        """,
    )
    try:
        # What the developer's own server (in any language) does: sign and call.
        auth = MarketplaceAuth("loyalty-1", "loyalty-secret")
        with httpx.Client(base_url=runtime.urls["marketplace"], auth=auth) as marketplace:
            assert marketplace.get("/api/v2/fs/7400/products/100101").status_code == 200
        # The token request (HTTP Basic) and the signed call are both the loyalty service's.
        assert {c["caller"] for c in calls_of(runtime, "marketplace")} == {"loyalty"}
        stranger = httpx.get(f"{runtime.urls['marketplace']}/api/v2/fs/7400/products/100101")
        assert stranger.status_code == 401
    finally:
        runtime.stop_thread()
