"""Where the sandbox keeps its data and which ports it uses.

Plain frozen dataclasses, so every layer receives its settings as arguments instead of
reading the environment itself.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SEED = 20231211
"""The day the storefront/marketplace partnership was announced; any integer works."""

DEFAULT_PORT_BASE = 8700
"""The control API listens on the base port; institution N listens on base + N."""

HOST = "127.0.0.1"
"""Services bind to loopback only: nothing here is meant to be reachable from the network."""

VARIANTS = {
    "social-calls-bank": "the social app also calls the bank on Buy (breaks SOC-PAY)",
    "catalogue-leaks-nik": "product cards carry the seller's NIK (breaks SOC-DATA)",
}
"""Deliberately non-compliant behaviours a teacher can switch on (`sandbox up --variant`), by
name, with what they do. Off by default; each is a few commented lines in its service."""


def default_data_dir() -> Path:
    """The per-user data directory, overridable with SANDBOX_DATA_DIR."""
    override = os.environ.get("SANDBOX_DATA_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs  # imported late: only the CLI needs it

    return Path(platformdirs.user_data_dir("integration-sandbox", appauthor=False))


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a runtime needs to know before it starts."""

    data_dir: Path = field(default_factory=default_data_dir)
    """Holds one SQLite file per institution, the trace store and `runtime.json`."""
    port_base: int = DEFAULT_PORT_BASE
    """First port; 0 asks the operating system for free ports (used by tests)."""
    seed: int = DEFAULT_SEED
    """Seed of the synthetic world: the same seed gives the same world, byte for byte."""
    host: str = HOST
    """Interface the control API binds to: loopback, since it can change and reset the world."""
    listen_host: str = HOST
    """Interface the institutions bind to (`sandbox up --host`): loopback unless `lan`."""
    lan: bool = False
    """The user asked for the institutions on the network; without it a `listen_host` that is
    not loopback is refused (`sandbox.runtime.listen`)."""
    trace_max_calls: int = 100_000
    """The trace store keeps at most this many calls; the oldest traces are dropped whole."""
    trace_max_bytes: int = 256 * 1024 * 1024
    """...and at most about this many bytes of them (headers and bodies are capped per call at
    `body_limit` characters each, so 100,000 big calls cannot fill a disk)."""
    body_limit: int = 8192
    """Characters of each request/response body kept in a recorded call."""
    variants: frozenset[str] = frozenset()
    """Names from VARIANTS switched on in every institution: deliberate non-compliance for
    teaching. Empty by default."""
    otlp_endpoint: str = ""
    """Where to stream every recorded call as an OTLP span (`sandbox up --otlp-endpoint`), or
    "" for nowhere. Unlike the services, this may be any host: the user asked for it."""
    otlp_protocol: str = "http/json"
    """How the spans are encoded (`--otlp-protocol`): `http/json` or `http/protobuf`."""
    student: str = ""
    """Who is running this sandbox, as the spans' `sandbox.student` (`--student`); "" for
    nobody named."""
