"""Memory of a process we started, from /proc/<pid>/status (Linux; no dependency needed).

VmRSS is what the process holds now; VmHWM is the most it ever held (its peak resident set).
Both count the process alone, not its children.
"""

from __future__ import annotations

from pathlib import Path


def status_mb(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of `pid` in MB (2**20 bytes); empty if /proc has no such process."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    out = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(rest.split()[0]) / 1024  # kB
    return out


def rss_mb(pid: int) -> float | None:
    """Resident memory of `pid` now, in MB."""
    return status_mb(pid).get("VmRSS")


def peak_mb(pid: int) -> float | None:
    """Peak resident memory of `pid` so far, in MB."""
    return status_mb(pid).get("VmHWM")
