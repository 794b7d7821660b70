"""The two languages the sandbox speaks, which one a person wants, and its messages in each.

Messages are marked where they are said, gettext's way: the English text is the message id,
and `{placeholders}` are filled after the lookup. Code that speaks one reader's language (a
lesson's verdicts, a story, an audit) takes the messages of its domain in that language:

    _ = texts("audit", lang)
    _("no header {name}").format(name=name)
    _.ngettext("{count} call", "{count} calls", count).format(count=count)
    _.pgettext("abbreviated", "in {calls_in} · out {calls_out}")

`N_("...")` marks a message that is looked up later (`_(STATES[state])`). The UI, whose
language is process-wide, has the same names as functions in `sandbox.tui.i18n`.

Each domain (`DOMAINS`) has its catalogue: `locale/<domain>.pot`, the translations in
`locale/id/LC_MESSAGES/<domain>.po` and the compiled `.mo` read here (docs/translating.md).
English needs no catalogue: a message id is its English text.
"""

from __future__ import annotations

import functools
import gettext
import os
from pathlib import Path

LANGUAGES = ("en", "id")
"""The languages of the UI, lessons, stories and audit: English and Bahasa Indonesia."""
DOMAINS = ("ui", "lessons", "stories", "audit")
"""The catalogues: the UI's texts, lesson verdicts, what the stories say, the audit's reasons."""
LOCALES = Path(__file__).parent / "locale"
"""Where the catalogues live: `<lang>/LC_MESSAGES/<domain>.mo`, one template per domain."""


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


def N_(message: str) -> str:
    """`message` unchanged: marks it for the catalogue where it is translated later."""
    return message


class Texts:
    """One domain's messages in one language, looked up as gettext does.

    Call it with a message (`_("...")`); `ngettext` and `pgettext` are its plural and
    context forms. A message the catalogue lacks comes back as written, in English.
    """

    __slots__ = ("_catalogue",)

    def __init__(self, catalogue: gettext.NullTranslations) -> None:
        self._catalogue = catalogue

    def __call__(self, message: str) -> str:
        """`message` in this language."""
        return self._catalogue.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The form of a message for the count `n` (English has two, Indonesian one)."""
        return self._catalogue.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        """`message` as translated in `context`: one English text, two meanings."""
        return self._catalogue.pgettext(context, message)


@functools.cache
def texts(domain: str, lang: str) -> Texts:
    """The messages of `domain` (one of DOMAINS) in `lang` (one of LANGUAGES)."""
    if domain not in DOMAINS:
        raise ValueError(f"unknown message domain {domain!r}; choose one of {', '.join(DOMAINS)}")
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    if lang == "en":
        return Texts(gettext.NullTranslations())
    with (LOCALES / lang / "LC_MESSAGES" / f"{domain}.mo").open("rb") as compiled:
        return Texts(gettext.GNUTranslations(compiled))


def number(value: int, lang: str) -> str:
    """A whole number as `lang` writes it, from CLDR through Babel: 12,345 or 12.345."""
    from babel.numbers import format_decimal  # Babel loads when a number is first shown

    return format_decimal(value, locale=lang)


def decimal(value: float, lang: str) -> str:
    """A measure to one decimal as `lang` writes it: 1,234.5 or 1.234,5."""
    from babel.numbers import format_decimal

    return format_decimal(value, format="#,##0.0", locale=lang)


def rupiah(amount: int, lang: str) -> str:
    """Whole rupiah as `lang` writes them: Rp185,000 in English, Rp185.000 in Indonesian.

    Not CLDR's currency format, which is not what an Indonesian app shows: English writes
    IDR185,000, and some CLDR releases give Rp 185.000,00. Money is whole rupiah (integers) in
    the sandbox, so it is "Rp" and the number in the language's grouping.
    """
    return "Rp" + number(amount, lang)
