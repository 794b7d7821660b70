"""The sandbox speaks the person's language without a flag: $SANDBOX_LANG, else the system's."""

from __future__ import annotations

import pytest

from sandbox.cli import _parser
from sandbox.config import default_language

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
    parser = _parser()
    for argv in (
        [],
        ["run", "checkout"],
        ["learn"],
        ["present", "1"],
        ["audit"],
        ["lesson", "list"],
    ):
        assert parser.parse_args(argv).lang == "id", argv
    assert parser.parse_args(["run", "checkout", "--lang", "en"]).lang == "en"
