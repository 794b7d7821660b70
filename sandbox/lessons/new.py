"""`sandbox new lesson NAME`: a lesson folder that lints and checks clean, to write over.

The lesson has both files, the machine part written once in en.md (labels per language), one
step that makes a call and checks it, and one narration step with a presenter note: the shapes
a teacher needs most, each with a comment on what to change.
"""

from __future__ import annotations

import re
from pathlib import Path

_NAME = re.compile(r"(?:([0-9]+)-)?([a-z0-9][a-z0-9-]*)")
"""Matched whole (`fullmatch`): ASCII digits only, as the loader reads a lesson's number."""

EN = """# {title}

What the learner will see, and why it matters, in one or two paragraphs. Every claim a step
makes is something that step shows or checks. The format is in docs/lesson-format.md.

```toml
[lesson]
minutes = 5
```

## 1. Sari opens her feed

Narration: what is about to happen and why. This step asks Klip (the video app) for Sari's
feed as Sari, then checks the call on the map. Change the request and the expectations to your
own; `sandbox lesson lint` checks the paths against each service's OpenAPI document.

```toml
[action]
kind = "request"
service = "social"
as = "buyer"
method = "GET"
path = "/api/v1/feed"

[[expect]]
caller = "buyer"
callee = "social"
method = "GET"
path = "/api/v1/feed"
status = 200
label.en = "Klip answers with the feed"
label.id = "Klip menjawab dengan umpan video"

[[expect]]
caller = "social"
callee = "bank"
never = true
because.en = "A storefront never touches money."
because.id = "Etalase tidak pernah menyentuh uang."
```

> [!NOTE]
> Presenter notes go here: a question for the room, shown only in presenter mode.

## 2. What the learner takes away

A step without a TOML block is narration only: a summary, a question, the real-world rule
behind what the learner saw (with its source).
"""

ID = """# {title}

Apa yang akan dilihat peserta, dan mengapa penting, dalam satu atau dua paragraf. Bagian mesin
setiap langkah (blok TOML) ditulis sekali di en.md; berkas ini hanya berisi narasinya.

## 1. Sari membuka umpannya

Narasi: apa yang akan terjadi dan mengapa. Langkah ini meminta umpan Sari ke Klip (aplikasi
video) sebagai Sari, lalu memeriksa panggilannya di peta.

> [!NOTE]
> Catatan penyaji ditulis di sini: pertanyaan untuk peserta, hanya tampil dalam mode penyaji.

## 2. Yang dibawa pulang peserta

Langkah tanpa blok TOML hanya berisi narasi: ringkasan, pertanyaan, atau aturan nyata di balik
apa yang dilihat peserta (dengan sumbernya).
"""


class NewLessonError(ValueError):
    """A name or folder that cannot hold a new lesson."""


def new_lesson(root: Path, name: str) -> Path:
    """Write lesson `name` under `root` and return its folder.

    `name` is `words-with-dashes` (numbered after the lessons already in `root`) or
    `NN-words-with-dashes`.
    """
    match = _NAME.fullmatch(name)
    if not match:
        raise NewLessonError(
            f"{name!r} is not a lesson name: use lowercase words with dashes, "
            "optionally after a number (paying-twice, 09-paying-twice)"
        )
    number, words = match.groups()
    if number is None:
        taken = [int(p.name.split("-")[0]) for p in _lessons(root)]
        number = f"{max(taken, default=0) + 1:02d}"
    folder = root / f"{number}-{words}"
    if folder.exists():
        raise NewLessonError(f"{folder} already exists")
    title = words.replace("-", " ").capitalize()
    folder.mkdir(parents=True)
    (folder / "en.md").write_text(EN.format(title=title), encoding="utf-8")
    (folder / "id.md").write_text(ID.format(title=title), encoding="utf-8")
    return folder


def _lessons(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return [p for p in root.iterdir() if p.is_dir() and (m := _NAME.fullmatch(p.name)) and m[1]]
