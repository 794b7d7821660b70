"""The human-language keys of a step's TOML block: one text, or one text per language.

A step's machine part is written once, in en.md, and shared by every language; only `label`,
`because` and `hints` are read by people, so they may hold a text per language:

    label.en = "the order is created"
    label.id = "pesanan dibuat"

`resolve` turns a block's data into the data of one language (and points `after`, which names
a label in any language, at the label of that language), reporting what is missing.
"""

from __future__ import annotations

from typing import Any

from sandbox.lessons.model import LANGS
from sandbox.lessons.step_check import HUMAN_KEYS

Problem = tuple[str, int, str, str, str]
"""(table: "action" or "expect", its index, the key, the message, the hint)."""


def _texts(value: Any) -> dict[str, Any] | None:
    """The per-language table of a human key, or None when it is one text for all."""
    if isinstance(value, dict) and value and all(k in LANGS for k in value):
        return value
    return None


def resolve(data: dict[str, Any], lang: str, shared: bool) -> tuple[dict[str, Any], list[Problem]]:
    """`data` with every human key in `lang`, and the problems found.

    Args:
        shared: the block comes from en.md for another language's file, so a human key
            written as one text has no translation.
    """
    problems: list[Problem] = []
    out = dict(data)
    action = data.get("action")
    if isinstance(action, dict):
        out["action"] = _one(action, ("action", 0), lang, shared, problems)
    expects = data.get("expect")
    if isinstance(expects, list):
        resolved = [
            _one(e, ("expect", i), lang, shared, problems) if isinstance(e, dict) else e
            for i, e in enumerate(expects)
        ]
        out["expect"] = _point_after(expects, resolved, lang)
    return out, problems


def _one(
    table: dict[str, Any], where: tuple[str, int], lang: str, shared: bool, problems: list[Problem]
) -> dict[str, Any]:
    out = dict(table)
    for key in HUMAN_KEYS:
        if key not in table:
            continue
        value = table[key]
        texts = _texts(value)
        if texts is None and isinstance(value, dict):
            problems.append(
                (
                    *where,
                    key,
                    f"`{key}` is a table of {', '.join(map(repr, value))}, not of languages",
                    f"one text, or one per language: {key}.en = ... and {key}.id = ...",
                )
            )
            out.pop(key)
        elif texts is None:
            if shared:
                problems.append(
                    (
                        *where,
                        key,
                        f"`{key}` has no {lang} text for {lang}.md, which shares this block",
                        f"write {key}.en = ... and {key}.{lang} = ... here",
                    )
                )
        elif lang not in texts:
            problems.append(
                (
                    *where,
                    key,
                    f"`{key}` has no {lang} text",
                    f"add {key}.{lang} = ... next to {', '.join(f'{key}.{k}' for k in texts)}",
                )
            )
            out[key] = next(iter(texts.values()))
        else:
            out[key] = texts[lang]
    return out


def _point_after(raw: list[Any], resolved: list[Any], lang: str) -> list[Any]:
    """`after` may name a label in any language; it then names that label in `lang`."""
    labels: dict[str, str] = {}
    for before, now in zip(raw, resolved, strict=True):
        if isinstance(before, dict) and isinstance(now, dict) and "label" in before:
            texts = _texts(before["label"]) or {lang: before["label"]}
            for text in texts.values():
                if isinstance(text, str) and isinstance(now.get("label"), str):
                    labels.setdefault(text, now["label"])
    out = []
    for entry in resolved:
        if isinstance(entry, dict) and isinstance(entry.get("after"), str):
            entry = {**entry, "after": labels.get(entry["after"], entry["after"])}
        out.append(entry)
    return out
