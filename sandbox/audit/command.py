"""`sandbox audit`: run the rule sets over recorded calls and the registry, print a report.

Wire into `sandbox/cli/parser.py` with `add_parser(sub)` inside `_parser()`; `cmd_audit` is the
subcommand's `func`. Exit codes: 0 every rule passed or did not apply, 1 a rule failed (or
`--record` was refused), 2 a usage problem (unknown trace, bad time, broken rule file).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sandbox.audit.engine import AuditReport, run_audit
from sandbox.audit.history import FILENAME, last_record, save_record
from sandbox.audit.report import render, to_dict
from sandbox.audit.rules import RuleError
from sandbox.language import LANGUAGES, default_language
from sandbox.trace.events import HttpCall

DEFAULT_TRACES = 200
TRACE_FILE = "trace.db"
EXIT_FAIL, EXIT_USAGE = 1, 2
_RELATIVE = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([smhd])\s*")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class AuditUsageError(Exception):
    """Something the person typed cannot be used (printed without a traceback)."""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Define `sandbox audit` on the CLI's subparsers."""
    help_text = "check recorded calls and the service registry against the audit rules"
    p = sub.add_parser(
        "audit", help=help_text, description=help_text + ". Exits 1 if a rule fails."
    )
    p.add_argument(
        "--data-dir",
        metavar="D",
        help="where the sandbox keeps its data (default: your user data dir, or $SANDBOX_DATA_DIR)",
    )
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--trace", metavar="ID", help="audit one trace (a unique id prefix works)")
    scope.add_argument(
        "--since",
        metavar="TIME",
        help="audit traces started since TIME (ISO time, or 30s, 10m, 2h, 1d ago)",
    )
    scope.add_argument(
        "--all",
        action="store_true",
        help=f"audit every stored trace (default: the {DEFAULT_TRACES} most recent)",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=argparse.SUPPRESS,
        help="the report's language: English or Bahasa Indonesia "
        "(default: $SANDBOX_LANG, else your system's language if Indonesian, else en)",
    )
    p.add_argument(
        "--record",
        action="store_true",
        help=f"store a passed audit in {FILENAME}, so the services it covered count as audited",
    )
    p.set_defaults(func=cmd_audit)
    return p


def parse_since(text: str, now: float | None = None) -> float:
    """Unix seconds for `10m`-style durations ago or an ISO 8601 time (local time if naive)."""
    match = _RELATIVE.fullmatch(text)
    if match:
        now = time.time() if now is None else now
        return now - float(match.group(1)) * _UNITS[match.group(2)]
    try:
        return datetime.fromisoformat(text.strip()).timestamp()
    except ValueError:
        raise AuditUsageError(
            f"cannot read --since {text!r}; use an ISO time such as "
            "2024-03-01T08:00 or a duration such as 10m, 2h, 1d"
        ) from None


def _data_dir(args: argparse.Namespace) -> Path:
    raw = getattr(args, "data_dir", None)
    if raw:
        return Path(raw).expanduser()
    from sandbox.config import default_data_dir

    return default_data_dir()


@dataclass(frozen=True, slots=True)
class Running:
    """What the audit asks of the sandbox running on the data directory."""

    urls: dict[str, str] = field(default_factory=dict)
    """Service URLs ({} when none runs)."""
    now: float | None = None
    """Its clock (`GET /clock`): the audit is dated by it and the last record ages on it."""
    fingerprints: dict[str, dict[str, str]] = field(default_factory=dict)
    """`contracts` and `credentials` digests per service (`GET /fingerprints`)."""


def _running(data_dir: Path) -> Running:
    """The sandbox running on `data_dir` (after asking it to flush its trace writer); with
    none running, no URLs and real time (there is no other clock to read)."""
    from sandbox.runtime.state import RuntimeState

    state = RuntimeState.read(data_dir)
    if state is None:
        return Running(now=time.time())
    import httpx

    now, found = None, {}
    with contextlib.suppress(httpx.HTTPError, ValueError, KeyError, TypeError):
        httpx.post(f"{state.control_url}/flush", timeout=10, headers=state.auth_headers())
        clock = httpx.get(f"{state.control_url}/clock", timeout=10).json()
        now = datetime.fromisoformat(clock["now"]).timestamp()
        found = httpx.get(f"{state.control_url}/fingerprints", timeout=30).json()
    return Running(
        dict(state.services),
        time.time() if now is None else now,
        {k: v for k, v in found.items() if isinstance(v, dict)} if isinstance(found, dict) else {},
    )


def load_calls(
    data_dir: Path,
    trace: str | None = None,
    since: str | None = None,
    everything: bool = False,
    now: float | None = None,
) -> list[HttpCall]:
    """The calls to audit from `<data_dir>/trace.db`: one trace, the traces since a time
    (`10m` counts back from `now`, the sandbox's clock), every trace, or the most recent
    DEFAULT_TRACES traces. No store means no calls."""
    path = data_dir / TRACE_FILE
    if not path.exists():
        if trace:
            raise AuditUsageError(f"no traces recorded yet in {data_dir}")
        return []
    from sandbox.trace.store import TraceStore
    from sandbox.trace.stored_ids import NewerTraceStore

    try:
        store = TraceStore(path)
    except NewerTraceStore as exc:
        raise AuditUsageError(str(exc)) from None
    try:
        if trace:
            calls = store.trace(trace)
            if not calls:
                raise AuditUsageError(
                    f"no trace {trace!r} in {data_dir} (or the prefix is "
                    "not unique); `sandbox trace list` shows the ids"
                )
            return calls
        limit = 10**9 if everything or since else DEFAULT_TRACES
        summaries = store.traces(limit)
        if since:
            cutoff = parse_since(since, now)
            summaries = [s for s in summaries if s.started_at >= cutoff]
        out: list[HttpCall] = []
        for summary in reversed(summaries):  # oldest trace first
            out.extend(store.trace(summary.trace_id))
        return out
    finally:
        store.close()


def audit(
    data_dir: Path,
    calls: Sequence[HttpCall],
    urls: dict[str, str],
    lang: str = "en",
    running: Running | None = None,
) -> AuditReport:
    """Run the shipped rule sets over `calls`, the registry and the last audit record, on
    the running sandbox's clock and fingerprints when `running` gives them."""
    from sandbox.runtime.registry import BUILTIN

    running = running or Running(urls)
    services = list(dict.fromkeys([s.name for s in BUILTIN] + sorted(urls)))
    return run_audit(
        calls,
        services,
        last_record(data_dir),
        urls,
        lang=lang,
        now=running.now,
        contracts=running.fingerprints.get("contracts"),
        credentials=running.fingerprints.get("credentials"),
    )


def cmd_audit(args: argparse.Namespace) -> int:
    """`sandbox audit [--trace ID | --since TIME | --all] [--json] [--record]`."""
    data_dir = _data_dir(args)
    try:
        running = _running(data_dir)
        urls = running.urls
        calls = load_calls(
            data_dir,
            getattr(args, "trace", None),
            getattr(args, "since", None),
            bool(getattr(args, "all", False)),
            running.now,
        )
        lang = getattr(args, "lang", None) or default_language()
        report = audit(data_dir, calls, urls, lang, running)
    except (AuditUsageError, RuleError) as exc:
        print(f"sandbox audit: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if getattr(args, "json", False):
        print(json.dumps(to_dict(report), indent=1, ensure_ascii=False))
    else:
        print(render(report, lang=lang))
    if getattr(args, "record", False):
        if not report.recordable:
            failed = ", ".join(r.rule.id for r in report.failed)
            print(
                f"sandbox audit: not recorded: the audit failed ({failed}). Fix what the "
                "evidence shows and run `sandbox audit --record` again.",
                file=sys.stderr,
            )
            return EXIT_FAIL
        path = save_record(data_dir, report.to_record())
        print(
            f"Recorded a passed audit covering {', '.join(report.services)} in {path}",
            file=sys.stderr if getattr(args, "json", False) else sys.stdout,
        )
    return 0 if report.passed else EXIT_FAIL
