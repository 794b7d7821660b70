"""The worked examples docs/dialects.md publishes, read from the page itself.

Each example is a ```text block: a first line `example  NAME`, then one field a line, its name
and its value apart by two spaces or more. The tests check the code against what the page says,
so the page and the code cannot drift apart.
"""

from __future__ import annotations

import re
from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "docs" / "dialects.md"


def examples() -> dict[str, dict[str, str]]:
    """Every worked example on the page, by name: its fields as written."""
    found: dict[str, dict[str, str]] = {}
    for block in re.findall(r"```text\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.DOTALL):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            parts = re.split(r" {2,}", line, maxsplit=1)
            fields[parts[0].strip()] = parts[1] if len(parts) > 1 else ""
        found[fields["example"]] = fields
    return found


def example(name: str) -> dict[str, str]:
    """One worked example by name (KeyError if the page lost it)."""
    return examples()[name]
