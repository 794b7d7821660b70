"""Exercises: loading the learner's file fresh, running it, and pointing at their line."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

from sandbox.lessons.exercise import (
    Exercise,
    ExerciseFailed,
    learner_file,
    load_function,
    run_function,
)
from sandbox.wire.context import parse_traceparent

TRACE = "ab" * 16


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_learner_file_is_copied_once_and_never_overwritten(tmp_path: Path) -> None:
    template = write(tmp_path / "solve.py", "def solve(exercise):\n    return 1\n")
    copy = learner_file(template, tmp_path / "data", "01-x")
    assert copy == tmp_path / "data" / "exercises" / "01-x" / "solve.py"
    write(copy, "def solve(exercise):\n    return 2\n")
    assert learner_file(template, tmp_path / "data", "01-x").read_text().endswith("2\n")


def test_each_load_is_fresh_and_leaves_no_module_behind(tmp_path: Path) -> None:
    path = write(tmp_path / "solve.py", "def solve(exercise):\n    return 1\n")
    before = set(sys.modules)
    out: list[str] = []
    assert load_function(path, "solve", out)(None) == 1
    write(path, "def solve(exercise):\n    return 2\n")
    assert load_function(path, "solve", out)(None) == 2
    assert set(sys.modules) == before


def test_a_missing_function_or_a_syntax_error_is_explained(tmp_path: Path) -> None:
    path = write(tmp_path / "solve.py", "def other(exercise):\n    pass\n")
    with pytest.raises(ExerciseFailed, match=r"solve.py defines no function solve\(exercise\)"):
        load_function(path, "solve", [])
    write(path, "def solve(exercise)\n    pass\n")
    with pytest.raises(ExerciseFailed, match="solve.py line 1: SyntaxError"):
        load_function(path, "solve", [])


async def test_an_exception_names_the_learners_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "solve.py", "def solve(exercise):\n    data = {}\n    return data['token']\n"
    )
    function = load_function(path, "solve", [])
    with pytest.raises(ExerciseFailed) as caught:
        await run_function(function, Exercise({}, {}, TRACE), path, 5)
    assert (
        str(caught.value) == "solve.py line 3, in solve: KeyError: 'token'\n"
        "    return data['token']"
    )


async def test_print_is_captured_and_async_functions_run(tmp_path: Path) -> None:
    path = write(
        tmp_path / "solve.py",
        "async def solve(exercise):\n    print('hello', exercise.persona('buyer')['name'])\n",
    )
    out: list[str] = []
    function = load_function(path, "solve", out)
    await run_function(function, Exercise({}, {"buyer": {"name": "SARI"}}, TRACE), path, 5)
    assert out == ["hello SARI\n"]


async def test_a_slow_function_times_out(tmp_path: Path) -> None:
    path = write(tmp_path / "solve.py", "import time\ndef solve(exercise):\n    time.sleep(0.5)\n")
    with pytest.raises(ExerciseFailed, match=r"solve\(\) did not finish within 0.05 s"):
        await run_function(load_function(path, "solve", []), Exercise({}, {}, TRACE), path, 0.05)


async def test_exercise_clients_call_as_the_learner_in_the_steps_trace() -> None:
    exercise = Exercise({"bank": "http://bank.test"}, {}, TRACE)
    client = exercise.client("bank")
    request = client.build_request("GET", "/health")
    for hook in client.event_hooks["request"]:
        hook(request)
    span = parse_traceparent(request.headers["traceparent"])
    assert span is not None and span.trace_id == TRACE
    assert request.headers["x-sandbox-caller"] == "learner"
    assert str(request.url) == "http://bank.test/health"
    with pytest.raises(KeyError, match="no service 'social'"):
        exercise.client("social")
    await exercise.aclose()
    assert isinstance(client, httpx.Client) and client.is_closed
