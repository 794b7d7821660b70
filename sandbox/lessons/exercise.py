"""Exercises: the learner writes a small Python function; the step judges the calls it made.

The learner's file lives in `<data dir>/exercises/<lesson>/`, copied from the lesson's
`exercise/` template the first time. It is imported fresh on every run (a new module name,
never left in `sys.modules`), so edits are seen at once. Its HTTP calls carry
`x-sandbox-caller: learner` and the step's trace, so the sandbox records them as the learner's;
one signed with a partner's key is recorded as the partner the callee verified, and the step
knows it for the learner's by the span it was sent from (`Exercise.spans`).
"""

from __future__ import annotations

import asyncio
import importlib.util
import inspect
import itertools
import shutil
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from sandbox.dialects.partners import partner_auth
from sandbox.wire.context import Span, format_traceparent, new_span_id, stamp_step
from sandbox.wire.recording import CALLER_HEADER

LEARNER = "learner"
"""The caller name of every call the learner's code makes."""
_modules = itertools.count(1)


class ExerciseFailed(Exception):
    """The learner's code could not run or raised; the message points at their line."""


class Exercise:
    """What the learner's function receives: clients to the services, personas and URLs."""

    def __init__(
        self,
        urls: dict[str, str],
        personas: dict[str, dict[str, Any]],
        trace_id: str,
        timeout: float = 5.0,
        partners: dict[str, dict[str, dict[str, Any]]] | None = None,
        path: Path | None = None,
        lose: dict[str, int] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Args:
        partners: callee to caller to credentials (the world's partner table).
        path: the learner's file, whose line that made each call is kept in `lines`.
        lose: `"METHOD /path"` to how many of those calls' answers every client loses on the
            way back (the step's `lose`: a lost answer injected whatever client the learner
            builds).
            clock: the sandbox's clock, which `partner_client` signs with: the institutions
                refuse a timestamp far from their own clock, and a presenter may have moved it.
        """
        self._lose = dict(lose or {})
        self._clock = clock
        self.urls = dict(urls)
        """Service name to base URL."""
        self._personas = personas
        self._partners = partners or {}
        self._trace_id = trace_id
        self._timeout = timeout
        self._path = path.resolve() if path is not None else None
        self._clients: list[httpx.Client | httpx.AsyncClient] = []
        self.spans: set[str] = set()
        """Every span id a call was sent with (its recorded `parent_id`): the learner's calls,
        whoever the callee verified them as."""
        self.lines: dict[str, str] = {}
        """Span id a call was sent with (its recorded `parent_id`) to the learner's line that
        sent it: `file.py line 12: response = bank.post(...)`."""

    def client(
        self, service: str, timeout: float | None = None, lose_answers: int = 0
    ) -> httpx.Client:
        """An httpx.Client for `service` whose calls are recorded as the learner's, in this
        step's trace (`timeout`: seconds before it gives up, default 5).

        `lose_answers`: the answers to this many POSTs are lost on the way back: the service
        got the request and answered, and the client raises httpx.ReadTimeout instead of
        returning the answer (a phone whose network dropped at the wrong moment).
        """
        return self._sync(service, timeout, None, lose_answers)

    def _transport(self, lose_posts: int) -> _LosingTransport | None:
        if not lose_posts and not self._lose:
            return None
        return _LosingTransport(lose_posts, self._lose)

    def partner_client(
        self, service: str, partner: str, timeout: float | None = None
    ) -> httpx.Client:
        """An httpx.Client that signs every request as `partner` at `service`, in that
        institution's own dialect (the sandbox's auth classes do the signing)."""
        return self._sync(
            service, timeout, partner_auth(service, self.credentials(service, partner), self._clock)
        )

    def now(self) -> float:
        """The sandbox's time in Unix seconds, for a timestamp the learner signs by hand: the
        institutions check it against their clock, which `sandbox clock` may have moved days
        away from the machine's."""
        return self._clock()

    def credentials(self, service: str, partner: str) -> dict[str, Any]:
        """`partner`'s credentials at `service` (keys as in fixtures/world/partners.json), for
        an exercise that signs by hand."""
        try:
            return dict(self._partners[service][partner])
        except KeyError:
            holders = ", ".join(self._partners.get(service, {})) or "none"
            raise KeyError(
                f"{partner!r} holds no credentials at {service!r}; holders: {holders}"
            ) from None

    def async_client(self, service: str, timeout: float | None = None) -> httpx.AsyncClient:
        """The same as `client`, for an `async def` exercise function."""

        async def stamp(request: httpx.Request) -> None:
            self._stamp(request)

        client = httpx.AsyncClient(
            base_url=self._url(service),
            timeout=self._timeout if timeout is None else timeout,
            event_hooks={"request": [stamp]},
            transport=_AsyncLosingTransport(self._lose) if self._lose else None,
        )
        self._clients.append(client)
        return client

    def _sync(
        self, service: str, timeout: float | None, auth: httpx.Auth | None, lose: int = 0
    ) -> httpx.Client:
        client = httpx.Client(
            base_url=self._url(service),
            timeout=self._timeout if timeout is None else timeout,
            event_hooks={"request": [self._stamp]},
            auth=auth,
            transport=self._transport(lose),
        )
        self._clients.append(client)
        return client

    def persona(self, name: str) -> dict[str, Any]:
        """A persona's facts (name, NIK, accounts...), as `{{ personas.NAME... }}` sees them."""
        try:
            return dict(self._personas[name])
        except KeyError:
            raise KeyError(f"no persona {name!r}; personas: {', '.join(self._personas)}") from None

    def _url(self, service: str) -> str:
        try:
            return self.urls[service]
        except KeyError:
            raise KeyError(f"no service {service!r}; services: {', '.join(self.urls)}") from None

    def _stamp(self, request: httpx.Request) -> None:
        """Every call is a new span of the step's trace, made by the learner; the line of their
        file that made it is kept."""
        span = new_span_id()
        self.spans.add(span)
        request.headers["traceparent"] = format_traceparent(Span(self._trace_id, span))
        request.headers[CALLER_HEADER] = LEARNER
        stamp_step(request.headers)
        if self._path is not None:
            for frame in reversed(traceback.extract_stack()):
                if Path(frame.filename).resolve() == self._path:
                    code = f": {frame.line}" if frame.line else ""
                    self.lines[span] = f"{self._path.name} line {frame.lineno}{code}"
                    break

    async def aclose(self) -> None:
        """Close every client the learner's code opened."""
        for client in self._clients:
            if isinstance(client, httpx.AsyncClient):
                await client.aclose()
            else:
                client.close()
        self._clients.clear()


LOST = "the answer was lost on the way back (the service did answer)"


class _Losses:
    """Which answers to lose: the first `posts` POSTs, and the first N of each
    `"METHOD /path"` in `calls`."""

    def __init__(self, posts: int, calls: dict[str, int]) -> None:
        self.posts = posts
        self.calls = dict(calls)

    def take(self, request: httpx.Request) -> bool:
        """True when this request's answer is to be lost (counting it)."""
        key = f"{request.method} {request.url.path}"
        if self.calls.get(key, 0) > 0:
            self.calls[key] -= 1
            return True
        if request.method == "POST" and self.posts > 0:
            self.posts -= 1
            return True
        return False


class _LosingTransport(httpx.HTTPTransport):
    """Sends every request; loses some answers after they came (see `_Losses`)."""

    def __init__(self, posts: int, calls: dict[str, int] | None = None) -> None:
        super().__init__()
        self._losses = _Losses(posts, calls or {})

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if self._losses.take(request):
            response.read()
            response.close()
            raise httpx.ReadTimeout(LOST, request=request)
        return response


class _AsyncLosingTransport(httpx.AsyncHTTPTransport):
    """The same for an async client."""

    def __init__(self, calls: dict[str, int]) -> None:
        super().__init__()
        self._losses = _Losses(0, calls)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if self._losses.take(request):
            await response.aread()
            await response.aclose()
            raise httpx.ReadTimeout(LOST, request=request)
        return response


def exercise_dir(data_dir: Path, slug: str) -> Path:
    """The learner's exercise folder for a lesson."""
    return data_dir / "exercises" / slug


def learner_file(template: Path, data_dir: Path, slug: str) -> Path:
    """The learner's copy of `template`, created from it if absent (never overwritten)."""
    target = exercise_dir(data_dir, slug) / template.name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, target)
    return target


def load_function(path: Path, name: str, output: list[str]) -> Callable[..., Any]:
    """`name` from the file at `path`, imported fresh; its `print` writes into `output`."""
    module_name = f"sandbox_exercise_{next(_modules)}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ExerciseFailed(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    module.print = _printer(output)  # type: ignore[attr-defined]
    sys.modules[module_name] = module  # dataclasses and typing look the module up by name
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise ExerciseFailed(where_it_failed(exc, path)) from None
    finally:
        sys.modules.pop(module_name, None)
    function = getattr(module, name, None)
    if not callable(function):
        raise ExerciseFailed(f"{path.name} defines no function {name}(exercise)")
    return function  # type: ignore[no-any-return]


def _printer(output: list[str]) -> Callable[..., None]:
    def learner_print(*args: Any, sep: str = " ", end: str = "\n", **_: Any) -> None:
        output.append(sep.join(str(a) for a in args) + end)

    return learner_print


async def run_function(
    function: Callable[..., Any], exercise: Exercise, path: Path, seconds: float
) -> None:
    """Call the learner's function (sync ones in a worker thread) within `seconds`."""
    try:
        async with asyncio.timeout(seconds):
            if inspect.iscoroutinefunction(function):
                await function(exercise)
            else:
                await asyncio.to_thread(function, exercise)
    except TimeoutError:
        raise ExerciseFailed(f"{function.__name__}() did not finish within {seconds:g} s") from None
    except Exception as exc:
        raise ExerciseFailed(where_it_failed(exc, path)) from None


def where_it_failed(exc: BaseException, path: Path) -> str:
    """The exception, at the last line of the learner's file it passed through."""
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if Path(f.filename).resolve() == path.resolve()
    ]
    what = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, SyntaxError) and exc.lineno:
        return f"{path.name} line {exc.lineno}: {what}"
    if not frames:
        return f"{path.name}: {what}"
    frame = frames[-1]
    code = f"\n    {frame.line}" if frame.line else ""
    return f"{path.name} line {frame.lineno}, in {frame.name}: {what}{code}"
