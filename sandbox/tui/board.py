"""`sandbox class`: the teacher's board, one line per student, live.

The spans each student's sandbox streams (`sandbox up --otlp-endpoint URL --student NAME`)
arrive at `sandbox.classroom.receiver` in another thread; the board reads the roster's
snapshot twice a second, and only redraws when something arrived. Enter opens the chosen
student's latest trace in the same trace player as the stage (`TraceScreen`), from the
calls the board received; escape comes back.

Everything shown came over the network, so cells are plain `Text`, never markup.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from sandbox.classroom.roster import Roster, StudentRow
from sandbox.config import DEFAULT_SEED
from sandbox.runtime.models import ServiceInfo
from sandbox.trace.events import HttpCall
from sandbox.tui import i18n
from sandbox.tui.footer import StageFooter
from sandbox.tui.i18n import N_, Lazy, TranslatedBindings, _, ngettext, pgettext
from sandbox.tui.screens.trace import TraceScreen
from sandbox.tui.starting import registry_services
from sandbox.tui.themes import DARK, SERVICE_COLORS, THEME_OBJECTS, next_theme
from sandbox.world import load_world

POLL_SECONDS = 0.5
VERDICT_WORD = {"passed": N_("✓ passed"), "failed": N_("✗ failed"), "error": N_("✗ could not run")}
VERDICT_STYLE = {"passed": "bold green", "failed": "bold red", "error": "bold red"}
COLUMNS = ("student", "verdict", "lesson", "step", "expectation", "calls", "errors", "seen")
"""Who and how they do first: at 80 columns the verdict is still in view."""


def column_labels() -> list[str]:
    """The board's column headings in the UI's language (in COLUMNS' order)."""
    return [
        _("Student"),
        _("Last verdict"),
        _("Lesson or story"),
        pgettext("board column", "Step"),
        _("Failing expectation"),
        _("Calls"),
        _("Errors"),
        _("Last seen"),
    ]


class StudentTraces:
    """One student's traces on the board, as the trace player asks for them."""

    def __init__(self, roster: Roster, student: str) -> None:
        self.roster, self.student = roster, student

    async def trace(self, trace_id: str) -> list[HttpCall]:
        return self.roster.trace(self.student, trace_id)

    async def latest_trace(self) -> str | None:
        return self.roster.latest_trace(self.student)


def ago(seconds: float) -> str:
    """ "just now", "42 s ago", "3 min ago", in the UI's language."""
    if seconds < 5:
        return _("just now")
    if seconds < 120:
        return _("{seconds} s ago").format(seconds=int(seconds))
    return _("{minutes} min ago").format(minutes=int(seconds // 60))


def cells(row: StudentRow, now: float) -> tuple[Text, ...]:
    """The board's cells of one student: text from the wire stays text."""
    verdict = (
        Text(_(VERDICT_WORD[row.verdict]), style=VERDICT_STYLE[row.verdict])
        if row.verdict in VERDICT_WORD
        else Text("—", style="dim")
    )
    step = f"{row.step} · {row.title}" if row.step and row.title else (str(row.step or ""))
    return (
        Text(row.name, style="bold"),
        verdict,
        Text(_cut(row.lesson, 28)),
        Text(_cut(step, 36)),
        Text(_cut(row.expectation, 90)),
        Text(i18n.number(row.calls), justify="right"),
        Text(i18n.number(row.errors), justify="right", style="red" if row.errors else ""),
        Text(ago(max(0.0, now - row.last_seen)), style="dim"),
    )


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class StudentTable(DataTable[Text]):
    """The board's table: Enter (shown in the footer) opens the student under the cursor."""

    BINDINGS = [
        Binding("enter", "select_cursor", Lazy("Open latest trace"), id="board.open"),
    ]


class BoardScreen(TranslatedBindings, Screen[None]):
    """The table of students (its keys in the UI's language, as on the stage's screens)."""

    def __init__(self, board: ClassBoardApp) -> None:
        super().__init__()
        self.board = board
        self._shown = -1
        self._rows: list[StudentRow] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            Text(
                _("Each student runs: sandbox up --otlp-endpoint {url} --student NAME").format(
                    url=self.board.endpoint
                )
            ),
            id="board-join",
        )
        table = StudentTable(id="board-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static(_("No student has sent anything yet."), id="board-empty", markup=False)
        yield StageFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label in zip(COLUMNS, column_labels(), strict=True):
            table.add_column(label, key=key)
        self.refresh_board()
        self.set_interval(self.board.poll, self.refresh_board)

    def refresh_board(self) -> None:
        """Redraw when the roster changed (and every few seconds for "last seen")."""
        if self.board.roster.version == self._shown and int(time.time()) % 5:
            return
        self._shown = self.board.roster.version
        self._rows = self.board.roster.rows()
        table = self.query_one(DataTable)
        chosen = self._chosen()
        now = time.time()
        keep = {row.name for row in self._rows}
        for key in [k for k in table.rows if k.value not in keep]:
            table.remove_row(key)
        for row in self._rows:
            values = cells(row, now)
            if row.name in table.rows:
                for column, value in zip(COLUMNS, values, strict=True):
                    table.update_cell(row.name, column, value)
            else:
                table.add_row(*values, key=row.name)
        table.sort("student", key=lambda text: text.plain.lower())
        if chosen is not None and chosen in table.rows:
            table.move_cursor(row=table.get_row_index(chosen))
        self.query_one("#board-empty").display = not self._rows
        count = len(self._rows)
        failing = sum(1 for row in self._rows if row.verdict in ("failed", "error"))
        self.board.sub_title = " · ".join(
            [
                ngettext("{count} student", "{count} students", count).format(count=count),
                ngettext("{count} failing", "{count} failing", failing).format(count=failing),
            ]
        )

    def _chosen(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key, _column = table.coordinate_to_cell_key(table.cursor_coordinate)
        return key.value

    @on(DataTable.RowSelected)
    def open_selected(self, event: DataTable.RowSelected) -> None:
        self.board.open_student(event.row_key.value or "")


class ClassBoardApp(App[None]):
    """The board: a table of students fed by `roster`, and the trace player for one."""

    CSS = """
    #board-join { padding: 0 1; color: $text-muted; }
    #board-table { height: 1fr; }
    #board-empty { padding: 1 2; }
    """
    BINDINGS = [
        Binding("escape", "to_board", Lazy("Back to the board"), id="board.back"),
        Binding("ctrl+t", "cycle_theme", Lazy("Theme"), id="board.theme", show=False),
        Binding("q", "quit", Lazy("Quit"), id="board.quit"),
    ]

    def __init__(
        self,
        roster: Roster,
        endpoint: str,
        *,
        lang: str = "en",
        theme: str = DARK,
        exports_dir: Path | None = None,
        poll: float = POLL_SECONDS,
    ) -> None:
        i18n.set_language(lang)
        super().__init__()
        for item in THEME_OBJECTS:
            self.register_theme(item)
        self.theme = theme
        self.roster, self.endpoint, self.poll = roster, endpoint, poll
        self.services: tuple[ServiceInfo, ...] = tuple(
            replace(info, health="unknown") for info in registry_services(load_world(DEFAULT_SEED))
        )
        """What the trace player's map draws: the built-in institutions (their health on a
        student's machine is not the board's to know)."""
        self.exports_dir = exports_dir or Path.cwd() / "exports"
        """Where the trace player's `e` writes a student's trace."""
        self.title = _("Class board")

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return {**super().get_theme_variable_defaults(), **SERVICE_COLORS}

    def get_default_screen(self) -> Screen[None]:
        return BoardScreen(self)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Going back is for the player: the key is shown where it works."""
        if action == "to_board":
            return isinstance(self.screen, TraceScreen)
        return True

    def open_student(self, name: str) -> None:
        """The student's latest trace in the trace player."""
        if self.roster.latest_trace(name) is None:
            self.notify(
                _("{student} has sent no call yet.").format(student=name),
                severity="warning",
                markup=False,
            )
            return
        screen = TraceScreen(StudentTraces(self.roster, name))
        self.push_screen(screen)
        screen.sub_title = name
        self.call_after_refresh(self.refresh_bindings)

    def action_to_board(self) -> None:
        if isinstance(self.screen, TraceScreen):
            self.pop_screen()
            self.call_after_refresh(self.refresh_bindings)

    def action_cycle_theme(self) -> None:
        self.theme = next_theme(self.theme)
