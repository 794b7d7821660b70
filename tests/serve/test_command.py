"""`sandbox serve`: its options, the room's link, and a clean stop."""

from __future__ import annotations

import signal
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from sandbox.cli import main
from tests.serve.stage import serving


def test_host_is_only_for_followers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--data-dir", str(tmp_path), "--host", "0.0.0.0"]) == 2
    assert "--followers" in capsys.readouterr().err
    assert not (tmp_path / "runtime.json").exists()  # refused before starting anything


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [("--host", "the-room", "IP address"), ("--port", "80", "between 1024"),
     ("--lang", "fr", "invalid choice")],
)  # fmt: skip
def test_bad_options_are_said(
    option: str, value: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--followers", option, value])
    assert exited.value.code == 2
    assert said in capsys.readouterr().err


@pytest.mark.slow
def test_a_taken_port_is_said_and_the_sandbox_stops(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        from tests.cli.test_cli import _free_base

        args = ["serve", "--data-dir", str(tmp_path), "--port", str(port)]
        assert main([*args, "--port-base", str(_free_base())]) == 2
    assert "choose another --port" in capsys.readouterr().err
    assert not (tmp_path / "runtime.json").exists()


@pytest.mark.slow
def test_followers_join_by_the_link_on_every_network(tmp_path: Path) -> None:
    """Bound to 0.0.0.0 (the room), reached through 127.0.0.1: the link's token opens the page,
    nothing else does; the control API stays on loopback; SIGTERM stops both."""
    with serving(tmp_path, "--followers", "--host", "0.0.0.0") as (link, process):
        parts = urlsplit(link)
        assert parts.query.startswith("token=") and len(parts.query) > 30
        local = f"http://127.0.0.1:{parts.port}/"
        room = {"Host": parts.netloc}
        assert httpx.get(local, headers=room).status_code == 403
        assert httpx.get(f"{local}?{parts.query}", headers=room).status_code == 200
        control = httpx.get(f"{_control_url(tmp_path)}/health")
        assert control.status_code == 200
        assert urlsplit(_control_url(tmp_path)).hostname == "127.0.0.1"
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
    deadline = time.monotonic() + 10
    while (tmp_path / "runtime.json").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not (tmp_path / "runtime.json").exists(), "the sandbox it started stopped with it"


def _control_url(data_dir: Path) -> str:
    from sandbox.runtime.state import RuntimeState

    state = RuntimeState.read(data_dir)
    assert state is not None
    return state.control_url
