"""Partners registered while the sandbox runs: re-read the configuration when it changes.

`sandbox new client` and `sandbox new credentials` write `sandbox.toml`; a running sandbox
notices on the next partner call (each institution asks before it checks a credential, see
`sandbox.framework.partner_book`). Asking costs one `stat` of the file; only a changed file is read
again, and only its partner credentials are taken (services start with the sandbox). A file
that no longer reads is logged and changes nothing. Nothing a caller sends takes part: the
partners come from the file on this machine, never from a request.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from sandbox.runtime.config_file import ConfigError, SandboxConfig, load_config
from sandbox.runtime.plugins import PluginError
from sandbox.runtime.seeding import PartnerClash

log = logging.getLogger(__name__)
Stamp = tuple[int, int, int] | None
"""What tells a changed file: inode, size and modification time (None: no file)."""


class PartnerWatch:
    """Hands `take` the configuration again each time the file at `path` changes."""

    def __init__(self, path: Path, take: Callable[[SandboxConfig], None]) -> None:
        self.path = path
        self.take = take
        self._stamp = _stamp(path)

    def check(self) -> None:
        """Read the file again if it changed since the last look (cheap when it did not)."""
        stamp = _stamp(self.path)
        if stamp == self._stamp:
            return
        self._stamp = stamp
        try:
            config = load_config(self.path if stamp else None, check_apps=False)
            self.take(config)
        except (ConfigError, PluginError, PartnerClash) as exc:
            log.warning(
                "%s changed but cannot be used (%s); partners stay as they were", self.path, exc
            )


def _stamp(path: Path) -> Stamp:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_ino, found.st_size, found.st_mtime_ns
