"""The UI's language and its messages, marked where they are shown (gettext's `ui` domain).

Widgets and screens mark every text they show, with its English as the message id
(docs/translating.md); nothing user-facing is a bare literal (a test reads the sources):

- `_("Connected to the sandbox at {url}").format(url=url)`, `ngettext(singular, plural, n)`
  and `pgettext(context, message)` look a message up in the current language now.
- `N_("healthy")` marks a message in a table that is looked up later: `_(HEALTH[state])`.
- `Lazy(message)` is looked up each time it is read, since the language is chosen at start-up
  (`--lang id`), after the classes are made:
  - `HELP = Lazy("# The map ...")`: Textual and the help screen read `HELP` when they show it.
  - Key bindings. Textual turns `BINDINGS` into binding maps when a class is created, so a
    `Binding` keeps `Lazy` English as description and tooltip; the screens derive from
    `TranslatedBindings`, whose `active_bindings` (what the footer, the keys panel and the
    command palette read) swap each binding for a copy in the current language. Key dispatch
    and keymaps are untouched. `Lazy(message, context)` is the `pgettext` form.
  - Textual's own bindings and palette commands are not ours to mark. Textual gives them no
    id, so they are known by what they do: a binding by its action (`TEXTUAL_KEYS`), a
    command by the method it runs (`textual_command`). The app opens the palette with a
    translated search prompt.
- Faces write markup with `{name}` placeholders: `widgets.faces.text(_("..."), name=...)`
  turns them into Textual's escaped `${name}` template variables.

Institution names, HTTP methods, paths, status codes, header and field names, and what the
institutions themselves answer stay as they are in both languages.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any, ClassVar, Final

from textual.binding import ActiveBinding, Binding
from textual.content import Content

from sandbox.language import LANGUAGES, N_, texts
from sandbox.language import decimal as decimal_in
from sandbox.language import number as number_in
from sandbox.tui.footer import SCREENS, SCREENS_LABEL, StageFooter, fitted_keys

if TYPE_CHECKING:
    from textual.app import SystemCommand
    from textual.screen import Screen

    _ScreenBase = Screen[Any]
else:
    _ScreenBase = object

__all__ = [
    "N_",
    "Lazy",
    "TranslatedBindings",
    "_",
    "language",
    "ngettext",
    "number",
    "decimal",
    "filled",
    "pgettext",
    "role_text",
    "set_language",
    "textual_command",
    "translate_binding",
]

_lang = "en"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_messages = texts("ui", _lang)

ROLES: Final = frozenset(
    {
        N_("storefront (short-video app)"),
        N_("transaction platform"),
        N_("bank (accounts, virtual accounts)"),
        N_("civil registry"),
        N_("hospital front desk"),
        N_("health-records platform (FHIR)"),
        N_("national health insurer"),
    }
)
"""What the built-in institutions are, as the registry says it in English."""


def set_language(lang: str) -> None:
    """Choose the UI language (`en` or `id`)."""
    global _lang, _messages
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    _lang, _messages = lang, texts("ui", lang)


def language() -> str:
    """The current UI language."""
    return _lang


def _(message: str) -> str:
    """`message` in the UI's language; `.format()` its placeholders afterwards."""
    return str(_messages(message))


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for the count `n`, in the UI's language."""
    return str(_messages.ngettext(singular, plural, n))


def pgettext(context: str, message: str) -> str:
    """`message` as translated in `context`, in the UI's language."""
    return str(_messages.pgettext(context, message))


def role_text(role: str, kind: str) -> str:
    """What a service is, in the current language: built-in institutions are translated,
    a user's own service keeps the words its author wrote in sandbox.toml."""
    return _(role) if kind == "builtin" and role in ROLES else role


def filled(markup: str, **values: object) -> Content:
    """A translated markup template with its `{placeholders}` filled as plain text.

    The template's own markup (`[b]{title}[/]`) is ours and styles the line; the values are
    not (an institution's name, a URL, a message from the wire), so they become Textual
    template variables, which are escaped: `[@click=...]` in a value stays text.
    """
    return Content.from_markup(
        _PLACEHOLDER.sub(r"${\1}", markup), **{k: str(v) for k, v in values.items()}
    )


def number(value: int) -> str:
    """A count in the UI's language (`sandbox.language.number`): 12,345 or 12.345."""
    return number_in(value, _lang)


def decimal(value: float) -> str:
    """A measure in the UI's language, to one decimal: 2.5 or 2,5."""
    return decimal_in(value, _lang)


TEXTUAL_KEYS: Final[dict[str, tuple[str, str]]] = {
    "quit": (N_("Quit"), N_("Quit the app and return to the command prompt.")),
    "command_palette": (N_("palette"), N_("Open the command palette")),
    "app.focus_next": (N_("Focus Next"), ""),
    "app.focus_previous": (N_("Focus Previous"), ""),
    "screen.copy_text": (N_("Copy selected text"), ""),
    "copy": (N_("Copy selected text"), ""),
    "scroll_up": (N_("Scroll Up"), ""),
    "scroll_down": (N_("Scroll Down"), ""),
    "scroll_left": (N_("Scroll Left"), ""),
    "scroll_right": (N_("Scroll Right"), ""),
    "scroll_home": (N_("Scroll Home"), ""),
    "scroll_end": (N_("Scroll End"), ""),
    "page_up": (N_("Page Up"), ""),
    "page_down": (N_("Page Down"), ""),
    "page_left": (N_("Page Left"), ""),
    "page_right": (N_("Page Right"), ""),
    "cursor_up": (N_("Up"), ""),
    "cursor_down": (N_("Down"), ""),
    "first": (N_("First"), ""),
    "last": (N_("Last"), ""),
    "select": (N_("Select"), ""),
    "show_overlay": (N_("Show menu"), ""),
}
"""Textual's own bindings (App, Screen, scrolling, OptionList, Select, Input) by their action:
Textual gives them no id, and an action stays what it is whatever key a keymap binds to it."""
TEXTUAL_COMMANDS: Final[dict[str, tuple[str, str]]] = {
    "action_change_theme": (N_("Theme"), N_("Change the current theme")),
    "action_quit": (N_("Quit"), N_("Quit the application as soon as possible")),
    "action_show_help_panel": (
        N_("Keys"),
        N_("Show help for the focused widget and a summary of available keys"),
    ),
    "action_hide_help_panel": (N_("Keys"), N_("Hide the keys and widget help panel")),
    "action_maximize": (N_("Maximize"), N_("Maximize the focused widget")),
    "action_minimize": (N_("Minimize"), N_("Minimize the widget and restore to normal size")),
}
"""Textual's own palette commands by the method they run."""
TEXTUAL_BY_TITLE: Final[dict[str, tuple[str, str]]] = {
    "Screenshot": (N_("Screenshot"), N_("Save an SVG 'screenshot' of the current screen")),
}
"""The palette commands Textual runs through a lambda, which names nothing: by English title."""


def textual_command(command: SystemCommand) -> SystemCommand:
    """One of Textual's own palette commands in the UI's language.

    Known by the method it runs; Textual's screenshot command runs a lambda, so that one alone
    is known by its English title (tests/tui/test_i18n.py fails if Textual rewords it).
    """
    words = TEXTUAL_COMMANDS.get(getattr(command.callback, "__name__", ""))
    if words is None:
        words = TEXTUAL_BY_TITLE.get(command.title)
    if words is None:
        return command
    return command._replace(title=_(words[0]), help=_(words[1]))


class Lazy(str):
    """An English message shown in the UI's language, looked up each time it is shown.

    As a class attribute (`HELP = Lazy("...")`) it reads as its translation. As a binding's
    description or tooltip it stays English (Textual reads bindings at import) until
    `TranslatedBindings` shows it. `Lazy(message, context)` is `pgettext`'s form, for one
    English text with two translations.
    """

    context: str

    def __new__(cls, message: str, context: str = "") -> Lazy:
        lazy = super().__new__(cls, message)
        lazy.context = context
        return lazy

    def __get__(self, instance: object, owner: type | None = None) -> str:
        return self.translated()

    def translated(self) -> str:
        """The message in the UI's current language."""
        return pgettext(self.context, str(self)) if self.context else _(str(self))


def translate_binding(binding: Binding) -> Binding:
    """`binding` with its description and tooltip in the current language.

    Ours are `Lazy` texts; Textual's own are known by their action (`TEXTUAL_KEYS`).
    """
    description, tooltip = binding.description, binding.tooltip
    if isinstance(description, Lazy) or isinstance(tooltip, Lazy):
        description = description.translated() if isinstance(description, Lazy) else description
        tooltip = tooltip.translated() if isinstance(tooltip, Lazy) else tooltip
    elif (words := TEXTUAL_KEYS.get(binding.action)) is not None:
        description = _(words[0]) if description else ""
        tooltip = _(words[1]) if tooltip else ""
    if description == binding.description and tooltip == binding.tooltip:
        return binding
    return dataclasses.replace(binding, description=description, tooltip=tooltip)


class TranslatedBindings(_ScreenBase):
    """Mixin for screens: the bindings they show (footer, keys panel, palette) translated.

    Put it before the screen class: `class MapScreen(TranslatedBindings, Screen[None])`.
    """

    FOOTER_SPARE: ClassVar[tuple[str, ...]] = (SCREENS_LABEL, SCREENS)
    """What the footer may leave out, first one first, when even with the number-row keys
    grouped the keys do not fit its width: binding ids, `SCREENS_LABEL`, `SCREENS`
    (sandbox/tui/footer.py). Left out of the footer, a key still works and is in the help."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """Textual's active bindings, each with its description and tooltip translated."""
        active: dict[str, ActiveBinding] = {}
        for key, (node, binding, enabled, tooltip) in super().active_bindings.items():
            translated = translate_binding(binding)
            if tooltip == binding.tooltip:
                tooltip = translated.tooltip
            active[key] = ActiveBinding(node, translated, enabled, tooltip)
        # TRANSLATORS: after the number-row keys in a narrow footer: "12345678 Screens".
        label = _("Screens")
        width, key_display = self._footer_cells(), self.app.get_key_display
        return fitted_keys(active, width, key_display, label, self.FOOTER_SPARE)

    def _footer_cells(self) -> int:
        """Cells across this screen's footer (a direct child, docked at the bottom)."""
        footer = next((c for c in self.children if isinstance(c, StageFooter)), None)
        return footer.cells_across if footer is not None else self.size.width or self.app.size.width
