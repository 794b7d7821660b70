"""A tiny OTLP/HTTP receiver on 127.0.0.1 for tests: it keeps every body POSTed to it.

It answers with the statuses in `answers`, one per request, then 200, so a test can make the
collector fail first and recover after.
"""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    """A real HTTP server on an ephemeral loopback port, in a daemon thread."""

    def __init__(self, answers: tuple[int, ...] = ()) -> None:
        self.answers = list(answers)
        self.requests: list[tuple[str, int, bytes]] = []
        """(path, status answered, body) of every request, in arrival order."""
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with receiver._lock:
                    status = receiver.answers.pop(0) if receiver.answers else 200
                    receiver.requests.append((self.path, status, body))
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def accepted(self) -> list[dict[str, Any]]:
        """The bodies answered with 200, parsed."""
        with self._lock:
            return [json.loads(body) for _, status, body in self.requests if status == 200]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def spans_of(bodies: list[dict[str, Any]]) -> list[tuple[dict[str, str], dict[str, Any]]]:
    """(resource attributes, span) for every span in the bodies."""
    found = []
    for body in bodies:
        for resource_spans in body["resourceSpans"]:
            resource = attributes(resource_spans["resource"])
            for scope in resource_spans["scopeSpans"]:
                found += [(resource, span) for span in scope["spans"]]
    return found


def attributes(holder: dict[str, Any]) -> dict[str, Any]:
    """An OTLP `attributes` list as a plain dict of values."""
    return {a["key"]: next(iter(a["value"].values())) for a in holder.get("attributes", [])}


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed: connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
