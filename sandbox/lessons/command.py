"""`sandbox lesson list | lint | check`: the CLI glue over the lessons package.

Wire into `sandbox/cli/parser.py` with `add_parser(sub)` inside `_parser()`; `cmd_lesson` is the
command's `func`. Exit codes: 0 all well, 1 a lint problem or a failed check, 2 a usage
problem (an unknown lesson).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from sandbox.language import default_language, texts
from sandbox.lessons.model import LANGS

# The loader and engine are imported by each command, not here: `sandbox up` builds this
# parser too, and should not pay for lessons at start-up.

EXIT_FAIL, EXIT_USAGE = 1, 2


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Define `sandbox lesson` and its subcommands on the CLI's subparsers."""
    help_text = "lessons: list them, lint lesson files, check lessons against a fresh sandbox"
    lesson = sub.add_parser("lesson", help=help_text, description=help_text + ".")
    actions = lesson.add_subparsers(dest="lesson_command", metavar="ACTION", required=True)

    def action(name: str, help: str) -> argparse.ArgumentParser:
        p = actions.add_parser(name, help=help, description=help)
        p.add_argument(
            "--data-dir",
            metavar="D",
            help="where the sandbox keeps its data "
            "(default: your user data dir, or $SANDBOX_DATA_DIR)",
        )
        p.add_argument("--root", metavar="DIR", help="the folder of lessons (default: lessons/)")
        p.set_defaults(func=cmd_lesson)
        return p

    listing = action("list", "lessons with their length and your progress")
    listing.add_argument(
        "--lang",
        choices=LANGS,
        default=argparse.SUPPRESS,
        help="language of the titles (default: $SANDBOX_LANG, else your system's if "
        "Indonesian, else en)",
    )
    lint = action("lint", "report every problem in lesson files, with file, line and a hint")
    lint.add_argument(
        "path",
        nargs="?",
        metavar="PATH",
        help="a lesson folder, one of its .md files, or a folder of lessons "
        "(default: every lesson)",
    )
    check = action(
        "check", "run lessons headless against a fresh sandbox; exit 1 if an expectation fails"
    )
    which = check.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "lessons",
        nargs="*",
        default=[],
        metavar="LESSON",
        help='a lesson by number ("3"), name or folder',
    )
    which.add_argument("--all", action="store_true", help="every lesson")
    check.add_argument(
        "--lang",
        choices=LANGS,
        default=argparse.SUPPRESS,
        help="check one language (default: both)",
    )
    check.add_argument(
        "--solutions",
        action="store_true",
        help="run exercise steps with each lesson's reference solution "
        "instead of your exercise files (what CI does)",
    )
    return lesson


def add_new_lesson_parser(
    kinds: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """Define `sandbox new lesson NAME` on `sandbox new`'s subparsers."""
    help_text = "a lesson of your own in both languages, that lints and checks clean"
    new = kinds.add_parser("lesson", help=help_text, description=help_text + ".")
    new.add_argument(
        "name",
        metavar="NAME",
        help="lowercase words with dashes (paying-twice), numbered after the lessons in "
        "--root; or with its number (09-paying-twice)",
    )
    new.add_argument(
        "--root", metavar="DIR", default=".", help="the folder of lessons (default: here)"
    )
    new.set_defaults(func=cmd_new_lesson)
    return new


def cmd_new_lesson(args: argparse.Namespace) -> int:
    """Run `sandbox new lesson NAME`."""
    from sandbox.lessons.new import NewLessonError, new_lesson

    root = Path(args.root).expanduser()
    try:
        folder = new_lesson(root, args.name)
    except NewLessonError as exc:
        print(f"sandbox new: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"Created {folder / 'en.md'} and {folder / 'id.md'}.")
    print(
        f"Next: edit them, then `sandbox lesson lint {folder}`, "
        f"`sandbox lesson check {folder}` and `sandbox learn {folder}`."
    )
    return 0


def _data_dir(args: argparse.Namespace) -> Path:
    if getattr(args, "data_dir", None):
        return Path(args.data_dir).expanduser()
    from sandbox.config import default_data_dir

    return default_data_dir()


def _root(args: argparse.Namespace) -> Path:
    from sandbox.lessons.loader import lessons_root

    return Path(args.root).expanduser() if getattr(args, "root", None) else lessons_root()


def cmd_lesson(args: argparse.Namespace) -> int:
    """Run `sandbox lesson ACTION`."""
    try:
        result: int = {"list": _list, "lint": _lint, "check": _check}[args.lesson_command](args)
        return result
    except LookupError as exc:
        print(f"sandbox lesson: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return EXIT_USAGE


def _list(args: argparse.Namespace) -> int:
    from sandbox.lessons.exercise import exercise_dir
    from sandbox.lessons.loader import lesson_slugs, load_lesson
    from sandbox.lessons.model import LessonError
    from sandbox.lessons.progress import Progress

    lang = getattr(args, "lang", None) or default_language()
    _ = texts("lessons", lang)
    root, data_dir = _root(args), _data_dir(args)
    progress = Progress.load(data_dir)
    rows: list[tuple[Any, ...]] = []
    for slug in lesson_slugs(root):
        try:
            lesson = load_lesson(root / slug, lang)
        except LessonError:
            broken = _("{slug} (broken: see `sandbox lesson lint`)").format(slug=slug)
            rows.append((slug.split("-")[0], broken, "", "", "-", ""))
            continue
        if progress.completed(slug, lang):
            reached = _("done")
        elif progress.started(slug, lang):
            reached = f"{progress.position(slug, lang)}/{len(lesson.steps)}"
        else:
            reached = "-"
        exercises = any(
            s.action
            and (
                s.action.kind == "exercise"
                or (s.action.kind == "audit" and "rules" in s.action.spec)
            )
            for s in lesson.steps
        )
        rows.append(
            (
                lesson.number,
                lesson.title,
                _("{minutes} min").format(minutes=lesson.minutes),
                len(lesson.steps),
                reached,
                str(exercise_dir(data_dir, slug)) if exercises else "",
            )
        )
    if not rows:
        print(_("No lessons in {root}.").format(root=root))
        return 0
    _table(_("#|lesson|length|steps|progress|exercises").split("|"), rows)
    print(
        _("Exercises live in {folder}. Start one with `sandbox learn N`.").format(
            folder=data_dir / "exercises"
        )
    )
    return 0


def _lint(args: argparse.Namespace) -> int:
    from sandbox.lessons.lint import lint

    path = Path(args.path).expanduser() if args.path else _root(args)
    problems = lint(path)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s).", file=sys.stderr)
        return EXIT_FAIL
    print(f"No problems in {path}.")
    return 0


def _check(args: argparse.Namespace) -> int:
    from sandbox.lessons.check import check_lessons
    from sandbox.lessons.loader import find_lesson, lesson_slugs

    root = _root(args)
    names: list[str | Path] = list(lesson_slugs(root)) if args.all else list(args.lessons)
    if not names:
        print(f"sandbox lesson: no lessons in {root}", file=sys.stderr)
        return EXIT_USAGE
    folders: list[str | Path] = [find_lesson(str(n), root) for n in names]
    langs = (args.lang,) if getattr(args, "lang", None) else LANGS
    _log_to_file(_data_dir(args))
    print(
        f"Checking {len(folders)} lesson(s) in {', '.join(langs)} against a fresh sandbox...",
        flush=True,
    )
    report = check_lessons(
        folders,
        langs,
        data_dir=None if args.solutions else _data_dir(args),
        solutions=args.solutions,
    )
    print(report.render())
    return 0 if report.ok else EXIT_FAIL


def _log_to_file(data_dir: Path) -> None:
    """The institutions log through `logging`; their messages belong in a file, not among the
    report's lines (the CLI's own commands do the same)."""
    if logging.getLogger().handlers:
        return
    from sandbox.trace.logs import log_to_file

    log_to_file(data_dir / "logs" / "sandbox.log")  # redacted like the trace


def _table(header: list[str], rows: list[tuple[Any, ...]]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    for row in [tuple(header), *rows]:
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)).rstrip())
