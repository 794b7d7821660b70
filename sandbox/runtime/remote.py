"""ControlClient: a running sandbox's control API as typed async calls, for viewers.

The terminal UI runs in another process than the services and only ever talks to them through
this client (and through the institutions' own HTTP APIs), so a slow screen never slows a
service down. Every failure arrives as one exception type, `ControlError`, whose message can be
shown to a person as it is; a lost connection is the subclass `ConnectionLost`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

from sandbox.runtime.force_requests import force_request
from sandbox.runtime.inspect import TableRows
from sandbox.runtime.models import CallFilter, IkdNotice, ServiceInfo, Sms, TableInfo, Webhook
from sandbox.runtime.stage_view import StageView
from sandbox.runtime.state import RuntimeState, token_in_this_process
from sandbox.trace.events import HttpCall
from sandbox.trace.verdict import LessonVerdict
from sandbox.wire.faults import Fault

if TYPE_CHECKING:
    # The store's module brings sqlite-utils (with dateutil, pluggy and click): about 35 ms
    # of the UI's start for one class the trace list needs later (imported there).
    from sandbox.trace.store import TraceSummary

TIMEOUT = httpx.Timeout(10.0, connect=3.0)
STREAM_READ_TIMEOUT = 45.0
"""The server sends a keep-alive every 15 s, so three missed ones mean the stream is dead."""


class ControlError(Exception):
    """The control API refused a request or could not be reached; the message says which."""

    def __init__(self, message: str, status: int | None = None, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        """The HTTP status of a refusal; None when no answer came back."""
        self.code = code
        """The API's error code (`unknown_service`, `invalid_field`...), if it sent one."""


class ConnectionLost(ControlError):
    """The sandbox stopped answering: it was stopped, or the connection dropped."""


@dataclass(frozen=True, slots=True)
class StageShown:
    """What the presenter's screen shows, as `GET /stage` said it."""

    version: int
    """Grows each time the presenter moves (0: nothing shown yet)."""
    view: StageView | None
    tag: str
    """Give it back to `ControlClient.stage` to hear only of the next change."""


class ControlClient:
    """Typed async access to one sandbox's control API at `base_url`."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """`token`: the sandbox's control token (runtime.json); None uses the token of a
        sandbox this same process serves, if it is the one at `base_url`; "" sends none."""
        self.base_url = base_url.rstrip("/")
        if token is None:
            token = token_in_this_process(self.base_url)
        self.can_change = bool(token)
        """False without the control token: reads work, reset and faults are refused (401)."""
        self.token = token or ""
        """The control token, for a tool this client hands the sandbox to (a flash sale)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.AsyncClient(
            base_url=self.base_url, timeout=TIMEOUT, transport=transport, headers=headers
        )

    @classmethod
    def from_data_dir(cls, data_dir: Path) -> ControlClient:
        """The client for the sandbox running on `data_dir` (found through runtime.json)."""
        state = RuntimeState.read(data_dir)
        if state is None:
            raise ControlError(f"no sandbox is running for {data_dir}; start one with `sandbox up`")
        return cls(state.control_url, token=state.token)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> ControlClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    # -- plumbing ----------------------------------------------------------------------------

    async def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ConnectionLost(
                f"cannot reach the sandbox at {self.base_url}: {_describe(exc)}"
            ) from None
        if response.status_code >= 400:
            raise _refusal(response)
        try:
            return response.json()
        except ValueError:
            raise ControlError(
                f"the sandbox answered {method} {path} with something that is not JSON",
                response.status_code,
            ) from None

    # -- the API -----------------------------------------------------------------------------

    async def health(self) -> dict[str, Any]:
        """The control API's own health (`{"status": "ok", ...}`)."""
        data: dict[str, Any] = await self._request("GET", "/health")
        return data

    async def services(self) -> list[ServiceInfo]:
        """Every institution with its health, call counts and fault."""
        return [ServiceInfo.from_dict(s) for s in await self._request("GET", "/services")]

    async def calls(
        self,
        offset: int = 0,
        limit: int = 100,
        flt: CallFilter | None = None,
        order: str = "stored",
    ) -> list[HttpCall]:
        """One page of recorded calls matching `flt`, oldest first (`limit` at most 500).

        `order` is `stored` (as the recorder wrote them: when they finished) or `started`.
        """
        params: dict[str, Any] = {
            "offset": offset,
            "limit": limit,
            "order": order,
            **(flt or CallFilter()).to_params(),
        }
        data = await self._request("GET", "/calls", params=params)
        return [HttpCall.from_dict(c) for c in data["calls"]]

    async def count(self, flt: CallFilter | None = None) -> int:
        """How many recorded calls match `flt`."""
        data = await self._request("GET", "/calls/count", params=(flt or CallFilter()).to_params())
        return int(data["total"])

    async def trace(self, trace_id: str) -> list[HttpCall]:
        """Every call of one trace (a unique prefix of its id works too), in start order."""
        return [
            HttpCall.from_dict(c) for c in await self._request("GET", f"/traces/{_seg(trace_id)}")
        ]

    async def traces(self, limit: int = 20) -> list[TraceSummary]:
        """The most recent traces, newest first."""
        from sandbox.trace.store import TraceSummary

        data = await self._request("GET", "/traces", params={"limit": limit})
        return [TraceSummary.from_dict(t) for t in data]

    async def reset(self) -> dict[str, Any]:
        """Restore the seeded world in every institution (faults and traces stay)."""
        data: dict[str, Any] = await self._request("POST", "/reset")
        return data

    async def faults(self) -> dict[str, Fault]:
        """The fault of every institution (`Fault()` for a healthy one)."""
        data = await self._request("GET", "/faults")
        return {name: Fault.from_dict(f) for name, f in data.items()}

    async def set_fault(self, service: str, fault: Fault) -> Fault:
        """Inject `fault` into `service`; returns the fault now in force."""
        return Fault.from_dict(
            await self._request("PUT", f"/faults/{_seg(service)}", json=fault.to_dict())
        )

    async def forced(self) -> dict[str, Any]:
        """What each institution can be forced to do, and what is armed (`GET /force`)."""
        found: dict[str, Any] = await self._request("GET", "/force")
        return found

    async def fail_next(self, service: str, action: str, times: int = 1) -> int:
        """Make the next `times` of `action` at `service` fail; how many are armed now."""
        body = {"service": service, "action": action, "times": times}
        answer = await self._request("POST", "/force/fail-next", json=body)
        return int(answer["armed"])

    async def force(self, action: str, target: str) -> dict[str, Any]:
        """One sandbox-only action on `target` (`force_requests.ON_A_TARGET`): its answer."""
        method, path, body = force_request(action, target)
        answer: dict[str, Any] = await self._request(method, path, json=body)
        return answer

    async def clear_fault(self, service: str) -> Fault:
        """Restore `service` (returns `Fault()`)."""
        return Fault.from_dict(await self._request("DELETE", f"/faults/{_seg(service)}"))

    async def clear_faults(self) -> None:
        """Restore every institution."""
        await self._request("DELETE", "/faults")

    async def clock(self) -> dict[str, Any]:
        """The institutions' clock: `{"now": ISO-8601, "frozen", "offset_seconds", "real"}`."""
        data: dict[str, Any] = await self._request("GET", "/clock")
        return data

    async def audit_basis(self) -> dict[str, Any]:
        """What an audit compares besides the calls: `{"fingerprints": {"contracts": {...},
        "credentials": {...}}, "audits": [...] or None}` (`GET /fingerprints`, `/audits`)."""
        found = await self._request("GET", "/fingerprints")
        audits = await self._request("GET", "/audits")
        return {
            "fingerprints": found if isinstance(found, dict) else {},
            "audits": audits.get("audits") if isinstance(audits, dict) else None,
        }

    async def move_clock(self, action: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """`advance` (`{"by": "25h"}`), `set` (`{"to": ISO}`), `freeze` or `resume`
        (`{"real": bool}`) the clock; returns where it stands afterwards."""
        data: dict[str, Any] = await self._request("POST", f"/clock/{_seg(action)}", json=body)
        return data

    async def report_verdict(self, verdict: LessonVerdict) -> bool:
        """Hand a lesson step's verdict to the class's stream; False when the sandbox sends
        no spans (nothing was queued)."""
        data = await self._request("POST", "/verdicts", json=asdict(verdict))
        return bool(data.get("queued"))

    async def start_service(self, service: str) -> bool:
        """Start a service declared with `start = false`; False if it already ran."""
        data = await self._request("POST", f"/services/{_seg(service)}/start")
        return bool(data.get("started"))

    async def tables(self, service: str) -> list[TableInfo]:
        """The tables of `service`'s own database, by name."""
        return [
            TableInfo(name=t["name"], rows=int(t["rows"]), columns=tuple(t["columns"]))
            for t in await self._request("GET", f"/services/{_seg(service)}/tables")
        ]

    async def rows(self, service: str, table: str, offset: int = 0, limit: int = 100) -> TableRows:
        """One page of a table of `service`'s database (blobs shown as `<N bytes>`)."""
        data = await self._request(
            "GET",
            f"/services/{_seg(service)}/tables/{_seg(table)}",
            params={"offset": offset, "limit": limit},
        )
        return TableRows.from_dict(data)

    async def webhooks(self, state: str = "") -> list[Webhook]:
        """Webhooks the institutions have not delivered: `pending` (still retried), `dead`
        (given up: dead letters), or both (""), oldest first."""
        data = await self._request("GET", "/webhooks", params={"state": state} if state else {})
        return [Webhook.from_dict(w) for w in data]

    async def sms(self, phone: str) -> list[Sms]:
        """What the institutions texted `phone` (written any way: `0812 0000 0001`), oldest
        first: her phone's messages, which no recorded call carries."""
        data = await self._request("GET", "/sms", params={"phone": phone})
        return [Sms.from_dict(m) for m in data]

    async def ikd_notifications(self, nik: str) -> list[IkdNotice]:
        """What the person's IKD app was told (consent requests to answer), oldest first."""
        data = await self._request("GET", "/ikd-notifications", params={"nik": nik})
        return [IkdNotice.from_dict(n) for n in data]

    async def stage(self, since: str = "") -> StageShown | None:
        """What the presenter's screen shows; None while it is what tag `since` showed."""
        headers = {"If-None-Match": since} if since else {}
        try:
            response = await self._http.get("/stage", headers=headers)
        except httpx.HTTPError as exc:
            raise ConnectionLost(
                f"cannot reach the sandbox at {self.base_url}: {_describe(exc)}"
            ) from None
        if response.status_code == 304:
            return None
        if response.status_code >= 400:
            raise _refusal(response)
        try:
            data = response.json()
            view = data["view"]
            return StageShown(
                version=int(data["version"]),
                view=StageView.from_dict(view) if view is not None else None,
                tag=response.headers.get("etag", ""),
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            raise ControlError(
                "the sandbox answered GET /stage with something this version cannot read",
                response.status_code,
            ) from None

    async def show_stage(self, view: StageView) -> int:
        """Say what the presenter's screen shows now (needs the control token); the version."""
        data = await self._request("PUT", "/stage", json=view.to_dict())
        return int(data["version"])

    async def events(
        self,
        *,
        on_connected: Callable[[], None] | None = None,
        on_lagged: Callable[[], None] | None = None,
    ) -> AsyncIterator[HttpCall]:
        """Every call recorded from now on, as it happens; runs until the caller stops.

        Keep-alives yield nothing. `on_connected` is called once the stream is open (calls
        made after it are delivered), `on_lagged` when the sandbox skipped calls because this
        reader fell behind (re-read the store to catch up). Raises ConnectionLost when the
        stream drops or ends, ControlError when the API refuses it.
        """
        timeout = httpx.Timeout(TIMEOUT.connect, read=STREAM_READ_TIMEOUT)
        try:
            async with self._http.stream("GET", "/events", timeout=timeout) as response:
                if response.status_code >= 400:
                    await response.aread()
                    raise _refusal(response)
                if on_connected is not None:
                    on_connected()
                event = ""
                async for line in response.aiter_lines():
                    if line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:") and event == "call":
                        call = _parse_call(line[5:].strip())
                        if call is not None:
                            yield call
                    elif line.startswith("data:") and event == "lagged" and on_lagged:
                        on_lagged()
                    elif not line:
                        event = ""
        except httpx.HTTPError as exc:
            raise ConnectionLost(
                f"lost the event stream of {self.base_url}: {_describe(exc)}"
            ) from None
        raise ConnectionLost(f"the sandbox at {self.base_url} closed the event stream")


def _seg(text: str) -> str:
    """`text` as one path segment (a name with `/` or `..` stays a name)."""
    return quote(text, safe="")


def _parse_call(data: str) -> HttpCall | None:
    try:
        return HttpCall.from_dict(json.loads(data))
    except (ValueError, TypeError, KeyError):
        return None  # a malformed event is skipped, never fatal to a viewer


def _refusal(response: httpx.Response) -> ControlError:
    """The API's `{"code", "message"}` error as a ControlError."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("message"):
        return ControlError(str(body["message"]), response.status_code, str(body.get("code", "")))
    text = response.text[:200] if response.text else response.reason_phrase
    return ControlError(
        f"the sandbox answered HTTP {response.status_code}: {text}", response.status_code
    )


def _describe(exc: httpx.HTTPError) -> str:
    return str(exc) or type(exc).__name__
