"""Where the buyers' calls go: loopback, unless a worker on another machine opted in."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.load.targets import TargetRefused, worker_urls


def _plan(pay: str = "va", host: str = "127.0.0.1") -> dict[str, Any]:
    return {
        "urls": {
            "social": f"http://{host}:8701",
            "marketplace": f"http://{host}:8702",
            "bank": f"http://{host}:8703",
            "identity": f"http://{host}:8704",
        },
        "control_url": "http://127.0.0.1:8700",
        "pay": pay,
    }


def test_a_worker_here_keeps_the_loopback_urls() -> None:
    assert worker_urls(_plan()) == {
        "social": "http://127.0.0.1:8701",
        "marketplace": "http://127.0.0.1:8702",
        "bank": "http://127.0.0.1:8703",
    }


def test_a_url_off_this_machine_needs_the_opt_in() -> None:
    with pytest.raises(TargetRefused, match="not loopback"):
        worker_urls(_plan(host="10.0.0.5"))
    plan = _plan()
    plan["control_url"] = "http://example.org:8700"
    with pytest.raises(TargetRefused, match="example.org"):
        worker_urls(plan)


def test_a_remote_worker_calls_the_lan_address_and_pays_by_va() -> None:
    urls = worker_urls(_plan(), "192.168.1.20")
    assert urls["bank"] == "http://192.168.1.20:8703"
    assert set(urls) == {"social", "marketplace", "bank"}
    with pytest.raises(TargetRefused, match="control API"):
        worker_urls(_plan(pay="debit"), "192.168.1.20")
    for odd in ("example.org", "192.168.1.20/evil", "::1"):
        with pytest.raises(TargetRefused, match="not an IPv4 address"):
            worker_urls(_plan(), odd)
