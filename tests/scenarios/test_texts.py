"""The stories speak English or Bahasa Indonesia; what they do is the same in both."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.language import N_, rupiah, texts
from sandbox.scenarios import StoryFailed, admission, admission_covered, checkout, open_account
from tests.conftest import Services


def test_rupiah_is_written_as_each_language_writes_it() -> None:
    assert rupiah(185_000, "en") == "Rp185,000"
    assert rupiah(2_315_000, "id") == "Rp2.315.000"
    said = texts("stories", "id")("    paid, reference {reference}").format(reference="99")
    assert said == "    terbayar, referensi 99"


async def test_the_checkout_in_indonesian_makes_the_same_calls(services: Services) -> None:
    lines: list[str] = []
    story = await checkout(
        services.wire, services.world, lines.append, lang="id", phone=services.phone
    )
    assert story.steps[0] == "Sari Wulandari menonton video 1 di aplikasi sosial"
    assert "Periksa: uang berpindah tepat satu kali" in story.steps
    assert any("Rp185.000" in line for line in lines)
    assert not any("the social app" in line or "Rp185,000" in line for line in lines)
    edges = [(c.caller, c.callee, c.method) for c in services.calls]
    assert ("bank", "marketplace", "POST") in edges and len(story.steps) == 9


@pytest.mark.parametrize(
    ("story", "index", "step"),
    [
        (open_account, 3, "She logs in with her new PIN"),
        (
            admission,
            2,
            "One action on the desk's screen: admit (identity, records, insurance, billing "
            "behind it)",
        ),
        (
            admission,
            9,
            "The patient pays the virtual account in the bank app",
        ),
        (
            admission,
            3,
            "On the phone, the patient opens the IKD app and approves the hospital's request",
        ),
        (
            admission_covered,
            1,
            "One action on the desk's screen: admit (identity, records, insurance, billing "
            "behind it)",
        ),
    ],
)
async def test_the_other_stories_speak_indonesian_too(
    services: Services, story: Any, index: int, step: str
) -> None:
    lines: list[str] = []
    ran = await story(services.wire, services.world, lines.append, lang="id")
    assert ran.steps[index] == texts("stories", "id")(step) != step


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
    http = N_("{what}: expected HTTP {status}, got {got}: {detail}")
    refused = StoryFailed.said(http, what=N_("buy"), status=201, got=409, detail="x")
    assert str(refused) == "buy: expected HTTP 201, got 409: x"
    assert str(refused.in_language("id")) == "beli: seharusnya HTTP 201, ternyata 409: x"
