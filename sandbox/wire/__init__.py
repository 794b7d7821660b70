"""The instrumented edge between institutions.

Services call each other only through `Wire.client(...)` and receive calls through
`Wire.instrument(app, ...)`: both propagate W3C `traceparent` and record every call.
The `signing` package holds each institution's signature dialect, used by callers to sign
and by callees to verify.
"""

from sandbox.wire.client import Wire
from sandbox.wire.errors import ApiError

__all__ = ["ApiError", "Wire"]
