"""What `sandbox learn|present` hands the lesson screen: the next lesson and the glossary."""

from __future__ import annotations

import argparse

from sandbox.cli.lessons import _glossary, _next_lesson
from sandbox.lessons.loader import find_lesson, lesson_slugs, lessons_root, load_lesson


def test_the_next_lesson_is_named_with_the_command_that_opens_it() -> None:
    args = argparse.Namespace(lang="en")
    third = load_lesson(find_lesson("3"), "en")
    fourth = load_lesson(find_lesson("4"), "en")
    assert _next_lesson(args, third, presenter=False) == (
        f"{fourth.number} · {fourth.title} (sandbox learn {fourth.number})"
    )
    assert _next_lesson(args, third, presenter=True).endswith(f"(sandbox present {fourth.number})")
    last = load_lesson(lessons_root() / lesson_slugs()[-1], "en")
    assert _next_lesson(args, last, presenter=False) == ""


def test_the_glossary_comes_in_the_lessons_language() -> None:
    english = dict(_glossary(load_lesson(find_lesson("1"), "en")))
    indonesian = dict(_glossary(load_lesson(find_lesson("1"), "id")))
    term = "VA (virtual account)"
    assert term in english and term in indonesian
    assert english[term].startswith("A payment number")
    assert indonesian[term].startswith("Nomor pembayaran")
