"""Log lines redacted like recorded calls: the log file is a sink of the same evidence.

httpx logs every request it sends at INFO (`HTTP Request: POST http://...?sign=...`), error
messages quote URLs and bodies, and a traceback can hold both; a log file is as easy to share
as an export. So every formatted line, traceback included, passes `redact.text` (NIKs masked
to their last four digits, secret parameters and `name=value` secrets masked, prefixed tokens
cut), and the HTTP clients' own request lines are not logged at INFO at all: the trace
already holds every call, redacted.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sandbox.trace import redact

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
QUIET = ("httpx", "httpcore")
"""Loggers that would repeat every request at INFO: WARNING and above only."""


class RedactingFormatter(logging.Formatter):
    """A formatter whose output, traceback included, is redacted like a recorded call."""

    def format(self, record: logging.LogRecord) -> str:
        return redact.text(super().format(record))


def log_to_file(path: Path, level: int = logging.INFO) -> logging.Handler:
    """Send the process's logs to `path`, redacted; returns the handler (tests remove it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(RedactingFormatter(FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler
