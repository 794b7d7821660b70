"""The glossary the lesson screen shows: every term in both languages."""

from __future__ import annotations

import pytest

from sandbox.lessons.glossary import glossary
from sandbox.lessons.model import LANGS


@pytest.mark.parametrize("lang", LANGS)
def test_the_glossary_has_the_issues_terms_in_both_languages(lang: str) -> None:
    terms = glossary(lang)
    words = " ".join(t.term for t in terms)
    for needed in ("VA", "SNAP", "SESUAI", "idempotency key", "SEP", "FHIR", "NIK"):
        assert needed in words, needed
    assert ("consent" if lang == "en" else "persetujuan") in words
    assert all(t.meaning and "  " not in t.meaning for t in terms)
    assert len({t.term for t in terms}) == len(terms)
