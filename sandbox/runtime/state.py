"""`runtime.json`: how `status`, `reset` and `run` find a sandbox started by `up`.

`up` writes the process id and every URL into the data directory when it is serving and
removes the file when it stops; a file left by a killed process is recognised by its dead pid.
It also holds the control token that changing the sandbox needs (`runtime/control_guard.py`),
so the file is readable by its owner only (mode 0600).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

FILENAME = "runtime.json"


@dataclass(frozen=True, slots=True)
class RuntimeState:
    """What a running sandbox tells other processes about itself."""

    pid: int
    seed: int
    control_url: str
    services: dict[str, str] = field(default_factory=dict)
    """Service name to base URL."""
    started_at: float = 0.0
    token: str = ""
    """The control token: `Authorization: Bearer <token>` on every call that changes the
    sandbox (reset, faults, starting a service, flushing the trace)."""

    def write(self, data_dir: Path) -> None:
        """Publish atomically (write then rename), so a reader never sees half a file; only
        the owner may read it, since it holds the control token."""
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = data_dir / f".{FILENAME}.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            os.fchmod(out.fileno(), 0o600)  # also when the file was left by an older sandbox
            out.write(json.dumps(asdict(self), indent=1))
        tmp.replace(data_dir / FILENAME)

    def auth_headers(self) -> dict[str, str]:
        """The header that lets a client change this sandbox through its control API."""
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    @classmethod
    def read(cls, data_dir: Path) -> RuntimeState | None:
        """The state of a live sandbox using `data_dir`, or None."""
        try:
            data: dict[str, Any] = json.loads((data_dir / FILENAME).read_text())
            state = cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})
        except (OSError, ValueError, TypeError):
            return None
        return state if _alive(state.pid) else None


_IN_THIS_PROCESS: dict[str, str] = {}
"""Control tokens of the sandboxes this process serves, by control URL."""


def remember_token(control_url: str, token: str) -> None:
    """Note the token of a sandbox this process serves (`forget_token` when it stops)."""
    _IN_THIS_PROCESS[control_url.rstrip("/")] = token


def forget_token(control_url: str) -> None:
    _IN_THIS_PROCESS.pop(control_url.rstrip("/"), None)


def token_in_this_process(control_url: str) -> str:
    """The token of the sandbox at `control_url` if this very process serves it, else "": code
    in the same process as the sandbox is its owner already."""
    return _IN_THIS_PROCESS.get(control_url.rstrip("/"), "")


def clear(data_dir: Path, pid: int) -> None:
    """Remove the state file if it is ours."""
    path = data_dir / FILENAME
    try:
        if json.loads(path.read_text()).get("pid") == pid:
            path.unlink()
    except (OSError, ValueError):
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
