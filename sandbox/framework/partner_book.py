"""PartnerBook: the partners one institution accepts, kept current while it runs.

An institution starts from its seed's `accepts` (by caller: that partner's credentials). A
developer may register a partner while the sandbox runs (`sandbox new client`, `sandbox new
credentials`): the runtime then gives the book the new list, and each institution brings its
own copy in line through `on_change` (the registry's agreements table, the bank's partners by
client key...). An institution calls `refresh()` before it checks a credential, so the runtime
can look whether the configuration changed first: a new partner's first call is accepted, not
refused until the next start.

Only what the runtime hands over goes in: a caller can never register itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

log = logging.getLogger(__name__)

Accepts = Mapping[str, Mapping[str, Any]]
"""Partner name -> its credentials at this institution."""


class PartnerBook:
    """The partners allowed to call one institution, and who to tell when they change."""

    def __init__(self, accepts: Accepts, refresh: Callable[[], None] | None = None) -> None:
        self._accepts: dict[str, dict[str, Any]] = _copy(accepts)
        self._refresh = refresh
        self._listeners: list[Callable[[Accepts], None]] = []

    @property
    def accepts(self) -> Accepts:
        """The partners now, by name."""
        return self._accepts

    def on_change(self, listener: Callable[[Accepts], None]) -> None:
        """Call `listener(accepts)` whenever the partners change."""
        self._listeners.append(listener)

    def refresh(self) -> None:
        """Let the runtime look for new partners (cheap when nothing changed): call it before
        checking a credential."""
        if self._refresh is not None:
            self._refresh()

    def update(self, accepts: Accepts) -> bool:
        """Replace the partners (the runtime calls this); False if nothing changed.

        A listener that fails is logged and the others still hear of the change.
        """
        fresh = _copy(accepts)
        if fresh == self._accepts:
            return False
        self._accepts = fresh
        for listener in self._listeners:
            try:
                listener(fresh)
            except Exception:
                log.exception("a partner change could not be applied")
        return True


def _copy(accepts: Accepts) -> dict[str, dict[str, Any]]:
    return {name: dict(creds) for name, creds in accepts.items()}
