"""The `sandbox` command line: the parser, made from each command group's own `add_parser`
in the order `sandbox --help` lists them, and the entry point that runs the command chosen.
"""

from __future__ import annotations

import argparse
import sys

from sandbox import __version__
from sandbox.cli import lessons, lifecycle, stories, traces, ui, webhooks
from sandbox.cli.options import EXIT_USAGE, UserError
from sandbox.language import default_language
from sandbox.runtime import heap


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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

    from sandbox.audit.command import add_parser as add_audit_parser
    from sandbox.devtools.force import add_parser as add_force_parser
    from sandbox.devtools.listen import add_parser as add_listen_parser
    from sandbox.lessons.command import add_new_lesson_parser
    from sandbox.lessons.command import add_parser as add_lesson_parser
    from sandbox.lessons.exercise_command import add_parsers as add_exercise_parsers
    from sandbox.runtime.clock_command import add_parser as add_clock_parser
    from sandbox.scaffold.command import add_parser as add_new_parser

    add_audit_parser(sub)
    add_clock_parser(sub)
    add_lesson_parser(sub)
    add_exercise_parsers(sub)
    add_new_lesson_parser(add_new_parser(sub))
    add_listen_parser(sub)
    add_force_parser(sub)

    traces.add_parser(sub)
    return parser


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line as a namespace; `lang` resolved once, wherever `--lang` was given
    (`sandbox --lang id run checkout` and `sandbox run checkout --lang id` mean the same)."""
    args = _parser().parse_args(argv)
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
