"""Webhooks not delivered: a toast once per dead letter, the map's caption, the Services page."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from sandbox.runtime.models import Webhook
from sandbox.tui.i18n import set_language
from sandbox.tui.undelivered import counts, given_up_words, newly_dead, summary
from sandbox.tui.widgets.call_map import CallMap
from tests.tui.factory import make_app, until


def hook(state: str, event: str = "e1", service: str = "marketplace", **more: object) -> Webhook:
    values: dict[str, object] = {
        "service": service,
        "event_id": event,
        "target": "social",
        "path": "/webhooks/marketplace",
        "kind": "order.paid",
        "state": state,
        "attempts": 6,
        "created_at": 1.0,
        "gave_up_reason": "its schedule ran out" if state == "dead" else None,
        "next_at": None if state == "dead" else 9.0,
    }
    values.update(more)
    return Webhook(**values)  # type: ignore[arg-type]


def test_each_dead_letter_is_told_once() -> None:
    seen: set[tuple[str, str]] = set()
    hooks = [hook("pending", "a"), hook("dead", "b"), hook("dead", "c", service="bank")]
    assert [h.event_id for h in newly_dead(hooks, seen)] == ["b", "c"]
    assert newly_dead(hooks, seen) == []
    assert counts(hooks) == (1, 2) and counts(hooks, "bank") == (0, 1)


def test_the_words_name_both_parties_the_attempts_and_the_reason() -> None:
    set_language("en")
    titles = {"marketplace": "Pasarloka", "social": "Klip"}
    said = given_up_words(hook("dead", attempts=1), titles)
    assert said.startswith("Pasarloka gave up delivering order.paid to Klip after 1 attempt (")
    assert "its schedule ran out" in said and "sandbox webhooks" in said
    assert summary([hook("pending"), hook("pending", "b")]) == "✉ 2 webhooks waiting"
    assert summary([hook("dead")]) == "✉ 1 webhook given up"
    assert summary([hook("pending"), hook("dead", "b")]) == "✉ 1 webhook waiting, 1 given up"
    assert summary([hook("dead")], "bank") == ""
    set_language("id")
    try:
        assert summary([hook("dead"), hook("dead", "b")]) == "✉ 2 webhook gagal terkirim"
    finally:
        set_language("en")


async def test_a_dead_letter_is_told_on_the_stage(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path, live=False)
    undelivered = [hook("dead"), hook("pending", "e2")]

    async def webhooks() -> list[Webhook]:
        return undelivered

    backend.webhooks = webhooks  # type: ignore[method-assign]
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await app.refresh_webhooks()
            await app.refresh_webhooks()  # polled again: not told twice
            await pilot.pause()
            told = [n for n in app._notifications if "gave up" in n.message]
            assert len(told) == 1 and "Klip" in told[0].message
            call_map = app.screen.query_one(CallMap)
            await until(lambda: "✉ 1 webhook waiting, 1 given up" in call_map.caption, pilot)
            assert "✉ 1 webhook waiting, 1 given up" in call_map.caption
            await pilot.press("4")
            await until(lambda: bool(app.screen.query("#service-list")), pilot)
            await pilot.pause(0.2)
            screen = app.screen
            screen.query_one("#service-list").highlighted = [  # type: ignore[attr-defined]
                s.name for s in app.services
            ].index("marketplace")
            await pilot.pause(0.2)
            info = str(screen.query_one("#service-info", Static).render())
            assert "✉ 1 webhook waiting, 1 given up" in info and "outbox" in info
    finally:
        await backend.aclose()
