"""The yardstick: a plain FastAPI + uvicorn app serving the same JSON as the sandbox.

Run as `python -m benchmarks.baseline --port N [--answers FILE]` (the benchmarks start it as a
child process). It has the marketplace's product and order paths and `/health`, answers with
the JSON the real marketplace gave in the same run (`--answers`: {"product": ..., "order":
...}), and does nothing else: no signature check, no database, no recording. Whatever the
sandbox costs beyond this app is the price of being an institution rather than a JSON echo.
Started the way the runtime starts its servers (uvicorn, no access log, one process, loopback).
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request

HOST = "127.0.0.1"


def create_app(answers: dict[str, Any]) -> FastAPI:
    """The plain app: three routes, the same JSON bodies as the marketplace, nothing else."""
    app = FastAPI(title="Plain FastAPI (benchmark baseline)")
    product: dict[str, Any] = answers.get("product", {"product_id": 100101})
    order: dict[str, Any] = answers.get("order", {"order_id": "1"})

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/v2/fs/{fs_id}/products/{product_id}")
    async def get_product(fs_id: int, product_id: int) -> dict[str, Any]:
        return product

    @app.post("/api/v2/fs/{fs_id}/orders", status_code=201)
    async def create_order(fs_id: int, request: Request) -> dict[str, Any]:
        json.loads(await request.body())  # read and parse the body, as any endpoint would
        return order

    return app


def serve(port: int, answers: dict[str, Any]) -> None:
    """Serve on 127.0.0.1:`port` until SIGTERM or SIGINT."""
    import uvicorn

    # IPPROTO_TCP: asyncio then sets TCP_NODELAY on accepted sockets (see benchmarks/README.md).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    sock.listen(2048)
    config = uvicorn.Config(
        create_app(answers), log_config=None, access_log=False, lifespan="on", ws="none"
    )
    uvicorn.Server(config).run(sockets=[sock])


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.baseline", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--answers", type=Path, default=None, help="JSON file of answers")
    args = parser.parse_args(argv)
    answers = json.loads(args.answers.read_text()) if args.answers else {}
    serve(args.port, answers)


def command(port: int, answers: Path | None = None) -> list[str]:
    """The command line that starts the baseline on `port`."""
    extra = ["--answers", str(answers)] if answers is not None else []
    return [sys.executable, "-m", "benchmarks.baseline", "--port", str(port), *extra]


if __name__ == "__main__":
    main()
