"""The public extension points: everything your own service needs to join the sandbox.

A service of yours is a function `create_app(env: ServiceEnv) -> ASGI app` in your own folder,
listed in `sandbox.toml` (or packaged as a plugin, declared with `Service`). From here it gets
what the built-in institutions use, and nothing that ties it to their code:

- `new_app(env, title, description)`: a FastAPI app with `/health`, offline `/docs`, JSON
  errors (`ApiError`) and the recording middleware, so calls into it are traced;
- `partner_client(env, callee)`: a recorded httpx client that authenticates at a built-in
  institution in that institution's own dialect, with the credentials `sandbox.toml` holds;
- `Outbox`: webhooks written in the same transaction as the change they announce, delivered
  with retries and backoff, and kept across restarts;
- `open_database(env.db_path)`: its own SQLite file (sqlite-utils), in WAL mode;
- `marketplace_webhook_ok(env, body, authorization)`: checks a webhook really comes from the
  marketplace;
- `verified(party)`: tells the recorder which partner your own authentication accepted, so the
  trace names it as the caller (a caller's own claims are never believed);
- `client_auth(name, callee)`: for a plain script, the httpx Auth of a client made with
  `sandbox new client NAME` (its credentials read from `sandbox.toml`), so its calls are
  recorded as NAME;
- `Forcing`: sandbox-only failures a developer forces on your service (`sandbox force`), kept
  on `app.state.forcing` and asked with `take(action)` where the real refusal would come.

Import only from `sandbox.extend` in your service: the rest of the package may change.
"""

from __future__ import annotations

import hmac
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from sandbox.config import default_data_dir
from sandbox.dialects.open_platform import webhook_signature
from sandbox.dialects.partners import partner_auth
from sandbox.extend.clock import RuntimeClock
from sandbox.framework.app import new_app
from sandbox.framework.errors import ApiError
from sandbox.framework.forcing import Forcing
from sandbox.framework.service import ServiceEnv
from sandbox.framework.storage import open_database
from sandbox.wire.attribution import verified
from sandbox.wire.outbox import Outbox

__all__ = [
    "ApiError",
    "Forcing",
    "Outbox",
    "Service",
    "ServiceEnv",
    "client_auth",
    "marketplace_webhook_ok",
    "new_app",
    "open_database",
    "partner_client",
    "verified",
]


@dataclass(frozen=True, slots=True)
class Service:
    """How a plugin package declares a service (the value of its entry point)."""

    title: str
    """The institution's display name on the map."""
    role: str
    """What it is, in a few words ("courier", "clinical laboratory")."""
    app: str
    """`package.module:create_app`."""
    side: str = "back"
    """`front` if people use it directly, `back` if it serves partners."""
    calls: Sequence[str] = ()
    """Built-in institutions it calls as a partner (credentials come from `sandbox.toml`)."""


def partner_client(env: ServiceEnv, callee: str) -> httpx.AsyncClient:
    """A recorded client from this service to `callee`, signing in `callee`'s dialect.

    Raises LookupError naming the fix if the service holds no credentials at `callee`.
    """
    creds = env.seed.get("holds", {}).get(callee)
    client = env.wire.client(env.name, callee)
    if creds is None:
        raise LookupError(
            f"{env.name} holds no credentials at {callee}; run `sandbox new "
            f"credentials {env.name} --calls {callee}`"
        )
    client.auth = partner_auth(callee, creds, env.wire.clock)
    return client


def client_auth(
    name: str,
    callee: str,
    config: str | Path = "sandbox.toml",
    data_dir: str | Path | None = None,
) -> httpx.Auth:
    """How client `name` (made by `sandbox new client`) authenticates at `callee`, signing in
    `callee`'s dialect with its credentials from `config`; works with `httpx.Client` and
    `httpx.AsyncClient`. Raises LookupError naming the fix if it holds none there.

    Its timestamps are the sandbox's time, read from the sandbox running on `data_dir` (the
    default data directory unless given), so they stay fresh after `sandbox clock advance`.
    """
    path = Path(config)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LookupError(f"cannot read the credentials in {path}: {exc}") from None
    creds: Any = data
    for key in ("clients", name, "partners", callee):
        creds = creds.get(key) if isinstance(creds, dict) else None
    if not isinstance(creds, dict):
        raise LookupError(
            f"client {name!r} holds no credentials at {callee} in {path}; run "
            f"`sandbox new client {name} --calls {callee}`"
        )
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    return partner_auth(callee, creds, RuntimeClock(folder))


def marketplace_webhook_ok(env: ServiceEnv, body: bytes, authorization: str | None) -> bool:
    """True if a webhook body was signed by the marketplace with this service's app secret."""
    creds = env.seed.get("holds", {}).get("marketplace") or {}
    if not authorization or not creds:
        return False
    expected = webhook_signature(creds["app_secret"], creds["app_key"], body)
    if not authorization.isascii() or not hmac.compare_digest(expected, authorization):
        return False
    verified("marketplace")  # the trace names the marketplace as the caller
    return True
