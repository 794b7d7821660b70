"""`sandbox serve` in a real browser (headless Chromium, Playwright): the map, the keys, no
request off the machine, and a follower's page that changes nothing.

The terminal is drawn by xterm.js on a canvas, so the text is read where it arrives: every
frame the page's websocket receives, stripped of its escape sequences.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from sandbox.runtime.state import RuntimeState
from tests.serve.stage import serving

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="chromium is not installed (apt-get install chromium)"
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

ESCAPES = re.compile(
    rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|.)"
)
NAMES = ("Bank Contoh", "Pasarloka", "Klip", "Registri Penduduk")


class Stage:
    """One browser page on the stage, and what its terminal has shown."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.frames: list[bytes] = []
        self.requests: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("websocket", self._socket)

    def _socket(self, socket: Any) -> None:
        self.requests.append(socket.url)
        socket.on("framereceived", self._frame)

    def _frame(self, payload: bytes | str) -> None:
        self.frames.append(payload if isinstance(payload, bytes) else payload.encode())

    def text(self, since: int = 0) -> str:
        """What the terminal was sent from frame `since` on, without escape sequences."""
        return ESCAPES.sub(b"", b"".join(self.frames[since:])).decode("utf-8", "replace")

    def wait_for(self, *texts: str, since: int = 0, seconds: float = 60) -> float:
        """Wait until every text has been drawn; the seconds it took."""
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            shown = self.text(since)
            if all(text in shown for text in texts):
                return time.monotonic() - start
            self.page.wait_for_timeout(100)
        raise AssertionError(f"{texts} never appeared; the terminal showed:\n{self.text(since)}")

    def press(self, *keys: str) -> int:
        """Type into the terminal; the frame the answer starts at."""
        mark = len(self.frames)
        for key in keys:
            self.page.keyboard.press(key)
            self.page.wait_for_timeout(150)
        return mark

    def hosts(self) -> set[str | None]:
        return {urlsplit(url).hostname for url in self.requests}


@pytest.fixture
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def open_stage(browser: Any, link: str) -> Stage:
    stage = Stage(browser.new_page(viewport={"width": 1400, "height": 900}))
    stage.page.goto(link)
    return stage


def test_the_presenters_stage_draws_the_map_and_answers_keys(browser: Any, tmp_path: Path) -> None:
    with serving(tmp_path) as (link, _process):
        started = time.monotonic()
        stage = open_stage(browser, link)
        stage.wait_for(*NAMES)
        print(f"page opened to map drawn: {(time.monotonic() - started) * 1000:.0f} ms")
        stage.page.click("#terminal")
        mark = stage.press("4")
        stage.wait_for("Take offline", "Reset world", since=mark)
        mark = stage.press("2")
        stage.wait_for("No trace yet", since=mark)
        # The presenter's keys act (the same keys a follower's page ignores): ctrl+f clears
        # the faults, ctrl+r resets the world (the browser does not keep them for itself).
        state = RuntimeState.read(tmp_path)
        assert state is not None
        with httpx.Client(base_url=state.control_url, headers=state.auth_headers()) as control:
            assert control.put("/faults/bank", json={"latency_ms": 40}).status_code == 200
            mark = stage.press("Control+f")
            stage.wait_for("Every fault is cleared", since=mark)
            assert control.get("/faults").json()["bank"]["latency_ms"] == 0
            mark = stage.press("Control+r")
            stage.wait_for("The seeded world is restored", since=mark)
        assert stage.hosts() == {"127.0.0.1"}, stage.requests
        assert any(url.startswith("ws://127.0.0.1") for url in stage.requests)
        token = state.token
        assert token not in stage.page.content() and all(token not in u for u in stage.requests)


def test_a_followers_page_watches_and_changes_nothing(browser: Any, tmp_path: Path) -> None:
    with serving(tmp_path, "--followers") as (link, _process):
        state = RuntimeState.read(tmp_path)
        assert state is not None
        control = httpx.Client(base_url=state.control_url, headers=state.auth_headers())
        latency = {"offline": False, "latency_ms": 40, "error_rate": 0.0}
        assert control.put("/faults/bank", json=latency).status_code == 200
        plain = link.split("?")[0]
        assert httpx.get(plain).status_code == 403
        assert browser.new_page().goto(plain).status == 403

        stage = open_stage(browser, link)
        stage.wait_for(*NAMES, "read-only: following the presenter")
        stage.page.click("#terminal")
        stage.press("Control+r", "Control+f")
        mark = stage.press("4")
        stage.wait_for("Take offline", since=mark)
        # Every focusable control of the services screen, each pressed: none of them acts.
        for _ in range(8):
            stage.press("Tab", "Enter", "Space")
        stage.page.wait_for_timeout(1500)
        mark = stage.press("6")  # the composer: not for a follower
        stage.page.wait_for_timeout(500)
        assert "Send" not in stage.text(mark)

        # It still watches: a story run from the presenter's terminal arrives live.
        mark = stage.press("1")
        story = subprocess.run(
            [sys.executable, "-m", "sandbox", "run", "checkout", "--data-dir", str(tmp_path)],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert story.returncode == 0, story.stdout + story.stderr
        stage.wait_for("/v1.0/debit/", since=mark)  # she paid inside the checkout

        assert sum(url.startswith("ws://") for url in stage.requests) == 1, "never reloaded"
        faults = control.get("/faults").json()
        assert faults["bank"]["latency_ms"] == 40, "neither reset nor cleared"
        assert not any(f["offline"] or f["error_rate"] for f in faults.values())
        assert stage.hosts() == {"127.0.0.1"}, stage.requests
        control.close()


def test_a_followers_page_goes_where_the_presenters_page_goes(browser: Any, tmp_path: Path) -> None:
    """The presenter's page and a student's page, each `sandbox serve` on one sandbox: the
    presenter opens the trace player and steps through it; the student's page follows."""
    with (
        serving(tmp_path) as (presenter_link, _presenter),
        serving(tmp_path, "--followers") as (follower_link, _followers),
    ):
        story = subprocess.run(
            [sys.executable, "-m", "sandbox", "run", "checkout", "--data-dir", str(tmp_path)],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert story.returncode == 0, story.stdout + story.stderr
        presenter = open_stage(browser, presenter_link)
        follower = open_stage(browser, follower_link)
        presenter.wait_for(*NAMES)
        follower.wait_for(*NAMES, "read-only: following the presenter")
        presenter.page.click("#terminal")
        mark = len(follower.frames)
        started = time.monotonic()
        presenter.press("2")
        follower.wait_for("checkout · step 1 of", since=mark)
        print(f"presenter's 2 to the follower's player: {time.monotonic() - started:.2f} s")
        mark = len(follower.frames)
        started = time.monotonic()
        presenter.press("ArrowRight", "ArrowRight")
        follower.wait_for("step 3 of", since=mark)
        print(f"presenter's two steps to the follower's: {time.monotonic() - started:.2f} s")
        mark = len(follower.frames)
        presenter.press("4")
        follower.wait_for("Take offline", since=mark)
