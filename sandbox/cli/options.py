"""What every command shares: its errors, the settings and services its options name, the
options every command takes, and the types that check an option's value.

Kept apart from the commands so each command group imports only this, never another group's
module for a helper, and `sandbox --help` still imports nothing heavy.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from sandbox.config import (
    DEFAULT_PORT_BASE,
    DEFAULT_SEED,
    HOST,
    Settings,
    default_data_dir,
)

EXIT_USAGE = 2
LANG_DEFAULT = "default: $SANDBOX_LANG, else your system's language if Indonesian, else en"
CONFIG_HELP = "services to run (default: ./sandbox.toml if present, plus installed plugins)"


class UserError(Exception):
    """A problem the user can fix; printed as one line."""


def _settings(args: argparse.Namespace) -> Settings:
    defaults = Settings(data_dir=Path("."))
    return Settings(
        data_dir=Path(args.data_dir).expanduser() if args.data_dir else default_data_dir(),
        port_base=getattr(args, "port_base", DEFAULT_PORT_BASE),
        seed=getattr(args, "seed", None) or DEFAULT_SEED,
        trace_max_calls=getattr(args, "max_calls", defaults.trace_max_calls),
        trace_max_bytes=getattr(args, "max_bytes", defaults.trace_max_bytes),
        body_limit=getattr(args, "body_limit", defaults.body_limit),
        variants=frozenset(getattr(args, "variant", None) or ()),
        otlp_endpoint=getattr(args, "otlp_endpoint", None) or "",
        otlp_protocol=getattr(args, "otlp_protocol", None) or "http/json",
        student=getattr(args, "student", None) or "",
        listen_host=getattr(args, "listen_host", None) or HOST,
        lan=getattr(args, "listen_host", None) is not None,
    )


def _config(args: argparse.Namespace) -> Any:
    """The services to run: `--config`, else ./sandbox.toml, plus installed plugins."""
    from sandbox.runtime.config_file import ConfigError, find_config, load_config
    from sandbox.runtime.plugins import PluginError

    explicit = getattr(args, "config", None)
    try:
        return load_config(find_config(Path(explicit) if explicit else None))
    except (ConfigError, PluginError) as exc:
        raise UserError(str(exc)) from None


def _log_to_file(data_dir: Path) -> Path:
    """Logs go to a file: the terminal belongs to the user (and later the TUI). The file is
    redacted like the trace (`sandbox.trace.logs`)."""
    from sandbox.trace.logs import log_to_file

    path = data_dir / "logs" / "sandbox.log"
    if not any(isinstance(h, logging.FileHandler) for h in logging.getLogger().handlers):
        log_to_file(path)
    return path


def _table(header: list[str], rows: list[tuple[Any, ...]]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    for row in [tuple(header), *rows]:
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)).rstrip())


THEME_NAMES = ("dark", "light", "contrast")
"""The UI's themes (`sandbox.tui.themes.THEMES`), named here so `--help` imports no Textual."""


def add_command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help: str
) -> argparse.ArgumentParser:
    """A subcommand with the options every command takes (`--data-dir`, and `--config` where
    the command starts or reads the institutions)."""
    p = sub.add_parser(name, help=help, description=help)
    p.add_argument(
        "--data-dir",
        metavar="D",
        help="where the sandbox keeps its data (default: your user data dir, or $SANDBOX_DATA_DIR)",
    )
    if name in ("up", "status", "reset", "run", "learn", "present", "webhooks"):
        p.add_argument("--config", metavar="FILE", help=CONFIG_HELP)
    return p


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be a positive number")
    return value


def _size(text: str) -> int:
    """A byte count: digits, optionally followed by K, M or G (powers of 1024)."""
    units = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}
    number, unit = text.strip().upper().rstrip("B"), ""
    if number[-1:] in ("K", "M", "G"):
        number, unit = number[:-1], number[-1]
    if not (number.isascii() and number.isdigit() and len(number) <= 12):
        raise argparse.ArgumentTypeError("a size in bytes, e.g. 500M or 2G")
    value = int(number) * units[unit]
    if value < 1024 * 1024:
        raise argparse.ArgumentTypeError("at least 1M: a trace store needs room for a story")
    return value


def _otlp_endpoint(text: str) -> str:
    from sandbox.trace.otlp_stream import endpoint_url

    try:
        return endpoint_url(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _student(text: str) -> str:
    name = text.strip()
    if not name or len(name) > 64 or not name.isprintable():
        raise argparse.ArgumentTypeError("give a name of 1 to 64 printable characters")
    return name


def _port(text: str) -> int:
    value = int(text)
    if not 1024 <= value <= 65000:
        raise argparse.ArgumentTypeError("choose a port base between 1024 and 65000")
    return value


def _serve_port(text: str) -> int:
    value = int(text)
    if value != 0 and not 1024 <= value <= 65535:
        raise argparse.ArgumentTypeError("choose a port between 1024 and 65535 (0: any free one)")
    return value


def _address(text: str) -> str:
    import ipaddress

    try:
        return str(ipaddress.ip_address(text.strip("[]")))
    except ValueError:
        raise argparse.ArgumentTypeError(
            "an IP address of this machine, e.g. 0.0.0.0 for every network"
        ) from None
