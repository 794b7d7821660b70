"""One row of the benchmark table, and the table itself.

Every part of `python -m benchmarks` returns `Figure`s; `__main__` prints them as one table:
figure, value, baseline, ratio, aim, met?. A figure with no aim has an empty verdict; a missed
aim is shown as MISSED, never raised: the benchmarks measure, they do not fail.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass(frozen=True)
class Aim:
    """A target such as `<= 25 us` or `>= 0.8` (of the value, or `of_ratio` the ratio)."""

    op: str
    target: float
    of_ratio: bool = False

    def met(self, value: float | None, ratio: float | None) -> bool | None:
        """Whether the aim is met; None when there is nothing to compare."""
        subject = ratio if self.of_ratio else value
        return None if subject is None else _COMPARE[self.op](subject, self.target)

    def text(self, unit: str) -> str:
        """The aim as the table shows it."""
        if self.of_ratio:
            return f"ratio {self.op} {self.target:g}"
        return f"{self.op} {self.target:g} {unit}".rstrip()


@dataclass(frozen=True)
class Figure:
    """One measured figure: its value, what it is compared with, and the aim."""

    section: str
    name: str
    value: float | None
    unit: str = ""
    baseline: float | None = None
    baseline_name: str = ""
    aim: Aim | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """Value over baseline, when both are there."""
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    @property
    def met(self) -> bool | None:
        """Whether the figure meets its aim (None without an aim)."""
        return None if self.aim is None else self.aim.met(self.value, self.ratio)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for `--json`, with the ratio, aim text and verdict."""
        data = asdict(self)
        data["aim"] = self.aim.text(self.unit) if self.aim else ""
        data.update(ratio=self.ratio, met=self.met)
        return data


def number(value: float | None, unit: str = "") -> str:
    """A value with three significant figures or so, and its unit."""
    if value is None:
        return "-"
    if value == 0 or abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    elif abs(value) >= 1:
        text = f"{value:.2f}"
    else:
        text = f"{value:.3f}"
    return f"{text} {unit}".rstrip()


def verdict(met: bool | None) -> str:
    """What the met? column says."""
    return {True: "yes", False: "MISSED", None: ""}[met]


def render(figures: Iterable[Figure]) -> str:
    """The figures as one plain-text table, a header line per section."""
    head = ("figure", "value", "baseline", "ratio", "aim", "met?")
    rows: list[tuple[str, ...] | str] = []
    section = None
    for figure in figures:
        if figure.section != section:
            section = figure.section
            rows.append(section)
        baseline = number(figure.baseline, figure.unit)
        if figure.baseline_name and figure.baseline is not None:
            baseline = f"{baseline} ({figure.baseline_name})"
        ratio = "-" if figure.ratio is None else f"{figure.ratio:.2f}"
        aim = figure.aim.text(figure.unit) if figure.aim else ""
        rows.append(("  " + figure.name, number(figure.value, figure.unit), baseline, ratio,
                     aim, verdict(figure.met)))  # fmt: skip
    cells = [r for r in rows if isinstance(r, tuple)]
    widths = [max(len(head[i]), *(len(r[i]) for r in cells)) for i in range(len(head))]
    align = ("<", ">", ">", ">", "<", "<")

    def line(row: tuple[str, ...]) -> str:
        return "  ".join(f"{c:{a}{w}}" for c, a, w in zip(row, align, widths, strict=True))

    out = [line(head).rstrip(), "  ".join("-" * w for w in widths)]
    for row in rows:
        out.append(row if isinstance(row, str) else line(row).rstrip())
    return "\n".join(out)


def notes(figures: Iterable[Figure]) -> list[str]:
    """The notes attached to figures, numbered in table order."""
    return [f"{f.name}: {f.note}" for f in figures if f.note]
