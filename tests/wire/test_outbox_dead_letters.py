"""A webhook that cannot succeed is given up after a bounded schedule, never retried forever."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from sandbox.framework.storage import open_database
from sandbox.trace.events import HttpCall
from sandbox.wire import Wire
from sandbox.wire.outbox import MAX_ATTEMPTS, Outbox, backoff
from tests.conftest import FakeClock


def _receiver(wire: Wire, status: int) -> None:
    app = FastAPI()

    @app.post("/hook")
    async def hook() -> Any:
        return JSONResponse({"code": "bill_expired"}, status_code=status)

    wire.mount("receiver", app)


async def _drain(outbox: Outbox, clock: FakeClock, rounds: int) -> None:
    for attempt in range(1, rounds + 1):
        await outbox.deliver_due()
        clock.advance(backoff(attempt))


async def test_a_webhook_is_given_up_after_its_attempts(clock: FakeClock) -> None:
    calls: list[HttpCall] = []
    wire = Wire(recorder=calls.append, clock=clock)
    _receiver(wire, 500)
    outbox = Outbox(open_database(None), wire, "sender", max_attempts=4)
    outbox.enqueue(event_id="e1", target="receiver", path="/hook", kind="k", body={})
    await _drain(outbox, clock, 10)
    assert len(calls) == 4, "four attempts, then no more"
    assert outbox.pending() == []
    [dead] = outbox.dead()
    assert dead["attempts"] == 4 and dead["last_status"] == 500
    assert dead["last_error"] == "given up: no 2xx after 4 attempts (last: 500)"
    assert dead["next_at"] is None
    assert MAX_ATTEMPTS >= 20 and sum(backoff(n) for n in range(1, MAX_ATTEMPTS)) < 3600
    await wire.aclose()


async def test_a_final_refusal_is_acted_on_and_given_up_in_one_transaction(
    clock: FakeClock,
) -> None:
    wire = Wire(recorder=lambda call: None, clock=clock)
    _receiver(wire, 404)
    db = open_database(None)
    db.execute("CREATE TABLE undone (event_id TEXT)")
    outbox = Outbox(db, wire, "sender")

    def undo(row: dict[str, Any], status: int, body: bytes) -> str | None:
        db.execute("INSERT INTO undone VALUES (?)", [row["event_id"]])
        return f"refused for good ({status} {body.decode()})" if status == 404 else None

    outbox.on_refusal("k", undo)
    outbox.enqueue(event_id="e1", target="receiver", path="/hook", kind="k", body={})
    await outbox.deliver_due()
    assert [r["event_id"] for r in outbox.dead()] == ["e1"]
    reason = 'given up: refused for good (404 {"code":"bill_expired"})'
    assert outbox.dead()[0]["last_error"] == reason
    assert db.execute("SELECT event_id FROM undone").fetchall() == [("e1",)]
    await wire.aclose()


async def test_a_refusal_that_cannot_be_acted_on_is_a_dead_letter_not_a_loop(
    clock: FakeClock,
) -> None:
    wire = Wire(recorder=lambda call: None, clock=clock)
    _receiver(wire, 404)
    db = open_database(None)
    outbox = Outbox(db, wire, "sender")

    def broken(row: dict[str, Any], status: int, body: bytes) -> str | None:
        db.execute("INSERT INTO nowhere VALUES (1)")  # no such table: it raises
        return "never reached"

    outbox.on_refusal("k", broken)
    outbox.enqueue(event_id="e1", target="receiver", path="/hook", kind="k", body={})
    await outbox.deliver_due()
    [dead] = outbox.dead()
    assert dead["last_error"].startswith("given up: the refusal could not be acted on")
    assert await outbox.deliver_due() == 0 and outbox.pending() == []
    await wire.aclose()


def test_finding_due_webhooks_reads_only_undelivered_ones(clock: FakeClock) -> None:
    """Delivered webhooks stay as a record; a delivery round must not read them all."""
    db = open_database(None)
    Outbox(db, Wire(clock=clock), "sender")
    for sql in (
        "SELECT * FROM _outbox WHERE delivered_at IS NULL AND next_at <= ? ORDER BY created_at",
        "SELECT * FROM _outbox WHERE delivered_at IS NULL AND next_at IS NOT NULL",
    ):
        plan = " ".join(
            row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", [0.0][: sql.count("?")])
        )
        assert "USING INDEX _outbox_due" in plan, plan
