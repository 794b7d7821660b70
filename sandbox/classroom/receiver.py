"""The board's OTLP/HTTP receiver: `POST /c/<class token>/v1/traces`, JSON or protobuf.

A teacher opens a port on the class's network, so anyone there can post. Hence:

- the path carries the class's token (printed in the endpoint the teacher hands out; a
  student's `--otlp-endpoint` keeps a path), anything else is 404: a stray or scanning client
  never reaches the roster;
- a body is read up to MAX_BODY bytes, also after gzip (`Content-Encoding: gzip`, which
  OpenTelemetry's exporters may use), else 413;
- only `application/json` and `application/x-protobuf` are read (415 otherwise), which also
  keeps a web page from posting: a cross-site form or `fetch` without a CORS preflight cannot
  send those types, and this server answers no preflight;
- what does not parse is 400 with a JSON reason; malformed spans inside a good request are
  skipped and counted (`partialSuccess.rejectedSpans`, as OTLP says).

The server is uvicorn in a daemon thread with a socket bound before it starts, so a port in
use is said at once in the teacher's terminal.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import socket
import threading
import zlib
from collections.abc import Iterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.classroom.roster import Roster
from sandbox.classroom.spans import read_request
from sandbox.trace.export.otlp_protobuf import NotOtlp, from_protobuf

MAX_BODY = 8 * 1024 * 1024
JSON_TYPE, PROTOBUF_TYPE = "application/json", "application/x-protobuf"
DEFAULT_PORT = 4318
"""OTLP/HTTP's own port: a collector the class used before is found at the same place."""


def traces_path(token: str) -> str:
    return f"/c/{token}/v1/traces"


def create_receiver(roster: Roster, token: str) -> Starlette:
    """The ASGI app that takes a class's spans into `roster`."""

    async def traces(request: Request) -> Response:
        if not hmac.compare_digest(request.path_params["token"].encode(), token.encode()):
            return _error(404, "not_found", "No such class.")
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind not in (JSON_TYPE, PROTOBUF_TYPE):
            return _error(
                415, "unsupported_media_type", f"Send {JSON_TYPE} or {PROTOBUF_TYPE} (OTLP/HTTP)."
            )
        try:
            body = await _body(request)
        except _TooBig:
            return _error(413, "too_large", f"A request holds at most {MAX_BODY} bytes.")
        except zlib.error:
            return _error(400, "bad_encoding", "The body is not valid gzip.")
        try:
            parsed = from_protobuf(body) if kind == PROTOBUF_TYPE else json.loads(body)
            host = request.client.host if request.client else ""
            received = read_request(parsed, host)
        except (NotOtlp, ValueError, RecursionError) as exc:
            return _error(400, "bad_request", f"Not an OTLP trace request: {exc}"[:300])
        roster.add(received)
        if kind == PROTOBUF_TYPE:
            return Response(b"", media_type=PROTOBUF_TYPE)  # an empty ExportTraceServiceResponse
        partial = (
            {
                "rejectedSpans": str(received.rejected),
                "errorMessage": "spans that are not the sandbox's calls were skipped",
            }
            if received.rejected
            else {}
        )
        return JSONResponse({"partialSuccess": partial})

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "service": "class"})

    return Starlette(
        routes=[
            Route("/c/{token}/v1/traces", traces, methods=["POST"]),
            Route("/health", health, methods=["GET"]),
        ]
    )


class _TooBig(Exception):
    pass


async def _body(request: Request) -> bytes:
    """The body, gunzipped when so encoded, refused past MAX_BODY either way."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise _TooBig
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise _TooBig
        chunks.append(chunk)
    body = b"".join(chunks)
    if request.headers.get("content-encoding", "").strip().lower() == "gzip":
        inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        body = inflate.decompress(body, MAX_BODY + 1)
        if len(body) > MAX_BODY or inflate.unconsumed_tail:
            raise _TooBig
    return body


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status)


class _QuietServer(uvicorn.Server):
    """Signals stay the board's (it runs in the main thread); this runs in another."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class ClassReceiver:
    """The receiver serving in a daemon thread on `host:port` (0: any free port)."""

    def __init__(
        self, roster: Roster, token: str, host: str = "127.0.0.1", port: int = DEFAULT_PORT
    ) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._socket = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._socket.bind((host, port))  # OSError here: the port is taken
        except OSError:
            self._socket.close()
            raise
        self.host, self.port = host, self._socket.getsockname()[1]
        self.token = token
        config = uvicorn.Config(
            create_receiver(roster, token),
            log_config=None,
            access_log=False,
            lifespan="off",
            ws="none",
            timeout_graceful_shutdown=1,
        )
        self._server = _QuietServer(config)
        self._thread = threading.Thread(target=self._run, name="class-receiver", daemon=True)

    def start(self, timeout: float = 10.0) -> None:
        self._thread.start()
        for _ in range(int(timeout / 0.01)):
            if self._server.started or not self._thread.is_alive():
                break
            threading.Event().wait(0.01)
        if not self._server.started:
            raise OSError(f"the receiver did not start on {self.host}:{self.port}")

    def url(self, host: str | None = None) -> str:
        """The endpoint a student gives `--otlp-endpoint` (it gains /v1/traces)."""
        name = host or self.host
        name = f"[{name}]" if ":" in name and not name.startswith("[") else name
        return f"http://{name}:{self.port}/c/{self.token}"

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(3.0)

    def _run(self) -> None:
        asyncio.run(self._server.serve(sockets=[self._socket]))
