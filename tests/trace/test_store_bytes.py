"""The trace store is bounded in bytes too: big headers cannot fill the disk."""

from __future__ import annotations

import secrets
import sqlite3
from pathlib import Path

from sandbox.trace.events import HttpCall
from sandbox.trace.store import ROW_OVERHEAD, TraceStore
from sandbox.wire.recording import Exchange, to_call

MB = 1024 * 1024


def _big(i: int, trace: int, limit: int = 8192) -> HttpCall:
    """A call carrying as many incompressible header bytes as the recorder keeps."""
    headers = [(f"x-junk-{n}", secrets.token_hex(2048)) for n in range(8)]
    return to_call(
        Exchange(
            trace_id=f"{trace:032x}",
            span_id=f"{i:016x}",
            parent_id=None,
            caller="external",
            callee="bank",
            method="GET",
            path=f"/x/{i}",
            started_at=1000.0 + i,
            duration_ms=1.0,
            status=404,
            request_headers=headers,
        ),
        limit,
    )


def _on_disk(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.glob("trace.db*"))


def test_headers_are_capped_like_a_body() -> None:
    call = _big(1, 1)
    kept = sum(len(k) + len(v) for k, v in call.request_headers)
    assert kept <= 8192 + 200 and call.truncated
    assert call.request_headers[-1][0] == "x-sandbox-truncated"


def test_a_store_filled_with_big_headers_stays_under_its_byte_bound(tmp_path: Path) -> None:
    bound = 2 * MB
    store = TraceStore(tmp_path / "trace.db", max_bytes=bound)
    for batch in range(40):  # 1,200 calls of ~9 KB: about 10 MB offered
        store.add([_big(batch * 30 + k, batch * 10 + k // 3) for k in range(30)])
        assert store.stored_bytes() <= bound
    kept = store.count()
    assert 100 < kept < 1200, kept  # the oldest went, the newest stayed
    for trace_id in {c.trace_id for _, c in store.recent(1000)}:
        assert len(store.trace(trace_id)) == 3, "no trace is cut in half"
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert _on_disk(tmp_path) <= bound * 1.25, _on_disk(tmp_path)


def test_a_store_from_before_sizes_counts_its_old_rows(tmp_path: Path) -> None:
    path = tmp_path / "trace.db"
    old = sqlite3.connect(path)
    old.execute(
        "CREATE TABLE calls (seq INTEGER PRIMARY KEY, trace_id TEXT NOT NULL, span_id TEXT NOT"
        " NULL, parent_id TEXT, caller TEXT, callee TEXT, method TEXT, path TEXT, status INTEGER,"
        " started_at REAL, duration_ms REAL, error TEXT, truncated INTEGER, detail BLOB)"
    )
    old.execute("INSERT INTO calls (trace_id, span_id, detail) VALUES ('t', 's', zeroblob(1000))")
    old.commit()
    old.close()
    assert TraceStore(path).stored_bytes() == 1000 + ROW_OVERHEAD
