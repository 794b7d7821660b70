"""The lesson panel: where the learner is, what this step is about, and what the last run said.

Narration is Markdown (Textual's `Markdown` widget: about 50 ms to re-render a step's narration
on the development machine, against about 10 ms for Rich's Markdown in a `Static`; a step changes
on a key press, so the nicer rendering is worth it). The panel only displays; the screen decides
which step to show and runs it.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Markdown, Static

from sandbox.tui.i18n import _
from sandbox.tui.lesson_session import StepLike, StepResultLike
from sandbox.tui.widgets.step_verdict import StepVerdict


def narration(step: StepLike, intro: str = "") -> str:
    """The step's Markdown, after the lesson's introduction set apart as a quote."""
    if not intro.strip():
        return step.narration
    quoted = "\n".join(f"> {line}" if line else ">" for line in intro.strip().splitlines())
    return f"{quoted}\n\n{step.narration}"


class NarrationScroll(VerticalScroll, inherit_bindings=False):
    """Scrolls the narration with up/down/page keys and leaves left/right to the lesson keys."""

    BINDINGS = [
        Binding("up", "scroll_up", show=False),
        Binding("down", "scroll_down", show=False),
        Binding("pageup", "page_up", show=False),
        Binding("pagedown", "page_down", show=False),
        Binding("home", "scroll_home", show=False),
        Binding("end", "scroll_end", show=False),
    ]


class LessonPanel(Vertical):
    """Step n of N, the narration, presenter notes (on demand) and the verdict of the last run."""

    DEFAULT_CSS = """
    LessonPanel { height: 1fr; }
    LessonPanel #lesson-step { height: auto; padding: 0 1; text-style: bold; }
    LessonPanel #lesson-warning { height: auto; display: none; }
    LessonPanel #lesson-notes { height: auto; display: none; }
    LessonPanel #lesson-done {
        height: auto; display: none; margin: 1 0 0 0; padding: 0 1;
        border: round $border; border-title-color: $text-success; border-title-style: bold;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="lesson-step", markup=False)
        yield Static(id="lesson-warning", markup=False)
        with NarrationScroll(id="lesson-scroll"):
            yield Markdown(id="lesson-narration")
            yield Markdown(id="lesson-notes")
            yield StepVerdict(_("Press r to run this step."), id="lesson-verdict", markup=False)
            yield Static(id="lesson-done", markup=False)

    _has_notes = False

    @property
    def notes_shown(self) -> bool:
        """True while the presenter notes are on screen."""
        return bool(self.query_one("#lesson-notes", Markdown).display)

    async def show_step(
        self,
        step: StepLike,
        index: int,
        total: int,
        *,
        intro: str = "",
        title: str = "",
        exercise_file: str = "",
    ) -> None:
        """Show one step: its heading, narration (after the lesson's intro on step 1), notes,
        and the file the learner edits, when the step has one."""
        heading = _("Step {number} of {total} · {title}").format(
            number=index + 1, total=total, title=step.title
        )
        if exercise_file:
            heading += "\n" + _("Your file: {path} (edit it, then press r)").format(
                path=exercise_file
            )
        self.query_one("#lesson-step", Static).update(heading)
        self.border_title = title
        await self.query_one("#lesson-narration", Markdown).update(narration(step, intro))
        notes = self.query_one("#lesson-notes", Markdown)
        self._has_notes = bool(step.notes.strip())
        heading = _("Presenter notes")
        await notes.update(f"**{heading}**\n\n{step.notes}" if self._has_notes else "")
        self.query_one(NarrationScroll).scroll_home(animate=False)

    def show_result(
        self, result: StepResultLike | None, hints: Sequence[str] = (), *, runnable: bool = True
    ) -> None:
        """Show the verdict of the last run (or that the step has not run); a step without
        an action (`runnable=False`) only tells, so it says so instead."""
        if not runnable:
            self.query_one(StepVerdict).show_reading()
            return
        self.query_one(StepVerdict).show_result(result, hints)

    def reveal_verdict(self) -> None:
        """Scroll the verdict into view (on a small screen it sits below the narration)."""
        verdict = self.query_one(StepVerdict)
        self.call_after_refresh(verdict.scroll_visible, top=True, animate=False)

    def show_completion(
        self, steps: Sequence[tuple[int, str, bool | None]], next_lesson: str = ""
    ) -> None:
        """The lesson's end: every step with how its last run went, and what comes next.

        `steps` holds (number, title, passed): passed is None for a step not run this time.
        """
        done = self.query_one("#lesson-done", Static)
        done.border_title = _("Lesson complete")
        text = Text(_("What this lesson showed:"), style="bold")
        marks = {True: "✓", False: "✗", None: "·"}
        for number, title, passed in steps:
            text.append(f"\n {marks[passed]} {number}. {title}", style="not bold")
        text.append("\n\n")
        if next_lesson:
            text.append(_("Next: {lesson}").format(lesson=next_lesson), style="bold")
        else:
            text.append(_("This was the last lesson."), style="bold")
        done.update(text)
        done.display = True
        self.call_after_refresh(done.scroll_visible, animate=False)

    def hide_completion(self) -> None:
        """Back to the steps."""
        self.query_one("#lesson-done", Static).display = False

    def show_running(self, number: int) -> None:
        """Say step `number` is running."""
        self.query_one(StepVerdict).show_running(number)

    def show_notes(self, shown: bool) -> None:
        """Show or hide the presenter notes (a step without notes shows none)."""
        self.query_one("#lesson-notes", Markdown).display = shown and self._has_notes

    def show_warning(self, lines: Sequence[str], heading: str | None = None) -> None:
        """A warning above the narration (problems found before step 1, faults before a
        step runs); empty hides it."""
        warning = self.query_one("#lesson-warning", Static)
        warning.display = bool(lines)
        if lines:
            text = Text(heading or _("Before you start:"), style="bold")
            for line in lines:  # problems are plain words from the engine, never markup
                text.append(f"\n• {line}", style="not bold")
            warning.update(text)

    def show_empty(self) -> None:
        """A lesson without steps: say so instead of crashing."""
        self.query_one("#lesson-step", Static).update(_("This lesson has no steps."))
