"""The control API answers its owner only: loopback Host, same origin, the token for changes.

Over real loopback HTTP, as a web page in the owner's browser would send it: a cross-site
"simple" request (no preflight) and a DNS-rebinding request (a foreign Host).
"""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator

import httpx
import pytest

from sandbox.config import Settings
from sandbox.runtime.control_guard import host_name
from sandbox.runtime.remote import ControlClient, ControlError
from sandbox.runtime.supervisor import Runtime

pytestmark = [pytest.mark.reliability, pytest.mark.slow]


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    started = Runtime(Settings(data_dir=tmp_path_factory.mktemp("guard"), port_base=0))
    started.start_in_thread()
    yield started
    started.stop_thread()


def _port(runtime: Runtime) -> str:
    return runtime.control_url.rsplit(":", 1)[1]


def _wrong_pins(runtime: Runtime) -> int:
    owner = {"Authorization": f"Bearer {runtime.control_token}"}
    page = httpx.get(
        f"{runtime.control_url}/services/bank/tables/accounts", params={"limit": 1}, headers=owner
    ).json()
    return int(dict(zip(page["columns"], page["rows"][0], strict=True))["wrong_pins"])


def _wrong_pin(runtime: Runtime) -> None:
    buyer = runtime.world["personas"]["buyer"]
    httpx.post(
        f"{runtime.urls['bank']}/mobile/v1/sessions",
        json={"account_no": buyer["account_no"], "pin": "000000"},
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/services/bank/tables/accounts"),
        ("GET", "/calls"),
        ("GET", "/events"),
        ("PUT", "/faults/bank"),
        ("POST", "/reset"),
    ],
)
@pytest.mark.parametrize(
    "host", ["attacker.example", "127.0.0.1.attacker.example", "localhost.", "127.0.0.2", ""]
)
def test_a_foreign_host_is_refused(runtime: Runtime, method: str, path: str, host: str) -> None:
    headers = {
        "Host": f"{host}:{_port(runtime)}" if host else "",
        "Authorization": f"Bearer {runtime.control_token}",
    }
    response = httpx.request(
        method,
        f"{runtime.control_url}{path}",
        headers=headers,
        json={"offline": True} if method == "PUT" else None,
    )
    assert response.status_code == 403
    assert response.json()["code"] == "foreign_host"
    assert httpx.get(f"{runtime.control_url}/faults").json()["bank"]["offline"] is False


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "LOCALHOST"])
def test_loopback_names_with_or_without_a_port_are_the_owner(runtime: Runtime, host: str) -> None:
    for value in (host, f"{host}:{_port(runtime)}"):
        assert (
            httpx.get(f"{runtime.control_url}/health", headers={"Host": value}).status_code == 200
        )


def test_a_cross_site_simple_request_does_not_reset_the_world(runtime: Runtime) -> None:
    _wrong_pin(runtime)
    before = _wrong_pins(runtime)
    assert before >= 1
    for headers in (
        {"Origin": "http://evil.example", "Content-Type": "text/plain"},
        {"Origin": "null", "Content-Type": "text/plain"},
        {"Sec-Fetch-Site": "cross-site", "Content-Type": "text/plain"},
        {"Origin": f"http://localhost:{_port(runtime)}", "Content-Type": "text/plain"},
    ):
        owner = {**headers, "Authorization": f"Bearer {runtime.control_token}"}
        response = httpx.post(f"{runtime.control_url}/reset", headers=owner, content=b"{}")
        assert response.status_code == 403 and response.json()["code"] == "cross_site_request"
    assert _wrong_pins(runtime) == before, "the world was not reset"


def test_changes_need_the_token_from_runtime_json(runtime: Runtime) -> None:
    url = f"{runtime.control_url}/faults/bank"
    assert httpx.put(url, json={"offline": True}).json()["code"] == "missing_control_token"
    wrong = {"Authorization": "Bearer " + "x" * 43}
    assert httpx.put(url, json={"offline": True}, headers=wrong).status_code == 401
    unicode = {b"Authorization": "Bearer é".encode()}
    assert httpx.put(url, json={"offline": True}, headers=unicode).status_code == 401
    assert httpx.post(f"{runtime.control_url}/flush").status_code == 401
    state = json.loads((runtime.settings.data_dir / "runtime.json").read_text())
    assert state["token"] == runtime.control_token
    mode = stat.S_IMODE((runtime.settings.data_dir / "runtime.json").stat().st_mode)
    assert mode == 0o600, oct(mode)
    same_origin = {"Authorization": f"Bearer {state['token']}", "Origin": runtime.control_url}
    assert httpx.put(url, json={"offline": False}, headers=same_origin).status_code == 200


async def test_the_client_reads_without_the_token_and_changes_with_it(runtime: Runtime) -> None:
    async with ControlClient(runtime.control_url, token="") as reader:
        assert await reader.services() and not reader.can_change
        with pytest.raises(ControlError) as caught:
            await reader.reset()
        assert (caught.value.status, caught.value.code) == (401, "missing_control_token")
    async with ControlClient.from_data_dir(runtime.settings.data_dir) as owner:
        assert owner.can_change and (await owner.reset())["reset"] is True


def test_tables_are_redacted_like_the_trace(runtime: Runtime) -> None:
    world = runtime.world
    secrets = {world["personas"]["buyer"]["pin"]}
    for callers in world["partners"].values():
        for creds in callers.values():
            if isinstance(creds, str):  # the registry's admin key
                secrets.add(creds)
                continue
            secrets |= {
                str(v) for k, v in creds.items() if any(w in k for w in ("secret", "user_key"))
            }
    secrets |= {u["link_token"] for u in world["social"]["users"] if u.get("link_token")}
    for service in (
        "bank",
        "marketplace",
        "social",
        "identity",
        "insurance",
        "records",
        "hospital",
    ):
        for table in httpx.get(f"{runtime.control_url}/services/{service}/tables").json():
            page = httpx.get(
                f"{runtime.control_url}/services/{service}/tables/{table['name']}",
                params={"limit": 500},
            ).text
            leaked = [s for s in secrets if s and s in page]
            assert not leaked, (service, table["name"], leaked[:3])
    accounts = httpx.get(f"{runtime.control_url}/services/bank/tables/accounts").json()
    pin_hash = dict(zip(accounts["columns"], accounts["rows"][0], strict=True))["pin_hash"]
    assert pin_hash.startswith("pbkdf2_sha256$") and pin_hash.endswith("$[redacted]")
    assert pin_hash.count("$") == 2, "algorithm and cost only: no salt, no digest"


@pytest.mark.parametrize(
    ("host", "name"),
    [
        ("127.0.0.1:8700", "127.0.0.1"),
        ("[::1]:1", "[::1]"),
        ("localhost", "localhost"),
        ("evil:80@127.0.0.1", ""),
        ("127.0.0.1:80:81", ""),
        ("127.0.0.1:²", ""),
    ],
)
def test_host_names_are_parsed_strictly(host: str, name: str) -> None:
    assert host_name(host) == name
