"""The control API calls behind each sandbox-only action (`sandbox force`), in one place for
the command line and the UI; the routes themselves are `runtime/control/force.py`."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

ON_A_TARGET = ("decline", "undecline", "expire-va", "expire-order", "refire")
"""The actions that name what they act on: an account, a VA, an order or a webhook's event."""


def force_request(action: str, target: str) -> tuple[str, str, dict[str, Any] | None]:
    """(method, path, body) of one action on `target`; ValueError for an unknown action."""
    segment = quote(target.strip(), safe="")
    if action in ("decline", "undecline"):
        return "PUT", f"/force/accounts/{segment}/declined", {"declined": action == "decline"}
    if action == "expire-va":
        return "POST", f"/force/virtual-accounts/{segment}/expire", None
    if action == "expire-order":
        return "POST", f"/force/orders/{segment}/expire", None
    if action == "refire":
        return "POST", f"/force/webhooks/{segment}/refire", None
    raise ValueError(f"unknown action {action!r}; actions: {', '.join(ON_A_TARGET)}")
