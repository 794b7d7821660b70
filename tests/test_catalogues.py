"""Every message is marked in the code, translated in its domain's catalogue, and compiled.

The workflow these tests keep honest is docs/translating.md: `pybabel extract` writes a
domain's template from the code, `pybabel update` carries it into the Indonesian `.po`,
`pybabel compile` makes the `.mo` the sandbox reads.
"""

from __future__ import annotations

import ast
import gettext
import string
import struct
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from sandbox.language import DOMAINS, LOCALES, N_, texts

ROOT = Path(__file__).parents[1]
SOURCES = {
    "ui": ["sandbox/tui"],
    "lessons": ["sandbox/lessons"],
    "stories": ["sandbox/scenarios", "sandbox/cli"],
    "audit": ["sandbox/audit"],
}
"""Where each domain's messages are marked: what `pybabel extract` reads for its template."""
SAME = {
    "ui": {
        "Audit",
        "Body",
        "Body (JSON)",
        "Demam dan batuk tiga hari",
        "Endpoint",
        "audit",
        "bank",
        "log",
        "path",
        "span",
        "status",
        "  {field}: {flag}",
        "  {status} · {klass} · SEP {sep}",
        "#{order}\n  {status}",
        "+{ms} ms",
        "@{handle}",
        "[b]▶ Video {id}[/b] · @{handle}",
        "[i]“{caption}”[/i]",
        "{count} {noun} · {state}",
        "{name} ({location}, {hint})",
        "{name}: {fault}",
        "{qty}× {name}",
    },
    "lessons": {"header {names}", "status {status}"},
    "stories": {", SEP {value}", "video"},
    "audit": {"span", "{call}: {why}{more}", "webhook"},
}
"""Messages whose Indonesian is their English, on purpose (any other would be a copy left in)."""


def _catalogue(path: Path) -> Catalog:
    with path.open("rb") as po:
        return read_po(po)


def _po(domain: str) -> Catalog:
    return _catalogue(LOCALES / "id" / "LC_MESSAGES" / f"{domain}.po")


def _messages(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]


def _ids(catalog: Catalog) -> set[tuple[str | None, object]]:
    return {(message.context, message.id) for message in _messages(catalog)}


def _forms(value: object) -> tuple[str, ...]:
    """A message's id or translation as its forms: one, or the singular and the plural."""
    return tuple(map(str, value)) if isinstance(value, tuple | list) else (str(value or ""),)


def _names(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_domain_has_its_sources_a_template_and_a_compiled_translation() -> None:
    assert set(SOURCES) == set(DOMAINS)
    for domain in DOMAINS:
        assert (LOCALES / f"{domain}.pot").is_file(), domain
        for suffix in (".po", ".mo"):
            assert (LOCALES / "id" / "LC_MESSAGES" / f"{domain}{suffix}").is_file(), domain


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_template_holds_every_message_the_code_marks(
    domain: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # pybabel reads its settings from pyproject.toml, as documented
    extracted = tmp_path / f"{domain}.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-o", str(extracted), *SOURCES[domain]])
    marked, template = _ids(_catalogue(extracted)), _ids(_catalogue(LOCALES / f"{domain}.pot"))
    new, gone = sorted(map(str, marked - template)), sorted(map(str, template - marked))
    assert not new and not gone, (
        f"{domain}.pot is behind the code: run pybabel extract and update "
        f"(docs/translating.md)\nnew: {new}\ngone: {gone}"
    )


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_message_is_translated_with_the_same_placeholders(domain: str) -> None:
    po = _po(domain)
    assert _ids(po) == _ids(_catalogue(LOCALES / f"{domain}.pot")), "run pybabel update"
    assert po.num_plurals == 1  # Indonesian says "2 panggilan" as it says "1 panggilan"
    problems = [f"{message.id!r}: {errors}" for message, errors in po.check()]
    assert not problems, "\n".join(problems)  # what pybabel compile refuses
    for message in _messages(po):
        assert not message.fuzzy, f"fuzzy: {message.id!r}"
        english, forms = _forms(message.id), _forms(message.string)
        assert all(form.strip() for form in forms), f"untranslated: {message.id!r}"
        for form in forms:  # the one Indonesian form stands for every count, as the plural does
            assert _names(form) == _names(english[-1]), f"placeholders of {message.id!r}"
        assert _names(english[0]) <= _names(english[-1]), message.id
        if forms[0] == english[0]:
            assert english[0] in SAME.get(domain, set()), f"left in English: {message.id!r}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_compiled_catalogue_says_what_the_po_says(domain: str) -> None:
    compiled = LOCALES / "id" / "LC_MESSAGES" / f"{domain}.mo"
    with compiled.open("rb") as mo:
        translations = gettext.GNUTranslations(mo)
    messages = _messages(_po(domain))
    stale = "run pybabel compile (docs/translating.md)"
    for message in messages:
        english, (translated, *_more) = _forms(message.id), _forms(message.string)
        context = message.context
        if len(english) == 2:
            got = (
                translations.npgettext(context, *english, 2)
                if context
                else translations.ngettext(*english, 2)
            )
        else:
            got = (
                translations.pgettext(context, *english)
                if context
                else translations.gettext(*english)
            )
        assert got == translated, stale
    entries = struct.unpack("<I", compiled.read_bytes()[8:12])[0]
    assert entries == len(messages) + 1, stale  # and nothing else, but the header


def test_code_looks_messages_up_in_the_domain_they_are_extracted_into() -> None:
    owner = {
        path: domain
        for domain, sources in SOURCES.items()
        for source in sources
        for path in ([ROOT / source] if source.endswith(".py") else (ROOT / source).rglob("*.py"))
    }
    wrong = []
    for path in sorted((ROOT / "sandbox").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "texts"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and node.args[0].value != owner.get(path)
            ):
                wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.args[0].value!r}")
    assert not wrong, "\n".join(wrong)


def test_texts_fill_placeholders_after_the_lookup() -> None:
    _ = texts("audit", "id")
    assert _("no header {name}").format(name="Idempotency-Key") == "tanpa header Idempotency-Key"
    assert texts("audit", "en")("no header {name}") == "no header {name}"
    assert _("not a message of ours") == "not a message of ours"
    assert N_("checked later") == "checked later"
    with pytest.raises(ValueError, match="unknown message domain"):
        texts("faces", "id")
    with pytest.raises(ValueError, match="unknown language"):
        texts("audit", "fr")
