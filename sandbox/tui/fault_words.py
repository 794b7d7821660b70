"""What a presenter injected, in words: "bank OFFLINE; identity +800 ms, 20% errors",
"bank throttles above 20/s".

A fault left on from a rehearsal is the commonest way a live demo goes wrong in front of a
room, so the stage names active faults before a story or a lesson step runs, and on the map's
boxes and the services screen, all in the same words.
"""

from __future__ import annotations

from collections.abc import Iterable

from sandbox.runtime.models import ServiceInfo
from sandbox.tui.i18n import _
from sandbox.wire.faults import Fault


def describe_fault(fault: Fault, *, offline: bool = True) -> str:
    """`OFFLINE`, `+800 ms, 20% errors`, or `healthy` (`offline=False`: leave offline out,
    for a place that shows it another way; then "" when nothing else is on)."""
    if fault.offline and offline:
        return _("OFFLINE")
    parts = []
    if fault.latency_ms:
        parts.append(_("+{ms} ms").format(ms=fault.latency_ms))
    if fault.error_rate:
        parts.append(_("{rate} errors").format(rate=f"{round(fault.error_rate * 100)}%"))
    if fault.rate_limit:
        parts.append(_("throttles above {rate}/s").format(rate=f"{fault.rate_limit:g}"))
    if parts or not offline:
        return ", ".join(parts)
    return _("healthy")


def faults_on(services: Iterable[ServiceInfo]) -> str:
    """Every active fault, `bank OFFLINE; identity +800 ms` ("" when all are healthy)."""
    return "; ".join(
        f"{info.name} {describe_fault(info.fault)}" for info in services if info.fault.active
    )


def failure_words(exc: BaseException, services: Iterable[ServiceInfo] = ()) -> str:
    """Why a live step or story could not run, in plain words in the UI's language.

    A presenter reads this to a room: never an exception's repr, a library's URL or a stack
    trace, only which institution did what ("bank answered 503: it is offline or failing").
    """
    import httpx

    from sandbox.runtime.remote import ControlError

    if isinstance(exc, httpx.HTTPStatusError):
        who = _service_at(str(exc.request.url), services)
        return _("{service} answered {status}: it is offline or failing (4 Services)").format(
            service=who, status=exc.response.status_code
        )
    if isinstance(exc, httpx.TimeoutException):
        who = _service_at(str(exc.request.url), services) if _has_request(exc) else "?"
        return _("{service} did not answer in time").format(service=who)
    if isinstance(exc, httpx.TransportError):
        who = _service_at(str(exc.request.url), services) if _has_request(exc) else "?"
        return _("{service} could not be reached").format(service=who)
    if isinstance(exc, ControlError):
        return _("the sandbox did not answer; is it still running?")
    return _("the step could not run ({kind})").format(kind=type(exc).__name__)


def _has_request(exc: BaseException) -> bool:
    try:
        exc.request  # type: ignore[attr-defined]  # noqa: B018 - httpx raises when unset
    except RuntimeError:
        return False
    return True


def _service_at(url: str, services: Iterable[ServiceInfo]) -> str:
    """The institution listening at `url` (its slug), or the URL's host when none is."""
    for info in services:
        if info.url and url.startswith(info.url.rstrip("/")):
            return info.name
    from urllib.parse import urlsplit

    return urlsplit(url).netloc or url
