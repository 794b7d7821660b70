"""The real thing: `sandbox` in a real terminal (tmux), a story run from the UI, the screen read."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.test_cli import _free_base

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def terminal(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    width, height = getattr(request, "param", (120, 40))
    session = f"sandbox-test-{tmp_path.name}"
    # Textual trusts COLUMNS/LINES over the terminal when they are set (pytest may set them).
    command = (
        f"env -u COLUMNS -u LINES {sys.executable} -m sandbox --data-dir {tmp_path} "
        f"--port-base {_free_base()}; echo EXITED $?; sleep 30"
    )
    _tmux("new-session", "-d", "-s", session, "-x", str(width), "-y", str(height), command)
    # A tmux server started earlier may impose its own size; insist on ours.
    subprocess.run(
        ["tmux", "resize-window", "-t", session, "-x", str(width), "-y", str(height)],
        capture_output=True,
    )
    yield session, tmp_path
    subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def _wait_for(session: str, text: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _tmux("capture-pane", "-p", "-t", session)
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")


def test_checkout_from_the_ui_in_a_real_terminal(terminal: tuple[str, Path]) -> None:
    session, data_dir = terminal
    for name in ("Pasarloka", "Klip", "Bank Contoh", "Registri"):
        _wait_for(session, name)
    _tmux("send-keys", "-t", session, "5")
    _wait_for(session, "Checkout from a video")
    _tmux("send-keys", "-t", session, "Enter")
    screen = _wait_for(session, "Finished as the story says")
    assert "money moved exactly once" in screen
    _tmux("send-keys", "-t", session, "1")
    _wait_for(session, "calls · at the newest")
    _wait_for(session, "/v1.0/debit/")  # the rows arrive a moment after the count
    _tmux("send-keys", "-t", session, "C-q")
    screen = _wait_for(session, "EXITED 0")
    deadline = time.monotonic() + 10
    while (data_dir / "runtime.json").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not (data_dir / "runtime.json").exists(), "the child runtime stopped with the UI"


@pytest.mark.parametrize("terminal", [(160, 45)], indirect=True)
def test_the_map_keeps_a_story_run_from_outside_for_the_room(
    terminal: tuple[str, Path],
) -> None:
    """What a class sees ten seconds after a presenter ran the checkout from another terminal:
    every institution by its full name and role, and the story's calls still drawn."""
    session, data_dir = terminal
    _wait_for(session, "No calls yet")
    _wait_for(session, "● in 0 · out 0")  # the map is up at once; the sandbox a moment later
    done = subprocess.run(
        [sys.executable, "-m", "sandbox", "run", "checkout", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    _wait_for(session, "buyer → Klip → Pasarloka → Bank Contoh")
    time.sleep(10)  # the room talks about it; the picture must still be there
    screen = _tmux("capture-pane", "-p", "-t", session)
    map_part = "\n".join(screen.splitlines()[:24])
    for name in (
        "Klip",
        "Pasarloka",
        "Bank Contoh",
        "Registri Penduduk",
        "RSUD Sukamaju",
        "Rekam Medis",
        "Jaminan Kesehatan",
    ):
        assert name in map_part, f"{name} is missing:\n{screen}"
    for role in ("transaction platform", "civil registry", "hospital front desk"):
        assert role in map_part, f"{role!r} is missing:\n{screen}"
    assert "checkout · " in screen.splitlines()[1] or "checkout · " in map_part
    assert map_part.count("▶") + map_part.count("◀") >= 7, "the checkout's edges are gone"
    assert "×" in map_part, "edges that carried several calls say how many"
    _tmux("send-keys", "-t", session, "C-q")
    _wait_for(session, "EXITED 0")
