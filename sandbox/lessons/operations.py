"""The operations each service offers, from its own OpenAPI document, for the linter.

A lesson that asks for `POST /v1/verfy` at the civil registry fails only when it runs, and a
`never` expectation with that typo never fails at all. The documents are read from the
services' apps, built in memory as the runtime builds them (no sockets), once per process.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.lessons.matching import path_regex
from sandbox.lessons.values import PLACEHOLDER

log = logging.getLogger(__name__)
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_TEMPLATE = re.compile(r"\{[^{}]+\}")


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of a service: `GET /api/v1/videos/{video_id}`."""

    method: str
    path: str


def documents(config: Path | None = None) -> dict[str, tuple[Operation, ...]]:
    """Service name to its operations: the built-in services, plus those `config` declares
    (a service whose app cannot be built here is left out, and so not checked)."""
    found = dict(_builtin())
    if config is not None:
        found.update(_declared(config.resolve()))
    return found


@functools.cache
def _builtin() -> tuple[tuple[str, tuple[Operation, ...]], ...]:
    from sandbox.runtime.registry import BUILTIN
    from sandbox.world import load_world

    return tuple(_operations_of(spec, load_world()) for spec in BUILTIN)


@functools.cache
def _declared(config: Path) -> tuple[tuple[str, tuple[Operation, ...]], ...]:
    from sandbox.runtime.config_file import load_config
    from sandbox.runtime.seeding import with_partners
    from sandbox.world import load_world

    try:
        loaded = load_config(config, plugins=False)
    except Exception as exc:  # the loader reports a broken config in its own words
        log.info("cannot read %s for its services' operations: %s", config, exc)
        return ()
    world = with_partners(load_world(), loaded.partners, {s.name: s.title for s in loaded.specs})
    found = []
    for spec in loaded.extra:
        try:
            found.append(_operations_of(spec, world))
        except Exception as exc:  # a user's service that does not build here: not checked
            log.info("cannot build %s for its operations: %s", spec.name, exc)
    return tuple(found)


def _operations_of(spec: Any, world: dict[str, Any]) -> tuple[str, tuple[Operation, ...]]:
    from sandbox.framework.service import ServiceEnv
    from sandbox.runtime.seeding import seed_for
    from sandbox.runtime.supervisor import build_app
    from sandbox.wire import Wire

    wire = Wire()  # never used to call: the app is built only for its document
    for name in world["partners"]:
        wire.set_url(name, "http://127.0.0.1:9")
    app = build_app(spec, ServiceEnv(spec.name, wire, seed_for(spec.name, world)))
    doc = app.openapi() if hasattr(app, "openapi") else {}
    operations = [
        Operation(method.upper(), path)
        for path, item in (doc.get("paths") or {}).items()
        if isinstance(item, dict)
        for method in item
        if method.upper() in HTTP_METHODS
    ]
    return spec.name, tuple(operations)


def _segments(path: str) -> list[str]:
    return path.strip("/").split("/") if path.strip("/") else []


def _fits(pattern: list[str], template: list[str]) -> bool:
    """Can a call matched by `pattern` (`*` one segment, `**` any) be one of `template`'s
    (`{name}` one segment, `{name:path}` any)?"""
    if not pattern:
        return not template or template == ["{path:path}"]
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_fits(rest, template[i:]) for i in range(len(template) + 1))
    if not template:
        return False
    if template[0].endswith(":path}"):
        return any(_fits(pattern[i:], template[1:]) for i in range(1, len(pattern) + 1))
    same = _TEMPLATE.fullmatch(template[0]) is not None or path_regex(head).fullmatch(template[0])
    return bool(same) and _fits(rest, template[1:])


def matching(operations: tuple[Operation, ...], path: str, method: str | None) -> list[Operation]:
    """The operations a call to `path` (a lesson's pattern, placeholders as `*`) could be."""
    pattern = _segments(PLACEHOLDER.sub("*", path.split("?", 1)[0]))
    return [
        op
        for op in operations
        if (method is None or op.method == method.upper()) and _fits(pattern, _segments(op.path))
    ]
