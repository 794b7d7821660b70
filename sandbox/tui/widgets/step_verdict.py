"""A step's verdict in plain words: passed, or each failed expectation with what happened.

A learner who sees "FAIL" learns nothing; one who reads "expected marketplace -> bank POST
/v1.0/transfer-va/create-va 2xx, happened: no call" knows where to look. So a failure names the
expectation, what was expected, what happened instead and, when the lesson says, why it matters.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from sandbox.tui.i18n import _, ngettext
from sandbox.tui.lesson_session import MismatchLike, StepResultLike


def mismatch_text(mismatch: MismatchLike) -> Text:
    """One failed expectation: which, expected, happened, because."""
    text = Text()
    text.append("• ", style="bold red")
    text.append(f"{mismatch.expectation}\n", style="bold")
    text.append("  " + _("expected:") + " ", style="dim")
    text.append(f"{mismatch.expected}\n")
    text.append("  " + _("happened:") + " ", style="dim")
    text.append(f"{mismatch.happened}\n", style="yellow")
    if mismatch.because:
        text.append("  " + _("because:") + " ", style="dim")
        text.append(f"{mismatch.because}\n", style="italic")
    return text


def verdict_text(result: StepResultLike, hints: Sequence[str] = ()) -> Text:
    """The whole verdict of one run, with the hints asked for so far."""
    text = Text()
    if result.error:
        text.append("✕ " + _("The step could not run:") + "\n", style="bold red")
        text.append(f"{result.error}\n")
    elif result.ok:
        calls = len(result.calls)
        passed = ngettext(
            "Passed: every expectation met ({calls} call).",
            "Passed: every expectation met ({calls} calls).",
            calls,
        ).format(calls=calls)
        text.append(f"✓ {passed}\n", style="bold green")
    else:
        failed = len(result.failures)
        not_yet = ngettext(
            "Not yet: {count} expectation not met.",
            "Not yet: {count} expectations not met.",
            failed,
        ).format(count=failed)
        text.append(f"✕ {not_yet}\n", style="bold red")
        for mismatch in result.failures:
            text.append_text(mismatch_text(mismatch))
    if result.output:
        text.append(f"\n{result.output.rstrip()}\n", style="dim")
    shown = list(hints)
    if result.hint and result.hint not in shown:
        shown.append(result.hint)
    for hint in shown:
        text.append("\n" + _("Hint:") + " ", style="bold yellow")
        text.append(hint)
    return text


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
            text = Text()
            for hint in hints:
                text.append(_("Hint:") + " ", style="bold yellow")
                text.append(f"{hint}\n")
            self.update(text)
        else:
            self.update(_("Press r to run this step."))

    def show_running(self, number: int) -> None:
        """Say the step is running (its arrows appear on the map meanwhile)."""
        self.set_class(False, "-passed")
        self.set_class(False, "-failed")
        self.update(_("Running step {number}…").format(number=number))
