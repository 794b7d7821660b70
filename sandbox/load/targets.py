"""Where a flash sale's buyers send their calls: this machine, unless a worker opted in.

The sale never leaves 127.0.0.1 by default: `sandbox run flash-sale` and the locustfile both
refuse a URL that is not loopback. Locust's distributed mode puts workers on other machines;
there the institutions are reached at the LAN address `sandbox up --host` made them listen on,
and a worker names it in $SANDBOX_FLASH_SALE_HOST - the opt-in. The control API never leaves
the sandbox's machine, so a remote worker cannot read a buyer's phone: it pays by VA only.

Plain functions, imported by the locustfile (in Locust's process) and by `sale.py`.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
INSTITUTIONS = ("social", "marketplace", "bank")
"""The institutions a buyer calls herself."""


class TargetRefused(ValueError):
    """The plan would send buyers somewhere they may not go; the message says why."""


def is_loopback(url: str) -> bool:
    """True when `url` names this machine."""
    return urlsplit(url).hostname in LOOPBACK


def worker_urls(plan: dict[str, Any], lan_host: str = "") -> dict[str, str]:
    """The institutions' URLs as this worker calls them.

    Args:
        lan_host: $SANDBOX_FLASH_SALE_HOST, the sandbox machine's LAN address as a worker on
            another machine reaches it; "" keeps the plan's loopback URLs.
    """
    urls = {name: str(plan["urls"][name]) for name in INSTITUTIONS}
    if not lan_host:
        for url in [*urls.values(), str(plan["control_url"])]:
            if not is_loopback(url):
                raise TargetRefused(
                    f"refusing to send a flash sale to {url}: not loopback (a worker on "
                    "another machine names the sandbox's LAN address in SANDBOX_FLASH_SALE_HOST)"
                )
        return urls
    try:
        address = ipaddress.IPv4Address(lan_host.strip())
    except ValueError:
        raise TargetRefused(
            f"SANDBOX_FLASH_SALE_HOST={lan_host[:60]!r} is not an IPv4 address"
        ) from None
    if plan["pay"] != "va":
        raise TargetRefused(
            f"a worker on another machine cannot pay by {plan['pay']}: the buyer's phone is "
            "read through the control API, which stays on the sandbox's machine; plan the "
            "sale with --pay va"
        )
    return {name: _with_host(url, str(address)) for name, url in urls.items()}


def _with_host(url: str, host: str) -> str:
    parts = urlsplit(url)
    return parts._replace(netloc=f"{host}:{parts.port}").geturl()
