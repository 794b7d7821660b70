"""Reading a lesson file line by line: title, introduction, steps, TOML blocks, notes.

No Markdown library: headings and fenced blocks are found by their first characters, and
fences are tracked so that a `#` inside a code block is never taken for a heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([^`]*)$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_STEP = re.compile(r"^(\d+)\.\s+(\S.*)$")
_NOTE = re.compile(r"^>\s*\[!NOTE\]\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Block:
    """A fenced block: its info string, its text, and the line of its opening fence."""

    info: str
    text: str
    line: int


@dataclass
class Section:
    """The lines under one heading (or before the first step), with their line numbers."""

    heading: str
    line: int
    lines: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Parts:
    """A section taken apart: prose, fenced TOML blocks, presenter notes."""

    prose: str
    tomls: tuple[Block, ...]
    notes: str


@dataclass
class Document:
    """A lesson file split at its headings; `problems` are (line, message, hint)."""

    title: str = ""
    title_line: int = 0
    intro: Section = field(default_factory=lambda: Section("", 1))
    steps: list[Section] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)


def _closing(text: str, fence: str) -> bool:
    """True when `text` closes a block opened with `fence` (same character, at least as long)."""
    match = _FENCE.match(text)
    return bool(
        match
        and match.group(1)[0] == fence[0]
        and len(match.group(1)) >= len(fence)
        and not match.group(2).strip()
    )


def _fences(lines: list[str]) -> list[bool]:
    """For each line, True when it is inside a fenced block or is one of its fences."""
    inside: list[bool] = []
    fence: str | None = None
    for text in lines:
        if fence is None:
            match = _FENCE.match(text)
            fence = match.group(1) if match else None
            inside.append(match is not None)
        else:
            inside.append(True)
            if _closing(text, fence):
                fence = None
    return inside


def split(text: str) -> Document:
    """Split a lesson file into its title, introduction and `## N. Title` steps."""
    doc = Document()
    lines = text.splitlines()
    current = doc.intro
    for number, (line, fenced) in enumerate(zip(lines, _fences(lines), strict=True), 1):
        heading = None if fenced else _HEADING.match(line)
        if heading and len(heading.group(1)) == 1:
            if doc.title:
                doc.problems.append(
                    (
                        number,
                        "a second level-1 heading",
                        "a lesson has one `# Title`; use `## N. Title` for steps",
                    )
                )
            else:
                doc.title, doc.title_line = heading.group(2), number
                current = doc.intro = Section("", number + 1)
                continue
        elif heading and len(heading.group(1)) == 2:
            current = Section(heading.group(2), number)
            doc.steps.append(current)
            continue
        current.lines.append((number, line))
    return doc


def step_number(heading: str) -> tuple[int, str] | None:
    """(N, title) from a step heading `N. Title`, or None when it is not one."""
    match = _STEP.match(heading)
    return (int(match.group(1)), match.group(2).strip()) if match else None


def take_apart(section: Section) -> Parts:
    """The prose, the fenced TOML blocks and the `> [!NOTE]` presenter notes of a section."""
    prose: list[str] = []
    notes: list[str] = []
    tomls: list[Block] = []
    lines = section.lines
    i = 0
    while i < len(lines):
        number, text = lines[i]
        match = _FENCE.match(text)
        if match:
            end = i + 1
            while end < len(lines) and not _closing(lines[end][1], match.group(1)):
                end += 1
            info = match.group(2).strip().lower()
            if info == "toml":
                tomls.append(Block(info, "\n".join(t for _, t in lines[i + 1 : end]), number))
            else:
                prose.extend(t for _, t in lines[i : end + 1])
            i = end + 1
        elif _NOTE.match(text):
            i += 1
            while i < len(lines) and lines[i][1].startswith(">"):
                notes.append(lines[i][1][1:].removeprefix(" "))
                i += 1
        else:
            prose.append(text)
            i += 1
    return Parts(_trim(prose), tuple(tomls), _trim(notes))


def _trim(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n")
