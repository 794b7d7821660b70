"""Services installed as Python packages: the `integration_sandbox.services` entry points.

A teacher who distributes a course pack publishes a package whose `pyproject.toml` says

    [project.entry-points."integration_sandbox.services"]
    lab = "lab_pack:service"

where `lab_pack.service` is a `sandbox.extend.Service` (title, role, app factory, calls) or
simply the app factory `create_app(env)`. Once the package is installed, every sandbox runs the
service; a `sandbox.toml` can switch it off or give it credentials and a port.
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points
from typing import Any

from sandbox.runtime.registry import ServiceSpec

GROUP = "integration_sandbox.services"
log = logging.getLogger(__name__)


class PluginError(Exception):
    """An installed plugin could not be loaded; says which and why."""


def discover() -> list[ServiceSpec]:
    """Every service declared by an installed package, in name order."""
    specs = []
    for point in sorted(entry_points(group=GROUP), key=lambda p: p.name):
        dist = point.dist.name if point.dist else "?"
        try:
            declared = point.load()
        except Exception as exc:
            raise PluginError(
                f"plugin {point.name!r} (package {dist}): loading {point.value!r} "
                f"failed: {type(exc).__name__}: {exc}"
            ) from None
        specs.append(_spec(point.name, point.value, declared, dist))
    return specs


def _spec(name: str, value: str, declared: Any, dist: str) -> ServiceSpec:
    source = f"plugin package {dist}"
    if callable(declared) and not hasattr(declared, "app"):
        return ServiceSpec(
            name,
            name.replace("-", " ").title(),
            "plugin service",
            "back",
            0,
            value,
            kind="plugin",
            source=source,
        )
    app = getattr(declared, "app", "")
    if not isinstance(app, str) or ":" not in app:
        raise PluginError(
            f'plugin {name!r} (package {dist}): `app` must be "package.module:create_app"'
        )
    return ServiceSpec(
        name,
        getattr(declared, "title", name),
        getattr(declared, "role", ""),
        getattr(declared, "side", "back"),
        0,
        app,
        kind="plugin",
        calls=tuple(getattr(declared, "calls", ())),
        source=source,
    )
