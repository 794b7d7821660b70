"""Every text the UI shows is a marked message, shown in the UI's language."""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from textual.app import App
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.screen import Screen
from textual.widgets import Button, Input, OptionList, Select
from textual.widgets._footer import FooterKey

from sandbox.language import LOCALES
from sandbox.tui import i18n
from sandbox.tui.app import SandboxApp
from sandbox.tui.i18n import Lazy, _, ngettext
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
SOURCES = sorted([TUI / "app.py", *TUI.glob("screens/*.py"), *TUI.glob("widgets/**/*.py")])
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
MARKERS = {"_", "ngettext", "pgettext", "N_", "Lazy"}
"""The calls that mark a message for the catalogue."""
ALLOWED = {"→", "✓", "✕", "∅", "…", "ms"}
"""Literals that may be shown as they are: symbols and units, the same in both languages."""
_MARKUP = re.compile(r"\[[^\]]*\]")


@pytest.fixture
def english() -> Iterator[None]:
    """Whatever a test switches to, the next one starts in English."""
    yield
    i18n.set_language("en")


# -- the messages ----------------------------------------------------------------------------


def test_markup_tags_are_the_same_in_both_languages() -> None:
    with (LOCALES / "id" / "LC_MESSAGES" / "ui.po").open("rb") as po:
        for message in read_po(po):
            if isinstance(message.id, str) and isinstance(message.string, str) and message.id:
                assert _MARKUP.findall(message.id) == _MARKUP.findall(message.string), message.id


def test_texts_follow_the_language(english: None) -> None:
    assert _("Run") == "Run"
    i18n.set_language("id")
    assert _("Run") == "Jalankan"
    assert _("{what} failed: {reason}").format(what="bank", reason="x") == "bank gagal: x"
    assert i18n.number(1234567) == "1.234.567"
    assert MapScreen.HELP.startswith("# Peta")
    i18n.set_language("en")
    assert i18n.number(1234567) == "1,234,567"
    assert MapScreen.HELP.startswith("# The map")
    with pytest.raises(ValueError):
        i18n.set_language("fr")


def test_a_count_takes_its_plural_form_and_indonesian_has_one(english: None) -> None:
    def calls(n: int) -> str:
        return ngettext("{count} call · {state}", "{count} calls · {state}", n).format(
            count=n, state="-"
        )

    assert [calls(n) for n in (0, 1, 2)] == ["0 calls · -", "1 call · -", "2 calls · -"]
    i18n.set_language("id")
    assert [calls(n) for n in (0, 1, 2)] == [
        "0 panggilan · -",
        "1 panggilan · -",
        "2 panggilan · -",
    ]


def test_a_lazy_text_is_looked_up_when_read_as_a_class_attribute(english: None) -> None:
    class Shown:
        HELP = Lazy("Run")

    back = Lazy("Back", "trace player")
    i18n.set_language("id")
    assert Shown.HELP == "Jalankan" and type(Shown.HELP) is str
    assert back == "Back" and back.translated() == "Mundur"  # a binding's text stays English
    assert Lazy("Back").translated() == "Kembali"  # the same English without the context


def test_built_in_roles_are_translated_and_a_users_own_words_are_kept(english: None) -> None:
    from sandbox.runtime.registry import BUILTIN

    for spec in BUILTIN:  # the registry's English is the message, word for word
        assert spec.role in i18n.ROLES, spec.name
    i18n.set_language("id")
    assert i18n.role_text("transaction platform", "builtin") == "platform transaksi"
    assert i18n.role_text("last-mile delivery", "module") == "last-mile delivery"
    assert i18n.role_text("transaction platform", "plugin") == "transaction platform"


def test_every_binding_has_an_id_and_texts_looked_up_when_shown() -> None:
    for cls in WITH_BINDINGS:
        for binding in cls.__dict__.get("BINDINGS", []):
            assert isinstance(binding, Binding), cls
            assert binding.id, f"{cls.__name__}: {binding.key} has no id"
            assert isinstance(binding.tooltip, Lazy), binding.id
            assert isinstance(binding.description, Lazy) or not binding.description, binding.id


def test_translate_binding_ours_as_marked_and_textual_by_its_action(english: None) -> None:
    i18n.set_language("id")
    follow = Binding("f", "x", Lazy("Newest"), id="log.follow", tooltip=Lazy("Newest"))
    ours = i18n.translate_binding(follow)
    assert (ours.description, ours.tooltip) == ("Terbaru", "Terbaru")
    assert type(ours.description) is str
    palette = Binding("ctrl+p", "command_palette", "palette", tooltip="Open the command palette")
    textual = i18n.translate_binding(palette)
    assert (textual.description, textual.tooltip) == ("palet", "Buka palet perintah")
    reworded = i18n.translate_binding(Binding("pageup", "page_up", "PgUp"))
    assert reworded.description == "Halaman naik"  # by its action, whatever Textual calls it
    hidden = Binding("up", "scroll_up", show=False)
    assert i18n.translate_binding(hidden) is hidden  # no words of its own: none added
    odd = Binding("z", "y", "Unknown words")
    assert i18n.translate_binding(odd) is odd
    i18n.set_language("en")
    assert i18n.translate_binding(follow) is follow
    assert i18n.translate_binding(palette) is palette


def _textual_bindings() -> list[Binding]:
    """The bindings Textual itself gives the app and the widgets the UI uses."""
    bindings = [binding for _key, binding in App()._bindings]  # the palette's is added here
    for widget in (Screen, ScrollableContainer, OptionList, Select, Input):
        for cls in widget.__mro__:
            bindings += [b for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, Binding)]
    return bindings


def test_textual_still_says_the_words_we_translate() -> None:
    """Fails on a Textual upgrade that rewords its bindings: update TEXTUAL_KEYS to match."""
    bindings = _textual_bindings()
    for action, (description, tooltip) in i18n.TEXTUAL_KEYS.items():
        said = {(b.description, b.tooltip) for b in bindings if b.action == action}
        assert said == {(description, tooltip)}, action


def test_textual_still_names_its_palette_commands_as_we_know_them() -> None:
    """Fails on a Textual upgrade that rewords or re-routes its palette commands."""
    source = textwrap.dedent(inspect.getsource(App.get_system_commands))
    commands = [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and _name(node.func) == "SystemCommand"
    ]
    assert len(commands) == len(i18n.TEXTUAL_COMMANDS) + len(i18n.TEXTUAL_BY_TITLE)
    for command in commands:
        title, help_text = (ast.literal_eval(arg) for arg in command.args[:2])
        callback = command.args[2]
        if isinstance(callback, ast.Lambda):  # names nothing: known by its English title
            assert i18n.TEXTUAL_BY_TITLE[title] == (title, help_text)
        else:
            assert i18n.TEXTUAL_COMMANDS[_name(callback)] == (title, help_text)


async def test_textual_commands_are_shown_in_the_ui_language(english: None) -> None:
    i18n.set_language("id")
    app: App[None] = App()
    async with app.run_test():
        shown = [i18n.textual_command(c) for c in app.get_system_commands(app.screen)]
    assert [c.title for c in shown] == ["Tema", "Keluar", "Tombol", "Tangkapan layar"]
    assert shown[1].help == "Keluar dari aplikasi secepatnya"


# -- the sources -----------------------------------------------------------------------------


def _literal_texts(node: ast.expr) -> Iterator[tuple[int, str]]:
    """String literals a value is built from (not those passed to calls such as `_`)."""
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
def test_no_user_facing_literal_is_left_unmarked(path: Path) -> None:
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
        'x.border_title = "Calls"\nInput(placeholder="name")\nStatic("→")\nStatic(_("k"))\n'
        'box.update("shown")\n'
        "title = _('k')\nlog.write(f\"[b]{title}[/]\")"
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
def test_no_message_is_marked_inside_an_f_string(path: Path) -> None:
    """pybabel cannot read a message inside an f-string: it would never be translated."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = [
        f"{path.name}:{node.lineno}"
        for fstring in ast.walk(tree)
        if isinstance(fstring, ast.JoinedStr)
        for node in ast.walk(fstring)
        if isinstance(node, ast.Call)
        and _name(node.func) in MARKERS
        and any(isinstance(arg, ast.Constant) for arg in node.args)
    ]
    assert not found, "\n".join(found)


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
        for word in ("Terbaru", "Saring", "Peta", "Jejak", "Aplikasi", "Layanan", "Cerita"):
            assert word in shown
        assert not {"Newest", "Filter", "Map", "Stories"} & set(shown)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "peta: Saring" in titles and "log: Terbaru" in titles and "Keluar" in titles

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
        assert "platform transaksi" in drawn and "kependudukan" in drawn
        assert "transaction" not in drawn and "civil regis" not in drawn
    await backend.aclose()
