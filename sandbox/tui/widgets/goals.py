"""Goal versus actual: what a lesson step expected, beside what happened, first difference lit.

A learner whose step failed needs the one expectation that went wrong first, with the call it
is about, not a list of everything that cascaded from it. Each row is one expectation: ✓ met
(with the call that met it) or ✗ not met (with what happened instead); the first ✗ is marked
and chosen, and choosing a row moves the trace player to its call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from sandbox.trace.events import HttpCall
from sandbox.tui.i18n import _


class MismatchLike(Protocol):
    """What happened instead (`sandbox.lessons.matching.Mismatch`)."""

    @property
    def happened(self) -> str: ...


class CheckLike(Protocol):
    """One expectation and its outcome (`sandbox.lessons.matching.ExpectationResult`)."""

    @property
    def expectation(self) -> str: ...
    @property
    def ok(self) -> bool: ...
    @property
    def call(self) -> HttpCall | None: ...
    @property
    def failure(self) -> MismatchLike | None: ...


def first_difference(checks: Sequence[CheckLike]) -> int | None:
    """The index of the first expectation not met (None when all were)."""
    return next((i for i, check in enumerate(checks) if not check.ok), None)


def call_words(call: HttpCall) -> str:
    """`buyer → social POST /api/v1/videos/1/buy 201`."""
    status = str(call.status) if call.status is not None else "✕ " + (call.error or _("failed"))
    return f"{call.caller} → {call.callee} {call.method} {call.path.split('?', 1)[0]} {status}"


def row(check: CheckLike, number: int, first: bool) -> Content:
    """One expectation as a row: mark, the goal, then what happened (all plain text: the
    words carry paths and values from the wire)."""
    if check.ok:
        mark = ("✓ ", "$text-success bold")
        happened = call_words(check.call) if check.call is not None else _("no such call: good")
        actual = (_("met by: {call}").format(call=happened), "$text-muted")
    else:
        mark = ("▶ ✗ " if first else "✗ ", "$text-error bold")
        words = check.failure.happened if check.failure is not None else _("not met")
        actual = (_("happened: {words}").format(words=words), "")
    goal = (f"{number}. {check.expectation}", "bold" if first else "")
    return Content.assemble(mark, goal, "\n   ", actual)


class GoalList(OptionList):
    """The step's expectations (the goal) beside what the calls did (the actual)."""

    DEFAULT_CSS = """
    GoalList { height: auto; max-height: 50%; border: round $border; display: none; }
    """

    class GoalChosen(Message):
        """The user chose an expectation: show the call it is about."""

        def __init__(self, call: HttpCall) -> None:
            super().__init__()
            self.call = call

    def show(self, checks: Sequence[CheckLike]) -> None:
        """Show every expectation, and choose the first one that was not met."""
        self._checks = list(checks)
        self.clear_options()
        first = first_difference(self._checks)
        for index, check in enumerate(self._checks):
            self.add_option(Option(row(check, index + 1, index == first)))
        self.display = bool(self._checks)
        met = sum(check.ok for check in self._checks)
        self.border_title = _("Goal and what happened: {met} of {total} met").format(
            met=met, total=len(self._checks)
        )
        if self._checks:
            self.highlighted = first if first is not None else 0

    def on_option_list_option_selected(self, message: OptionList.OptionSelected) -> None:
        message.stop()
        checks = getattr(self, "_checks", [])
        if 0 <= message.option_index < len(checks):
            call = checks[message.option_index].call
            if call is not None:
                self.post_message(self.GoalChosen(call))
