"""The bare run's selection: what it leaves out by directory, it leaves out by marker too."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import RELIABILITY


def _marks(module: Path) -> set[str]:
    """The marker names in the module's `pytestmark`."""
    for node in ast.parse(module.read_text()).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
        ):
            return {n.attr for n in ast.walk(node.value) if isinstance(n, ast.Attribute)}
    return set()


def test_every_reliability_module_is_marked_reliability() -> None:
    """tests/conftest.py skips tests/reliability in a bare run: that is right only while every
    test there carries the marker the bare run's expression leaves out."""
    modules = sorted(RELIABILITY.glob("test_*.py"))
    assert len(modules) >= 10
    unmarked = [m.name for m in modules if "reliability" not in _marks(m)]
    assert unmarked == []
