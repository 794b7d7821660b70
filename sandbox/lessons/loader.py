"""Finding lesson folders and reading a lesson file into a `Lesson` (see docs/lesson-format.md).

`read` collects every problem (the linter shows them all); `load_lesson` raises the first one.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.lessons.known import Known, known
from sandbox.lessons.markdown import Block, Parts, Section, split, step_number, take_apart
from sandbox.lessons.model import Lesson, LessonError, Problem, Step
from sandbox.lessons.schema import StepCheck, check_step
from sandbox.lessons.toml_block import TomlSyntaxError, Where, parse
from sandbox.lessons.translated import resolve

_FOLDER = re.compile(r"([0-9]+)-[a-z0-9][a-z0-9-]*")
SHARING = "en"
"""The language whose file holds the TOML blocks the other languages share."""
LESSON_KEYS = ("minutes", "reset", "config")
DEFAULT_MINUTES = 10
MAX_MINUTES = 30
"""A lesson longer than this is two lessons."""


def lessons_root() -> Path:
    """The repository's `lessons/`, or the copy packed inside the wheel."""
    return content_root("lessons")


def content_root(name: str) -> Path:
    """The repository's top-level folder `name` (lessons, exercises), or the copy the wheel
    packs as `sandbox/_<name>`."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / name, here / f"_{name}"):
        if candidate.is_dir():
            return candidate
    return here.parent / name


def is_lesson_folder(path: Path) -> bool:
    """True for a folder holding a lesson file (en.md or id.md)."""
    return path.is_dir() and any((path / f"{lang}.md").exists() for lang in ("en", "id"))


def lesson_slugs(root: Path | None = None) -> list[str]:
    """The lesson folders under `root` (default: lessons_root()), sorted."""
    root = root or lessons_root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if is_lesson_folder(p))


def find_lesson(name: str, root: Path | None = None) -> Path:
    """The folder of a lesson named by number ("3", "03"), slug, a word of it, or a path."""
    path = Path(name).expanduser()
    if is_lesson_folder(path):
        return path
    root = root or lessons_root()
    slugs = lesson_slugs(root)
    found = [s for s in slugs if s == name]
    if not found and name.isascii() and name.isdigit():
        found = [s for s in slugs if _FOLDER.fullmatch(s) and int(s.split("-")[0]) == int(name)]
    if not found:
        found = [
            s
            for s in slugs
            if name.lower() in s.split("-")[1:] or (len(name) > 3 and name.lower() in s)
        ]
    if len(found) == 1:
        return root / found[0]
    known_names = ", ".join(slugs) or f"none in {root}"
    what = "matches several lessons" if found else "matches no lesson"
    raise LookupError(f"{name!r} {what}; lessons: {known_names}")


def load_lesson(folder: Path, lang: str = "en") -> Lesson:
    """The lesson in `lang`; raises LessonError for the first problem in its file."""
    parsed = read(folder, lang)
    if parsed.problems or parsed.lesson is None:
        raise LessonError.of(parsed.problems[0])
    return parsed.lesson


@dataclass
class Parsed:
    """A lesson file read as far as it goes: the lesson (if it builds), every problem, and the
    raw TOML data of the intro and of each step (for comparing the two languages)."""

    lesson: Lesson | None
    problems: list[Problem] = field(default_factory=list)
    intro_data: dict[str, Any] = field(default_factory=dict)
    step_data: list[tuple[int, dict[str, Any] | None]] = field(default_factory=list)


def read(folder: Path, lang: str, names: Known | None = None) -> Parsed:
    """Read `folder/<lang>.md`, collecting every problem."""
    path = folder / f"{lang}.md"
    parsed = Parsed(None)

    def add(line: int, message: str, hint: str = "") -> None:
        parsed.problems.append(Problem(path, line, message, hint))

    if not path.exists():
        add(1, f"the lesson has no {lang}.md", "every lesson is written in en.md and id.md")
        return parsed
    match = _FOLDER.fullmatch(folder.name)
    if not match:
        add(
            1,
            f"the lesson folder {folder.name!r} does not start with its number",
            'name it like "03-paying-without-leaving" (number, dash, lowercase words)',
        )
    text = path.read_text(encoding="utf-8")
    doc = split(text)
    for line, message, hint in doc.problems:
        add(line, message, hint)
    if not doc.title:
        add(1, "the lesson has no title", "start the file with `# Title`")
    shared = _shared_blocks(folder, lang)
    settings, config, extra = _intro(doc.intro, folder, path, parsed, shared)
    names = names or known()
    saved: set[str] = set()
    rules: set[str] = set()
    steps: list[Step] = []
    for index, section in enumerate(doc.steps):
        step = _step(
            section, index, path, folder, names, (extra, config), (saved, rules), parsed, shared
        )
        if step is not None:
            steps.append(step)
    if not doc.steps:
        add(
            max(doc.title_line, 1),
            "the lesson has no steps",
            "add steps as `## 1. Title`, `## 2. Title`...",
        )
    if parsed.problems:
        parsed.problems.sort(key=lambda p: p.line)
        return parsed
    parsed.lesson = Lesson(
        slug=folder.name,
        number=int(match.group(1)) if match else 0,
        lang=lang,
        title=doc.title,
        intro=take_apart(doc.intro).prose,
        minutes=int(settings.get("minutes", DEFAULT_MINUTES)),
        reset=bool(settings.get("reset", True)),
        config=config,
        steps=tuple(steps),
        path=path,
    )
    return parsed


@dataclass(frozen=True)
class Shared:
    """The TOML blocks of the sharing language's file (en.md), which another language's file
    uses where it has none of its own: the machine part is written once."""

    path: Path
    intro: Block | None = None
    steps: tuple[Block | None, ...] = ()

    def step(self, index: int) -> Block | None:
        """The block of step `index` (0-based), if en.md's step has one."""
        return self.steps[index] if index < len(self.steps) else None


def _shared_blocks(folder: Path, lang: str) -> Shared | None:
    """en.md's blocks for another language's file (None for en.md itself, or without it)."""
    path = folder / f"{SHARING}.md"
    if lang == SHARING or not path.exists():
        return None
    doc = split(path.read_text(encoding="utf-8"))
    intro = take_apart(doc.intro).tomls
    steps = tuple(next(iter(take_apart(s).tomls), None) for s in doc.steps)
    return Shared(path, intro[0] if intro else None, steps)


def _intro(
    section: Section, folder: Path, path: Path, parsed: Parsed, shared: Shared | None
) -> tuple[dict[str, Any], Path | None, tuple[str, ...]]:
    """The [lesson] settings, the config file and the services it declares."""
    parts = take_apart(section)
    if not parts.tomls and shared is not None and shared.intro is not None:
        path, parts = shared.path, Parts(parts.prose, (shared.intro,), parts.notes)
    if not parts.tomls:
        return {}, None, ()
    for extra in parts.tomls[1:]:
        parsed.problems.append(
            Problem(
                path,
                extra.line,
                "the introduction has more than one TOML block",
                "keep one block with the [lesson] table",
            )
        )
    block = parts.tomls[0]
    data = _parse(block, path, parsed)
    if data is None:
        return {}, None, ()
    parsed.intro_data = data
    where = Where(block)
    for key in data:
        if key != "lesson":
            parsed.problems.append(
                Problem(
                    path,
                    where.key("", 0, key),
                    f"unknown table {key!r} in the introduction",
                    "only [lesson] goes here",
                )
            )
    settings = data.get("lesson", {})
    if not isinstance(settings, dict):
        return {}, None, ()
    for key, value in settings.items():
        problem = _setting(key, value)
        if problem:
            parsed.problems.append(Problem(path, where.key("lesson", 0, key), *problem))
    config = settings.get("config")
    if not isinstance(config, str):
        return settings, None, ()
    config_path = folder / config
    if not config_path.resolve().is_relative_to(folder.resolve()):
        parsed.problems.append(
            Problem(
                path,
                where.key("lesson", 0, "config"),
                f"the config {config!r} is outside the lesson folder",
                "a lesson runs only what its own folder holds: put its sandbox.toml next to "
                'en.md (config = "sandbox.toml")',
            )
        )
        return settings, None, ()
    if not config_path.is_file():
        parsed.problems.append(
            Problem(
                path,
                where.key("lesson", 0, "config"),
                f"the config {config!r} is not in the lesson folder",
                "put the lesson's sandbox.toml next to en.md",
            )
        )
        return settings, None, ()
    wrong = _confined_config_problem(config_path)
    if wrong:
        parsed.problems.append(
            Problem(
                path,
                where.key("lesson", 0, "config"),
                wrong,
                "keep the lesson's services' Python inside its folder, or use an installed plugin",
            )
        )
        return settings, None, ()
    return settings, config_path, declared_services(config_path)


def _confined_config_problem(config: Path) -> str | None:
    """What is wrong with a lesson's sandbox.toml, read as the lesson will run it (confined
    to the lesson's folder, nothing imported), or None."""
    from sandbox.runtime.config_file import ConfigError, load_config

    try:
        load_config(config, plugins=False, check_apps=False, confined=True)
    except ConfigError as exc:
        return str(exc)
    return None


def _setting(key: str, value: Any) -> tuple[str, str] | None:
    if key == "minutes" and (
        not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_MINUTES
    ):
        return (
            f"bad minutes {value!r}",
            f"how long a student needs, 1 to {MAX_MINUTES}; split a longer lesson in two",
        )
    if key == "reset" and not isinstance(value, bool):
        return f"bad reset {value!r}", "reset = true or reset = false"
    if key == "config" and not isinstance(value, str):
        return f"bad config {value!r}", 'config = "sandbox.toml"'
    if key not in LESSON_KEYS:
        return f"unknown lesson setting {key!r}", f"settings: {', '.join(LESSON_KEYS)}"
    return None


def declared_services(config: Path) -> tuple[str, ...]:
    """Service names a lesson's sandbox.toml declares ([services.NAME] or [[services]] name)."""
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return ()
    services = data.get("services", data.get("service", {}))
    if isinstance(services, dict):
        return tuple(services)
    if isinstance(services, list):
        return tuple(str(s["name"]) for s in services if isinstance(s, dict) and "name" in s)
    return ()


def _step(
    section: Section,
    index: int,
    path: Path,
    folder: Path,
    names: Known,
    services: tuple[tuple[str, ...], Path | None],
    earlier: tuple[set[str], set[str]],
    parsed: Parsed,
    shared: Shared | None,
) -> Step | None:
    numbered = step_number(section.heading)
    if numbered is None:
        parsed.problems.append(
            Problem(
                path,
                section.line,
                f"the heading {section.heading!r} is not a step",
                "level-2 headings are steps: `## N. Title`; use ### for other headings",
            )
        )
        parsed.step_data.append((section.line, None))
        return None
    number, title = numbered
    if number != index + 1:
        parsed.problems.append(
            Problem(
                path,
                section.line,
                f"step {number} should be step {index + 1}",
                "number steps 1, 2, 3... in order",
            )
        )
    parts = take_apart(section)
    for extra_block in parts.tomls[1:]:
        parsed.problems.append(
            Problem(
                path,
                extra_block.line,
                "a step has more than one TOML block",
                "put [action] and every [[expect]] in one block",
            )
        )
    own = bool(parts.tomls)
    block = parts.tomls[0] if own else shared.step(index) if shared is not None else None
    where_file = path if own or shared is None else shared.path
    data = _parse(block, where_file, parsed) if block is not None else {}
    parsed.step_data.append((section.line, data))
    if data is None:
        return None
    extra, config = services
    saved, rules = earlier
    ctx = StepCheck(
        where_file,
        Where(block) if block is not None else Where(Block("", "", 0)),
        names,
        folder,
        extra,
        saved,
        config=config,
        rules=rules,
    )
    data, untranslated = resolve(data, path.stem, shared=block is not None and not own)
    for table, at, key, message, hint in untranslated:
        ctx.add(ctx.where.key(table, at, key), message, hint)
    action, expectations, hints = check_step(data, ctx)
    parsed.problems.extend(ctx.problems)
    return Step(
        number=number,
        title=title,
        narration=parts.prose,
        notes=parts.notes,
        action=action,
        expectations=expectations,
        hints=hints,
        line=section.line,
    )


def _parse(block: Block, path: Path, parsed: Parsed) -> dict[str, Any] | None:
    try:
        return parse(block)
    except TomlSyntaxError as exc:
        parsed.problems.append(
            Problem(
                path,
                exc.line,
                f"the TOML block does not parse: {exc.message}",
                "check quotes, commas and brackets on that line; text needs double quotes",
            )
        )
        return None
