"""One call to a running sandbox's control API from a developer's command, its refusal said
in one line: what `sandbox listen` and `sandbox force` share."""

from __future__ import annotations

from typing import Any

import httpx

from sandbox.runtime.state import RuntimeState

TIMEOUT = httpx.Timeout(30.0, connect=3.0)


class CommandError(Exception):
    """A problem the user can fix, said in one line."""


def call(state: RuntimeState, method: str, path: str, body: Any = None) -> dict[str, Any]:
    """`method path` with the control token; the JSON answer, or CommandError saying why not."""
    try:
        response = httpx.request(
            method,
            state.control_url + path,
            json=body,
            headers=state.auth_headers(),
            timeout=TIMEOUT,
        )
    except httpx.HTTPError as exc:
        raise CommandError(f"the sandbox does not answer ({type(exc).__name__})") from None
    try:
        data: dict[str, Any] = response.json()
    except ValueError:
        data = {}
    if response.status_code >= 400:
        raise CommandError(str(data.get("message") or f"refused: HTTP {response.status_code}"))
    return data
