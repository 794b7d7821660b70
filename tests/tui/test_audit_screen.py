"""The audit screen: rules with their verdicts, and a finding leads to the offending call."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from textual.widgets import Button, DataTable, OptionList, Static

from sandbox.audit.checks import FAIL, NA, PASS
from sandbox.audit.command import Running, audit
from sandbox.audit.history import save_record
from sandbox.runtime.models import ServiceInfo
from sandbox.scenarios.checkout import checkout
from sandbox.scenarios.phone import PhoneReader
from sandbox.trace.events import HttpCall
from sandbox.tui.screens.audit import AuditScreen, recent_calls
from sandbox.tui.screens.trace import TraceScreen
from sandbox.tui.widgets.sequence import SequencePlayer
from tests.tui.factory import LocalBackend, make_app, until

BAD_TRACE = "b" * 32
BAD_SPAN = "5" * 16


def _loopback(backend: LocalBackend) -> None:
    """The in-process institutions have made-up hostnames; the real ones listen on 127.0.0.1."""
    services = backend.services

    async def on_loopback() -> list[ServiceInfo]:
        return [
            replace(s, url=f"http://127.0.0.1:{8100 + n}") for n, s in enumerate(await services())
        ]

    backend.services = on_loopback  # type: ignore[method-assign]


def _bad_call(started_at: float) -> HttpCall:
    """The video app talking to the bank directly: what SOC-PAY forbids."""
    return HttpCall(
        trace_id=BAD_TRACE,
        span_id=BAD_SPAN,
        parent_id=None,
        caller="social",
        callee="bank",
        method="POST",
        path="/snap/v1.0/transfer-va/payment",
        status=200,
        started_at=started_at,
        duration_ms=3.0,
        request_headers=(("content-type", "application/json"),),
        request_body="{}",
        response_body='{"ok":true}',
    )


def _verdicts(screen: AuditScreen) -> dict[str, str]:
    assert screen.report is not None
    return {r.rule.id: r.verdict for r in screen.report.results}


async def test_checkout_audits_clean_and_a_bad_call_leads_to_its_trace(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path)
    _loopback(backend)
    await checkout(backend.wire, backend.world, lambda *_: None, phone=PhoneReader(backend.sms))
    await backend.settle()  # no webhook of the checkout lands after this count
    recorded = backend.store.count()
    assert recorded >= 17
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("7")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AuditScreen)
        await pilot.press("a")
        await until(lambda: screen.report is not None and not screen.running, pilot)
        verdicts = _verdicts(screen)
        assert verdicts and set(verdicts.values()) <= {PASS, NA}, verdicts
        assert verdicts["SOC-PAY"] == PASS
        assert screen.report is not None and screen.report.calls == recorded
        table = screen.query_one("#rules", DataTable)
        assert table.row_count == len(verdicts)

        last = backend.store.calls(recorded - 1, 1)[0]
        backend.store.add([_bad_call(last.started_at + 1)])
        screen.report = None
        await pilot.click("#run-audit")
        await until(lambda: screen.report is not None and not screen.running, pilot)
        verdicts = _verdicts(screen)
        assert verdicts["SOC-PAY"] == FAIL
        assert [k for k, v in verdicts.items() if v == FAIL] == ["SOC-PAY"], verdicts
        assert "FAIL" in str(table.get_row("SOC-PAY")[1])

        screen.select_rule("SOC-PAY")
        await pilot.pause()
        evidence = screen.query_one("#evidence", OptionList)
        assert evidence.option_count == 1
        option = evidence.get_option_at_index(0)
        assert option.id == BAD_SPAN
        assert "social → bank" in str(option.prompt)
        assert "POST /snap/v1.0/transfer-va/payment" in str(option.prompt)
        evidence.focus()
        evidence.highlighted = 0
        await pilot.press("enter")
        await until(
            lambda: (
                isinstance(app.screen, TraceScreen)
                and app.screen.query_one(SequencePlayer).total > 0
            ),
            pilot,
        )
        assert isinstance(app.screen, TraceScreen)
        player = app.screen.query_one(SequencePlayer)
        assert player.current is not None and player.current.call.span_id == BAD_SPAN
    await backend.aclose()


async def test_recent_calls_pages_and_keeps_the_newest(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path)
    backend.store.add([replace(_bad_call(1000.0 + i), span_id=f"{i:016x}") for i in range(1203)])
    calls = await recent_calls(backend, limit=1000, page=300)
    assert len(calls) == 1000
    assert [c.span_id for c in calls] == [f"{i:016x}" for i in range(203, 1203)]
    await backend.aclose()


async def test_a_learner_reading_indonesian_sees_the_rules_in_indonesian(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path, lang="id")
    _loopback(backend)
    backend.store.add([_bad_call(1000.0)])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("7")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AuditScreen)
        await pilot.press("a")
        await until(lambda: screen.report is not None and not screen.running, pilot)
        table = screen.query_one("#rules", DataTable)
        assert str(table.get_row("SOC-PAY")[2]) == "Aplikasi sosial tidak pernah memanggil bank"
        screen.select_rule("SOC-PAY")
        await pilot.pause()
        detail = str(screen.query_one("#rule-detail", Static).render())
        assert "Mengapa aturan ini ada" in detail
        assert "tidak boleh menjalankan transaksinya sendiri" in detail
        assert "jalur terlarang (social -> bank)" in detail  # the check's reason, too
        assert "may not run the transaction" not in detail
    await backend.aclose()


async def test_the_screen_judges_re_audit_as_the_cli_does(tmp_path: Path) -> None:
    """The audit on record in the data directory, the services' digests and the sandbox's
    clock: a recorded audit passes RE-AUDIT, and 13 months later (on the sandbox's clock)
    it has aged past the rule set's period, on the screen as in `sandbox audit`."""
    app, backend = make_app(tmp_path)
    _loopback(backend)
    urls = {s.name: s.url for s in await backend.services()}

    async def cli_verdicts() -> dict[str, str]:
        basis = await backend.audit_basis()
        running = Running(urls, backend.clock(), basis["fingerprints"])
        calls = await recent_calls(backend)
        report = audit(backend.data_dir, calls, urls, "en", running)
        return {r.rule.id: r.verdict for r in report.results}

    basis = await backend.audit_basis()
    first = audit(
        backend.data_dir, [], urls, "en", Running(urls, backend.clock(), basis["fingerprints"])
    )
    assert first.recordable
    save_record(backend.data_dir, first.to_record())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("7")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AuditScreen)

        async def run() -> dict[str, str]:
            screen.report = None
            # Pressed, not clicked: the last run's toast may lie over the button.
            screen.query_one("#run-audit", Button).press()
            await until(lambda: screen.report is not None and not screen.running, pilot)
            return _verdicts(screen)

        assert (await run())["RE-AUDIT"] == PASS == (await cli_verdicts())["RE-AUDIT"]
        await backend.advance_clock("395d")
        shown, printed = await run(), await cli_verdicts()
        assert shown["RE-AUDIT"] == FAIL, "the audit aged past 12 months on the sandbox's clock"
        assert shown == printed
    await backend.aclose()
