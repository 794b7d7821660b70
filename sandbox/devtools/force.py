"""`sandbox force ...`: states a developer needs to test against, forced in a running sandbox.

Each action goes through the control API (`/force/...`, runtime/control/force.py) and is
carried out by the institution's own code, so the failure or the expiry looks exactly like the
real one on the map and in the trace:

    sandbox force show                          what can be forced, what is armed
    sandbox force fail-next bank debit          the next direct debit is refused (4035405)
    sandbox force fail-next identity kyc        the next verification does not match
    sandbox force decline 1234567890            every payment from the account is declined
    sandbox force decline 1234567890 --undo
    sandbox force expire-va 8808...             paying that VA is refused as expired
    sandbox force expire-order 2612...          the marketplace lets the order expire
    sandbox force refire ntf_...                a webhook sent again, same event id
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from sandbox.config import default_data_dir
from sandbox.devtools.control import CommandError, call
from sandbox.runtime.force_requests import force_request
from sandbox.runtime.state import RuntimeState

EXIT_USAGE = 2


ForceError = CommandError


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Define `sandbox force` and its actions on the CLI's subparsers."""
    force = sub.add_parser(
        "force",
        help="force a state to test against: a failure, a decline, an expiry, a repeated webhook",
        description="Sandbox-only actions on a running sandbox (Stripe's test helpers are the "
        "model). The institutions carry them out with their own code, so what follows is "
        "recorded like any call. A reset of the world forgets what was forced.",
    )
    actions = force.add_subparsers(dest="force_action", metavar="ACTION", required=True)

    def action(name: str, help: str) -> argparse.ArgumentParser:
        p = actions.add_parser(name, help=help, description=help)
        p.add_argument("--data-dir", metavar="D", help="the running sandbox's data directory")
        p.add_argument("--json", action="store_true", help="print the answer as JSON")
        p.set_defaults(func=cmd_force, force_action=name)
        return p

    action("show", "what each institution can be forced to do, and what is armed now")
    fail = action("fail-next", "make the next call of a kind fail, in the institution's dialect")
    fail.add_argument("service", help="the institution, e.g. bank or identity")
    fail.add_argument("what", metavar="ACTION", help="e.g. debit, va-payment, transfer, kyc")
    fail.add_argument("--times", type=int, default=1, metavar="N", help="the next N (default 1)")
    decline = action("decline", "decline every payment from a bank account (--undo to stop)")
    decline.add_argument("account", metavar="ACCOUNT_NO")
    decline.add_argument("--undo", action="store_true", help="stop declining")
    expire_va = action("expire-va", "the bank's virtual account expires now")
    expire_va.add_argument("va", metavar="VA_NO")
    expire_order = action("expire-order", "the marketplace lets an unpaid order expire now")
    expire_order.add_argument("order", metavar="ORDER_ID")
    refire = action("refire", "send a webhook again now, with the same event id")
    refire.add_argument("event", metavar="EVENT_ID")


def request_for(args: argparse.Namespace) -> tuple[str, str, dict[str, Any] | None]:
    """The control API call (method, path, body) an action makes."""
    action = args.force_action
    if action == "show":
        return "GET", "/force", None
    if action == "fail-next":
        body = {"service": args.service, "action": args.what, "times": args.times}
        return "POST", "/force/fail-next", body
    if action == "decline":
        return force_request("undecline" if args.undo else "decline", args.account)
    if action == "expire-va":
        return force_request(action, args.va)
    if action == "expire-order":
        return force_request(action, args.order)
    return force_request("refire", args.event)


def cmd_force(args: argparse.Namespace) -> int:
    """Run one action against the running sandbox and say what it did."""
    data_dir = Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()
    try:
        state = RuntimeState.read(data_dir)
        if state is None:
            raise ForceError("no sandbox is running for this data dir; start one with `sandbox up`")
        method, path, body = request_for(args)
        answer = call(state, method, path, body)
    except ForceError as exc:
        print(f"sandbox force: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps(answer, indent=1, ensure_ascii=False))
    else:
        print(said(args.force_action, answer))
    return 0


def said(action: str, answer: dict[str, Any]) -> str:
    """The answer in a sentence (or a table, for `show`)."""
    if action == "show":
        return "\n".join(_show_lines(answer))
    if action == "fail-next":
        return (
            f"{answer['service']}: the next {answer['armed']} {answer['action']} "
            f"call{'s' if answer['armed'] != 1 else ''} will fail."
        )
    if action == "decline":
        verb = "declined" if answer["declined"] else "no longer declined"
        return f"Payments from account {answer['account_no']} are {verb}."
    if action == "expire-va":
        return f"Virtual account {answer['virtual_account_no']} has expired."
    if action == "expire-order":
        return f"Order {answer['order_id']} expired (status {answer['order_status']})."
    return f"Webhook {answer['event_id']} sent again by {answer['sender']}."


def _show_lines(answer: dict[str, Any]) -> list[str]:
    lines = []
    for service, state in answer.items():
        lines.append(f"{service}:")
        for name, meaning in state["actions"].items():
            armed = state["fail_next"].get(name, 0)
            mark = f"  [next {armed} will fail]" if armed else ""
            lines.append(f"  fail-next {service} {name:<11} {meaning}{mark}")
        if state["declined_accounts"]:
            lines.append(f"  declined accounts: {', '.join(state['declined_accounts'])}")
    lines.append("Also: decline ACCOUNT, expire-va VA, expire-order ORDER_ID, refire EVENT_ID.")
    return lines
