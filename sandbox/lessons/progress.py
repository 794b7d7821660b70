"""Where each learner is: the next step per lesson and language, and failed exercise attempts.

Kept in `<data dir>/lessons/progress.json`, so `sandbox learn` resumes where the learner
stopped. Every change is saved at once (write then rename), re-reading the file first, so the
lesson screen and `sandbox lesson check` can both update it.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
FILENAME = "progress.json"


def _key(slug: str, lang: str, index: int | None = None) -> str:
    return f"{slug}/{lang}" if index is None else f"{slug}/{lang}/{index}"


class Progress:
    """The learner's progress through the lessons, stored in the data directory."""

    def __init__(self, path: Path | None, data: dict[str, Any] | None = None) -> None:
        self.path = path
        """Where it is saved; None keeps it in memory only (`sandbox lesson check`)."""
        self._data: dict[str, dict[str, Any]] = {"positions": {}, "done": {}, "attempts": {}}
        for part, values in (data or {}).items():
            if part in self._data and isinstance(values, dict):
                self._data[part] = dict(values)

    @classmethod
    def load(cls, data_dir: Path) -> Progress:
        """The progress saved in `data_dir` (empty when there is none or it is unreadable)."""
        path = data_dir / "lessons" / FILENAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            data = {}
        except (OSError, ValueError):
            log.warning("ignoring unreadable progress file %s", path)
            data = {}
        return cls(path, data if isinstance(data, dict) else {})

    @classmethod
    def in_memory(cls) -> Progress:
        """Progress that is never saved: a check counts attempts without touching the
        learner's file."""
        return cls(None)

    def position(self, slug: str, lang: str) -> int:
        """Index of the step to show next (0 for a lesson not started)."""
        return int(self._data["positions"].get(_key(slug, lang), 0))

    def started(self, slug: str, lang: str) -> bool:
        """True once any step of the lesson was recorded."""
        return _key(slug, lang) in self._data["positions"]

    def completed(self, slug: str, lang: str) -> bool:
        """True once the lesson was finished in that language."""
        return bool(self._data["done"].get(_key(slug, lang), False))

    def record(self, slug: str, lang: str, index: int, *, done: bool = False) -> None:
        """Remember the step to show next (and that the lesson is done); saves at once."""
        self._refresh()
        self._data["positions"][_key(slug, lang)] = index
        if done:
            self._data["done"][_key(slug, lang)] = True
        self._save()

    def attempts(self, slug: str, lang: str, index: int) -> int:
        """Failed attempts at a step (an exercise) so far."""
        return int(self._data["attempts"].get(_key(slug, lang, index), 0))

    def failed(self, slug: str, lang: str, index: int) -> int:
        """Count one more failed attempt at a step; returns the new count. Saves at once."""
        self._refresh()
        count = self.attempts(slug, lang, index) + 1
        self._data["attempts"][_key(slug, lang, index)] = count
        self._save()
        return count

    def _refresh(self) -> None:
        """Take in changes another process saved since we loaded."""
        if self.path is None:
            return
        fresh = Progress.load(self.path.parent.parent)
        for part, values in fresh._data.items():
            self._data[part] = {
                **values,
                **{k: v for k, v in self._data[part].items() if k not in values},
            }

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(self._data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, self.path)
