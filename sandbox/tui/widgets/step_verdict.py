"""A step's verdict in plain words: passed, or each failed expectation with what happened.

A learner who sees "FAIL" learns nothing; one who reads "expected marketplace -> bank POST
/v1.0/transfer-va/create-va 2xx, happened: no call" knows where to look. So a failure names the
expectation, what was expected, what happened instead and, when the lesson says, why it matters.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import Static

from sandbox.tui.i18n import _, ngettext
from sandbox.tui.lesson_session import MismatchLike, StepResultLike
from sandbox.tui.widgets.goals import CheckLike, first_difference, row

OK, BAD, NOTE, MUTED = "$text-success bold", "$text-error bold", "$text-warning", "$text-muted"
"""Theme colours (readable in every theme); never raw red and yellow, which the light theme
and a projector wash out."""


def mismatch_text(mismatch: MismatchLike) -> Content:
    """One failed expectation: which, expected, happened, because."""
    parts: list[str | tuple[str, str]] = [
        ("• ", BAD),
        (f"{mismatch.expectation}\n", "bold"),
        ("  " + _("expected:") + " ", MUTED),
        f"{mismatch.expected}\n",
        ("  " + _("happened:") + " ", MUTED),
        (f"{mismatch.happened}\n", NOTE),
    ]
    if mismatch.because:
        parts += [("  " + _("because:") + " ", MUTED), (f"{mismatch.because}\n", "italic")]
    return Content.assemble(*parts)


def goal_text(checks: Sequence[CheckLike]) -> Content:
    """Goal versus actual: every expectation with its mark and what happened, the first
    difference marked (the ones after it often only follow from it)."""
    first = first_difference(checks)
    rows = [row(check, i + 1, i == first) for i, check in enumerate(checks)]
    heading = Content.styled(_("Goal and what happened:") + "\n", "bold")
    return Content.assemble(heading, Content("\n").join(rows), "\n")


def verdict_text(result: StepResultLike, hints: Sequence[str] = ()) -> Content:
    """The whole verdict of one run, with the hints asked for so far.

    A failed run shows its first failed expectation in full and the others as one line each:
    a learner fixes the first cause, and the rest often follow from it.
    """
    parts: list[Content | str | tuple[str, str]] = []
    checks = tuple(getattr(result, "checks", ()))
    if result.error:
        parts += [("✕ " + _("The step could not run:") + "\n", BAD), f"{result.error}\n"]
    elif result.ok:
        calls = len(result.calls)
        passed = ngettext(
            "Passed: every expectation met ({calls} call).",
            "Passed: every expectation met ({calls} calls).",
            calls,
        ).format(calls=calls)
        parts.append((f"✓ {passed}\n", OK))
    else:
        failed = len(result.failures)
        not_yet = ngettext(
            "Not yet: {count} expectation not met.",
            "Not yet: {count} expectations not met.",
            failed,
        ).format(count=failed)
        parts.append((f"✕ {not_yet}\n", BAD))
        if result.failures:
            parts.append(mismatch_text(result.failures[0]))
    if checks and not result.error and (not result.ok or len(checks) > 1):
        parts += ["\n", goal_text(checks)]
    elif not checks:
        for mismatch in list(result.failures)[1:]:
            parts.append(mismatch_text(mismatch))
    if result.output:
        parts.append((f"\n{result.output.rstrip()}\n", MUTED))
    shown = list(hints)
    if result.hint and result.hint not in shown:
        shown.append(result.hint)
    for hint in shown:
        parts += [("\n" + _("Hint:") + " ", "$text-accent bold"), hint]
    return Content.assemble(*parts)


class StepVerdict(Static):
    """What the last run of the step on screen said (empty before it runs)."""

    DEFAULT_CSS = """
    StepVerdict { height: auto; padding: 0 1; }
    """

    def show_result(self, result: StepResultLike | None, hints: Sequence[str] = ()) -> None:
        """Show a result (None: the step has not run yet, only its hints)."""
        self.set_class(result is not None and result.ok, "-passed")
        self.set_class(result is not None and not result.ok, "-failed")
        if result is not None:
            self.update(verdict_text(result, hints))
        elif hints:
            self.update(
                Content.assemble(
                    *[
                        part
                        for hint in hints
                        for part in ((_("Hint:") + " ", "$text-accent bold"), f"{hint}\n")
                    ]
                )
            )
        else:
            self.update(_("Press r to run this step."))

    def show_reading(self) -> None:
        """A step that only tells: there is nothing to run, so no "press r" and no verdict."""
        self.set_class(False, "-passed")
        self.set_class(False, "-failed")
        self.update(_("Nothing to run here: read, then press n for the next step."))

    def show_running(self, number: int) -> None:
        """Say the step is running (its arrows appear on the map meanwhile)."""
        self.set_class(False, "-passed")
        self.set_class(False, "-failed")
        self.update(_("Running step {number}…").format(number=number))
