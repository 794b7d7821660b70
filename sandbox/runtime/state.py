"""`runtime.json`: how `status`, `reset` and `run` find a sandbox started by `up`.

`up` writes the process id and every URL into the data directory when it is serving and
removes the file when it stops; a file left by a killed process is recognised by its dead pid.
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

    def write(self, data_dir: Path) -> None:
        """Publish atomically (write then rename), so a reader never sees half a file."""
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = data_dir / f".{FILENAME}.{os.getpid()}"
        tmp.write_text(json.dumps(asdict(self), indent=1))
        tmp.replace(data_dir / FILENAME)

    @classmethod
    def read(cls, data_dir: Path) -> RuntimeState | None:
        """The state of a live sandbox using `data_dir`, or None."""
        try:
            data: dict[str, Any] = json.loads((data_dir / FILENAME).read_text())
            state = cls(**data)
        except (OSError, ValueError, TypeError):
            return None
        return state if _alive(state.pid) else None


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
