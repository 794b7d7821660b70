"""The sandbox speaks the person's language without a flag: $SANDBOX_LANG, else the system's."""

from __future__ import annotations

import pytest

from sandbox.cli import parse
from sandbox.language import default_language

LOCALE = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture
def no_language(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("SANDBOX_LANG", *LOCALE):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "en"),
        ({"LANG": "id_ID.UTF-8"}, "id"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANGUAGE": "id:en", "LANG": "en_US.UTF-8"}, "id"),
        ({"LANGUAGE": "id", "LANG": "C.UTF-8"}, "en"),  # gettext ignores LANGUAGE under C
        ({"LANGUAGE": "id"}, "en"),
        ({"LC_ALL": "in_ID", "LANG": "en_US.UTF-8"}, "id"),
        ({"SANDBOX_LANG": "id", "LANG": "en_US.UTF-8"}, "id"),
        ({"SANDBOX_LANG": "EN", "LANG": "id_ID.UTF-8"}, "en"),
        ({"SANDBOX_LANG": "fr", "LANG": "id_ID.UTF-8"}, "id"),  # not ours: the system decides
    ],
)
def test_the_language_follows_sandbox_lang_then_the_system(
    no_language: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    for name, value in env.items():
        no_language.setenv(name, value)
    assert default_language() == expected


def test_every_command_with_a_language_defaults_to_it_and_the_flag_wins(
    no_language: pytest.MonkeyPatch,
) -> None:
    no_language.setenv("LANG", "id_ID.UTF-8")
    for argv in ([], ["run", "checkout"], ["learn"], ["present", "1"], ["audit"]):
        assert parse(argv).lang == "id", argv
    assert parse(["run", "checkout", "--lang", "en"]).lang == "en"
    # before or after the command, --lang wins over the default
    for argv in (
        ["--lang", "en", "learn"],
        ["--lang", "en", "audit"],
        ["--lang", "en", "run", "checkout"],
    ):
        assert parse(argv).lang == "en", argv
    no_language.setenv("LANG", "en_US.UTF-8")
    assert parse(["--lang", "id", "run", "checkout"]).lang == "id"
    # `lesson check` without a language checks both; `lesson list` decides when it runs
    assert getattr(parse(["lesson", "check", "--all"]), "lang", None) is None
    assert parse(["--lang", "id", "lesson", "check", "--all"]).lang == "id"
