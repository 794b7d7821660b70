"""The stories speak English or Bahasa Indonesia; what they do is the same in both."""

from __future__ import annotations

import string
from typing import Any

import pytest

from sandbox.scenarios import StoryFailed, admission, checkout, open_account
from sandbox.scenarios.texts import LANGUAGES, TEXTS, rupiah, say
from tests.conftest import Services


def _names(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_line_is_in_both_languages_with_the_same_placeholders() -> None:
    for key, entry in TEXTS.items():
        assert set(entry) == set(LANGUAGES), key
        same = {"admission.sep", "what.video"}  # the same words in both languages
        assert entry["en"] != entry["id"] or key in same, key
        assert _names(entry["en"]) == _names(entry["id"]), key


def test_rupiah_is_written_as_each_language_writes_it() -> None:
    assert rupiah(185_000, "en") == "Rp185,000"
    assert rupiah(2_315_000, "id") == "Rp2.315.000"
    assert say("id", "checkout.paid", reference="99") == "    terbayar, referensi 99"


async def test_the_checkout_in_indonesian_makes_the_same_calls(services: Services) -> None:
    lines: list[str] = []
    story = await checkout(services.wire, services.world, lines.append, lang="id")
    assert story.steps[0] == "Sari Wulandari menonton video 1 di aplikasi sosial"
    assert "Periksa: uang berpindah tepat satu kali" in story.steps
    assert any("Rp185.000" in line for line in lines)
    assert not any("the social app" in line or "Rp185,000" in line for line in lines)
    edges = [(c.caller, c.callee, c.method) for c in services.calls]
    assert ("bank", "marketplace", "POST") in edges and len(story.steps) == 7


@pytest.mark.parametrize(
    ("story", "index", "key"),
    [(open_account, 2, "account.login"), (admission, 1, "admission.admit")],
)
async def test_the_other_stories_speak_indonesian_too(
    services: Services, story: Any, index: int, key: str
) -> None:
    lines: list[str] = []
    ran = await story(services.wire, services.world, lines.append, lang="id")
    assert ran.steps[index] == say("id", key) != say("en", key)


async def test_an_unknown_language_is_refused(services: Services) -> None:
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        await checkout(services.wire, services.world, lambda _: None, lang="fr")


async def test_a_story_that_stops_says_why_in_its_language(services: Services) -> None:
    await open_account(services.wire, services.world, lambda _: None)
    with pytest.raises(StoryFailed) as again:
        await open_account(services.wire, services.world, lambda _: None, lang="id")
    assert str(again.value) == (
        "Dewi Lestari sudah punya rekening (dari percobaan sebelumnya); `sandbox reset` "
        "memulihkan dunia awal"
    )
    refused = StoryFailed.said("failed.http", what="buy", status=201, got=409, detail="x")
    assert str(refused) == "buy: expected HTTP 201, got 409: x"
    assert str(refused.in_language("id")) == "beli: seharusnya HTTP 201, ternyata 409: x"
