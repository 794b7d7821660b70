"""The instrumented edge between institutions.

Services call each other only through `Wire.client(...)` and receive calls through
`Wire.instrument(app, ...)`: both propagate W3C `traceparent` and record every call.
Each institution's signature dialect is in `sandbox.dialects`, the frame every institution's
app is built on in `sandbox.framework` (both above this package).

`Wire` is imported when first asked for, so a viewer that needs only a small module of the
wire (the UI reads `sandbox.wire.faults`) does not load FastAPI with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.wire.client import Wire

__all__ = ["Wire"]


def __getattr__(name: str) -> Any:
    if name == "Wire":
        from sandbox.wire.client import Wire

        return Wire
    raise AttributeError(f"module 'sandbox.wire' has no attribute {name!r}")
