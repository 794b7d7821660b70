"""`sandbox.toml`: which services a sandbox runs, beyond (or instead of) the built-in ones.

A developer prototyping an integration lists their own services here, without forking the
project: a Python ASGI app in their own folder (`app = "courier.app:create_app"`), or a server
already running on this machine in any language (`url = "http://127.0.0.1:9000"`), plus the
partner credentials each one holds at the built-in institutions. Built-in institutions can be
switched off (`[services.hospital] enabled = false`). Installed plugins (see
`sandbox.runtime.plugins`) join the same list.

Every mistake is a `ConfigError` naming the file and line, because the person reading it is
looking at that file.

A lesson's config is read `confined`: a lesson may run Python only from its own folder (or
installed plugins), so every `path` must stay inside the folder of the file and every `app`
module must be a file there, found before anything is imported.
"""

from __future__ import annotations

import functools
import json
import re
import sys
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sandbox.runtime.credentials import DIALECTS, missing_fields
from sandbox.runtime.registry import BUILTIN, ServiceSpec

CONFIG_NAME = "sandbox.toml"
FIRST_EXTRA_OFFSET = 10
"""Services from the config file listen on base + 10, + 11, ... unless they name a port."""
NAME = re.compile(r"[a-z][a-z0-9-]{1,30}")
BUILTIN_KEYS = {"enabled"}
EXTRA_KEYS = {
    "app",
    "path",
    "url",
    "title",
    "description",
    "side",
    "port",
    "calls",
    "start",
    "enabled",
    "partners",
}
PLUGIN_KEYS = {"enabled", "port", "start", "partners"}
ROLE_MOVED = (
    "`role` under [services.{name}] is now `description` (the few words shown in the services "
    "screen): in sandbox.toml `role` means one thing, a partner's role at the marketplace, "
    'under [services.{name}.partners.marketplace] ("channel" or "courier")'
)
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


TAKEN_NAMES = {
    "external": "the trace's name for a caller nobody verified",
    "anonymous": "the name of a caller with no credentials at all",
    "learner": "the name lessons give a learner's own code",
    "student": "the name of a person using the sandbox",
    "reception": "the hospital desk's staff",
}
"""Names the trace, lessons and stories give parties that are not services."""


def taken_name(name: str) -> str | None:
    """Why `name` cannot be one of the user's parties (a service or a client), or None.

    A partner is recorded under its name once an institution verifies it, so that name must
    not pass for someone else: an institution (checked by the caller), a persona of the seeded
    world, or a word the trace and lessons use for parties that are not services.
    """
    if name in TAKEN_NAMES:
        return f"{name!r} is {TAKEN_NAMES[name]}"
    if name in _persona_names():
        return (
            f"{name!r} is a persona of the seeded world: the trace would show the calls "
            "as that person's"
        )
    return None


@functools.cache
def _persona_names() -> frozenset[str]:
    from sandbox.world.build import fixtures_dir

    named = json.loads((fixtures_dir() / "personas.json").read_text(encoding="utf-8"))
    return frozenset(person["key"] for person in named["persons"] if "key" in person)


class ConfigError(Exception):
    """A mistake in the sandbox configuration, with where it is."""

    def __init__(self, path: Path | None, line: int | None, message: str) -> None:
        where = f"{path}:{line}: " if path and line else f"{path}: " if path else ""
        super().__init__(f"{where}{message}")
        self.path, self.line, self.message = path, line, message


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """The services to run and the credentials the user's services hold."""

    specs: tuple[ServiceSpec, ...] = BUILTIN
    partners: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    """Credentials from the file, keyed like the world's: callee, then caller."""
    path: Path | None = None
    """The file read, or None for the built-in defaults."""
    clients: tuple[str, ...] = ()
    """The user's clients: scripts with credentials of their own and no service."""

    @property
    def extra(self) -> tuple[ServiceSpec, ...]:
        """The services that are not built in."""
        return tuple(s for s in self.specs if s.kind != "builtin")

    def spec(self, name: str) -> ServiceSpec:
        for spec in self.specs:
            if spec.name == name:
                return spec
        raise LookupError(name)


DEFAULT = SandboxConfig()


def find_config(explicit: Path | None = None, cwd: Path | None = None) -> Path | None:
    """The file to read: `--config`, else `sandbox.toml` in the working directory, else none."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(explicit, None, "no such configuration file")
        return explicit
    candidate = (cwd or Path.cwd()) / CONFIG_NAME
    return candidate if candidate.is_file() else None


def load_config(
    path: Path | None, *, plugins: bool = True, check_apps: bool = True, confined: bool = False
) -> SandboxConfig:
    """Read and check `path` (None: built-ins and plugins only); `confined` for a lesson's
    config (see the module docstring)."""
    from sandbox.runtime.plugins import discover

    found = discover() if plugins else []
    if path is None and not found:
        return DEFAULT
    text = path.read_text(encoding="utf-8") if path else ""
    lines = _Lines(path, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+)", str(exc))
        raise ConfigError(
            path, int(match.group(1)) if match else None, f"not valid TOML: {exc}"
        ) from None
    unknown = set(data) - {"services", "clients"}
    if unknown:
        key = sorted(unknown)[0]
        raise ConfigError(
            path,
            lines.key(None, key),
            f"unknown section {key!r}; a sandbox.toml has only [services.NAME] "
            "and [clients.NAME] tables",
        )
    services = data.get("services", {})
    if not isinstance(services, dict):
        raise ConfigError(path, lines.key(None, "services"), "`services` must be a table")
    clients = data.get("clients", {})
    if not isinstance(clients, dict):
        raise ConfigError(path, lines.key(None, "clients"), "`clients` must be a table")
    if path is not None:
        folder = str(path.parent.resolve())
        if folder not in sys.path:
            sys.path.insert(0, folder)  # `app = "courier.app:create_app"` lives beside the file
    builtin = {s.name: s for s in BUILTIN}
    plugin = {s.name: s for s in found}
    specs: list[ServiceSpec] = []
    partners: dict[str, dict[str, dict[str, Any]]] = {}
    enabled = {name: True for name in builtin}
    extras: list[ServiceSpec] = []
    for name, table in services.items():
        line = lines.table(name)
        if not isinstance(table, dict):
            raise ConfigError(path, line, f"services.{name} must be a table ([services.{name}])")
        if not NAME.fullmatch(name):
            raise ConfigError(
                path,
                line,
                f"service name {name!r}: use 2-31 lower-case letters, "
                "digits and dashes, starting with a letter",
            )
        taken = None if name in builtin else taken_name(name)
        if taken:
            raise ConfigError(path, line, f"service name {taken}; choose another name")
        allowed = BUILTIN_KEYS if name in builtin else PLUGIN_KEYS if name in plugin else EXTRA_KEYS
        for key in table:
            if key == "role" and allowed is EXTRA_KEYS:
                raise ConfigError(path, lines.key(name, key), ROLE_MOVED.format(name=name))
            if key not in allowed:
                what = (
                    "a built-in institution"
                    if name in builtin
                    else "a plugin's service"
                    if name in plugin
                    else "a service"
                )
                raise ConfigError(
                    path,
                    lines.key(name, key),
                    f"unknown key {key!r} for {what}; allowed: {', '.join(sorted(allowed))}",
                )
        if not isinstance(table.get("enabled", True), bool):
            raise ConfigError(path, lines.key(name, "enabled"), "`enabled` is true or false")
        if name in builtin:
            enabled[name] = table.get("enabled", True)
            continue
        if not table.get("enabled", True):
            plugin.pop(name, None)
            continue
        base = plugin.pop(name, None)
        if confined and base is None and isinstance(table.get("app"), str):
            _check_confined(path, lines, name, table)  # before `path` joins sys.path
        spec = _spec(path, lines, name, table, base, len(extras))
        extras.append(spec)
        for callee, creds in _partners(path, lines, name, table).items():
            partners.setdefault(callee, {})[name] = creds
    for spec in plugin.values():  # installed plugins the file does not mention
        extras.append(replace(spec, offset=FIRST_EXTRA_OFFSET + len(extras)))
    specs = [s for s in BUILTIN if enabled[s.name]] + extras
    _check_ports(path, lines, specs)
    for spec in extras:
        _check_calls(path, lines, spec, specs, partners)
        if check_apps and spec.kind in ("module", "plugin"):
            _check_app(path, lines, spec, path.parent if confined and path else None)
    service_names = {*services, *builtin, *(s.name for s in found)}
    for name, table in clients.items():
        for callee, creds in _client(path, lines, name, table, service_names).items():
            partners.setdefault(callee, {})[name] = creds
    return SandboxConfig(tuple(specs), partners, path, tuple(clients))


def _client(
    path: Path | None, lines: _Lines, name: str, table: Any, services: set[str]
) -> dict[str, dict[str, Any]]:
    """The credentials of `[clients.NAME]`: a script of the user's, with no service."""
    line = lines.table(name, "clients")
    if not isinstance(table, dict):
        raise ConfigError(path, line, f"clients.{name} must be a table ([clients.{name}])")
    if not NAME.fullmatch(name):
        raise ConfigError(
            path,
            line,
            f"client name {name!r}: use 2-31 lower-case letters, "
            "digits and dashes, starting with a letter",
        )
    if name in services:
        raise ConfigError(
            path,
            line,
            f"client name {name!r} is a service's name; a client is "
            "a script of yours, with a name of its own",
        )
    taken = taken_name(name)
    if taken:
        raise ConfigError(path, line, f"client name {taken}; choose another name")
    for key in table:
        if key != "partners":
            raise ConfigError(
                path,
                lines.key(name, key, "clients"),
                f"unknown key {key!r} for a client; it holds only partners "
                f"([clients.{name}.partners.CALLEE])",
            )
    return _partners(path, lines, name, table, "clients")


def _spec(
    path: Path | None,
    lines: _Lines,
    name: str,
    table: dict[str, Any],
    base: ServiceSpec | None,
    index: int,
) -> ServiceSpec:
    line = lines.table(name)
    source = f"{path}:{line}" if path and line else str(path or "")
    if base is not None:  # a plugin's service, with local settings
        spec = replace(
            base,
            offset=FIRST_EXTRA_OFFSET + index,
            start=bool(table.get("start", True)),
            source=source,
        )
        return replace(spec, port=_port(path, lines, name, table)) if "port" in table else spec
    app, url = table.get("app"), table.get("url")
    if bool(app) == bool(url):
        raise ConfigError(
            path,
            line,
            f'services.{name}: give either app = "module:create_app" '
            "(a Python service in this folder) or url = "
            '"http://127.0.0.1:PORT" (a server already running)',
        )
    if app is not None:
        if not isinstance(app, str) or not re.fullmatch(r"[\w.]+:[\w.]+", app):
            raise ConfigError(
                path,
                lines.key(name, "app"),
                f'app = {app!r}: write it as "package.module:create_app"',
            )
        _add_path(path, lines.key(name, "path"), table.get("path"))
    elif "path" in table:
        raise ConfigError(path, lines.key(name, "path"), "path is only for app services")
    else:
        _check_url(path, lines.key(name, "url"), url)
    side = table.get("side", "back")
    if side not in ("front", "back"):
        raise ConfigError(
            path,
            lines.key(name, "side"),
            f'side = {side!r}: "front" (faces people) or "back" (faces partners)',
        )
    calls = table.get("calls", [])
    if not isinstance(calls, list) or not all(isinstance(c, str) for c in calls):
        raise ConfigError(
            path,
            lines.key(name, "calls"),
            'calls is a list of service names, e.g. ["marketplace", "bank"]',
        )
    for key in ("title", "description"):
        if not isinstance(table.get(key, ""), str):
            raise ConfigError(path, lines.key(name, key), f"{key} is a string")
    if not isinstance(table.get("start", True), bool):
        raise ConfigError(path, lines.key(name, "start"), "`start` is true or false")
    return ServiceSpec(
        name=name,
        title=table.get("title") or name.replace("-", " ").title(),
        role=table.get("description") or ("your service" if app else "your server"),
        side=side,
        offset=FIRST_EXTRA_OFFSET + index,
        factory=app or "",
        kind="module" if app else "url",
        url=url or "",
        port=_port(path, lines, name, table) if "port" in table else None,
        calls=tuple(calls),
        start=table.get("start", True),
        source=source,
    )


def _add_path(path: Path | None, line: int | None, folder: Any) -> None:
    """`path = "../courier"`: the folder holding the app's package, relative to this file."""
    if folder is None:
        return
    if not isinstance(folder, str):
        raise ConfigError(path, line, 'path is a folder, e.g. "../examples/courier"')
    base = path.parent if path else Path.cwd()
    found = (base / folder).resolve()
    if not found.is_dir():
        raise ConfigError(path, line, f"path = {folder!r}: no folder {found}")
    if str(found) not in sys.path:
        sys.path.insert(0, str(found))


def _port(path: Path | None, lines: _Lines, name: str, table: dict[str, Any]) -> int:
    port = table["port"]
    if not isinstance(port, int) or isinstance(port, bool) or not 1024 <= port <= 65535:
        raise ConfigError(
            path, lines.key(name, "port"), f"port = {port!r}: a number from 1024 to 65535"
        )
    return port


def _check_url(path: Path | None, line: int | None, url: Any) -> None:
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme != "http" or not parts.hostname or parts.port is None:
        raise ConfigError(path, line, f'url = {url!r}: write it as "http://127.0.0.1:PORT"')
    if parts.hostname not in LOCAL_HOSTS:
        raise ConfigError(
            path,
            line,
            f"url = {url!r}: the sandbox only fronts servers on this "
            "machine (127.0.0.1 or localhost); nothing leaves it",
        )


def _partners(
    path: Path | None, lines: _Lines, name: str, table: dict[str, Any], section: str = "services"
) -> dict[str, dict[str, Any]]:
    found = table.get("partners", {})
    if not isinstance(found, dict):
        raise ConfigError(
            path,
            lines.key(name, "partners", section),
            f"partners is a table: [{section}.{name}.partners.CALLEE]",
        )
    for callee, creds in found.items():
        line = lines.table(f"{name}.partners.{callee}", section)
        if callee not in DIALECTS:
            raise ConfigError(
                path,
                line,
                f"{name} holds credentials at {callee!r}, which takes "
                "no partners; partners are accepted by: "
                f"{', '.join(sorted(DIALECTS))}",
            )
        lacking = missing_fields(callee, creds) if isinstance(creds, dict) else ["all"]
        if lacking:
            raise ConfigError(
                path,
                line,
                f"credentials of {name} at {callee} lack "
                f"{', '.join(lacking)}; regenerate them with "
                f"`sandbox new {_COMMAND[section]} {name} --calls "
                f"{callee}`",
            )
    return found


_COMMAND = {"services": "credentials", "clients": "client"}
"""The command that makes credentials anew, for a service's and for a client's."""


def _check_ports(path: Path | None, lines: _Lines, specs: list[ServiceSpec]) -> None:
    seen: dict[int, str] = {}
    for spec in specs:
        if spec.port is None:
            continue
        if spec.port in seen:
            raise ConfigError(
                path,
                lines.key(spec.name, "port"),
                f"port {spec.port} is given to both {seen[spec.port]} and {spec.name}",
            )
        seen[spec.port] = spec.name


def _check_calls(
    path: Path | None,
    lines: _Lines,
    spec: ServiceSpec,
    specs: list[ServiceSpec],
    partners: dict[str, dict[str, dict[str, Any]]],
) -> None:
    names = {s.name for s in specs}
    for callee in spec.calls:
        line = lines.key(spec.name, "calls")
        if callee not in names:
            raise ConfigError(
                path,
                line,
                f"{spec.name} calls {callee!r}, which is not a service "
                f"here; services: {', '.join(sorted(names))}",
            )
        if callee in DIALECTS and spec.name not in partners.get(callee, {}):
            raise ConfigError(
                path,
                line,
                f"{spec.name} calls {callee} but holds no credentials "
                f"there; run `sandbox new credentials {spec.name} "
                f"--calls {callee}` to generate them",
            )


def _check_confined(path: Path | None, lines: _Lines, name: str, table: dict[str, Any]) -> None:
    """A lesson's service: its `path` inside the lesson folder and its module a file there."""
    if path is None:
        return
    root = path.parent.resolve()
    bases = [root]
    if isinstance(table.get("path"), str):
        folder = (path.parent / table["path"]).resolve()
        if not folder.is_relative_to(root):
            raise ConfigError(
                path,
                lines.key(name, "path"),
                f"path = {table['path']!r} leaves the lesson's folder; a lesson "
                "runs Python only from its own folder or installed plugins",
            )
        bases.insert(0, folder)
    module = str(table["app"]).partition(":")[0]
    found = module_file(module, bases)
    if found is None or not found.resolve().is_relative_to(root):
        raise ConfigError(
            path,
            lines.key(name, "app"),
            f"app = {table['app']!r}: no module {module!r} in the lesson's folder; "
            "a lesson runs Python only from its own folder or installed plugins",
        )


def module_file(module: str, bases: list[Path]) -> Path | None:
    """The file of `module` (a.b.c) under the first of `bases` that has it, found without
    importing anything."""
    parts = module.split(".")
    for base in bases:
        here = base.joinpath(*parts)
        for candidate in (here.with_suffix(".py"), here / "__init__.py"):
            if candidate.is_file():
                return candidate
    return None


def _check_app(
    path: Path | None, lines: _Lines, spec: ServiceSpec, root: Path | None = None
) -> None:
    import importlib

    line = lines.key(spec.name, "app") if spec.kind == "module" else None
    where = path if spec.kind == "module" else None
    module, _, attr = spec.factory.partition(":")
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            raise ConfigError(
                where,
                line,
                f"{spec.name}: no Python module {module!r} "
                f"(looked in {path.parent if path else 'sys.path'})",
            ) from None
        raise ConfigError(where, line, f"{spec.name}: importing {module!r} failed: {exc}") from None
    except Exception as exc:
        raise ConfigError(
            where, line, f"{spec.name}: importing {module!r} failed: {type(exc).__name__}: {exc}"
        ) from None
    source = getattr(loaded, "__file__", None)
    if root is not None and not (source and Path(source).resolve().is_relative_to(root.resolve())):
        raise ConfigError(
            where,
            line,
            f"{spec.name}: module {module!r} was loaded from "
            f"{source}, outside the lesson's folder; a lesson runs "
            "Python only from its own folder or installed plugins",
        )
    if not hasattr(loaded, attr):
        raise ConfigError(
            where,
            line,
            f"{spec.name}: module {module!r} has no {attr!r} (the app "
            "factory or ASGI app named after the colon)",
        )


class _Lines:
    """Line numbers of tables and keys in the file, for messages (tomllib keeps none)."""

    def __init__(self, path: Path | None, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def table(self, dotted: str, section: str = "services") -> int | None:
        name = (
            r"^\s*\[\s*"
            + section
            + r"\.\s*"
            + r"\s*\.\s*".join(re.escape(p) for p in dotted.split("."))
        )
        # The table's own header, else the first table inside it ([clients.me.partners.bank]
        # declares [clients.me] without a header of its own).
        for header in (re.compile(name + r"\s*\]"), re.compile(name + r"\s*\.")):
            for number, line in enumerate(self.lines, 1):
                if header.match(line):
                    return number
        return self.key(None, dotted.split(".")[0])

    def key(self, service: str | None, key: str, section: str = "services") -> int | None:
        start = (self.table(service, section) or 0) if service else 0
        pattern = re.compile(r"^\s*" + re.escape(key) + r"\s*[=.\]]")
        for number, line in enumerate(self.lines[start:], start + 1):
            if service and number > start + 1 and line.lstrip().startswith("["):
                break
            if pattern.match(line) or (not service and f"[{key}" in line.replace(" ", "")):
                return number
        return start or None
