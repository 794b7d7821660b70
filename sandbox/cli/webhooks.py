"""`sandbox webhooks`: the webhooks the institutions have not delivered, read from their files."""

from __future__ import annotations

import argparse
import json

from sandbox.cli.options import _config, _settings, _table, add_command


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Define `sandbox webhooks`."""
    hooks = add_command(sub, "webhooks", "webhooks not delivered yet: still retried, or given up")
    which = hooks.add_mutually_exclusive_group()
    which.add_argument(
        "--dead", action="store_true", help="only dead letters (given up after their schedule)"
    )
    which.add_argument("--pending", action="store_true", help="only those still retried")
    hooks.add_argument("--json", action="store_true", help="print JSON")
    hooks.set_defaults(func=cmd_webhooks)


# -- webhooks ----------------------------------------------------------------------------------


def cmd_webhooks(args: argparse.Namespace) -> int:
    """Webhooks the institutions have not delivered: still retried, or given up (dead letters).

    Read straight from each institution's database file, so it works whether or not the
    sandbox runs. Exits 1 when there is a dead letter: someone must look at it.
    """
    from sandbox.runtime import inspect
    from sandbox.runtime.supervisor import data_file

    settings = _settings(args)
    states = ("dead",) if args.dead else ("pending",) if args.pending else ("pending", "dead")
    found = []
    for spec in _config(args).specs:
        path = data_file(settings.data_dir, spec.name)
        if path.exists():
            found += inspect.webhooks(path, spec.name, states)
    found.sort(key=lambda w: w.created_at)
    if args.json:
        print(json.dumps([w.to_dict() for w in found], indent=1))
    elif not found:
        print("No webhook is waiting: every one was acknowledged.")
    else:
        _table(
            ["service", "event", "to", "path", "state", "tries", "last", "why given up"],
            [
                (
                    w.service,
                    w.event_id,
                    w.target,
                    w.path,
                    w.state,
                    w.attempts,
                    w.last_status or w.last_error or "",
                    (w.gave_up_reason or "")[:70],
                )
                for w in found
            ],
        )
    return 1 if any(w.state == "dead" for w in found) else 0
