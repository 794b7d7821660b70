"""What every UI test shares."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.tui import i18n


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    """The UI language is process-wide: whatever a test switches to, the next starts in English."""
    yield
    i18n.set_language("en")
