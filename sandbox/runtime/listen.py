"""Where the institutions listen: loopback unless the user opted in to a LAN address.

Everything in the sandbox is synthetic but it still answers with partner tokens, PINs and
one-time codes, so by default nothing listens beyond this machine. A class or a team that runs
Locust's distributed mode (workers on other machines, docs/flash-sale.md) needs the
institutions on the network: `sandbox up --host ADDR` opts in, for the institutions only. The
control API stays on 127.0.0.1 whatever is asked, because it can change and reset the world.
"""

from __future__ import annotations

import ipaddress

LOOPBACK = "127.0.0.1"
WILDCARD = "0.0.0.0"


class ListenRefused(ValueError):
    """An address the institutions may not (or cannot) listen on; the message says why."""


def checked_listen_host(host: str, lan: bool) -> str:
    """`host` as an IPv4 address the institutions may bind; ListenRefused otherwise.

    Args:
        lan: the user asked for a network address (`--host`); without it only loopback goes.
    """
    try:
        address = ipaddress.IPv4Address(host.strip())
    except ValueError:
        raise ListenRefused(
            f"{host[:60]!r} is not an IPv4 address; give one such as 0.0.0.0 (every "
            "interface) or this machine's LAN address, e.g. 192.168.1.20"
        ) from None
    if not address.is_loopback and not lan:
        raise ListenRefused(
            f"refusing to listen on {address}: it is not loopback; the institutions reach "
            "the network only when asked (`sandbox up --host ADDR`)"
        )
    return str(address)


def reachable_host(listen_host: str) -> str:
    """The address this machine's own clients use for a server bound to `listen_host`:
    loopback for every interface (0.0.0.0), else the address itself."""
    return LOOPBACK if listen_host == WILDCARD else listen_host


def is_lan(listen_host: str) -> bool:
    """True when a server bound to `listen_host` can be reached from other machines."""
    return not ipaddress.IPv4Address(listen_host).is_loopback
