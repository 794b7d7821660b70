"""The footer: keys that are not restyled twice, and the screen keys grouped when narrow.

Textual's Footer re-composes its keys whenever a screen is shown again. Each new `FooterKey`
starts compact (its own default) and is then bound to the footer's `compact`, which is False
in this app (narrow terminals get their padding from app.tcss instead): so every key added the
`-compact` class and removed it again, restyling itself and its parts twice. With some fifty
keys that was a large share of a screen switch (`1`, `2`...) in a profile. A key that starts
as the footer it lives in is restyled by neither step; it looks exactly the same.

Textual is pinned in pyproject.toml; `tests/tui/test_footer.py` fails if the footer stops
using these keys after an upgrade.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from textual.binding import ActiveBinding, Binding
from textual.reactive import reactive
from textual.widgets import _footer


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


def grouped_screen_keys(
    active: dict[str, ActiveBinding], description: str
) -> dict[str, ActiveBinding]:
    """`active` with the number-row keys in one compact footer group, `12345678 Screens`.

    At 80 columns "1 Map 2 Trace 3 Apps..." took most of the footer and pushed the screen's
    own keys and `? Help` off it. Grouped, the footer names them once; their own names stay in
    each key's tooltip, the help screen and the command palette (which read the bindings,
    not the footer), and the keys work as before.
    """
    group = Binding.Group(description, compact=True)
    return {
        key: ActiveBinding(node, dataclasses.replace(binding, group=group), enabled, tooltip)
        if binding.action.startswith(SCREEN_KEYS)
        else ActiveBinding(node, binding, enabled, tooltip)
        for key, (node, binding, enabled, tooltip) in active.items()
    }
