"""Which institutions exist, what they are, and where they listen.

The one source of truth for the service list: the runtime, the CLI, the UI, lessons and audit
all read it. The built-in institutions are listed here; a `sandbox.toml` and installed plugins
add the user's own services (see `sandbox.runtime.config_file`). Ports are `port_base + offset`
unless a service names its own `port`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """One institution in the registry."""

    name: str
    """Slug used everywhere: package, trace events, CLI, lessons."""
    title: str
    """The institution's display name in the story."""
    role: str
    """What it is, in a few words ("storefront", "civil registry")."""
    side: Literal["front", "back"]
    """Front apps face people; back-ends face partners."""
    offset: int
    """Port offset from the base port."""
    factory: str
    """`module:attr`: a function building its ASGI app from a `ServiceEnv`, or an ASGI app.
    Empty for a service that runs elsewhere (`url`)."""
    kind: Literal["builtin", "module", "url", "plugin"] = "builtin"
    """Where it comes from: this package, the user's folder, a URL, or an installed plugin."""
    url: str = ""
    """For `kind == "url"`: where the service really runs; the sandbox fronts it with a
    recording proxy on the service's own port."""
    port: int | None = None
    """A fixed port instead of `port_base + offset`."""
    calls: tuple[str, ...] = ()
    """Institutions it calls as a partner (it holds credentials there)."""
    start: bool = True
    """False: declared, but started later (`POST /services/{name}/start` on the control API),
    as a lesson adds a service in front of the learner."""
    source: str = ""
    """Where it was declared ("sandbox.toml:12", a plugin's distribution), for messages."""
    platform: bool = False
    """It owns the transactions others only show (the marketplace): the map's middle lane."""
    public: bool | None = None
    """People call it directly (an app, a checkout page, a desk); None: the front apps do."""

    @property
    def lane(self) -> Literal["front", "platform", "back"]:
        """Where the map draws it: front apps, the platform, or the back-ends behind them."""
        return "platform" if self.platform else self.side

    @property
    def faces_people(self) -> bool:
        """True when people call it themselves (the map draws their arrows to it)."""
        return self.side == "front" if self.public is None else self.public

    def load_factory(self) -> Callable[..., Any]:
        """Import the app factory (or the app itself)."""
        module, _, attr = self.factory.partition(":")
        factory: Callable[..., Any] = getattr(importlib.import_module(module), attr)
        return factory


BUILTIN: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        "social",
        "Klip",
        "storefront (short-video app)",
        "front",
        1,
        "sandbox.services.social:create_app",
    ),
    ServiceSpec(
        "marketplace",
        "Pasarloka",
        "transaction platform",
        "back",
        2,
        "sandbox.services.marketplace:create_app",
        platform=True,
        public=True,
    ),
    ServiceSpec(
        "bank",
        "Bank Contoh",
        "bank (accounts, virtual accounts)",
        "back",
        3,
        "sandbox.services.bank:create_app",
        public=True,
    ),
    ServiceSpec(
        "identity",
        "Registri Penduduk",
        "civil registry",
        "back",
        4,
        "sandbox.services.identity:create_app",
    ),
    ServiceSpec(
        "hospital",
        "RSUD Sukamaju",
        "hospital front desk",
        "front",
        5,
        "sandbox.services.hospital:create_app",
    ),
    ServiceSpec(
        "records",
        "Rekam Medis",
        "health-records platform (FHIR)",
        "back",
        6,
        "sandbox.services.records:create_app",
    ),
    ServiceSpec(
        "insurance",
        "Jaminan Kesehatan",
        "national health insurer",
        "back",
        7,
        "sandbox.services.insurance:create_app",
    ),
)
CONTROL_OFFSET = 0
"""The control API (health, reset, event stream) listens on the base port itself."""


def by_name(name: str, specs: tuple[ServiceSpec, ...] = BUILTIN) -> ServiceSpec:
    """The spec called `name`, or a LookupError listing the known names."""
    for spec in specs:
        if spec.name == name:
            return spec
    known = ", ".join(s.name for s in specs)
    raise LookupError(f"unknown service {name!r}; known services: {known}")
