"""Where a developer's client hears its webhooks: `sandbox listen NAME --forward-to URL`.

A client made by `sandbox new client` is a script, not a server, so the institutions have
nowhere to send the webhooks meant for it (order status changes, payment notices): they keep
retrying and end as dead letters. `sandbox listen` (Stripe's `listen` is the anchor) registers
a local URL here; the institutions then deliver those webhooks to it, signed as they sign them
and recorded like any call. Only a client can be heard this way - a running service keeps its
own address - and only on this machine: the control API is loopback-only, and so is this URL.
"""

from __future__ import annotations

import ipaddress

import httpx
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from sandbox.framework.errors import ApiError
from sandbox.runtime.control.dependencies import ControlledRuntime, RuntimeDep, service_names

router = APIRouter()

MAX_URL = 2000


class ListenerBody(BaseModel):
    """Where the client's webhooks go: an http(s) URL on this machine."""

    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=1, max_length=MAX_URL)


def client_name(runtime: ControlledRuntime, name: str) -> str:
    """`name`, if it is a client with credentials (not a service); else a clear 4xx."""
    if name in service_names(runtime):
        raise ApiError(
            409,
            "not_a_client",
            f"{name!r} is a service: it has its own address. Listen for a client made with "
            "`sandbox new client`.",
        )
    clients = sorted(set(runtime.wire.partner_ids.values()) - set(service_names(runtime)))
    if name not in clients:
        listed = ", ".join(clients) or "none yet: make one with `sandbox new client NAME`"
        raise ApiError(404, "unknown_client", f"No client {name!r}; clients: {listed}.")
    return name


def local_url(text: str) -> str:
    """`text` as an http(s) URL whose host is this machine's loopback; else a 400."""
    try:
        url = httpx.URL(text.strip())
    except (httpx.InvalidURL, ValueError):
        raise ApiError(
            400, "invalid_url", "Give a URL like http://127.0.0.1:4242/webhooks.", field="url"
        ) from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ApiError(
            400, "invalid_url", "Give an http:// or https:// URL with a host.", field="url"
        )
    if not _loopback(url.host):
        raise ApiError(
            400,
            "not_local",
            "Webhooks are forwarded only to this machine: use 127.0.0.1, [::1] or localhost.",
            field="url",
        )
    if url.userinfo:
        raise ApiError(
            400, "invalid_url", "A forwarding URL carries no user name or password.", field="url"
        )
    return str(url.copy_with(query=None, fragment=None))


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@router.get("/listeners")
async def listeners(runtime: RuntimeDep) -> dict[str, str]:
    """Clients being heard, each with the URL its webhooks are forwarded to."""
    return runtime.wire.forwarding()


@router.put("/listeners/{name}")
async def listen(name: str, body: ListenerBody, runtime: RuntimeDep) -> dict[str, str]:
    """Forward the webhooks meant for client `name` to `url` (replacing an earlier one)."""
    url = local_url(body.url)
    runtime.wire.forward(client_name(runtime, name), url)
    return {"client": name, "url": url}


@router.delete("/listeners/{name}")
async def stop_listening(name: str, runtime: RuntimeDep) -> dict[str, str]:
    """Stop forwarding; webhooks for `name` wait in the institutions' outboxes again."""
    runtime.wire.forward(client_name(runtime, name), None)
    return {"client": name, "url": ""}
