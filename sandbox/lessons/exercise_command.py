"""`sandbox exercise list | check` and `sandbox watch`: the CLI glue over the exercise track.

Exit codes: 0 all well, 1 a failed exercise, 2 a usage problem (an unknown exercise).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from sandbox.language import default_language
from sandbox.lessons.model import LANGS

EXIT_FAIL, EXIT_USAGE = 1, 2


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Define `sandbox exercise ...` and `sandbox watch` on the CLI's subparsers."""
    help_text = "small exercises, one concept each: list them, check them"
    exercise = sub.add_parser("exercise", help=help_text, description=help_text + ".")
    actions = exercise.add_subparsers(dest="exercise_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="the exercises, your progress and your files")
    listing.add_argument("--json", action="store_true", help="print JSON")
    _common(listing)
    check = actions.add_parser(
        "check", help="run exercises against a fresh sandbox; exit 1 if one fails"
    )
    which = check.add_mutually_exclusive_group(required=True)
    which.add_argument("names", nargs="*", default=[], metavar="NAME", help="by number or name")
    which.add_argument("--all", action="store_true", help="every exercise")
    check.add_argument(
        "--solutions",
        action="store_true",
        help="run each exercise's reference solution instead of your file (what CI does)",
    )
    _common(check, both=True)
    watch = sub.add_parser(
        "watch",
        help="rerun an exercise every time you save its file",
        description="Rerun an exercise every time you save its file, and show what to fix "
        "first. Without NAME: the first exercise not done yet, then the next ones.",
    )
    watch.add_argument("name", nargs="?", metavar="NAME", help="an exercise by number or name")
    _common(watch)
    for parser, func in ((listing, cmd_list), (check, cmd_check), (watch, cmd_watch)):
        parser.set_defaults(func=func)


def _common(parser: argparse.ArgumentParser, both: bool = False) -> None:
    parser.add_argument(
        "--lang",
        choices=LANGS,
        default=argparse.SUPPRESS,
        help="check one language (default: both)"
        if both
        else "language (default: $SANDBOX_LANG, else your system's if Indonesian, else en)",
    )
    parser.add_argument("--data-dir", metavar="D", help="where your exercise files live")
    parser.add_argument("--root", metavar="DIR", help="the folder of exercises")


def _root(args: argparse.Namespace) -> Path:
    from sandbox.lessons.track import exercises_root

    return Path(args.root).expanduser() if getattr(args, "root", None) else exercises_root()


def _data_dir(args: argparse.Namespace) -> Path:
    from sandbox.config import default_data_dir

    return Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()


def _lang(args: argparse.Namespace) -> str:
    return getattr(args, "lang", None) or default_language()


def cmd_list(args: argparse.Namespace) -> int:
    """`sandbox exercise list [--json]`."""
    from sandbox.language import texts
    from sandbox.lessons.track import entries

    lang = _lang(args)
    found = entries(_root(args), _data_dir(args), lang)
    if args.json:
        print(json.dumps([e.to_dict() for e in found], indent=1, ensure_ascii=False))
        return 0
    rows: list[tuple[Any, ...]] = [
        (e.number, e.title, _short(e.concept), e.status, e.file or "") for e in found
    ]
    _ = texts("lessons", lang)
    # TRANSLATORS: the columns of `sandbox exercise list`, separated by |
    header = _("#|exercise|concept|progress|your file").split("|")
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    for row in [tuple(header), *rows]:
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)).rstrip())
    return 0


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 3].rstrip() + "..."


def cmd_check(args: argparse.Namespace) -> int:
    """`sandbox exercise check NAME... | --all [--solutions]`."""
    from sandbox.lessons.check import check_lessons
    from sandbox.lessons.command import _log_to_file
    from sandbox.lessons.loader import lesson_slugs
    from sandbox.lessons.track import names, render

    root = _root(args)
    try:
        folders = names(root, lesson_slugs(root) if args.all else args.names)
    except LookupError as exc:
        print(f"sandbox exercise: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return EXIT_USAGE
    langs = (args.lang,) if getattr(args, "lang", None) else LANGS
    _log_to_file(_data_dir(args))
    report = check_lessons(
        list(folders),
        langs,
        data_dir=None if args.solutions else _data_dir(args),
        solutions=args.solutions,
    )
    print(render(report))
    return 0 if report.ok else EXIT_FAIL


def cmd_watch(args: argparse.Namespace) -> int:
    """`sandbox watch [NAME]`."""
    from sandbox.lessons.command import _log_to_file
    from sandbox.lessons.watch import Watch

    data_dir = _data_dir(args)
    _log_to_file(data_dir)
    watch = Watch(_root(args), data_dir, _lang(args), out=lambda text: print(text, flush=True))
    try:
        return asyncio.run(watch.run(args.name))
    except LookupError as exc:
        print(f"sandbox watch: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 0
