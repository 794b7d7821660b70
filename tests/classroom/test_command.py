"""`sandbox class` says plainly when it cannot listen, before any UI opens."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from sandbox.cli import main


def test_a_taken_port_is_said_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["class", "--port", str(port), "--data-dir", str(tmp_path)])
    assert code != 0
    err = capsys.readouterr().err
    assert f"port {port}" in err and "--port" in err and "Traceback" not in err


def test_an_address_not_this_machines_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 192.0.2.1 is TEST-NET-1: never this machine's, and binding to it sends nothing.
    code = main(["class", "--host", "192.0.2.1", "--port", "0", "--data-dir", str(tmp_path)])
    assert code != 0
    assert "cannot listen on 192.0.2.1" in capsys.readouterr().err
