"""States a developer forces on an institution, sandbox-only: the next payment fails, an
account's payments are declined, the next identity check does not match.

Real sandboxes have them because some paths are hard to reach on purpose (Stripe's test
helpers and magic card numbers, Plaid's `/sandbox/...` endpoints): a developer who wants to see
how their integration handles a declined payment should not have to drain an account first.
An institution that supports forcing keeps one `Forcing` on `app.state.forcing`, naming the
actions it can fail; the control API arms them (`POST /force/...`, `sandbox force ...`), and
the institution's own code asks `take(action)` at the point where the real refusal would come,
so a forced failure is answered in the institution's own dialect, with its own error, and
recorded like any call. Nothing is stored: a restart or a reset forgets what was forced.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class Forcing:
    """What is forced on one institution now."""

    def __init__(self, actions: dict[str, str]) -> None:
        self.actions = dict(actions)
        """Action name to what failing it means, e.g. {"debit": "the next direct debit ..."}."""
        self._lock = threading.Lock()
        self._next: Counter[str] = Counter()
        self._declined: set[str] = set()

    def fail_next(self, action: str, times: int = 1) -> int:
        """Make the next `times` of `action` fail; how many are armed now. Unknown action:
        KeyError."""
        if action not in self.actions:
            raise KeyError(action)
        with self._lock:
            self._next[action] += times
            return self._next[action]

    def take(self, action: str) -> bool:
        """Whether this `action` must fail (using up one armed failure)."""
        if not self._next:  # the usual case, without the lock
            return False
        with self._lock:
            if self._next[action] <= 0:
                return False
            self._next[action] -= 1
            if not self._next[action]:
                del self._next[action]
            return True

    def decline(self, account: str, declined: bool = True) -> None:
        """Decline (or stop declining) every payment from `account`."""
        with self._lock:
            if declined:
                self._declined.add(account)
            else:
                self._declined.discard(account)

    def declines(self, account: str) -> bool:
        """Whether payments from `account` are declined."""
        return account in self._declined

    def clear(self) -> None:
        """Nothing forced any more (a reset of the world)."""
        with self._lock:
            self._next.clear()
            self._declined.clear()

    def state(self) -> dict[str, Any]:
        """What is armed, for the control API and `sandbox force show`."""
        with self._lock:
            return {
                "actions": dict(self.actions),
                "fail_next": dict(self._next),
                "declined_accounts": sorted(self._declined),
            }
