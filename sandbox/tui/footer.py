"""The footer: keys that fit, said as roomily as the width allows, and not restyled twice.

A footer shows every key by name with Textual's padding when they fit its width; without the
padding around the key letters when that is what fits; and otherwise with the number-row keys
in one group ("1234567 Screens"), so each screen's own keys and `? Help` stay on it. What fits
is measured from the keys the screen shows now, in the UI's language (`footer_fit`), each time
the footer is composed or resized: so 120 columns of the map group the screens while the
audit's few keys name them, and a key that appears (the presenter's `f`) regroups them.

Textual's Footer re-composes its keys whenever a screen is shown again. Each new `FooterKey`
starts compact (its own default) and is then bound to the footer's `compact`, which is False
in this app (a tight footer gets its padding from app.tcss instead): so every key added the
`-compact` class and removed it again, restyling itself and its parts twice. With some fifty
keys that was a large share of a screen switch (`1`, `2`...) in a profile. A key that starts
as the footer it lives in is restyled by neither step; it looks exactly the same.

Textual is pinned in pyproject.toml; `tests/tui/test_footer.py` fails if the footer stops
using these keys after an upgrade.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from rich.cells import cell_len
from textual import events
from textual.binding import ActiveBinding, Binding
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Footer, _footer


class QuietFooterKey(_footer.FooterKey):
    """A footer key that starts non-compact, as every footer in this app is; the command
    palette's key, which is not bound to its footer, stays compact as Textual draws it."""

    compact = reactive(False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.has_class("-command-palette"):
            self.set_reactive(QuietFooterKey.compact, True)
            self.add_class("-compact", update=False)


def install() -> None:
    """Make Footer build its keys as `QuietFooterKey` (it looks the class up when composing)."""
    _footer.FooterKey = QuietFooterKey  # type: ignore[misc]


SCREEN_KEYS = "switch_mode("
"""The action of the number-row keys (`1` Map, `2` Trace...) that switch screens."""


class Fit(enum.Enum):
    """How a footer shows its keys, from the roomiest to the most compact way."""

    ROOMY = "roomy"
    """Every key by name, with Textual's padding around the key letters."""
    TIGHT = "tight"
    """Every key by name, no padding around the key letters (`Footer.-tight`, app.tcss)."""
    GROUPED = "grouped"
    """The number-row keys in one group, `1234567 Screens`, the others with their padding."""
    GROUPED_TIGHT = "grouped-tight"
    """The number-row keys in one group, and no padding anywhere."""

    @property
    def tight(self) -> bool:
        """The footer drops the padding around the key letters."""
        return self in (Fit.TIGHT, Fit.GROUPED_TIGHT)

    @property
    def grouped(self) -> bool:
        """The number-row keys are one group."""
        return self in (Fit.GROUPED, Fit.GROUPED_TIGHT)


KeyDisplay = Callable[[Binding], str]
"""How the app writes a binding's key in the footer (`App.get_key_display`)."""


def footer_fit(
    active: dict[str, ActiveBinding], width: int, key_display: KeyDisplay, group_label: str
) -> Fit:
    """The roomiest `Fit` in which the footer's keys and the palette's key fit in `width`
    cells: every name before any padding, since a name tells a class where a key goes
    (`Fit.GROUPED_TIGHT` when none fits).

    The cells each key takes come from Textual's Footer and FooterKey styles and ours in
    app.tcss (`tests/tui/test_footer.py` checks them against the laid-out footer at several
    widths, in both languages). The descriptions are those of `active`, so the fit follows
    the language and the keys the screen shows now; `group_label` is the group's ("Screens").
    """
    for fit in Fit:
        if footer_cells(active, fit, key_display, group_label) <= width:
            return fit
    return Fit.GROUPED_TIGHT


def footer_cells(
    active: dict[str, ActiveBinding], fit: Fit, key_display: KeyDisplay, group_label: str
) -> int:
    """Cells the footer's keys take shown with `fit`, the palette's key docked on the right
    included."""
    shown = _shown(active)
    screens = [b for b in shown if b.action.startswith(SCREEN_KEYS)]
    grouped = fit.grouped and len(screens) > 1  # Footer groups two keys or more
    named = [b for b in shown if not (grouped and b in screens)]
    cells = sum(_key_cells(key_display(b), str(b.description), fit.tight) for b in named)
    if grouped:
        cells += _group_cells([key_display(b) for b in screens], group_label, fit.tight)
    return cells + _palette_cells(active, key_display)


SCREENS_LABEL = "footer.screens-label"
"""In a screen's `FOOTER_SPARE`: the group's name, leaving `12345678` (help names them)."""
SCREENS = "footer.screens"
"""In a screen's `FOOTER_SPARE`: the number-row keys themselves."""


def fitted_keys(
    active: dict[str, ActiveBinding],
    width: int,
    key_display: KeyDisplay,
    group_label: str,
    spare: Sequence[str],
) -> dict[str, ActiveBinding]:
    """`active` as a footer `width` cells wide shows it: the number-row keys grouped when
    their names do not fit, and then the `spare` keys left out, first one first, until the
    rest fits. Spare keys are binding ids, `SCREENS_LABEL` or `SCREENS`; left out of the
    footer, they stay in the keys panel, the help and the palette, and work as before."""
    if not footer_fit(active, width, key_display, group_label).grouped:
        return active
    active = grouped_screen_keys(active, group_label)
    for left_out in spare:
        if footer_cells(active, Fit.GROUPED_TIGHT, key_display, group_label) <= width:
            break
        if left_out == SCREENS_LABEL:
            group_label = ""
            active = grouped_screen_keys(active, group_label)
        else:
            active = _hidden(active, left_out)
    return active


def _hidden(active: dict[str, ActiveBinding], left_out: str) -> dict[str, ActiveBinding]:
    """`active` with the binding whose id is `left_out` (or the number-row keys, for
    `SCREENS`) kept out of the footer."""

    def out(binding: Binding) -> bool:
        if left_out == SCREENS:
            return binding.action.startswith(SCREEN_KEYS)
        return binding.id == left_out

    return {
        key: ActiveBinding(node, dataclasses.replace(binding, show=False), enabled, tooltip)
        if out(binding)
        else ActiveBinding(node, binding, enabled, tooltip)
        for key, (node, binding, enabled, tooltip) in active.items()
    }


def _shown(active: dict[str, ActiveBinding]) -> list[Binding]:
    """The bindings the footer shows: one per action, as Footer.compose picks them."""
    seen: dict[str, Binding] = {}
    for _node, binding, _enabled, _tooltip in active.values():
        if binding.show:
            seen.setdefault(binding.action, binding)
    return list(seen.values())


def _key_cells(display: str, description: str, tight: bool) -> int:
    """Cells one named footer key takes: Textual pads its letters `0 1` and its description
    `0 1 0 0`; a tight footer pads neither letter and the description `0 1 0 1`."""
    if not description:
        return cell_len(display)
    return cell_len(display) + cell_len(description) + (2 if tight else 3)


def _group_cells(displays: list[str], label: str, tight: bool) -> int:
    """Cells a compact key group takes: its letters side by side, padded by a cell on the
    left unless tight, a cell after them, and its label, if any, and a cell after that."""
    keys = (0 if tight else 1) + sum(cell_len(d) for d in displays) + 1
    return keys + (cell_len(label) + 1 if label else 0)


def _palette_cells(active: dict[str, ActiveBinding], key_display: KeyDisplay) -> int:
    """Cells the palette's key takes, docked on the right: its border, its letters, its
    description padded on both sides (tight) or on the left, and one cell after it."""
    palette = next((b for _n, b, _e, _t in active.values() if b.action == PALETTE), None)
    if palette is None:
        return 0
    return 1 + cell_len(key_display(palette)) + cell_len(str(palette.description)) + 3


def grouped_screen_keys(
    active: dict[str, ActiveBinding], description: str
) -> dict[str, ActiveBinding]:
    """`active` with the number-row keys in one compact footer group, `12345678 Screens`.

    At 80 columns (and at 120 on the map) "1 Map 2 Trace 3 Apps..." took most of the footer
    and pushed the screen's own keys and `? Help` off it. Grouped, the footer names them once;
    their own names stay in each key's tooltip, the help screen and the command palette, and
    the keys work as before.
    """
    group = Binding.Group(description, compact=True)
    return {
        key: ActiveBinding(node, dataclasses.replace(binding, group=group), enabled, tooltip)
        if binding.action.startswith(SCREEN_KEYS)
        else ActiveBinding(node, binding, enabled, tooltip)
        for key, (node, binding, enabled, tooltip) in active.items()
    }


PALETTE = "command_palette"
"""The action of the palette's key, which the footer docks on the right."""


class StageFooter(Footer):
    """The footer of every screen: tight (`-tight`) when its keys do not fit roomily.

    Whether the number-row keys are grouped is the screen's to say (its `active_bindings`,
    read by the keys panel and the palette too); both follow `footer_fit` over this width.
    """

    fit: Fit | None = None
    """The fit the keys were last composed for (None before the first)."""
    look: tuple[object, ...] = ()
    """The fit, the keys shown and the group's label last composed: a resize that changes
    any of them (a spare key left out or back) composes the keys again."""

    def compose(self) -> Iterable[Widget]:
        if self._bindings_ready:
            self.fit, self.look = self._look()
            self.set_class(self.fit.tight, "-tight")
        for widget in super().compose():
            # A group whose label was left out (`SCREENS_LABEL`) ends after its keys: an
            # empty label would add its margin, two spaces before the next key.
            if not (isinstance(widget, _footer.FooterLabel) and not widget.content):
                yield widget

    @property
    def cells_across(self) -> int:
        """Cells across the footer: its own once laid out, the screen's before."""
        return self.size.width or self.screen.size.width or self.app.size.width

    def on_resize(self, event: events.Resize) -> None:
        """Compose the keys again when the new width shows them otherwise."""
        if self.fit is not None and self._look()[1] != self.look:
            self.screen.refresh_bindings()

    def _look(self) -> tuple[Fit, tuple[object, ...]]:
        """The fit of the screen's keys at this width, and what it shows: the keys and the
        group's label (the one the screen gave, or none)."""
        active = self.screen.active_bindings
        shown = _shown(active)
        groups = (b.group for b in shown if b.action.startswith(SCREEN_KEYS))
        label = next((g.description for g in groups if g is not None), "")
        fit = footer_fit(active, self.cells_across, self.app.get_key_display, label)
        return fit, (fit, tuple(b.action for b in shown), label)
