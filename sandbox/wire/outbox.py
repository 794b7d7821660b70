"""Webhooks that survive crashes: a transactional outbox with retries and backoff.

A service enqueues a webhook in the same transaction as the change it announces, so either both
happen or neither. Delivery is attempted at once and then retried with exponential backoff until
the receiver answers 2xx; rows live in the service's own database, so a restart resumes them.
Receivers deduplicate by event id, because a retry after a lost acknowledgement sends twice.

Retrying is bounded: after `max_attempts` failures (about 25 minutes with the default schedule)
a webhook is given up and kept as a dead letter: no next attempt (`next_at` NULL) and
`last_error` saying "given up: " and why. The CLI (`sandbox webhooks`) and the control API
(`GET /webhooks`) show them. A sender that knows a refusal is final (the biller says the bill
no longer exists) registers `on_refusal`: it can undo what the webhook announced, in the same
transaction that gives the webhook up.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import sqlite_utils

from sandbox.wire.client import Wire
from sandbox.wire.clock import watch
from sandbox.wire.context import Span, current_span

log = logging.getLogger(__name__)

Signer = Callable[[str, bytes, float], dict[str, str]]
"""(path, body, now) -> headers to add; signing happens at send time so timestamps are fresh."""
Refusal = Callable[[dict[str, Any], int, bytes], str | None]
"""(row, status, response body) -> why the webhook can never succeed (it is given up at once,
inside the transaction the callback ran in), or None to keep retrying."""
MAX_BACKOFF = 60.0
MAX_ATTEMPTS = 30
"""Tries before a webhook is given up: 1 + 2 + ... + 32 s, then once a minute, about 25 minutes
in all - long enough for a service taken offline in a lesson to come back."""
TABLE = "_outbox"
GAVE_UP = "given up: "
"""How `last_error` of a dead letter starts; the rest says why."""


def backoff(attempts: int) -> float:
    """Seconds to wait after `attempts` failed tries: 1, 2, 4 ... capped at a minute."""
    return float(min(2 ** max(attempts - 1, 0), MAX_BACKOFF))


class Outbox:
    """Pending webhooks of one service, kept in its database."""

    def __init__(
        self, db: sqlite_utils.Database, wire: Wire, sender: str, max_attempts: int = MAX_ATTEMPTS
    ) -> None:
        self.db = db
        self.wire = wire
        self.sender = sender
        self.max_attempts = max_attempts
        self._signers: dict[str, Signer] = {}
        self._refusals: dict[str, Refusal] = {}
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()
        db[TABLE].create(  # type: ignore[union-attr]
            {
                "event_id": str,
                "target": str,
                "path": str,
                "kind": str,
                "body": str,
                "attempts": int,
                "next_at": float,
                "delivered_at": float,
                "last_status": int,
                "last_error": str,
                "trace_id": str,
                "parent_span": str,
                "created_at": float,
            },
            pk="event_id",
            if_not_exists=True,
        )
        # Delivered webhooks stay as a record; without this index every delivery round (one
        # per order under a flash sale) would read all of them to find the few still due.
        db.execute(
            f"CREATE INDEX IF NOT EXISTS {TABLE}_due ON {TABLE} (next_at) "
            "WHERE delivered_at IS NULL"
        )
        watch(wire.clock, self)  # a jump of the runtime's clock delivers retries on the way

    def signer(self, kind: str, sign: Signer) -> None:
        """Register how webhooks of `kind` are signed."""
        self._signers[kind] = sign

    def on_refusal(self, kind: str, refusal: Refusal) -> None:
        """Register how a non-2xx answer to a webhook of `kind` is judged (see `Refusal`)."""
        self._refusals[kind] = refusal

    def enqueue(
        self, *, event_id: str, target: str, path: str, kind: str, body: dict[str, Any]
    ) -> None:
        """Add a webhook; call inside the transaction that makes the change it announces."""
        span = current_span.get()
        now = self.wire.clock()
        self.db.execute(
            f"INSERT OR IGNORE INTO {TABLE} (event_id, target, path, kind, body, attempts, "
            "next_at, trace_id, parent_span, created_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?)",
            [
                event_id,
                target,
                path,
                kind,
                json.dumps(body, separators=(",", ":")),
                now,
                span.trace_id if span else None,
                span.span_id if span else None,
                now,
            ],
        )

    def kick(self) -> None:
        """Try pending deliveries soon, without making the current request wait for them."""
        task = asyncio.get_running_loop().create_task(self.deliver_due())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def refire(self, event_id: str) -> bool:
        """Send a webhook again now, with the same event id (sandbox-only: `sandbox force
        refire`): delivered already, the receiver gets a duplicate it must recognise; given up,
        it starts over with fresh attempts. False when this outbox never held `event_id`."""
        cursor = self.db.execute(
            f"UPDATE {TABLE} SET delivered_at = NULL, next_at = ?, attempts = 0, "
            "last_error = NULL WHERE event_id = ?",
            [self.wire.clock(), event_id],
        )
        if not cursor.rowcount:
            return False
        self.kick()
        return True

    def pending(self) -> list[dict[str, Any]]:
        """Webhooks not yet acknowledged and not given up."""
        return list(
            self.db.query(
                f"SELECT * FROM {TABLE} WHERE delivered_at IS NULL AND next_at IS NOT NULL "
                "ORDER BY created_at"
            )
        )

    def dead(self) -> list[dict[str, Any]]:
        """Webhooks given up (dead letters), oldest first."""
        return list(
            self.db.query(
                f"SELECT * FROM {TABLE} WHERE delivered_at IS NULL AND next_at IS NULL "
                "ORDER BY created_at"
            )
        )

    def next_due(self, after: float) -> float | None:
        """When the next pending webhook is due after `after` (the clock's `Timer`)."""
        rows = self.db.query(
            f"SELECT MIN(next_at) AS due FROM {TABLE} WHERE delivered_at IS NULL AND next_at > ?",
            [after],
        )
        due = next(iter(rows), {}).get("due")
        return None if due is None else float(due)

    async def fire(self) -> int:
        """Deliver what is due now (the clock's `Timer`)."""
        return await self.deliver_due()

    async def deliver_due(self) -> int:
        """Send every webhook whose time has come; returns how many were acknowledged."""
        async with self._lock:
            now = self.wire.clock()
            rows = list(
                self.db.query(
                    f"SELECT * FROM {TABLE} WHERE delivered_at IS NULL AND next_at <= ? "
                    "ORDER BY created_at LIMIT 100",
                    [now],
                )
            )
            delivered = 0
            for row in rows:
                delivered += await self._deliver(row)
            return delivered

    async def _deliver(self, row: dict[str, Any]) -> int:
        body = row["body"].encode()
        sign = self._signers.get(row["kind"])
        headers = {"content-type": "application/json"}
        if sign:
            headers.update(sign(row["path"], body, self.wire.clock()))
        # Deliver as a child of the call that caused it, even when retried much later.
        parent = Span(row["trace_id"], row["parent_span"] or "") if row["trace_id"] else None
        token = current_span.set(parent)
        status: int | None = None
        error = None
        answer = b""
        try:
            response = await self.wire.client(self.sender, row["target"]).post(
                row["path"], content=body, headers=headers
            )
            status, answer = response.status_code, response.content
        except (httpx.HTTPError, LookupError) as exc:
            error = type(exc).__name__
        finally:
            current_span.reset(token)
        now = self.wire.clock()
        if status is not None and 200 <= status < 300:
            self.db.execute(
                f"UPDATE {TABLE} SET delivered_at = ?, attempts = attempts + 1, "
                "last_status = ? WHERE event_id = ?",
                [now, status, row["event_id"]],
            )
            return 1
        attempts = row["attempts"] + 1
        refusal = self._refusals.get(row["kind"])

        def settle(final: str | None) -> None:
            self.db.execute(
                f"UPDATE {TABLE} SET attempts = ?, next_at = ?, last_status = ?, last_error = ? "
                "WHERE event_id = ?",
                [
                    attempts,
                    None if final else now + backoff(attempts),
                    status,
                    GAVE_UP + final if final else error,
                    row["event_id"],
                ],
            )

        try:
            with self.db.atomic():
                final = refusal(row, status, answer) if refusal and status is not None else None
                if final is None and attempts >= self.max_attempts:
                    final = f"no 2xx after {attempts} attempts (last: {status or error})"
                settle(final)
        except Exception as exc:  # the sender could not act on the refusal: a person must
            log.exception("acting on the refusal of webhook %s failed", row["event_id"])
            final = f"the refusal could not be acted on ({type(exc).__name__}: {exc})"[:300]
            settle(final)
        if final:
            log.warning("webhook %s to %s given up: %s", row["event_id"], row["target"], final)
        else:
            log.info(
                "webhook %s to %s failed (%s), attempt %d",
                row["event_id"],
                row["target"],
                status or error,
                attempts,
            )
        return 0

    async def run(self, interval: float = 0.5) -> None:
        """Retry loop for the service's lifetime (cancelled at shutdown)."""
        while True:
            try:
                await self.deliver_due()
            except Exception:
                log.exception("outbox of %s failed", self.sender)
            await asyncio.sleep(interval)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """`run` in the background for as long as the block lasts (a service's lifespan under
        uvicorn); leaving the block cancels it and waits until it has stopped."""
        task = asyncio.create_task(self.run())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
