"""The `sandbox` command line: the parser, made from each command group's own `add_parser`
in the order `sandbox --help` lists them, and the entry point that runs the command chosen.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterable
from typing import NoReturn, TypeAlias

from sandbox import __version__
from sandbox.cli import lessons, lifecycle, stories, traces, ui, webhooks
from sandbox.cli.options import EXIT_USAGE, UserError
from sandbox.language import default_language
from sandbox.runtime import heap

Sub: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _add_audit(sub: Sub) -> None:
    from sandbox.audit.command import add_parser

    add_parser(sub)


def _add_clock(sub: Sub) -> None:
    from sandbox.runtime.clock_command import add_parser

    add_parser(sub)


def _add_lesson(sub: Sub) -> None:
    from sandbox.lessons.command import add_parser

    add_parser(sub)


def _add_exercise(sub: Sub) -> None:
    from sandbox.lessons.exercise_command import add_parsers

    add_parsers(sub)


def _add_new(sub: Sub) -> None:
    from sandbox.lessons.command import add_new_lesson_parser
    from sandbox.scaffold.command import add_parser

    add_new_lesson_parser(add_parser(sub))


def _add_listen(sub: Sub) -> None:
    from sandbox.devtools.listen import add_parser

    add_parser(sub)


def _add_force(sub: Sub) -> None:
    from sandbox.devtools.force import add_parser

    add_parser(sub)


_ELSEWHERE: tuple[tuple[frozenset[str], Callable[[Sub], None]], ...] = (
    (frozenset({"audit"}), _add_audit),
    (frozenset({"clock"}), _add_clock),
    (frozenset({"lesson"}), _add_lesson),
    (frozenset({"exercise", "watch"}), _add_exercise),
    (frozenset({"new"}), _add_new),
    (frozenset({"listen"}), _add_listen),
    (frozenset({"force"}), _add_force),
)
"""The commands defined beside their layers, by the names each defines, in `--help` order.
Their modules import what their commands need (the audit's engine, the lessons' models, the
scaffold's templates...): about 20 ms of `sandbox up`'s start and 35 ms of the UI's, for
commands they never run, so `parse` defines only those named on the command line."""


def _parser(tokens: Iterable[str] | None = None) -> argparse.ArgumentParser:
    """Every command's parser; given `tokens`, only those of the commands defined elsewhere
    that a token names (the rest are not imported), in a parser that raises `_Unsure` rather
    than exit on an error."""
    named = None if tokens is None else set(tokens)
    parser = (argparse.ArgumentParser if named is None else _FirstPass)(
        prog="sandbox", description="Fake institutions integrating over real local HTTP APIs."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    ui.add_ui_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    lifecycle.add_parsers(sub)
    webhooks.add_parser(sub)
    stories.add_parser(sub)
    ui.add_parsers(sub)
    lessons.add_parsers(sub)
    for names, add in _ELSEWHERE:
        if named is None or names & named:
            add(sub)
    traces.add_parser(sub)
    return parser


class _Unsure(Exception):
    """The parser with only the commands named could not parse: the whole one decides."""


class _FirstPass(argparse.ArgumentParser):
    """A parser (and subparsers) that raises instead of printing an error and exiting."""

    def error(self, message: str) -> NoReturn:
        raise _Unsure(message)


_HELP = frozenset({"-h", "--help"})


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line as a namespace; `lang` resolved once, wherever `--lang` was given
    (`sandbox --lang id run checkout` and `sandbox run checkout --lang id` mean the same).

    First with only the commands the line names (`_ELSEWHERE`); a line that asks for help or
    does not parse that way goes to the whole parser, which lists every command and says
    what is wrong exactly as it always did."""
    tokens = sys.argv[1:] if argv is None else list(argv)
    args = None
    if not _HELP & set(tokens):
        with contextlib.suppress(_Unsure):
            args = _parser(tokens).parse_args(tokens)
    if args is None:
        args = _parser().parse_args(tokens)
    # `sandbox lesson check` and `exercise check` without a language check both; their commands
    # decide for themselves.
    if getattr(args, "lang", None) is None and getattr(args, "command", None) not in (
        "lesson",
        "exercise",
    ):
        args.lang = default_language()
    return args


_SETTLE_AFTER_START = (lifecycle.cmd_up, ui.cmd_ui)
"""Commands that switch the garbage collector on again themselves, once started
(`sandbox up` when it serves, the UI at its first screen: sandbox/runtime/heap.py)."""


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `sandbox` console script."""
    heap.pause_collection()  # the start builds, it throws nothing away (runtime/heap.py)
    try:
        args = parse(argv)
        if args.func not in _SETTLE_AFTER_START:
            heap.resume_collection()
        result: int = args.func(args)
        return result
    except UserError as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except ValueError as exc:
        # Partner credentials that name someone else, from any command that builds the world
        # with the user's partners (imported here: `sandbox --help` stays quick).
        from sandbox.runtime.seeding import PartnerClash

        if not isinstance(exc, PartnerClash):
            raise
        print(f"sandbox: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        heap.resume_collection()  # a command that failed before it settled
