"""The control API: what viewers and the CLI use to ask a running sandbox about itself.

Plain snake_case JSON (our own API, not an institution's): the services, injected faults,
resetting the world, recorded calls and traces, a read-only look into each institution's
tables, the counters of the stream to a class's OpenTelemetry collector (`/otlp`) and the
lesson verdicts it also carries (`POST /verdicts`), what the presenter's screen shows
(`/stage`, for followers' pages), the virtual clock (`/clock`), and the live stream of
calls as server-sent events, so a viewer in another process - or on another machine - can
follow a running sandbox. Errors are
`{"code", "message"}` JSON with a 4xx status, like the institutions' own plain dialect.

One router per concern, each reading the runtime it serves through a FastAPI dependency
(`dependencies.py`, where `ControlledRuntime` says what the API uses of the supervisor's
`Runtime`): services, faults and reset (`services.py`), calls and traces (`calls.py`), the
institutions' tables and undelivered webhooks (`tables.py`), the class's stream and lesson
verdicts (`otlp.py`), what the institutions texted a person's phone (`sms.py`), the
presenter's stage (`stage.py`), the institutions' shared clock (`clock.py`), the digests
of each service's contract and credentials an audit compares (`fingerprints.py`), the live
stream of calls (`events.py`), where a developer's client hears its webhooks
(`listeners.py`, for `sandbox listen`) and the sandbox-only actions that force a state
(`force.py`, for `sandbox force`).
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from sandbox.framework import openapi
from sandbox.framework.contract import PLAIN_ERROR
from sandbox.framework.errors import install_error_handlers
from sandbox.runtime.control import (
    calls,
    clock,
    events,
    fingerprints,
    force,
    listeners,
    otlp,
    services,
    sms,
    stage,
    tables,
)
from sandbox.runtime.control.dependencies import ControlledRuntime
from sandbox.runtime.control_guard import ControlGuard, documented
from sandbox.runtime.stage_view import StageBoard

__all__ = ["ControlledRuntime", "create_control_app"]

DESCRIPTION = """\
The running sandbox, for viewers, the CLI and your own tools: services, faults and reset,
recorded calls and traces, the institutions' tables, the class's stream, a person's texts, the
presenter's stage and the live stream of calls (`GET /events`, server-sent events).
It answers only on 127.0.0.1, localhost or [::1] and never to pages of other sites. Reading is
open to you; every change (POST, PUT, PATCH, DELETE) needs `Authorization: Bearer <token>`
with the token from `runtime.json` in the data directory (`sandbox` commands send it for you).
"""


def create_control_app(runtime: ControlledRuntime) -> FastAPI:
    """The control API of `runtime`."""
    app = FastAPIOffline(title="SANDBOX control API", version="1", description=DESCRIPTION)
    install_error_handlers(app)
    # Documented like the institutions (offline /docs, /openapi.json), with the guard's token
    # on every change and its refusals on every operation.
    openapi.install(app, PLAIN_ERROR, guard=documented, faults=False)
    app.add_middleware(ControlGuard, token=runtime.control_token)  # outermost: checked first
    app.state.runtime = runtime
    app.state.board = StageBoard()
    for concern in (
        services,
        clock,
        fingerprints,
        otlp,
        calls,
        tables,
        sms,
        stage,
        events,
        listeners,
        force,
    ):
        app.include_router(concern.router)
    return app
