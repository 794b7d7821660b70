"""The glossary: the words a learner meets in the lessons, in both languages.

Content, like the lessons: `lessons/glossary.toml`. The lesson screen shows it from every
lesson; `glossary(lang)` gives it in one language.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from sandbox.lessons.loader import lessons_root
from sandbox.lessons.model import LANGS

FILENAME = "glossary.toml"


@dataclass(frozen=True, slots=True)
class Term:
    """One word and what it means, in one language."""

    term: str
    meaning: str


def glossary(lang: str, root: Path | None = None) -> list[Term]:
    """Every term of `root/glossary.toml` (default: the lessons') in `lang`, as written."""
    path = (root or lessons_root()) / FILENAME
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    lang = lang if lang in LANGS else "en"
    return [Term(str(t["term"][lang]), " ".join(str(t[lang]).split())) for t in data["term"]]
