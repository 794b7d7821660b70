"""A trace store filled with large headers stays under its byte bound, over real HTTP.

A sandbox started with a 2 MB bound is sent 1,500 calls from outside, each carrying about
9 KB of headers that do not compress. The recorder keeps at most 8,192 characters of each
call's headers (marking the cut), and retention drops the oldest traces past the bound, so
the file ends near 2 MB instead of the 20-odd MB offered.
"""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
from pathlib import Path

import httpx
import pytest

from sandbox.config import Settings
from sandbox.runtime.supervisor import Runtime
from sandbox.trace.store import TraceStore

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

MB = 1024 * 1024
BOUND = 2 * MB
CALLS = 1500


async def _flood(url: str) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:

        async def one(i: int) -> None:
            headers = {f"x-junk-{n}": secrets.token_urlsafe(1200) for n in range(6)}
            response = await client.get(f"/nope/{i}", headers=headers)
            assert response.status_code == 404

        for start in range(0, CALLS, 50):
            await asyncio.gather(*(one(i) for i in range(start, start + 50)))


def test_a_store_flooded_with_big_headers_stays_under_its_bound(tmp_path: Path) -> None:
    runtime = Runtime(Settings(data_dir=tmp_path, port_base=0, trace_max_bytes=BOUND))
    runtime.start_in_thread()
    try:
        asyncio.run(_flood(runtime.urls["bank"]))
        runtime.writer.flush(30)
        kept = runtime.traces.calls(0, 500)
        assert all(sum(len(k) + len(v) for k, v in c.request_headers) <= 8192 + 100 for c in kept)
        assert all(c.truncated for c in kept)
    finally:
        runtime.stop_thread()
    db = sqlite3.connect(tmp_path / "trace.db")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    store = TraceStore(tmp_path / "trace.db", max_bytes=BOUND)
    assert store.stored_bytes() <= BOUND
    assert 100 < store.count() < CALLS, "the oldest went, the newest stayed"
    on_disk = sum(p.stat().st_size for p in tmp_path.glob("trace.db*"))
    assert on_disk <= BOUND * 1.25, f"{on_disk / MB:.2f} MB on disk"
    print(
        f"trace bound: {CALLS} calls offered, {store.count()} kept, "
        f"{store.stored_bytes() / MB:.2f} MB counted, {on_disk / MB:.2f} MB on disk"
    )
