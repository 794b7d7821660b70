"""`sandbox trace list|show|tail|export`: the recorded calls, read from the trace store of the
data directory (after a running sandbox flushed its writer) or followed live.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path
from typing import Any

from sandbox.cli.options import UserError, _settings, _table
from sandbox.config import Settings


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Define `sandbox trace` and its actions."""
    trace = sub.add_parser(
        "trace",
        help="recorded calls: list, show, tail, export",
        description="Every call between the institutions is recorded.",
    )
    trace_sub = trace.add_subparsers(dest="trace_command", metavar="ACTION", required=True)

    def trace_command(name: str, help: str) -> argparse.ArgumentParser:
        p = trace_sub.add_parser(name, help=help, description=help)
        p.add_argument("--data-dir", metavar="D", help="the sandbox's data directory")
        return p

    listing = trace_command("list", "recent traces")
    listing.add_argument("--limit", type=int, default=20, metavar="N")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=cmd_trace_list)
    show = trace_command("show", "one trace as an indented waterfall")
    show.add_argument(
        "trace_id",
        metavar="ID",
        help="a trace id or a unique prefix of one, or what a response carries: its "
        "X-Request-Id (the call's span id) or its traceresponse header",
    )
    show.set_defaults(func=cmd_trace_show)
    tail = trace_command("tail", "follow calls live, one line each")
    tail.set_defaults(func=cmd_trace_tail)
    exporting = trace_command("export", "export one trace for other tools")
    exporting.add_argument("trace_id", metavar="ID")
    exporting.add_argument("--format", required=True, choices=["har", "mermaid", "jsonl", "otlp"])
    exporting.add_argument("-o", "--output", metavar="FILE", help="file to write (default: stdout)")
    exporting.set_defaults(func=cmd_trace_export)


# -- trace -------------------------------------------------------------------------------------


def _trace_store(settings: Settings) -> Any:
    """The trace store of the data dir, after asking a running sandbox to flush its writer."""
    import httpx

    from sandbox.runtime.state import RuntimeState
    from sandbox.runtime.supervisor import TRACE_FILE
    from sandbox.trace.store import TraceStore
    from sandbox.trace.stored_ids import NewerTraceStore

    state = RuntimeState.read(settings.data_dir)
    if state is not None:
        with contextlib.suppress(httpx.HTTPError):
            httpx.post(f"{state.control_url}/flush", timeout=10, headers=state.auth_headers())
    path = settings.data_dir / TRACE_FILE
    if not path.exists():
        raise UserError(
            f"no traces recorded yet in {settings.data_dir}; run `sandbox up` and "
            "make some calls (e.g. `sandbox run checkout`)"
        )
    try:
        return TraceStore(path)
    except NewerTraceStore as exc:
        raise UserError(str(exc)) from None


def cmd_trace_list(args: argparse.Namespace) -> int:
    """Recent traces with their root call, size, services, duration and outcome."""
    summaries = _trace_store(_settings(args)).traces(args.limit)
    if args.json:
        print(json.dumps([s.to_dict() for s in summaries], indent=1))
        return 0
    if not summaries:
        print("No traces recorded yet.")
        return 0
    _table(
        ["trace", "calls", "duration", "outcome", "root", "services"],
        [
            (
                s.trace_id[:12],
                s.calls,
                f"{s.duration_ms:.1f} ms",
                s.outcome,
                s.root[:60],
                ",".join(s.services),
            )
            for s in summaries
        ],
    )
    return 0


def _located(args: argparse.Namespace) -> tuple[list[Any], str | None]:
    """The calls of the trace `args.trace_id` names, and the span of the call it names."""
    store = _trace_store(_settings(args))
    found = store.locate(args.trace_id)
    if found is None:
        raise UserError(
            f"no trace or call matches {args.trace_id!r}; give a trace id (a unique prefix "
            "is enough, `sandbox trace list` shows recent ones), a response's X-Request-Id "
            "or its traceresponse header"
        )
    trace_id, span_id = found
    calls: list[Any] = store.trace(trace_id)
    return calls, span_id


def cmd_trace_show(args: argparse.Namespace) -> int:
    """The call tree of one trace as an indented waterfall, the call asked for marked."""
    from sandbox.trace.waterfall import waterfall

    calls, span_id = _located(args)
    print("\n".join(waterfall(calls, mark=span_id)))
    if span_id is not None:
        print(f"(> marks the call {span_id})")
    return 0


def cmd_trace_export(args: argparse.Namespace) -> int:
    """Write one trace as HAR, Mermaid, JSON lines or OTLP/JSON."""
    from sandbox.trace.export import export

    text = export(_located(args)[0], args.format)
    if args.output in (None, "-"):
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(
            f"Wrote {args.format} export of trace {args.trace_id} to {args.output}", file=sys.stderr
        )
    return 0


def cmd_trace_tail(args: argparse.Namespace) -> int:
    """Follow a running sandbox's calls live, one line each, until Ctrl+C."""
    import httpx

    from sandbox.runtime.state import RuntimeState
    from sandbox.trace.events import HttpCall
    from sandbox.trace.waterfall import call_line

    state = RuntimeState.read(_settings(args).data_dir)
    if state is None:
        raise UserError("no sandbox is running for this data dir; start one with `sandbox up`")
    print(f"Following calls of sandbox pid {state.pid} (Ctrl+C to stop)", flush=True)
    try:
        with httpx.stream("GET", f"{state.control_url}/events", timeout=None) as response:
            for line in response.iter_lines():
                if line.startswith("data: {") and '"trace_id"' in line:
                    print(call_line(HttpCall.from_dict(json.loads(line[6:]))), flush=True)
                elif line.startswith("event: lagged"):
                    print("... (some calls skipped: this terminal fell behind)", flush=True)
    except httpx.HTTPError as exc:
        raise UserError(f"lost the event stream: {exc}") from None
    except KeyboardInterrupt:
        return 0
    return 0
