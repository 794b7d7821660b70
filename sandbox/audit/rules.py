"""Rule sets as data: one TOML file per set, each rule a kind plus its parameters.

A rule file looks like this (see `rulesets/*.toml`):

    id = "commerce"
    title = "Social commerce"
    period_months = 12               # optional: how long a passed audit lasts (default 12)

    [[rules]]
    id = "SOC-PAY"
    title = "The social app never calls the bank"
    kind = "forbidden_edge"
    why = "Permendag 31/2023 Art. 21(3): ..."
    [rules.translations.id]          # optional: the same texts for a learner in Indonesian
    title = "Aplikasi sosial tidak pernah memanggil bank"
    why = "Permendag 31/2023 Pasal 21(3): ..."
    [rules.params]
    edges = [["social", "bank"]]

English is the rule's own language; a text missing in a translation falls back to it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.audit.ageing import DEFAULT_PERIOD_MONTHS, MAX_PERIOD_MONTHS
from sandbox.audit.checks import CHECKS

RULESET_DIR = Path(__file__).parent / "rulesets"


class RuleError(ValueError):
    """A rule file that cannot be read or names an unknown kind."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One checkable rule."""

    id: str
    title: str
    kind: str
    """Which Python check runs it (a key of `checks.CHECKS`)."""
    why: str
    """The reason in plain language, for a teacher or a student."""
    params: dict[str, Any] = field(default_factory=dict)
    ruleset: str = ""
    translations: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Language code -> (title, why), for learners reading another language than English."""

    def title_in(self, lang: str) -> str:
        """The title in `lang`, or in English when the rule file has no such translation."""
        return self.translations.get(lang, (self.title, self.why))[0]

    def why_in(self, lang: str) -> str:
        """The reason in `lang`, or in English when the rule file has no such translation."""
        return self.translations.get(lang, (self.title, self.why))[1]


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The rules of one file."""

    id: str
    title: str
    rules: tuple[Rule, ...]
    path: Path | None = None
    titles: dict[str, str] = field(default_factory=dict)
    """Language code -> the set's title in that language."""
    period_months: int = DEFAULT_PERIOD_MONTHS
    """How long a passed audit of this set lasts on the shared clock (`period_months`)."""

    def title_in(self, lang: str) -> str:
        """The set's title in `lang`, English when it has none."""
        return self.titles.get(lang, self.title)


def parse_ruleset(data: dict[str, Any], path: Path | None = None) -> RuleSet:
    """A RuleSet from parsed TOML; raises RuleError naming what is missing."""
    where = str(path) if path else "rule set"
    set_id = data.get("id") or (path.stem if path else "")
    if not set_id:
        raise RuleError(f"{where}: missing `id`")
    rules: list[Rule] = []
    for n, raw in enumerate(data.get("rules", []), 1):
        missing = [k for k in ("id", "title", "kind", "why") if not raw.get(k)]
        if missing:
            raise RuleError(f"{where}: rule {n} lacks {', '.join(missing)}")
        if raw["kind"] not in CHECKS:
            raise RuleError(
                f"{where}: rule {raw['id']} has unknown kind {raw['kind']!r}; "
                f"known kinds: {', '.join(sorted(CHECKS))}"
            )
        params = raw.get("params", {})
        if not isinstance(params, dict):
            raise RuleError(f"{where}: rule {raw['id']}: `params` must be a table")
        translations = {
            lang: (" ".join(text["title"].split()), " ".join(text["why"].split()))
            for lang, text in _translations(raw, f"{where}: rule {raw['id']}", ("title", "why"))
        }
        rules.append(
            Rule(
                id=str(raw["id"]),
                title=str(raw["title"]),
                kind=str(raw["kind"]),
                why=" ".join(str(raw["why"]).split()),
                params=params,
                ruleset=str(set_id),
                translations=translations,
            )
        )
    titles = {lang: text["title"] for lang, text in _translations(data, where, ("title",))}
    period = data.get("period_months", DEFAULT_PERIOD_MONTHS)
    if type(period) is not int or not 1 <= period <= MAX_PERIOD_MONTHS:
        raise RuleError(
            f"{where}: `period_months` must be a whole number of months from 1 to "
            f"{MAX_PERIOD_MONTHS} (how long a passed audit lasts), not {period!r}"
        )
    return RuleSet(
        id=str(set_id),
        title=str(data.get("title", set_id)),
        rules=tuple(rules),
        path=path,
        titles=titles,
        period_months=period,
    )


def _translations(
    raw: dict[str, Any], where: str, fields: tuple[str, ...]
) -> list[tuple[str, dict[str, str]]]:
    """The `[translations.<lang>]` tables of a rule or set, each with every one of `fields`."""
    tables = raw.get("translations", {})
    if not isinstance(tables, dict):
        raise RuleError(f"{where}: `translations` must be a table of languages")
    found = []
    for lang, text in tables.items():
        if not isinstance(text, dict):
            raise RuleError(f"{where}: translation {lang!r} must be a table ({', '.join(fields)})")
        missing = [f for f in fields if not isinstance(text.get(f), str) or not text[f].strip()]
        if missing:
            raise RuleError(f"{where}: translation {lang!r} lacks {', '.join(missing)}")
        extra = sorted(set(text) - set(fields))
        if extra:
            raise RuleError(
                f"{where}: translation {lang!r} has unknown {', '.join(extra)} "
                f"(a translation holds {', '.join(fields)})"
            )
        found.append((str(lang), {f: str(text[f]) for f in fields}))
    return found


def load_ruleset(path: Path) -> RuleSet:
    """Read one rule file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RuleError(f"{path}: {exc}") from exc
    return parse_ruleset(data, path)


def load_rulesets(directory: Path = RULESET_DIR) -> list[RuleSet]:
    """Every `*.toml` rule set in `directory`, by file name; rule ids must be unique."""
    sets = [load_ruleset(p) for p in sorted(directory.glob("*.toml"))]
    seen: dict[str, str] = {}
    for ruleset in sets:
        for rule in ruleset.rules:
            if rule.id in seen:
                raise RuleError(
                    f"rule {rule.id} is defined in both {seen[rule.id]} and {ruleset.id}"
                )
            seen[rule.id] = ruleset.id
    return sets
