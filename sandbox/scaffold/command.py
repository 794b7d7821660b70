"""`sandbox new service NAME`, `sandbox new credentials NAME` and `sandbox new client NAME`:
the CLI glue.

`new client` writes into the configuration file, not a data directory; its `--data-dir` names
the sandbox the script will call, as every command talking to a running sandbox does: the
example it prints takes that sandbox's URL (from its `runtime.json`) and follows its clock.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sandbox.config import default_data_dir
from sandbox.runtime.config_file import CONFIG_NAME
from sandbox.runtime.state import RuntimeState
from sandbox.scaffold.service import (
    ROLES,
    ScaffoldError,
    new_client,
    new_credentials,
    new_service,
)
from sandbox.scaffold.usage import (
    CALLS_BACK,
    client_credentials,
    default_url,
    first_call,
    usage,
)

EXIT_USAGE = 2


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """Define `sandbox new ...` on the CLI's subparsers; returns its own subparsers, so
    packages above this one can add kinds (`sandbox new lesson`)."""
    new = sub.add_parser(
        "new",
        help="scaffold a service, its credentials, or a lesson",
        description="Add your own service to the sandbox.",
    )
    what = new.add_subparsers(dest="new_command", metavar="WHAT", required=True)
    service = what.add_parser(
        "service",
        help="a working service in this folder, registered in ./sandbox.toml",
        description="Write NAME/ (app, test, README) in this folder and declare it in "
        "./sandbox.toml with fresh partner credentials; `sandbox up` then runs it.",
    )
    service.add_argument("name", metavar="NAME", help="service name, e.g. courier")
    service.add_argument(
        "--calls",
        metavar="A,B",
        default="",
        type=_names,
        help="institutions it calls as a partner, e.g. marketplace,bank",
    )
    service.add_argument("--title", help="display name on the map (default: from NAME)")
    service.add_argument(
        "--role",
        choices=ROLES,
        help="what it is to the marketplace: channel (a storefront placing "
        "orders, the default) or courier (ships paid orders)",
    )
    service.add_argument(
        "--dir", default=".", metavar="FOLDER", help="folder to write into (default: here)"
    )
    service.set_defaults(func=cmd_new_service)
    creds = what.add_parser(
        "credentials",
        help="partner credentials for a service at more institutions",
        description="Generate NAME's credentials at each institution of --calls and store "
        "them in the configuration file.",
    )
    creds.add_argument("name", metavar="NAME")
    creds.add_argument("--calls", metavar="A,B", required=True, type=_names)
    creds.add_argument(
        "--role", choices=ROLES, help="at the marketplace: channel (default) or courier"
    )
    creds.add_argument(
        "--config",
        metavar="FILE",
        default=CONFIG_NAME,
        help=f"the configuration file (default ./{CONFIG_NAME})",
    )
    creds.set_defaults(func=cmd_new_credentials)
    client = what.add_parser(
        "client",
        help="credentials of your own for a plain script (no service to declare)",
        description="Generate credentials for NAME, a script of yours, at each institution of "
        "--calls, in each one's dialect, and store them in the configuration "
        "file as [clients.NAME]. Calls signed with them are recorded as NAME; a "
        "running sandbox accepts them at once.",
    )
    client.add_argument("name", metavar="NAME", help="how the trace names your script, e.g. me")
    client.add_argument(
        "--calls",
        metavar="A,B",
        required=True,
        type=_names,
        help="institutions it calls, e.g. marketplace,bank",
    )
    client.add_argument(
        "--config",
        metavar="FILE",
        default=CONFIG_NAME,
        help=f"the configuration file (default ./{CONFIG_NAME})",
    )
    client.add_argument(
        "--data-dir",
        metavar="D",
        help="the sandbox your script will call: the example takes its URLs and follows its "
        "clock (default: your user data dir, or $SANDBOX_DATA_DIR)",
    )
    client.set_defaults(func=cmd_new_client)
    return what


def cmd_new_service(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    try:
        written = new_service(folder, args.name, args.calls, args.title, args.role)
    except ScaffoldError as exc:
        print(f"sandbox new: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"Created service {args.name!r}:")
    for path in written:
        print(f"  {path}")
    package = written[0].parent.name
    print(
        f"Next: `python -m pytest {package}` runs its test; `sandbox up` (or `sandbox`) runs "
        f"it with the institutions. See {package}/README.md."
    )
    return 0


def cmd_new_credentials(args: argparse.Namespace) -> int:
    try:
        written = new_credentials(Path(args.config), args.name, args.calls, args.role)
    except ScaffoldError as exc:
        print(f"sandbox new: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if written.added:
        print(f"Added credentials of {args.name} at {', '.join(written.added)} to {args.config}.")
    if written.replaced:
        print(
            f"Replaced the incomplete credentials of {args.name} at "
            f"{', '.join(written.replaced)} in {args.config} with new ones."
        )
    if not written.added and not written.replaced:
        print(f"{args.name} already holds credentials at {', '.join(args.calls)}.")
    return 0


def cmd_new_client(args: argparse.Namespace) -> int:
    config = Path(args.config)
    try:
        written = new_client(config, args.name, args.calls)
        held = client_credentials(config, args.name)
    except ScaffoldError as exc:
        print(f"sandbox new: {exc}", file=sys.stderr)
        return EXIT_USAGE
    fresh = written.added + written.replaced
    if fresh:
        print(f"Wrote credentials of client {args.name} at {', '.join(fresh)} to {config}.")
    else:
        print(f"Client {args.name} already holds credentials at {', '.join(args.calls)}.")
    print(
        f"Calls signed with them are recorded as {args.name}; a running sandbox accepts "
        "them at once. The secrets stay in the file.\n"
    )
    for callee in args.calls:
        print(f"  {callee:<12} {usage(callee, held[callee])}")
    back = [CALLS_BACK[c] for c in args.calls if c in CALLS_BACK]
    if back:
        print(
            f"\nA script has no server: {' and '.join(back)} wait in the sender's outbox, "
            "retried for about 25 minutes, then listed by `sandbox webhooks`. To take them "
            f"on a server of your own: `sandbox listen {args.name} --forward-to "
            "http://127.0.0.1:4242/webhooks`."
        )
    example = args.calls[0]
    where = "" if args.config == CONFIG_NAME else f", {str(config)!r}"
    data_dir = Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()
    if args.data_dir:
        where += f", data_dir={str(data_dir)!r}"
        follows = f"its timestamps follow `sandbox clock` of the sandbox on {data_dir}"
    else:
        follows = (
            'its timestamps follow `sandbox clock`; a sandbox on another --data-dir: data_dir="..."'
        )
    state = RuntimeState.read(data_dir)
    url = state.services.get(example) if state is not None else None
    if url is None:
        print(
            f"\nNo sandbox serves {example} on {data_dir} now: the example uses the default "
            "port (`sandbox status` shows the URLs once one runs)."
        )
    print(f"""
From Python, let the sandbox sign for you (`sandbox status` shows the URLs):

    import httpx
    from sandbox.extend import client_auth

    auth = client_auth("{args.name}", "{example}"{where})  # reads {config}
    # {follows}
    with httpx.Client(base_url="{url or default_url(example)}", auth=auth) as {example}:
        print({first_call(example, held[example])}.text)

Each dialect in full: docs/services/<institution>.md.""")
    return 0


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]
