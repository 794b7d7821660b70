"""The institutions listen on loopback unless the user opts in to a LAN address; the control
API stays on loopback whatever is asked. Only 127.0.0.1 is ever connected to."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from sandbox.cli import main
from sandbox.config import Settings
from sandbox.runtime.listen import ListenRefused, checked_listen_host, is_lan, reachable_host
from sandbox.runtime.state import RuntimeState
from sandbox.runtime.supervisor import Runtime


def test_a_network_address_needs_the_flag() -> None:
    assert checked_listen_host("127.0.0.1", lan=False) == "127.0.0.1"
    with pytest.raises(ListenRefused, match="not loopback"):
        checked_listen_host("0.0.0.0", lan=False)
    with pytest.raises(ListenRefused, match="not loopback"):
        checked_listen_host("192.168.1.20", lan=False)
    assert checked_listen_host(" 0.0.0.0 ", lan=True) == "0.0.0.0"
    for odd in ("localhost", "::", "0.0.0.0\n[bold]", "256.1.1.1", ""):
        with pytest.raises(ListenRefused, match="not an IPv4 address"):
            checked_listen_host(odd, lan=True)


def test_own_clients_reach_every_interface_through_loopback() -> None:
    assert reachable_host("0.0.0.0") == "127.0.0.1"
    assert reachable_host("192.168.1.20") == "192.168.1.20"
    assert is_lan("0.0.0.0") and not is_lan("127.0.0.1")


def test_runtime_refuses_a_network_address_without_the_flag(tmp_path: Path) -> None:
    runtime = Runtime(Settings(data_dir=tmp_path, port_base=0, listen_host="0.0.0.0"))
    with pytest.raises(ListenRefused):
        runtime.bind()
    assert not runtime.urls  # nothing bound, nothing half-started


def test_up_refuses_an_address_that_is_not_ipv4(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Refused before any socket is bound, so the port base is never tried.
    assert main(["up", "--data-dir", str(tmp_path), "--port-base", "20000", "--host", "lan"]) == 2
    assert "not an IPv4 address" in capsys.readouterr().err


@pytest.mark.slow
def test_institutions_on_every_interface_control_on_loopback(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, port_base=0, listen_host="0.0.0.0", lan=True)
    runtime = Runtime(settings)
    runtime.start_in_thread()
    try:
        assert runtime.bound_address("control") == "127.0.0.1"
        assert runtime.control_url.startswith("http://127.0.0.1:")
        for name, url in runtime.urls.items():
            assert runtime.bound_address(name) == "0.0.0.0"
            assert url.startswith("http://127.0.0.1:")  # own clients go through loopback
            assert httpx.get(f"{url}/health", timeout=10).status_code == 200
        state = RuntimeState.read(tmp_path)
        assert state is not None and state.services == runtime.urls
        faults = httpx.get(f"{runtime.control_url}/faults", timeout=10)
        assert faults.status_code == 200
    finally:
        runtime.stop_thread()
