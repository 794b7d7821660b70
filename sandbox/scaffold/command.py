"""`sandbox new service NAME` and `sandbox new credentials NAME`: the CLI glue."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sandbox.runtime.config_file import CONFIG_NAME
from sandbox.scaffold.service import ROLES, ScaffoldError, new_credentials, new_service

EXIT_USAGE = 2


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]
               ) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """Define `sandbox new ...` on the CLI's subparsers; returns its own subparsers, so
    packages above this one can add kinds (`sandbox new lesson`)."""
    new = sub.add_parser("new", help="scaffold a service, its credentials, or a lesson",
                         description="Add your own service to the sandbox.")
    what = new.add_subparsers(dest="new_command", metavar="WHAT", required=True)
    service = what.add_parser(
        "service", help="a working service in this folder, registered in ./sandbox.toml",
        description="Write NAME/ (app, test, README) in this folder and declare it in "
                    "./sandbox.toml with fresh partner credentials; `sandbox up` then runs it.")
    service.add_argument("name", metavar="NAME", help="service name, e.g. courier")
    service.add_argument("--calls", metavar="A,B", default="", type=_names,
                         help="institutions it calls as a partner, e.g. marketplace,bank")
    service.add_argument("--title", help="display name on the map (default: from NAME)")
    service.add_argument("--role", choices=ROLES,
                         help="what it is to the marketplace: channel (a storefront placing "
                              "orders, the default) or courier (ships paid orders)")
    service.add_argument("--dir", default=".", metavar="FOLDER",
                         help="folder to write into (default: here)")
    service.set_defaults(func=cmd_new_service)
    creds = what.add_parser(
        "credentials", help="partner credentials for a service at more institutions",
        description="Generate NAME's credentials at each institution of --calls and store "
                    "them in the configuration file.")
    creds.add_argument("name", metavar="NAME")
    creds.add_argument("--calls", metavar="A,B", required=True, type=_names)
    creds.add_argument("--role", choices=ROLES,
                       help="at the marketplace: channel (default) or courier")
    creds.add_argument("--config", metavar="FILE", default=CONFIG_NAME,
                       help=f"the configuration file (default ./{CONFIG_NAME})")
    creds.set_defaults(func=cmd_new_credentials)
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
    print(f"Next: `python -m pytest {package}` runs its test; `sandbox up` (or `sandbox`) runs "
          f"it with the institutions. See {package}/README.md.")
    return 0


def cmd_new_credentials(args: argparse.Namespace) -> int:
    try:
        written = new_credentials(Path(args.config), args.name, args.calls, args.role)
    except ScaffoldError as exc:
        print(f"sandbox new: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if written.added:
        print(f"Added credentials of {args.name} at {', '.join(written.added)} to "
              f"{args.config}.")
    if written.replaced:
        print(f"Replaced the incomplete credentials of {args.name} at "
              f"{', '.join(written.replaced)} in {args.config} with new ones.")
    if not written.added and not written.replaced:
        print(f"{args.name} already holds credentials at {', '.join(args.calls)}.")
    return 0


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]
