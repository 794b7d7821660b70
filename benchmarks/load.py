"""Load from another process: prepared requests replayed by wrk, or by a Python fallback.

The marketplace's partner API wants every request signed with a fresh nonce, and wrk cannot
sign. So requests are prepared (and signed) before a run, one per line in a file - method,
path with query, access token, body, separated by tabs - and replayed in order: by wrk through
a small Lua script (`wrk -s`), or, where wrk is not installed, by a Python generator (httpx +
asyncio, one client per connection) in a child process. One wrk thread keeps the order: each
wrk thread has its own Lua state and would replay the same lines. A run that sends more
requests than were prepared wraps around; the sandbox then answers 401 (a replayed nonce),
which shows up as errors in the results.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from benchmarks.processes import in_child
from benchmarks.recording import drive, parse_wrk

LUA = """\
-- Replays requests prepared by benchmarks/load.py: method, path, token, body (tab-separated).
local requests, n, i = {}, 0, 0
function init(args)
  for line in io.lines(args[1]) do
    local method, path, token, body = line:match("^([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t(.*)$")
    local headers = {["x-tts-access-token"] = token}
    if body == "" then body = nil else headers["Content-Type"] = "application/json" end
    n = n + 1
    requests[n] = wrk.format(method, path, headers, body)
  end
end
function request()
  i = i % n + 1
  return requests[i]
end
"""


@dataclass(frozen=True)
class Prepared:
    """One request, already signed."""

    method: str
    path: str
    token: str
    body: str = ""

    def line(self) -> str:
        """The request as one line of the file wrk replays."""
        return "\t".join((self.method, self.path, self.token, self.body))


def generator_name(kind: str) -> str:
    """What the table says about the load generator."""
    if kind == "wrk":
        version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
        return version.split("Copyright")[0].strip() or "wrk"
    import httpx

    return f"python httpx {httpx.__version__} asyncio (fallback, one process)"


def choose(kind: str) -> str:
    """`auto` means wrk when it is on PATH, else the Python generator."""
    if kind == "auto":
        return "wrk" if shutil.which("wrk") else "python"
    if kind == "wrk" and not shutil.which("wrk"):
        raise SystemExit("wrk is not on PATH; use --generator python")
    return kind


def effective_seconds(kind: str, seconds: float) -> float:
    """How long a run really lasts: wrk takes whole seconds, at least one."""
    return float(max(1, round(seconds))) if kind == "wrk" else seconds


def run(
    kind: str, base_url: str, requests: list[Prepared], seconds: float, connections: int
) -> dict[str, Any]:
    """Replay `requests` against `base_url` for `seconds`: requests, rps, p50_ms, p99_ms, errors."""
    if kind == "wrk":
        return _run_wrk(base_url, requests, seconds, connections)
    return _run_python(base_url, requests, seconds, connections)


def _run_wrk(
    base_url: str, requests: list[Prepared], seconds: float, connections: int
) -> dict[str, Any]:
    duration = round(effective_seconds("wrk", seconds))
    with tempfile.TemporaryDirectory(prefix="sandbox-bench-wrk-") as tmp:
        script, lines = Path(tmp) / "replay.lua", Path(tmp) / "requests.tsv"
        script.write_text(LUA)
        lines.write_text("\n".join(r.line() for r in requests) + "\n")
        # --timeout: a saturated write can take over wrk's default 2 s, which would count
        # as an error instead of a (slow) answer.
        command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency",
                   "--timeout", "10s", "-s", str(script), base_url, "--", str(lines)]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk exited with {done.returncode}: {done.stderr.strip()}")
    return parse_wrk(done.stdout)


async def _drive(
    base_url: str, requests: list[Prepared], seconds: float, connections: int
) -> dict[str, Any]:
    """The prepared requests in turn, over `connections` connections, until the deadline."""
    nxt = 0

    def send(client: Any) -> Any:
        nonlocal nxt
        r = requests[nxt % len(requests)]
        nxt += 1
        headers = {"x-tts-access-token": r.token}
        if r.body:
            headers["content-type"] = "application/json"
        return client.request(r.method, r.path, content=r.body.encode() or None, headers=headers)

    return await drive(base_url, send, seconds, connections, lambda status: status < 300)


def _python_worker(
    base_url: str, requests: list[Prepared], seconds: float, connections: int, conn: Connection
) -> None:
    """Child process: the Python load generator."""
    conn.send(asyncio.run(_drive(base_url, requests, seconds, connections)))


def _run_python(
    base_url: str, requests: list[Prepared], seconds: float, connections: int
) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    return in_child(ctx, _python_worker, (base_url, requests, seconds, connections), seconds)
