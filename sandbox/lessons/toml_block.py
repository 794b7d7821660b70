"""A step's TOML block: parsed with tomllib, with file line numbers for its tables and keys.

tomllib reports errors as "(at line N, column M)" within the block; lessons report lines of
the Markdown file, so every position here is mapped back to the file.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

from sandbox.lessons.markdown import Block

_AT_LINE = re.compile(r"\s*\(at line (\d+), column (\d+)\)")
_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\-\"]+)\s*\]\]?\s*(#.*)?$")


class TomlSyntaxError(Exception):
    """The block does not parse; `line` is the file line, the message has no position."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def parse(block: Block) -> dict[str, Any]:
    """The block's data, or TomlSyntaxError at the file line tomllib complained about."""
    try:
        return tomllib.loads(block.text)
    except tomllib.TOMLDecodeError as exc:
        text = str(exc)
        match = _AT_LINE.search(text)
        line = block.line + int(match.group(1)) if match else block.line
        raise TomlSyntaxError(line, _AT_LINE.sub("", text)) from None


class Where:
    """File lines of the tables and keys of one TOML block (best effort: headers and `key =`)."""

    def __init__(self, block: Block) -> None:
        self.base = block.line
        self.lines = block.text.splitlines()
        self.headers: list[tuple[str, int]] = []
        for index, text in enumerate(self.lines):
            match = _HEADER.match(text)
            if match:
                self.headers.append((match.group(1).strip('"'), index))

    def table(self, name: str, occurrence: int = 0) -> int:
        """The file line of the `occurrence`-th `[name]` or `[[name]]` header (else the fence)."""
        found = [i for header, i in self.headers if header == name]
        return self.base + 1 + found[occurrence] if occurrence < len(found) else self.base

    def key(self, name: str, occurrence: int, key: str) -> int:
        """The file line of `key = ...` inside that table (else the table's header)."""
        start = self.table(name, occurrence) - self.base - 1
        if start < 0:
            start = 0
        # `key = ...`, or one language of it: `label.id = ...`
        pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?(\.[A-Za-z_-]+)?\s*=")
        for index in range(start, len(self.lines)):
            if index > start and any(i == index for _, i in self.headers):
                break
            if pattern.match(self.lines[index]):
                return self.base + 1 + index
        return self.table(name, occurrence)
