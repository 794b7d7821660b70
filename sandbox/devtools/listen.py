"""`sandbox listen NAME --forward-to URL`: the webhooks meant for a client, on a local URL.

A client made by `sandbox new client` is a plain script: the institutions have no address to
send its webhooks to (an order it created changes status, a payment it asked for is made), so
they retry and end as dead letters. While this command runs, the running sandbox forwards
them to URL (the control API's `PUT /listeners/NAME`), signed as each institution signs its
webhooks, and this command prints one line per delivery, with the answer the URL gave.
Ctrl+C stops forwarding; what is sent meanwhile waits in the outboxes and is retried.
Stripe's `stripe listen --forward-to` is the anchor.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from sandbox.config import default_data_dir
from sandbox.devtools.control import CommandError, call
from sandbox.runtime.state import RuntimeState
from sandbox.trace.events import HttpCall

EXIT_USAGE = 2


ListenError = CommandError


def _path(client: str) -> str:
    return f"/listeners/{quote(client, safe='')}"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Define `sandbox listen` on the CLI's subparsers."""
    help_text = "forward the webhooks meant for your client (sandbox new client) to a local URL"
    p = sub.add_parser(
        "listen",
        help=help_text,
        description=help_text + ", signed as the institutions sign them; Ctrl+C stops.",
    )
    p.add_argument("client", metavar="NAME", help="a client made with `sandbox new client NAME`")
    p.add_argument(
        "--forward-to",
        required=True,
        metavar="URL",
        help="where your server takes the webhooks, on this machine "
        "(e.g. http://127.0.0.1:4242/webhooks; without a path, each institution's own path)",
    )
    p.add_argument("--json", action="store_true", help="print each delivery as a JSON line")
    p.add_argument(
        "--data-dir",
        metavar="D",
        help="the running sandbox's data directory (default: your user data dir, "
        "or $SANDBOX_DATA_DIR)",
    )
    p.set_defaults(func=cmd_listen)


def cmd_listen(args: argparse.Namespace) -> int:
    """Register the forwarding, print deliveries until Ctrl+C, then stop forwarding."""
    data_dir = Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()
    try:
        state = RuntimeState.read(data_dir)
        if state is None:
            raise ListenError(
                "no sandbox is running for this data dir; start one with `sandbox up`"
            )
        url = start(state, args.client, args.forward_to)
    except ListenError as exc:
        print(f"sandbox listen: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"Forwarding webhooks for {args.client} to {url} (Ctrl+C to stop)", flush=True)
    if not reachable(url):
        print(f"(nothing answers at {url} yet: deliveries are retried until it does)", flush=True)
    try:
        follow(state, args.client, as_json=args.json)
    except KeyboardInterrupt:
        pass
    except httpx.HTTPError as exc:
        print(f"sandbox listen: lost the sandbox ({type(exc).__name__}); stopped", file=sys.stderr)
        return 1
    finally:
        stop(state, args.client)
    return 0


def start(state: RuntimeState, client: str, url: str) -> str:
    """Ask the sandbox to forward `client`'s webhooks to `url`; the URL it will use."""
    answer = call(state, "PUT", _path(client), {"url": url})
    return str(answer["url"])


def stop(state: RuntimeState, client: str) -> None:
    """Stop forwarding; quietly, if the sandbox is already gone."""
    with contextlib.suppress(ListenError, httpx.HTTPError):
        call(state, "DELETE", _path(client))


def follow(state: RuntimeState, client: str, *, as_json: bool) -> None:
    """Print every call made to `client` (its webhooks) as it is recorded."""
    with httpx.stream("GET", f"{state.control_url}/events", timeout=None) as response:
        for line in response.iter_lines():
            if not (line.startswith("data: {") and '"trace_id"' in line):
                continue
            call = HttpCall.from_dict(json.loads(line[6:]))
            if call.callee != client:
                continue
            print(json.dumps(delivery(call)) if as_json else delivery_line(call), flush=True)


def delivery(call: HttpCall) -> dict[str, Any]:
    """One delivery as `--json` prints it: who sent what, and how the URL answered."""
    return {
        "at": call.started_at,
        "from": call.caller,
        "path": call.path,
        "type": _event_type(call.request_body),
        "status": call.status,
        "error": call.error,
        "trace_id": call.trace_id,
        "span_id": call.span_id,
    }


def delivery_line(call: HttpCall) -> str:
    """`12:00:01  marketplace  ORDER_STATUS_CHANGE  POST /webhooks  -> 200  (trace 4bf92f35)`."""
    clock = time.strftime("%H:%M:%S", time.localtime(call.started_at))
    answer = str(call.status) if call.status is not None else (call.error or "no answer")
    kind = _event_type(call.request_body) or "webhook"
    return (
        f"{clock}  {call.caller:<12} {kind:<22} {call.method} {call.path[:60]}  -> {answer}"
        f"  (trace {call.trace_id[:8]})"
    )


def _event_type(body: str) -> str:
    """The event's `type` (or `kind`/`event`), if the body is a JSON object that says one."""
    try:
        data = json.loads(body) if body.lstrip().startswith("{") else None
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    for key in ("type", "kind", "event", "eventType"):
        value = data.get(key)
        if isinstance(value, str) and value.isprintable():
            return value[:40]
    return ""


def reachable(url: str) -> bool:
    """Whether something accepts connections at `url`'s host and port (a quick hint only)."""
    parsed = httpx.URL(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.host, port), timeout=0.5):
            return True
    except OSError:
        return False
