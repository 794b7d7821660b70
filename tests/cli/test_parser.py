"""The command line parsed with only the commands it names reads exactly as the whole parser
reads it; help and errors come from the whole parser (sandbox/cli/parser.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sandbox.cli.parser import _ELSEWHERE, _parser, parse

LINES = [
    [],
    ["--lang", "id", "--data-dir", "/tmp/d"],
    ["up", "--port-base", "9000", "--seed", "7", "--variant", "social-calls-bank"],
    ["status", "--json"],
    ["run", "checkout", "--pay", "va"],
    ["audit", "--all", "--json"],
    ["clock", "advance", "25h"],
    ["lesson", "check", "--all"],
    ["exercise", "list", "--json"],
    ["watch"],
    ["new", "lesson", "mine"],
    ["new", "service", "courier", "--calls", "marketplace"],
    ["listen", "courier", "--forward-to", "http://127.0.0.1:9999/hooks"],
    ["force", "show"],
    ["trace", "list", "--limit", "3"],
]


@pytest.mark.parametrize("line", LINES, ids=lambda line: " ".join(line) or "(the UI)")
def test_a_line_reads_as_the_whole_parser_reads_it(line: list[str]) -> None:
    whole = vars(_parser().parse_args(line))
    lean = vars(parse(line))
    if whole.get("lang") is None:  # resolved by `parse` alone (default_language)
        whole["lang"] = lean["lang"]
    assert lean == whole


def test_every_command_defined_elsewhere_is_listed_by_its_names() -> None:
    sub = next(a for a in _parser()._actions if a.dest == "command")
    listed = set(sub.choices)  # type: ignore[arg-type]
    named = set().union(*(names for names, _ in _ELSEWHERE))
    assert named <= listed
    lean = next(a for a in _parser([])._actions if a.dest == "command")
    assert not named & set(lean.choices)  # type: ignore[arg-type]


def test_an_unknown_command_is_refused_with_every_command_listed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        parse(["fly"])
    assert exited.value.code == 2
    said = capsys.readouterr().err
    assert "invalid choice: 'fly'" in said
    assert "'audit'" in said and "'force'" in said and "'trace'" in said


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse(["--help"])
    said = capsys.readouterr().out
    for names, _ in _ELSEWHERE:
        assert all(name in said for name in names)


def test_a_bad_option_of_a_command_defined_elsewhere_is_said_as_before(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        parse(["clock", "fly"])
    assert "sandbox clock: error: argument" in capsys.readouterr().err


def test_up_and_the_ui_import_no_other_command() -> None:
    probe = (
        "import sys\n"
        "from sandbox.cli.parser import parse\n"
        "parse(['up']); parse(['--lang', 'id'])\n"
        "print(sorted(m for m in sys.modules if m.startswith(('sandbox.audit', "
        "'sandbox.scaffold', 'sandbox.devtools', 'sandbox.lessons', "
        "'sandbox.runtime.clock_command'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"
