"""User services are imported from temporary folders: forget them after each test."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _forget_user_modules() -> Iterator[None]:
    path, modules = list(sys.path), set(sys.modules)
    yield
    sys.path[:] = path
    for name in set(sys.modules) - modules:
        module = sys.modules[name]
        if "/tmp" in str(getattr(module, "__file__", "") or "") or name.startswith(
            ("mysvc", "courier_pkg", "broken_pkg")
        ):
            del sys.modules[name]
