"""`sandbox run STORY` and `sandbox run flash-sale`: a story or the sale run headless against
the running sandbox (or one started for the run), its outcome printed or as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from sandbox.cli.options import (
    LANG_DEFAULT,
    UserError,
    _config,
    _log_to_file,
    _positive,
    _settings,
    add_command,
)
from sandbox.cli.traces import _trace_store
from sandbox.config import Settings
from sandbox.language import LANGUAGES, texts

STORIES = ("checkout", "open-account", "admission", "admission-covered", "admission-revoked")
"""The names of sandbox.scenarios.SCENARIOS and VARIANTS, kept here so `--help` imports no
scenario code."""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Define `sandbox run`, the flash sale's options among its own."""
    run = add_command(sub, "run", "run a story headless and check its outcome")
    run.add_argument("scenario", choices=(*STORIES, "flash-sale"))
    run.add_argument("--json", action="store_true", help="print the result as JSON")
    run.add_argument(
        "--pay",
        choices=("debit", "va"),
        help="checkout and flash-sale: pay with Bank Contoh inside the checkout (debit, the "
        "default) or the virtual account in her bank app (va: the jump)",
    )
    run.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=argparse.SUPPRESS,
        help=f"the story's language: English or Bahasa Indonesia ({LANG_DEFAULT})",
    )
    sale = run.add_argument_group(
        "flash-sale",
        "Harbolnas 12.12: seeded buyers race for limited stock (needs Locust: "
        "pip install 'integration-sandbox[load]'; see docs/flash-sale.md)",
    )
    sale.add_argument("--buyers", type=_positive, metavar="N", help="distinct buyers (default 50)")
    sale.add_argument(
        "--duration", type=_positive, metavar="S", help="longest the sale runs, in s (default 30)"
    )
    sale.add_argument(
        "--products", type=_positive, metavar="K", help="limited-stock products (default 2)"
    )
    sale.add_argument(
        "--bank-limit",
        type=_positive,
        metavar="R",
        help="the bank throttles each partner above R SNAP calls per second during the sale "
        "(429 with Retry-After; default: no limit)",
    )
    run.set_defaults(func=cmd_run)


# -- run ---------------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    """Run a story headless against the running sandbox, or one started for the run."""
    from sandbox.runtime.state import RuntimeState
    from sandbox.scenarios import SCENARIOS, VARIANTS, StoryFailed
    from sandbox.wire import Wire
    from sandbox.world import load_world

    if args.scenario == "flash-sale":
        return cmd_flash_sale(args)
    _no_sale_options(args)
    settings = _settings(args)
    scenario = {**SCENARIOS, **VARIANTS}[args.scenario]
    pay = getattr(args, "pay", None)
    if pay is not None and args.scenario != "checkout":
        raise UserError(f"--pay is for the checkout and the flash sale, not {args.scenario}")
    state = RuntimeState.read(settings.data_dir)
    runtime = None
    if state is None:
        runtime = _runtime_for_the_run(settings, args)
        urls, seed = runtime.urls, settings.seed
        control_url, token = runtime.control_url, None
    else:
        urls, seed = state.services, state.seed
        control_url, token = state.control_url, state.token
    world = load_world(seed)
    lines: list[str] = []
    report = lines.append if args.json else print
    lang = getattr(args, "lang", "en")
    _ = texts("stories", lang)
    if not args.json:
        where = (
            _("a sandbox started for this run")
            if runtime
            else _("the sandbox pid {pid}").format(pid=state.pid)  # type: ignore[union-attr]
        )
        print(_("Running `{story}` against {where}").format(story=args.scenario, where=where))

    async def go() -> Any:
        from sandbox.runtime.remote import ControlClient
        from sandbox.scenarios import TAKES_PHONE, PhoneReader

        wire = Wire()  # the running sandbox records these calls on its side
        for name, url in urls.items():
            wire.set_url(name, url)
        control = ControlClient(control_url, token=token)
        options: dict[str, Any] = {"pay": pay} if pay else {}
        if args.scenario in TAKES_PHONE:  # her phone, read through the control API
            options["phone"] = PhoneReader(control.sms)
        try:
            return await scenario(wire, world, report, lang=lang, **options)
        finally:
            await wire.aclose()
            await control.aclose()

    error, story = None, None
    try:
        story = asyncio.run(go())
    except StoryFailed as exc:
        error = str(exc)
    finally:
        if runtime is not None:
            runtime.stop_thread()
    if args.json:
        print(
            json.dumps(
                {
                    "scenario": args.scenario,
                    "ok": error is None,
                    "trace_id": story.trace_id if story else None,
                    "steps": lines,
                    "facts": story.facts if story else {},
                    "error": error,
                },
                indent=1,
            )
        )
    else:
        if story is not None:
            _print_trace(settings, story.trace_id, lang)
        if error:
            print(_("FAILED: {reason}").format(reason=error))
        else:
            print(_("OK: `{story}` finished as the story says.").format(story=args.scenario))
    return 0 if error is None else 1


# -- run flash-sale ----------------------------------------------------------------------------

SALE_OPTIONS = ("buyers", "duration", "products", "bank_limit")
"""Options of the flash sale alone (`--pay` is also the checkout's)."""


def _no_sale_options(args: argparse.Namespace) -> None:
    given = [
        f"--{name.replace('_', '-')}"
        for name in SALE_OPTIONS
        if getattr(args, name, None) is not None
    ]
    if given:
        raise UserError(f"{', '.join(given)}: only for `sandbox run flash-sale`")


def cmd_flash_sale(args: argparse.Namespace) -> int:
    """Buyers race for limited stock through the whole integration; the invariants checked."""
    from sandbox.load.report import SaleReport
    from sandbox.load.sale import SaleError, SaleOptions, Target, check_options, flash_sale
    from sandbox.runtime.state import RuntimeState
    from sandbox.world import load_world

    settings = _settings(args)
    defaults = SaleOptions()
    options = SaleOptions(
        buyers=args.buyers or defaults.buyers,
        duration_s=args.duration or defaults.duration_s,
        products=args.products or defaults.products,
        pay=args.pay or defaults.pay,
        bank_limit=float(args.bank_limit or 0),
    )
    state = RuntimeState.read(settings.data_dir)
    world = load_world(state.seed if state else settings.seed)
    try:
        check_options(options, world)  # before starting anything
    except SaleError as exc:
        raise UserError(str(exc)) from None
    runtime = None
    if state is None:
        runtime = _runtime_for_the_run(settings, args)
        target = Target(runtime.control_url, runtime.urls, runtime.control_token)
    else:
        target = Target(state.control_url, state.services, state.token)
    say = (lambda _text: None) if args.json else print
    try:
        report: SaleReport = flash_sale(
            target, world, options, settings.data_dir / "flash-sale", say
        )
    except SaleError as exc:
        raise UserError(str(exc)) from None
    finally:
        if runtime is not None:
            runtime.stop_thread()
    if args.json:
        print(json.dumps(report.to_dict(), indent=1))
    else:
        print("\n".join(report.lines()))
        print("OK: the invariants hold." if report.ok else "FAILED: an invariant does not hold.")
    return 0 if report.ok else 1


def _runtime_for_the_run(settings: Settings, args: argparse.Namespace) -> Any:
    """A sandbox started on a thread for this run (no `sandbox up` is running)."""
    from sandbox.runtime.data_dir import DataDirInUse, ForeignFolder
    from sandbox.runtime.supervisor import Runtime, SeedMismatch

    try:
        runtime = Runtime(Settings(settings.data_dir, 0, settings.seed), _config(args))
        _log_to_file(settings.data_dir)
        runtime.start_in_thread()
    except (SeedMismatch, ForeignFolder, DataDirInUse) as exc:
        raise UserError(str(exc)) from None
    return runtime


def _print_trace(settings: Settings, trace_id: str, lang: str = "en") -> None:
    from sandbox.trace.waterfall import waterfall

    try:
        calls = _trace_store(settings).trace(trace_id)
    except UserError:
        calls = []
    print()
    print("\n".join(waterfall(calls)) if calls else f"trace {trace_id}")
    _ = texts("stories", lang)
    print(
        _("(sandbox trace export {trace} --format mermaid  draws it as a diagram)").format(
            trace=trace_id[:12]
        )
    )
