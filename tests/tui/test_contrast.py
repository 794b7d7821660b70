"""Every text colour of the stage meets WCAG AA (4.5:1) on its backgrounds, in every theme.

Computed, not looked at: each `color:` of every stylesheet (the screens' .tcss files and the
widgets' DEFAULT_CSS) is resolved with the theme's variables, alpha and `auto` colours blended
as Textual blends them, and compared with the theme's background, surface and panel. The map
draws institution names and its quiet text in Python, from `$svc-*` and `$stage-muted`: those
are checked too. Disabled text (`$text-disabled`) is exempt, as WCAG exempts inactive parts.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.app import App
from textual.color import Color
from textual.widget import Widget

import sandbox.tui
from sandbox.tui.themes import CONTRAST, DARK, LIGHT, SERVICE_COLORS, THEME_OBJECTS

AA = 4.5
EXEMPT = {"$text-disabled"}
"""Inactive text (a call still waiting for its answer, a disabled option): exempt in WCAG."""
_COLOR = re.compile(r"(?<![-\w])color:\s*([^;}\n]+)")


def luminance(color: Color) -> float:
    """WCAG 2 relative luminance."""

    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def contrast(a: Color, b: Color) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def resolve(expression: str, variables: dict[str, str], background: Color) -> Color:
    """A CSS colour expression as drawn on `background` (alpha and `auto` blended)."""
    parts = expression.split()
    alpha = 1.0
    if len(parts) == 2 and parts[1].endswith("%"):
        alpha = float(parts[1][:-1]) / 100
    head = parts[0]
    if head.startswith("$"):
        value = variables[head[1:]]
        base = resolve(value, variables, background)
    elif head == "auto":
        base = background.get_contrast_text(1.0)
    else:
        base = Color.parse(head)
    if base.a < 1.0:
        alpha *= base.a
        base = base.with_alpha(1.0)
    return background.blend(base, alpha)


def stylesheets() -> Iterator[tuple[str, str]]:
    """(where, css) for every .tcss file and every DEFAULT_CSS in the UI package."""
    root = Path(sandbox.tui.__file__).parent
    for path in sorted(root.rglob("*.tcss")):
        yield str(path.relative_to(root)), path.read_text(encoding="utf-8")
    for module in pkgutil.walk_packages(sandbox.tui.__path__, "sandbox.tui."):
        loaded = importlib.import_module(module.name)
        for name, value in vars(loaded).items():
            if (
                isinstance(value, type)
                and issubclass(value, Widget)
                and (value.__module__ == loaded.__name__ and "DEFAULT_CSS" in vars(value))
            ):
                yield f"{module.name}.{name}", value.DEFAULT_CSS


def text_colours() -> list[tuple[str, str]]:
    found = [
        (where, m.group(1).strip()) for where, css in stylesheets() for m in _COLOR.finditer(css)
    ]
    found += [("the map (Python)", f"${name}") for name in SERVICE_COLORS]
    return found


class _ThemeApp(App[None]):
    def __init__(self, theme: str) -> None:
        super().__init__()
        for item in THEME_OBJECTS:
            self.register_theme(item)
        self.theme = theme

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return {**super().get_theme_variable_defaults(), **SERVICE_COLORS}


@pytest.mark.parametrize("theme", [DARK, LIGHT, CONTRAST])
def test_every_text_colour_meets_wcag_aa_on_every_background(theme: str) -> None:
    variables = _ThemeApp(theme).get_css_variables()
    colours = text_colours()
    assert len(colours) > 30, "the stylesheets were not all found"
    failures = []
    for background_name in ("background", "surface", "panel"):
        background = Color.parse(variables[background_name])
        for where, expression in colours:
            if expression.split()[0] in EXEMPT or expression.startswith("$block-cursor"):
                continue
            drawn = resolve(expression, variables, background)
            ratio = contrast(drawn, background)
            if ratio < AA:
                failures.append(f"{where}: {expression} on ${background_name} = {ratio:.2f}")
    assert not failures, "\n".join(sorted(set(failures)))


@pytest.mark.parametrize("theme", [DARK, LIGHT, CONTRAST])
def test_the_cursor_row_is_readable(theme: str) -> None:
    variables = _ThemeApp(theme).get_css_variables()
    for state in ("", "blurred-"):
        background = resolve(
            f"$block-cursor-{state}background", variables, Color.parse(variables["background"])
        )
        text = resolve(f"$block-cursor-{state}foreground", variables, background)
        assert contrast(text, background) >= AA, (state, text, background)


def test_the_contrast_formula_is_wcag_s() -> None:
    assert contrast(Color.parse("#000000"), Color.parse("#FFFFFF")) == pytest.approx(21.0)
    assert contrast(Color.parse("#767676"), Color.parse("#FFFFFF")) == pytest.approx(4.54, 0.01)
    grey = resolve("$x 50%", {"x": "#FFFFFF"}, Color.parse("#000000"))
    assert (grey.r, grey.g, grey.b) == (127, 127, 127) or (grey.r, grey.g, grey.b) == (128,) * 3
