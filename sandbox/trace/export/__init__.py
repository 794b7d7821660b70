"""Exporters: one trace of recorded calls as text another tool can open.

Each format is a pure function from the calls of one trace (ordered by `started_at`) to a
string, so the CLI, the TUI and tests can export without a running sandbox. The calls were
redacted when they were recorded; exporters copy what they are given and never see a secret.

- `har`: HAR 1.2 for browser devtools and HAR viewers.
- `mermaid`: a sequence diagram for docs, lessons and issues.
- `jsonl`: one flat JSON object per call for `jq`, pandas and diffs.
- `otlp`: OTLP/JSON spans for Jaeger, Tempo or any OpenTelemetry collector.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sandbox.trace.events import HttpCall
from sandbox.trace.export.har import to_har
from sandbox.trace.export.jsonl import to_jsonl
from sandbox.trace.export.mermaid import to_mermaid
from sandbox.trace.export.otlp import to_otlp

Exporter = Callable[[Sequence[HttpCall]], str]

FORMATS: dict[str, Exporter] = {
    "har": to_har,
    "mermaid": to_mermaid,
    "jsonl": to_jsonl,
    "otlp": to_otlp,
}
"""Format name (as the CLI spells it) to exporter."""

__all__ = ["FORMATS", "export", "to_har", "to_jsonl", "to_mermaid", "to_otlp"]


def export(calls: Sequence[HttpCall], fmt: str) -> str:
    """The calls of one trace in format `fmt`; ValueError names the formats for an unknown one."""
    try:
        exporter = FORMATS[fmt]
    except KeyError:
        known = ", ".join(FORMATS)
        raise ValueError(f"unknown export format {fmt!r}; choose one of: {known}") from None
    return exporter(calls)
