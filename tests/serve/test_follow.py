"""The presenter's UI and a follower's, both attached to one real sandbox over its control API:
the follower goes where the presenter goes, as a student's page of `sandbox serve --followers`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.config import Settings
from sandbox.runtime.remote import ControlClient
from sandbox.runtime.supervisor import Runtime
from sandbox.scenarios import PhoneReader, checkout
from sandbox.tui.app import SandboxApp
from sandbox.tui.backend import RemoteBackend
from sandbox.tui.screens.map import MapScreen
from sandbox.tui.screens.trace import TraceScreen
from sandbox.tui.widgets.sequence import SequencePlayer
from tests.tui.factory import until

pytestmark = pytest.mark.slow
SIZE = (160, 48)


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    started = Runtime(Settings(data_dir=tmp_path, port_base=0))
    started.start_in_thread()
    yield started
    started.stop_thread()


async def test_a_follower_follows_the_presenter_through_the_sandbox(runtime: Runtime) -> None:
    url = runtime.control_url
    presenter_backend = RemoteBackend(
        ControlClient(url, token=runtime.control_token), runtime.world
    )
    follower_backend = RemoteBackend(ControlClient(url, token=""), runtime.world)
    await presenter_backend.services()  # learns the institutions' URLs
    story = await checkout(
        presenter_backend.wire,
        runtime.world,
        lambda _: None,
        phone=PhoneReader(presenter_backend.sms),
    )
    presenter = SandboxApp(presenter_backend, animate=False)
    follower = SandboxApp(follower_backend, animate=False, read_only=True)
    async with presenter.run_test(size=SIZE) as pilot, follower.run_test(size=SIZE) as watcher:
        await until(lambda: follower.presenter_view is not None, watcher)
        assert isinstance(follower.screen, MapScreen)
        started = time.monotonic()
        await pilot.press("2")
        await until(lambda: isinstance(follower.screen, TraceScreen), watcher)
        screen = follower.screen
        assert isinstance(screen, TraceScreen)
        await until(lambda: screen.trace_id == story.trace_id, watcher)
        print(f"presenter's 2 to the follower's player: {time.monotonic() - started:.2f} s")
        mine = presenter.screen.query_one(SequencePlayer)
        theirs = screen.query_one(SequencePlayer)
        for keys in (("right", "right", "right"), ("end",), ("left",)):
            started = time.monotonic()
            await pilot.press(*keys)
            await until(lambda: theirs.index == mine.index, watcher)
            print(f"presenter's {'+'.join(keys)} to the follower's cursor: "
                  f"{time.monotonic() - started:.2f} s")  # fmt: skip
            assert theirs.current == mine.current
        # The follower was given no token: it could not have told anyone anything.
        shown = await follower_backend.stage()
        assert shown is not None and shown.view is not None
        assert (shown.view.mode, shown.view.trace_id) == ("trace", story.trace_id)
    await presenter_backend.aclose()
    await follower_backend.aclose()
