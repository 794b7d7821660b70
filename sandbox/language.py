"""The two languages the sandbox speaks, which one a person wants, and one way to look a text up.

The UI, lessons, stories and audit each keep their own catalogue of texts (`{key: {"en": ...,
"id": ...}}`, next to the code that says them); they all pick and fill a text the same way here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

LANGUAGES = ("en", "id")
"""The languages of the UI, lessons, stories and audit: English and Bahasa Indonesia."""


def default_language() -> str:
    """The person's language: $SANDBOX_LANG if it names one of LANGUAGES, else the system's
    (LANGUAGE, LC_ALL, LC_MESSAGES, LANG: `id_ID.UTF-8` means Indonesian), else English.

    A student whose laptop speaks Indonesian gets the sandbox in Indonesian without a flag;
    `--lang` always wins.
    """
    chosen = os.environ.get("SANDBOX_LANG", "").strip().lower()
    if chosen in LANGUAGES:
        return chosen
    locale = next(
        (v for n in ("LC_ALL", "LC_MESSAGES", "LANG") if (v := os.environ.get(n, "").strip())), ""
    )
    if _code(locale) in ("", "c", "posix"):  # as gettext does: no locale, no LANGUAGE either
        return "en"
    preferred = os.environ.get("LANGUAGE", "").strip() or locale
    return "id" if _code(preferred) in ("id", "in") else "en"


def _code(value: str) -> str:
    """The language code of a locale or LANGUAGE value: `id_ID.UTF-8` and `id:en` give `id`."""
    return value.split(":")[0].split(".")[0].split("@")[0].split("_")[0].lower()


def translate(
    catalogue: Mapping[str, Mapping[str, str]], lang: str, key: str, /, **values: object
) -> str:
    """The text for `key` in `lang` (English when `lang` has none), its placeholders filled."""
    entry = catalogue[key]
    return (entry.get(lang) or entry["en"]).format(**values)
