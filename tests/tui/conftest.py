"""What every UI test shares."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.tui import i18n
from tests.tui.factory import BUILT


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    """The UI language is process-wide: whatever a test switches to, the next starts in English."""
    yield
    i18n.set_language("en")


@pytest.fixture(autouse=True)
def close_backends() -> Iterator[None]:
    """Whatever the test did with them, the institutions it built let go of their threads."""
    yield
    while BUILT:
        BUILT.pop().close_apps()
