"""The stage's themes: dark, light and high contrast, every text colour readable on each.

A room reads the stage from the back, often off a washed-out projector, so every colour text
is drawn in meets WCAG AA (4.5:1) against the backgrounds it is drawn on; tests/tui/
test_contrast.py computes it from these variables and from every stylesheet. Textual's own
light theme misses that for `$text-success` and `$text-warning` (3.8 and 3.3 on its
background), so the light theme sets darker ones. Each institution has an accent
(`$svc-bank`...), tuned per theme; `$stage-muted` is the map's quiet text (roles, counts,
the caption).

`ctrl+t` cycles through the three themes; `--theme` picks one at start-up.
"""

from __future__ import annotations

import dataclasses
from typing import Final

from textual.theme import BUILTIN_THEMES, Theme

DARK, LIGHT, CONTRAST = "sandbox-dark", "sandbox-light", "sandbox-contrast"
THEMES: Final = {"dark": DARK, "light": LIGHT, "contrast": CONTRAST}
"""The `--theme` choices and the theme each names."""

_ACCENTS: Final[dict[str, dict[str, str]]] = {
    DARK: {
        "svc-social": "#F472B6",
        "svc-marketplace": "#FB923C",
        "svc-bank": "#60A5FA",
        "svc-identity": "#C084FC",
        "svc-hospital": "#2DD4BF",
        "svc-records": "#EAB308",
        "svc-insurance": "#22D3EE",
        "svc-default": "#A8B3C4",
        "stage-muted": "#A3A3A3",
        "text-secondary": "#7AA0BA",
        "block-cursor-background": "#005A9E",
    },
    LIGHT: {
        "svc-social": "#9D174D",
        "svc-marketplace": "#8F2F10",
        "svc-bank": "#1B4ACF",
        "svc-identity": "#6B21A8",
        "svc-hospital": "#0B5E57",
        "svc-records": "#7A460C",
        "svc-insurance": "#0A5A70",
        "svc-default": "#475569",
        "stage-muted": "#4F4F4F",
        "text-success": "#245A34",
        "text-warning": "#714912",
        "text-accent": "#714912",
    },
    CONTRAST: {
        "svc-social": "#FF8AD8",
        "svc-marketplace": "#FFB36B",
        "svc-bank": "#8EC5FF",
        "svc-identity": "#DDB3FF",
        "svc-hospital": "#5EEAD4",
        "svc-records": "#FDE047",
        "svc-insurance": "#67E8F9",
        "svc-default": "#D5DEE8",
        "stage-muted": "#D0D0D0",
        "text-success": "#6BF59A",
        "text-warning": "#FFE066",
        "text-error": "#FF8A8A",
        "text-primary": "#8EC5FF",
        "text-secondary": "#B9D8FF",
        "text-accent": "#FFE066",
        "border": "#FFFFFF",
        "footer-key-foreground": "#FFE066",
    },
}
SERVICE_COLORS: Final = _ACCENTS[DARK]
"""Defaults of the stage's own variables, for any theme that does not set them."""


def _themes() -> list[Theme]:
    dark, light = BUILTIN_THEMES["textual-dark"], BUILTIN_THEMES["textual-light"]
    contrast = Theme(
        name=CONTRAST,
        primary="#3FA9FF",
        secondary="#8EC5FF",
        warning="#FFD23F",
        error="#FF5C5C",
        success="#3FE07F",
        accent="#FFD23F",
        foreground="#FFFFFF",
        background="#000000",
        surface="#0A0A0A",
        panel="#1A1A1A",
        dark=True,
    )
    return [
        dataclasses.replace(theme, name=name, variables={**theme.variables, **_ACCENTS[name]})
        for name, theme in ((DARK, dark), (LIGHT, light), (CONTRAST, contrast))
    ]


THEME_OBJECTS: Final = tuple(_themes())
"""The three themes, for `App.register_theme`."""


def next_theme(current: str) -> str:
    """The theme after `current` in the cycle dark, light, high contrast."""
    order = [DARK, LIGHT, CONTRAST]
    return order[(order.index(current) + 1) % len(order)] if current in order else DARK
