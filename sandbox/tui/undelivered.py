"""Webhooks an institution has not delivered, in a viewer's words.

A webhook that keeps failing is retried on a schedule and then given up as a dead letter. On a
stage nobody reads the outbox table, so the UI says it: a toast when a webhook is given up, a
note in the map's caption while any wait or were given up, a line in the sender's Services
page. Pure: no Textual.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from sandbox.runtime.models import Webhook
from sandbox.tui.i18n import _, ngettext

Key = tuple[str, str]
"""(sender, event id): one webhook."""


def newly_dead(webhooks: Iterable[Webhook], seen: set[Key]) -> list[Webhook]:
    """The dead letters not in `seen` (which is updated): each is told once."""
    found = []
    for hook in webhooks:
        key = (hook.service, hook.event_id)
        if hook.state == "dead" and key not in seen:
            seen.add(key)
            found.append(hook)
    return found


def given_up_words(hook: Webhook, titles: dict[str, str]) -> str:
    """`Pasarloka gave up delivering order.paid to Klip after 6 attempts (...)`."""
    attempts = ngettext(
        "{sender} gave up delivering {kind} to {target} after {count} attempt",
        "{sender} gave up delivering {kind} to {target} after {count} attempts",
        hook.attempts,
    ).format(
        sender=titles.get(hook.service, hook.service),
        kind=hook.kind,
        target=titles.get(hook.target, hook.target),
        count=hook.attempts,
    )
    reason = hook.gave_up_reason or hook.last_error or ""
    said = f"{attempts} ({reason})" if reason else attempts
    return said + ". " + _("It is kept as a dead letter: `sandbox webhooks` lists it.")


def counts(webhooks: Iterable[Webhook], service: str | None = None) -> tuple[int, int]:
    """(waiting, given up), for one sender or for all."""
    states = Counter(h.state for h in webhooks if service is None or h.service == service)
    return states["pending"], states["dead"]


def summary(webhooks: Sequence[Webhook], service: str | None = None) -> str:
    """`✉ 2 webhooks waiting`, `✉ 1 webhook given up`, or "" when all were delivered."""
    waiting, dead = counts(webhooks, service)
    if waiting:
        said = ngettext("{count} webhook waiting", "{count} webhooks waiting", waiting).format(
            count=waiting
        )
        if dead:
            said += ", " + _("{count} given up").format(count=dead)
    elif dead:
        said = ngettext("{count} webhook given up", "{count} webhooks given up", dead).format(
            count=dead
        )
    else:
        return ""
    return "✉ " + said
