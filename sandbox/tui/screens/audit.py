"""The audit: every rule with its verdict; a finding's evidence leads to the offending call."""

from __future__ import annotations

import asyncio
from datetime import datetime

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, DataTable, Header, OptionList, Static
from textual.widgets.data_table import ColumnKey
from textual.widgets.option_list import Option

from sandbox.audit import AuditReport, RuleResult, run_audit
from sandbox.audit.checks import FAIL, NA, PASS
from sandbox.audit.history import newest_of
from sandbox.runtime.models import CallFilter
from sandbox.trace.events import HttpCall
from sandbox.tui.backend import Backend
from sandbox.tui.footer import StageFooter
from sandbox.tui.i18n import N_, Lazy, TranslatedBindings, _, language, ngettext, number
from sandbox.tui.messages import ShowTrace

MAX_CALLS = 5_000
"""The audit looks at the most recent calls, at most this many."""
PAGE = 500
VERDICT_STYLE = {PASS: "bold green", FAIL: "bold red", NA: "dim"}
VERDICT_WORD = {PASS: N_("PASS"), FAIL: N_("FAIL"), NA: N_("n/a")}
RULE_ID_WIDTH = 11
"""The longest rule id of the shipped rule sets (WEBHOOK-ACK); a longer one is cut."""


async def recent_calls(
    backend: Backend, limit: int = MAX_CALLS, page: int = PAGE
) -> list[HttpCall]:
    """The newest `limit` recorded calls, oldest first, fetched `page` at a time."""
    flt = CallFilter()
    total = await backend.count(flt)
    offset = max(0, total - limit)
    calls: list[HttpCall] = []
    while offset < total:
        batch = await backend.calls(offset, min(page, total - offset), flt)
        if not batch:
            break
        calls.extend(batch)
        offset += len(batch)
    return calls[-limit:]


def counted(report: AuditReport) -> dict[str, str]:
    """The report's rules, calls and traces, each with its count: "7 rules", "1 call"."""
    rules, calls, traces = len(report.results), report.calls, report.traces
    return {
        "rules": ngettext("{count} rule", "{count} rules", rules).format(count=number(rules)),
        "calls": ngettext("{count} call", "{count} calls", calls).format(count=number(calls)),
        "traces": ngettext("{count} trace", "{count} traces", traces).format(count=number(traces)),
    }


def verdict_text(verdict: str) -> Text:
    """PASS, FAIL or n/a in the UI's language, coloured."""
    word = VERDICT_WORD.get(verdict, VERDICT_WORD[NA])
    return Text(_(word), style=VERDICT_STYLE.get(verdict, ""))


class AuditScreen(TranslatedBindings, Screen[None]):
    """Run the audit rules over the recorded calls; jump from a finding to its call."""

    CSS_PATH = "audit.tcss"
    HELP = Lazy("""\
# The audit

An audit checks the recorded calls against rules written down as data (the files in
`sandbox/audit/rulesets/`): for example, the video app must never call the bank, and no
personal data may reach it. Each rule says **PASS**, **FAIL** or **n/a** (nothing it applies to
was recorded yet).

- Press **a** (or **Run audit**) to check the most recent calls (up to 5,000) again.
- Move through the rules: the right side says why the rule exists and what was found.
- For a failing rule, the calls that broke it are listed: **Enter** opens one in the trace
  player, at that very call.

The audit also checks the list of institutions, their contracts and credentials against the
last audit recorded (`sandbox audit --record`): when a service is added or changed, or the
audit is older than its rule set's period on the sandbox's clock, it is flagged until the
audit is run again and recorded. The verdicts are those `sandbox audit` prints.
""")
    BINDINGS = [
        Binding(
            "a",
            "run_audit",
            Lazy("Run audit"),
            id="audit.run",
            tooltip=Lazy("Check the most recent calls against every rule"),
        ),
    ]

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend
        self.report: AuditReport | None = None
        self.calls: dict[str, HttpCall] = {}
        """The audited calls by span id, to show and open the evidence."""
        self.running = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            with Vertical(id="rules-pane"):
                with Horizontal(id="audit-bar"):
                    yield Button(_("Run audit"), id="run-audit", variant="primary")
                    yield Static(
                        _("Not run yet: press a to audit the recorded calls."),
                        id="audit-summary",
                        markup=False,
                    )
                yield DataTable(id="rules", cursor_type="row", zebra_stripes=True)
            with Vertical(id="finding"):
                yield Static(
                    _("Run the audit, then choose a rule."), id="rule-detail", markup=False
                )
                yield OptionList(id="evidence")
        yield StageFooter()

    def on_mount(self) -> None:
        table = self.query_one("#rules", DataTable)
        # Fixed widths: a column sized by the rows it has seen so far changed width between
        # runs (the table is filled after the audit), and a stage must not jump.
        table.add_column(_("Rule"), key="id", width=max(len(_("Rule")), RULE_ID_WIDTH))
        table.add_column(
            _("Verdict"),
            key="verdict",
            width=max(len(_("Verdict")), *(len(_(word)) for word in VERDICT_WORD.values())),
        )
        table.add_column(_("What it checks"), key="title")
        self.query_one("#finding").border_title = _("Finding")
        self.query_one("#evidence", OptionList).border_title = _("Evidence (Enter opens the call)")
        table.focus()

    @on(Button.Pressed, "#run-audit")
    def action_run_audit(self) -> None:
        self.run_audit_worker()

    @work(exclusive=True, group="audit", exit_on_error=False)
    async def run_audit_worker(self) -> None:
        """Fetch the most recent calls and audit them here, in the UI process."""
        self.running = True
        summary = self.query_one("#audit-summary", Static)
        summary.update(_("Auditing the recorded calls…"))
        try:
            infos = list(self.app.services) or await self.backend.services()  # type: ignore[attr-defined]
            calls = await recent_calls(self.backend)
            # As `sandbox audit` judges: on the sandbox's clock (an audit ages on it), with the
            # services' digests now and the audits recorded in its data directory.
            clock = await self.backend.clock_state()
            basis = await self.backend.audit_basis()
            found = basis.get("fingerprints") or {}
            report = await asyncio.to_thread(
                run_audit,
                calls,
                [s.name for s in infos],
                newest_of(basis.get("audits")),
                {s.name: s.url for s in infos},
                None,
                language(),
                datetime.fromisoformat(str(clock["now"])).timestamp(),
                found.get("contracts"),
                found.get("credentials"),
            )
        except Exception as exc:
            reason = str(exc) or type(exc).__name__
            what = _("Run audit")
            summary.update(_("{what} failed: {reason}").format(what=what, reason=reason))
            self.running = False
            return
        self.calls = {c.span_id: c for c in calls}
        self.show_report(report)
        self.running = False

    def show_report(self, report: AuditReport) -> None:
        """Fill the rules table and the summary; keep the cursor where it was."""
        self.report = report
        table = self.query_one("#rules", DataTable)
        row = table.cursor_row
        table.clear()
        # Sized before the rows arrive: measured afterwards, on a busy machine a frame could
        # show the titles cut to the width of their heading.
        titles = [result.rule.title_in(language()) for result in report.results]
        column = table.columns[ColumnKey("title")]
        column.width = max([len(_("What it checks")), *map(cell_len, titles)])
        column.auto_width = False
        for result in report.results:
            table.add_row(
                result.rule.id,
                verdict_text(result.verdict),
                result.rule.title_in(language()),
                key=result.rule.id,
            )
        failed = len(report.failed)
        self.query_one("#audit-summary", Static).update(
            (
                # TRANSLATORS: {rules}, {calls} and {traces} are counted: "7 rules", "1 call"
                _("{failed} of {rules} failed, over {calls} in {traces}.")
                if failed
                else _("No rule failed: {rules} over {calls} in {traces}.")
            ).format(failed=failed, **counted(report))
        )
        if report.results:
            table.move_cursor(row=min(max(row, 0), len(report.results) - 1))
            self.show_result(self.result_at(table.cursor_row))

    def result_at(self, row: int) -> RuleResult | None:
        if self.report is None or not 0 <= row < len(self.report.results):
            return None
        return self.report.results[row]

    def select_rule(self, rule_id: str) -> None:
        """Put the cursor on a rule by its id (for tests and the palette)."""
        if self.report is None:
            return
        for row, result in enumerate(self.report.results):
            if result.rule.id == rule_id:
                self.query_one("#rules", DataTable).move_cursor(row=row)
                self.show_result(result)
                return

    @on(DataTable.RowHighlighted, "#rules")
    def rule_highlighted(self, message: DataTable.RowHighlighted) -> None:
        self.show_result(self.result_at(message.cursor_row))

    @on(DataTable.RowSelected, "#rules")
    def rule_selected(self, message: DataTable.RowSelected) -> None:
        """Enter on a failing rule moves to its evidence."""
        evidence = self.query_one("#evidence", OptionList)
        if evidence.option_count and not evidence.get_option_at_index(0).disabled:
            evidence.highlighted = 0
            evidence.focus()

    def show_result(self, result: RuleResult | None) -> None:
        """The rule's reason and why, and its evidence calls when it failed."""
        detail = self.query_one("#rule-detail", Static)
        evidence = self.query_one("#evidence", OptionList)
        evidence.clear_options()
        if result is None:
            detail.update(_("Run the audit, then choose a rule."))
            return
        text = Text()
        text.append(f"{result.rule.id}  ", style="bold")
        text.append_text(verdict_text(result.verdict))
        text.append(f"\n{result.rule.title_in(language())}\n\n", style="bold")
        text.append(_("What was found") + "\n", style="underline")
        text.append(f"{result.reason}\n\n")
        text.append(_("Why the rule exists") + "\n", style="underline")
        text.append(result.rule.why_in(language()))
        detail.update(text)
        if result.verdict != FAIL:
            evidence.add_option(Option(_("No offending calls."), disabled=True))
            return
        options = [self.evidence_option(item) for item in result.evidence]
        if result.total > len(result.evidence):
            options.append(
                Option(
                    _("…and {count} more").format(count=result.total - len(result.evidence)),
                    disabled=True,
                )
            )
        evidence.add_options(options or [Option(_("No offending calls."), disabled=True)])

    def evidence_option(self, item: str) -> Option:
        """One offending call (caller → callee method path status), or a service name."""
        call = self.calls.get(item)
        if call is None:
            return Option(Text(item), disabled=True)
        status = str(call.status) if call.status is not None else (call.error or "—")
        label = Text()
        label.append(f"{call.caller} → {call.callee}  ", style="bold")
        label.append(f"{call.method} {call.path}  ")
        label.append(status, style="red" if call.outcome != "2xx" else "green")
        return Option(label, id=call.span_id)

    @on(OptionList.OptionSelected, "#evidence")
    def open_evidence(self, message: OptionList.OptionSelected) -> None:
        """Enter on an evidence call opens its trace in the player, at that call."""
        call = self.calls.get(message.option.id or "")
        if call is not None:
            self.app.post_message(ShowTrace(call.trace_id, call.span_id))
