"""The instrumented edge between institutions.

Services call each other only through `Wire.client(...)` and receive calls through
`Wire.instrument(app, ...)`: both propagate W3C `traceparent` and record every call.
The `signing` package holds each institution's signature dialect, used by callers to sign
and by callees to verify.

`Wire` and `ApiError` are imported when first asked for, so a viewer that needs only a small
module of the wire (the UI reads `sandbox.wire.faults`) does not load FastAPI with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.wire.client import Wire
    from sandbox.wire.errors import ApiError

__all__ = ["ApiError", "Wire"]


def __getattr__(name: str) -> Any:
    if name == "Wire":
        from sandbox.wire.client import Wire

        return Wire
    if name == "ApiError":
        from sandbox.wire.errors import ApiError

        return ApiError
    raise AttributeError(f"module 'sandbox.wire' has no attribute {name!r}")
