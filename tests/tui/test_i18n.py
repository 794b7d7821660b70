"""One catalogue of UI strings, complete in English and Bahasa Indonesia, and used everywhere."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.widgets import Button
from textual.widgets._footer import FooterKey

from sandbox.tui import i18n
from sandbox.tui.app import SandboxApp
from sandbox.tui.i18n import CATALOGUE, LANGUAGES, placeholders, t
from sandbox.tui.screens.audit import AuditScreen
from sandbox.tui.screens.composer import ComposerScreen
from sandbox.tui.screens.faces import FacesScreen
from sandbox.tui.screens.help import HelpScreen
from sandbox.tui.screens.map import MapScreen
from sandbox.tui.screens.services import ServicesScreen
from sandbox.tui.screens.stories import StoriesScreen
from sandbox.tui.screens.trace import TraceScreen
from sandbox.tui.widgets.call_detail import CallDetail
from sandbox.tui.widgets.call_log import CallLog
from sandbox.tui.widgets.call_map import CallMap
from sandbox.tui.widgets.composer import Composer
from sandbox.tui.widgets.faces import BankFace, SocialFace
from sandbox.tui.widgets.sequence import SequencePlayer
from tests.tui.factory import make_app, until

TUI = Path(__file__).parents[2] / "sandbox" / "tui"
SOURCES = sorted([TUI / "app.py", *TUI.glob("screens/*.py"), *TUI.glob("widgets/*.py")])
WITH_BINDINGS = (
    SandboxApp,
    MapScreen,
    TraceScreen,
    FacesScreen,
    ServicesScreen,
    StoriesScreen,
    ComposerScreen,
    AuditScreen,
    HelpScreen,
    CallLog,
    CallDetail,
    SequencePlayer,
    Composer,
    SocialFace,
    BankFace,
)

SHOWN_CALLS = {
    "Static",
    "Label",
    "Button",
    "Checkbox",
    "Option",
    "Markdown",
    "notify",
    "write",
    "update",
}
"""Calls whose first argument is shown as it is."""
SHOWN_KEYWORDS = {"placeholder", "tooltip", "prompt", "title", "description", "label", "empty_text"}
SHOWN_ATTRIBUTES = {
    "border_title",
    "border_subtitle",
    "title",
    "sub_title",
    "placeholder",
    "label",
    "tooltip",
    "HELP",
}
ALLOWED = {"→", "✓", "✕", "∅", "…", "ms"}
"""Literals that may be shown as they are: symbols and units, the same in both languages."""
_MARKUP = re.compile(r"\[[^\]]*\]")


@pytest.fixture
def english() -> Iterator[None]:
    """Whatever a test switches to, the next one starts in English."""
    yield
    i18n.set_language("en")


# -- the catalogue ---------------------------------------------------------------------------


def test_every_key_has_every_language_and_none_is_empty() -> None:
    for key, entry in CATALOGUE.items():
        assert set(entry) == set(LANGUAGES), key
        for lang, text in entry.items():
            assert text.strip(), f"{key} [{lang}] is empty"


def test_both_languages_expect_the_same_placeholders() -> None:
    for key, entry in CATALOGUE.items():
        assert placeholders(entry["en"]) == placeholders(entry["id"]), key


def test_markup_tags_are_the_same_in_both_languages() -> None:
    for key, entry in CATALOGUE.items():
        if key.startswith("faces."):
            assert _MARKUP.findall(entry["en"]) == _MARKUP.findall(entry["id"]), key


def test_texts_follow_the_language(english: None) -> None:
    assert t("stories.run") == "Run"
    i18n.set_language("id")
    assert t("stories.run") == "Jalankan"
    assert t("app.failed", what="bank", reason="x") == "bank gagal: x"
    assert i18n.number(1234567) == "1.234.567"
    assert i18n.textual_text("Quit") == "Keluar"
    assert MapScreen.HELP.startswith("# Peta")
    i18n.set_language("en")
    assert i18n.number(1234567) == "1,234,567"
    assert MapScreen.HELP.startswith("# The map")
    with pytest.raises(ValueError):
        i18n.set_language("fr")


def test_built_in_roles_are_translated_and_a_users_own_words_are_kept(english: None) -> None:
    from sandbox.runtime.registry import BUILTIN

    for spec in BUILTIN:  # the catalogue's English is the registry's, word for word
        assert CATALOGUE[f"role.{spec.name}"]["en"] == spec.role
    i18n.set_language("id")
    assert i18n.role_text("marketplace", "transaction platform", "builtin") == "platform transaksi"
    assert i18n.role_text("courier", "last-mile delivery", "module") == "last-mile delivery"
    assert i18n.role_text("bank", "my own bank", "plugin") == "my own bank"


def test_every_binding_is_in_the_catalogue_by_its_id() -> None:
    for cls in WITH_BINDINGS:
        for binding in cls.__dict__.get("BINDINGS", []):
            assert isinstance(binding, Binding), cls
            assert binding.id, f"{cls.__name__}: {binding.key} has no id"
            key = f"key.{binding.id}"
            assert i18n.known(f"{key}.tip"), f"{key}.tip"
            assert binding.tooltip == CATALOGUE[f"{key}.tip"]["en"]
            if binding.description:
                assert binding.description == CATALOGUE[key]["en"], key


def test_translate_binding_by_id_and_textual_by_text(english: None) -> None:
    i18n.set_language("id")
    ours = i18n.translate_binding(Binding("f", "x", "Follow", id="log.follow", tooltip="?"))
    assert (ours.description, ours.tooltip) == ("Ikuti", CATALOGUE["key.log.follow.tip"]["id"])
    textual = i18n.translate_binding(Binding("ctrl+p", "command_palette", "palette"))
    assert textual.description == "palet"
    odd = Binding("z", "y", "Unknown words")
    assert i18n.translate_binding(odd) is odd


# -- the sources -----------------------------------------------------------------------------


def _literal_texts(node: ast.expr) -> Iterator[tuple[int, str]]:
    """String literals a value is built from (not those passed to calls such as `t`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.lineno, node.value
    elif isinstance(node, ast.JoinedStr):
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                yield node.lineno, part.value
    elif isinstance(node, ast.BinOp):
        yield from _literal_texts(node.left)
        yield from _literal_texts(node.right)
    elif isinstance(node, ast.IfExp):
        yield from _literal_texts(node.body)
        yield from _literal_texts(node.orelse)


def _wordy(text: str) -> bool:
    bare = _MARKUP.sub("", text).strip()
    return bare not in ALLOWED and any(ch.isalpha() for ch in bare)


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Subscript):  # Select[str](...)
        return _name(func.value)
    return ""


def _shown_values(tree: ast.AST) -> Iterator[ast.expr]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            if name in SHOWN_CALLS and node.args:
                yield node.args[0]
            if name == "Binding" and len(node.args) > 2:
                yield node.args[2]
            for keyword in node.keywords:
                if keyword.arg in SHOWN_KEYWORDS:
                    yield keyword.value
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if node.value is not None and any(
                _name(target) in SHOWN_ATTRIBUTES for target in targets
            ):
                yield node.value


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(TUI).as_posix())
def test_no_user_facing_literal_outside_the_catalogue(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = [
        f"{path.name}:{line}: {text!r}"
        for value in _shown_values(tree)
        for line, text in _literal_texts(value)
        if _wordy(text)
    ]
    assert not found, "\n".join(found)


def test_the_literal_check_catches_literals() -> None:
    tree = ast.parse(
        'Static("Hello")\nself.notify(f"{n} saved")\nBinding("a", "b", "Go")\n'
        'x.border_title = "Calls"\nInput(placeholder="name")\nStatic("→")\nStatic(t("k"))\n'
        'box.update("shown")\n'
        "log.write(f\"[b]{t('k')}[/]\")"
    )
    found = [text for value in _shown_values(tree) for _, text in _literal_texts(value)]
    assert sorted(text for text in found if _wordy(text)) == [
        " saved",
        "Calls",
        "Go",
        "Hello",
        "name",
        "shown",
    ]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(TUI).as_posix())
def test_every_key_looked_up_exists(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    faces = path.parent.name == "widgets" and path.stem in ("faces", "desk_face")
    prefix = "faces." if faces else ""
    missing = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        key = node.args[0]
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            continue
        name = _name(node.func)
        if name in ("t", "Lazy", "known"):
            full = key.value
        elif prefix and name in ("text", "plain"):
            full = prefix + key.value
        else:
            continue
        if name != "known" and full not in CATALOGUE:
            missing.append(f"{path.name}:{node.lineno}: {full}")
    assert not missing, "\n".join(missing)


# -- the running app -------------------------------------------------------------------------


async def test_lang_id_shows_indonesian_footer_buttons_and_faces(
    tmp_path: Path, english: None
) -> None:
    app, backend = make_app(tmp_path, lang="id")
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause(0.3)

        def footer() -> list[str]:
            return [key.description for key in app.screen.query(FooterKey)]

        await until(lambda: "Peta" in footer(), pilot)
        shown = footer()
        for word in ("Ikuti", "Saring", "Peta", "Jejak", "Aplikasi", "Layanan", "Cerita"):
            assert word in shown
        assert not {"Follow", "Filter", "Map", "Stories"} & set(shown)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "peta: Saring" in titles and "log: Ikuti" in titles and "Keluar" in titles

        await pilot.press("5")
        await pilot.pause(0.3)
        assert str(app.screen.query_one("#run", Button).label) == "Jalankan"
        assert "Lanjut" in [key.description for key in app.screen.query(FooterKey)]

        await pilot.press("3")

        def labels(selector: str) -> list[str]:
            return [str(button.label) for button in app.screen.query(selector).results(Button)]

        await until(lambda: bool(labels(".social--buy")), pilot)
        assert labels(".social--buy") and set(labels(".social--buy")) == {"Beli"}
        assert labels("#pay") == ["Bayar"]
        assert labels("#check") == ["Cek"]

        await pilot.press("1")
        await until(lambda: isinstance(app.screen, MapScreen), pilot)
        call_map = app.screen.query_one(CallMap)
        await until(lambda: call_map.size.height > 0, pilot)
        drawn = "\n".join(call_map.render_line(y).text for y in range(call_map.size.height))
        assert "platform tr" in drawn and "registri ke" in drawn  # cut short in narrow boxes
        assert "transaction" not in drawn and "civil regis" not in drawn
    await backend.aclose()
