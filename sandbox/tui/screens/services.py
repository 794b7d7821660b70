"""Services: each institution's address, health and database, and the faults to inject."""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import (
    Button,
    DataTable,
    Header,
    Input,
    Label,
    OptionList,
    Static,
    Switch,
)
from textual.widgets.option_list import Option

from sandbox.runtime.models import ServiceInfo
from sandbox.tui.backend import Backend
from sandbox.tui.fault_words import describe_fault
from sandbox.tui.footer import StageFooter
from sandbox.tui.i18n import Lazy, TranslatedBindings, _, filled, role_text
from sandbox.tui.messages import ServicesUpdated, WebhooksUpdated
from sandbox.tui.read_only import following, refused
from sandbox.tui.undelivered import summary
from sandbox.tui.widgets.box_looks import health_word
from sandbox.wire.faults import MAX_LATENCY_MS, MAX_RATE_LIMIT, Fault

PAGE = 100


class ServicesScreen(TranslatedBindings, Screen[None]):
    """Every institution keeps its own data; here you can look at it, and break things."""

    CSS_PATH = "services.tcss"
    HELP = Lazy("""\
# Services

Each institution is a separate HTTP service with **its own SQLite database**: the bank's
accounts are not in the marketplace's tables, and the social app has no payment table at all.

- Pick a service on the left to see its URL, its docs and its tables; pick a table to read
  its rows (read-only).
- **Faults**: take a service offline, add latency, make some of its calls fail, or limit the
  calls per second each partner may make (the bank throttles above it), then run a story and
  watch what the others do. **Restore** clears the fault.
- **Force…**: make the next call of a kind fail in the institution's own dialect (the next
  direct debit refused, the next identity check not matching), as `sandbox force` does.
- **ctrl+r** restores the seeded world everywhere.
""")
    BINDINGS = [
        Binding(
            "n",
            "page(1)",
            Lazy("Next rows"),
            id="services.next_page",
            tooltip=Lazy("Next page of rows"),
        ),
        Binding(
            "p",
            "page(-1)",
            Lazy("Previous rows"),
            id="services.prev_page",
            tooltip=Lazy("Previous page of rows"),
        ),
    ]

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend
        self._service = ""
        self._table = ""
        self._row_offset = 0
        self._shown: tuple[ServiceInfo, ...] = ()

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield OptionList(id="service-list")
            with Vertical(id="service-detail"):
                yield Static(id="service-info", markup=False)
                # Two rows, so the buttons stay on screen at 80 columns.
                with Horizontal(id="faults"):
                    yield Label(_("Take offline"))
                    yield Switch(id="offline")
                    # Short placeholders: three fields share 58 columns at 80; tooltips say more.
                    yield Input(
                        placeholder=_("Delay ms"),
                        id="latency",
                        type="integer",
                        tooltip=_("Latency added to every answer, in milliseconds"),
                    )
                    yield Input(
                        placeholder=_("Errors %"),
                        id="error-rate",
                        type="number",
                        tooltip=_("Percentage of calls answered 500 injected_fault"),
                    )
                    yield Input(
                        placeholder=_("Limit /s"),
                        id="rate-limit",
                        type="number",
                        tooltip=_(
                            "Calls per second each partner may make; the bank answers 429 "
                            "with Retry-After above it (empty or 0: no limit)"
                        ),
                    )
                with Horizontal(id="fault-buttons"):
                    yield Button(_("Apply"), id="apply", variant="warning")
                    yield Button(_("Restore"), id="restore")
                    yield Button(
                        _("Force…"), id="force", tooltip=_("Make its next call of a kind fail")
                    )
                    yield Button(_("Reset world"), id="reset-world", variant="error")
                with Horizontal(id="data"):
                    yield DataTable(id="tables", cursor_type="row")
                    yield DataTable(id="rows", zebra_stripes=True)
        yield StageFooter()

    def on_resize(self) -> None:
        # At 80 columns the list and the tables give room to the faults and the rows.
        self.set_class(self.size.width < 110, "-narrow")
        # On 24 rows the buttons are one row high: two more rows of the table, and the
        # toasts stacked at the bottom right (up to twelve rows) leave them clickable.
        for button in self.query("#fault-buttons Button").results(Button):
            button.compact = self.size.height < 30

    def on_mount(self) -> None:
        # `query`, not `query_one`: a screen the app tears down as it quits (a follower sent
        # here by the presenter a moment before) may have lost its children already.
        for tables in self.query("#tables").results(DataTable):
            tables.add_columns(_("table"), _("rows"))
        if following(self):  # a student's page watches the faults, it does not set them
            for control in self.query("#faults Switch, #faults Input, #fault-buttons Button"):
                control.disabled = True
        self.show_services(ServicesUpdated(self.app.services))  # type: ignore[attr-defined]

    @on(ServicesUpdated)
    def show_services(self, message: ServicesUpdated) -> None:
        if message.services == self._shown:
            return  # polled every second; rebuild the list only when something changed
        self._shown = message.services
        options = self.query_one("#service-list", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for info in message.services:
            options.add_option(
                Option(
                    filled(
                        "{title}\n[dim]{name} · {fault}[/]",
                        title=info.title,
                        name=info.name,
                        fault=describe_fault(info.fault),
                    ),
                    id=info.name,
                )
            )
        if message.services:
            options.highlighted = highlighted if highlighted is not None else 0
        self._show_info()

    def _info(self) -> ServiceInfo | None:
        for info in self.app.services:  # type: ignore[attr-defined]
            if info.name == self._service:
                found: ServiceInfo = info
                return found
        return None

    def _show_info(self) -> None:
        info = self._info()
        if info is None:
            return
        shown = filled(
            _(
                "[b]{title}[/] ({name}) — {role}\n"
                "URL {url}   docs {docs}\n"
                "health {health} · calls in {calls_in} · out {calls_out} · {fault}"
            ),
            title=info.title,
            name=info.name,
            role=role_text(info.role, info.kind),
            url=info.url,
            docs=info.docs_url,
            health=health_word(info.health),
            calls_in=info.calls_in,
            calls_out=info.calls_out,
            fault=describe_fault(info.fault),
        )
        undelivered = summary(self.app.webhooks, info.name)  # type: ignore[attr-defined]
        if undelivered:
            shown += Content("\n") + filled(
                "[b]{undelivered}[/] {see}",
                undelivered=undelivered,
                see=_("(its outbox table below; `sandbox webhooks` lists them)"),
            )
        self.query_one("#service-info", Static).update(shown)

    @on(WebhooksUpdated)
    def show_webhooks(self, message: WebhooksUpdated) -> None:
        self._show_info()

    @on(OptionList.OptionHighlighted, "#service-list")
    def pick_service(self, message: OptionList.OptionHighlighted) -> None:
        name = message.option.id or ""
        if name != self._service:
            self._service = name
            self._show_info()
            info = self._info()
            if info is not None:
                self._show_fault(info.fault)
            self.load_tables()

    def _show_fault(self, fault: Fault) -> None:
        """The form shows the service's fault as it is, so Apply changes only what is edited
        (a rate limit `sandbox run flash-sale` set is not lost by taking the bank offline)."""
        self.query_one("#offline", Switch).value = fault.offline
        self.query_one("#latency", Input).value = str(fault.latency_ms) if fault.latency_ms else ""
        rate = f"{fault.error_rate * 100:g}" if fault.error_rate else ""
        self.query_one("#error-rate", Input).value = rate
        limit = f"{fault.rate_limit:g}" if fault.rate_limit else ""
        self.query_one("#rate-limit", Input).value = limit

    @work(exclusive=True, group="tables", exit_on_error=False)
    async def load_tables(self) -> None:
        """List the institution's tables with their row counts."""
        tables = self.query_one("#tables", DataTable)
        tables.clear()
        try:
            found = await self.backend.tables(self._service)
        except Exception as exc:
            self.notify(
                _("{what} failed: {reason}").format(what=self._service, reason=str(exc)),
                severity="error",
            )
            return
        for table in found:
            tables.add_row(table.name, table.rows, key=table.name)
        tables.border_title = _("Tables in {name}'s own database").format(name=self._service)

    @on(DataTable.RowHighlighted, "#tables")
    def pick_table(self, message: DataTable.RowHighlighted) -> None:
        self._table = str(message.row_key.value)
        self._row_offset = 0
        self.load_rows()

    def action_page(self, direction: int) -> None:
        self._row_offset = max(0, self._row_offset + direction * PAGE)
        self.load_rows()

    @work(exclusive=True, group="rows", exit_on_error=False)
    async def load_rows(self) -> None:
        """One page of the chosen table, read-only."""
        if not self._table:
            return
        rows_view = self.query_one("#rows", DataTable)
        try:
            columns, rows, total = await self.backend.rows(
                self._service, self._table, self._row_offset, PAGE
            )
        except Exception as exc:
            self.notify(
                _("{what} failed: {reason}").format(what=self._table, reason=str(exc)),
                severity="error",
            )
            return
        rows_view.clear(columns=True)
        rows_view.add_columns(*columns)
        for row in rows:
            rows_view.add_row(*(_cell(v) for v in row))
        end = min(self._row_offset + PAGE, total)
        first = self._row_offset + 1 if total else 0
        rows_view.border_title = Content(f"{self._table}: {first}–{end} / {total}")  # its name

    @on(Button.Pressed, "#apply")
    def apply_fault(self) -> None:
        if refused(self):
            return
        fault = self._form_fault()
        if fault is None:
            self.notify(
                _(
                    "latency must be whole milliseconds up to {ms}, error rate a percentage, "
                    "rate limit calls per second up to {limit}"
                ).format(ms=MAX_LATENCY_MS, limit=f"{MAX_RATE_LIMIT:g}"),
                severity="error",
            )
            return
        self.set_fault(fault)

    def _form_fault(self) -> Fault | None:
        """The fault the form describes, every kind the control API accepts; None when a
        field is out of the API's range (it would refuse it)."""
        try:
            latency = int(self.query_one("#latency", Input).value or "0")
            rate = float(self.query_one("#error-rate", Input).value or "0") / 100
            limit = float(self.query_one("#rate-limit", Input).value or "0")
        except ValueError:
            return None
        if not (0 <= latency <= MAX_LATENCY_MS and 0 <= rate <= 1 and 0 <= limit <= MAX_RATE_LIMIT):
            return None  # also NaN, which no comparison accepts
        return Fault(
            offline=self.query_one("#offline", Switch).value,
            latency_ms=latency,
            error_rate=rate,
            rate_limit=limit,
        )

    @on(Button.Pressed, "#force")
    def force(self) -> None:
        if refused(self) or not self._service:
            return
        from sandbox.tui.screens.force import ForceDialog

        self.app.push_screen(ForceDialog(self.backend, self._service))

    @on(Button.Pressed, "#reset-world")
    def reset_world(self) -> None:
        if refused(self):
            return
        self.app.action_reset_world()  # type: ignore[attr-defined]

    @on(Button.Pressed, "#restore")
    def restore(self) -> None:
        if refused(self):
            return
        self.query_one("#offline", Switch).value = False
        self.query_one("#latency", Input).value = ""
        self.query_one("#error-rate", Input).value = ""
        self.query_one("#rate-limit", Input).value = ""
        self.set_fault(Fault())

    @work(exclusive=True, group="fault", exit_on_error=False)
    async def set_fault(self, fault: Fault) -> None:
        """Send the fault to the runtime; the map shows it at the next refresh."""
        if refused(self):
            return
        try:
            await self.backend.set_fault(self._service, fault)
        except Exception as exc:
            self.notify(
                _("{what} failed: {reason}").format(what=self._service, reason=str(exc)),
                severity="error",
            )
            return
        self.notify(_("{name}: {fault}").format(name=self._service, fault=describe_fault(fault)))
        await self.app.refresh_services()  # type: ignore[attr-defined]


def _cell(value: Any) -> str:
    text = "∅" if value is None else str(value)
    return text if len(text) <= 60 else text[:59] + "…"
