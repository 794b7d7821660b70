"""What the runtime hands an institution when it builds it.

An institution is a factory `create_app(env: ServiceEnv) -> FastAPI`. The env carries the only
things a service may depend on: its name, the wire, its own slice of the seeded world, the
path of its own database, the deliberately non-compliant teaching variants switched on and the
book of the partners it accepts. The app keeps its store on `app.state.store`, which has
`reset(seed)` to restore the seeded world, and may start background loops in its lifespan.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.framework.partner_book import PartnerBook
from sandbox.wire.client import Wire


@dataclass(frozen=True, slots=True)
class ServiceEnv:
    """Dependencies of one institution."""

    name: str
    """The service slug: social, marketplace, bank, identity."""
    wire: Wire
    """Partner clients, inbound instrumentation and the clock (`wire.clock()`)."""
    seed: dict[str, Any]
    """`data` (its own rows), `accepts` (credentials of partners allowed to call it, by caller)
    and `holds` (its own credentials at other institutions, by callee)."""
    db_path: Path | None = None
    """Its SQLite file; None keeps the database in memory (tests)."""
    variants: frozenset[str] = frozenset()
    """Deliberate non-compliance switched on for teaching (`sandbox up --variant NAME`), so the
    audit can be seen failing for a real reason; empty, and so fully compliant, by default.
    A service checks only for the names it implements (see `sandbox.config.VARIANTS`)."""
    partners: PartnerBook | None = None
    """The partners allowed to call it, kept current by the runtime while it runs (a partner
    registered meanwhile is let in); when not given, a book of `seed`'s `accepts`."""

    def __post_init__(self) -> None:
        if self.partners is None:
            object.__setattr__(self, "partners", PartnerBook(self.seed.get("accepts", {})))

    @property
    def book(self) -> PartnerBook:
        """`partners`, which is never None once the env is made."""
        assert self.partners is not None
        return self.partners
