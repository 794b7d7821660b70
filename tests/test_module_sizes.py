"""No module in `sandbox/` over 600 lines (issue 18): past that, a module holds more than one
idea and the next engineer reads it end to end to change a line. Split by concept, not by
count (docs/contributing.md)."""

from __future__ import annotations

from pathlib import Path

import sandbox

LIMIT = 600


def test_no_module_of_the_package_is_over_600_lines() -> None:
    root = Path(sandbox.__file__).parent
    sizes = {
        str(path.relative_to(root.parent)): len(path.read_text(encoding="utf-8").splitlines())
        for path in root.rglob("*.py")
    }
    assert len(sizes) > 100, "the package's modules were found"
    over = {name: lines for name, lines in sizes.items() if lines > LIMIT}
    assert not over, f"split these by concept: {over}"
