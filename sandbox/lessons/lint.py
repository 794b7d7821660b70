"""`sandbox lesson lint`: every problem in a lesson or a folder of lessons, both languages.

Besides each file's own problems, the English and Indonesian files must have the same steps:
the same number, and the same TOML in each step except the human-language keys.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sandbox.lessons.loader import Parsed, is_lesson_folder, read
from sandbox.lessons.model import LANGS, Problem
from sandbox.lessons.schema import HUMAN_KEYS

__all__ = ["Problem", "lint"]
MAX_DIFFERENCES = 3


def lint(path: Path) -> list[Problem]:
    """Every problem in a lesson file, a lesson folder, or a folder of lesson folders."""
    if path.is_file() and path.suffix == ".md":
        return read(path.parent, path.stem).problems
    if is_lesson_folder(path):
        return lint_lesson(path)
    if not path.is_dir():
        return [
            Problem(
                path,
                0,
                "no such lesson file or folder",
                "give a lesson folder, its en.md or id.md, or the lessons/ folder",
            )
        ]
    problems: list[Problem] = []
    numbers: dict[str, str] = {}
    for folder in sorted(p for p in path.iterdir() if p.is_dir() and p.name[0] not in "._"):
        if not is_lesson_folder(folder):
            problems.append(
                Problem(
                    folder,
                    0,
                    "this folder holds no en.md or id.md",
                    "a lesson folder holds en.md and id.md",
                )
            )
            continue
        number = folder.name.split("-")[0]
        if number.isascii() and number.isdigit() and number in numbers:
            problems.append(
                Problem(
                    folder / "en.md",
                    1,
                    f"lesson number {number} is also used by {numbers[number]}",
                    "give each lesson its own number",
                )
            )
        numbers.setdefault(number, folder.name)
        problems.extend(lint_lesson(folder))
    return problems


def lint_lesson(folder: Path) -> list[Problem]:
    """Every problem of one lesson folder: each language, then how they differ."""
    parsed = {lang: read(folder, lang) for lang in LANGS}
    # A block id.md shares from en.md is read twice: report its problems once.
    problems = list(dict.fromkeys(p for lang in LANGS for p in parsed[lang].problems))
    if all((folder / f"{lang}.md").exists() for lang in LANGS):
        problems.extend(compare(parsed["en"], parsed["id"], folder))
    return problems


def compare(en: Parsed, other: Parsed, folder: Path) -> list[Problem]:
    """Where the Indonesian file's machine part differs from the English one."""
    path, en_path = folder / "id.md", folder / "en.md"
    problems: list[Problem] = []
    if len(en.step_data) != len(other.step_data):
        line = other.step_data[-1][0] if other.step_data else 1
        problems.append(
            Problem(
                path,
                line,
                f"id.md has {_steps(len(other.step_data))}, en.md has {len(en.step_data)}",
                "both languages have the same steps in the same order; translate the missing ones",
            )
        )
    for (en_line, en_data), (line, data) in zip(en.step_data, other.step_data, strict=False):
        if en_data is None or data is None:
            continue  # already reported as that file's own problem
        differences = _differences(_machine(en_data), _machine(data))
        if differences:
            problems.append(
                Problem(
                    path,
                    line,
                    f"this step's TOML differs from en.md line {en_line}: {'; '.join(differences)}",
                    f"only {', '.join(HUMAN_KEYS)} may differ between "
                    "languages; copy the rest from en.md",
                )
            )
    differences = _differences(en.intro_data, other.intro_data)
    if differences:
        problems.append(
            Problem(
                path,
                1,
                f"the [lesson] table differs from {en_path.name}: {'; '.join(differences)}",
                "the settings are the same in both languages",
            )
        )
    return problems


def _steps(count: int) -> str:
    return f"{count} step" if count == 1 else f"{count} steps"


def _machine(value: Any) -> Any:
    """`value` without the human-language keys, at any depth; `after` names its expectation
    by position, since labels are translated."""
    if isinstance(value, dict) and isinstance(value.get("expect"), list):
        expects = value["expect"]
        labels = {
            text: i
            for i, e in enumerate(expects)
            if isinstance(e, dict)
            for text in _label_texts(e.get("label"))
            if isinstance(text, str)  # any other value is reported as a bad label
        }
        value = {
            **value,
            "expect": [
                {**e, "after": f"expectation {_position(labels, e['after'])}"}
                if isinstance(e, dict) and "after" in e
                else e
                for e in expects
            ],
        }
    if isinstance(value, dict):
        return {k: _machine(v) for k, v in value.items() if k not in HUMAN_KEYS}
    if isinstance(value, list):
        return [_machine(v) for v in value]
    return value


def _position(labels: dict[str, int], after: Any) -> Any:
    """The position of the expectation `after` names, "?" when it names none."""
    return labels.get(after, "?") if isinstance(after, str) else "?"


def _label_texts(label: Any) -> list[Any]:
    """A label's texts: one, or one per language (`label.en`, `label.id`)."""
    return list(label.values()) if isinstance(label, dict) else [label]


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out.update(_flat(inner, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        out = {}
        for index, inner in enumerate(value):
            out.update(_flat(inner, f"{prefix}[{index + 1}]"))
        return out
    return {prefix: value}


def _differences(en: Any, other: Any) -> list[str]:
    left, right = _flat(en), _flat(other)
    found = []
    for key in sorted(set(left) | set(right)):
        a, b = left.get(key, "<missing>"), right.get(key, "<missing>")
        if a != b:
            found.append(f"{key or 'the block'} is {a!r} in en.md, {b!r} here")
    if len(found) > MAX_DIFFERENCES:
        found = [*found[:MAX_DIFFERENCES], f"and {len(found) - MAX_DIFFERENCES} more"]
    return found
