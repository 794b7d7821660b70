"""Which folder is a sandbox's data directory, and which files in it the sandbox made.

`sandbox reset --data-dir DIR` deletes databases, and `sandbox up` opens and migrates them, so
both must be sure DIR is the sandbox's: a mistyped path (`~/projects`) may hold somebody's own
`app.db`. The sandbox leaves a marker file the first time it prepares a folder, listing the
databases it creates there; reset refuses a folder without one and deletes only what it lists,
and `up` refuses to adopt a folder that already holds files with the sandbox's names.

A folder prepared before the marker existed is recognised by the sandbox's own `world.json`
(exactly `{"seed": N}`) and gets the marker then.

One sandbox at a time may use a folder: `DataDirLock` is an exclusive lock of the operating
system on a file beside the marker, taken when a sandbox starts preparing the folder (before
it writes its seed, binds or opens a database) and held until it stops. runtime.json appears
only once the sandbox serves, so without the lock a `sandbox run` started meanwhile saw no
sandbox and started a second one on the same databases. The system drops the lock when the
process ends, however it ends, so a crash leaves nothing to clean up.
"""

from __future__ import annotations

import json
import os
import sys
import weakref
from collections.abc import Iterable
from pathlib import Path

MARKER = ".integration-sandbox"
"""The marker file: JSON naming the sandbox and the databases it created here."""
SEED_FILE = "world.json"
DB_SUFFIXES = ("", "-wal", "-shm", "-journal")
"""A SQLite database is its file and these companions."""
ADOPTED = (SEED_FILE,)
"""Besides the institutions' databases, what the sandbox would take over in a folder. A trace
store is left out: a trace.db prepared beforehand (a benchmark's, a copied one) is only read
and appended to, never migrated or deleted."""


LOCK = ".integration-sandbox.lock"
"""Locked by the sandbox using the folder; it holds that process's id, for the message."""


class ForeignFolder(Exception):
    """The folder is not a sandbox data directory; the message says why and what to do."""


class DataDirInUse(Exception):
    """Another sandbox is starting or running on the folder; the message says which."""


class DataDirLock:
    """The exclusive lock of one data directory, held while a sandbox starts and runs."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK
        self._closing: weakref.finalize[[int], DataDirLock] | None = None
        """Closes the locked file descriptor: at `release`, or when the lock is forgotten."""

    @property
    def held(self) -> bool:
        return self._closing is not None and self._closing.alive

    def acquire(self) -> None:
        """Take the lock (again: nothing); DataDirInUse when another sandbox holds it."""
        if self.held:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if not _try_lock(fd):
            holder = os.read(fd, 20).decode("ascii", "replace").strip() or "another process"
            os.close(fd)
            raise DataDirInUse(
                f"a sandbox is starting or running on {self.path.parent} (pid {holder}); "
                "use it (`sandbox status`), stop it first, or choose another --data-dir"
            )
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._closing = weakref.finalize(self, os.close, fd)

    def release(self) -> None:
        """Let the next sandbox have the folder (closing the descriptor drops the lock)."""
        if self._closing is not None:
            self._closing()
            self._closing = None


def _try_lock(fd: int) -> bool:
    """An exclusive lock on the file `fd` without waiting; False when someone else holds one."""
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def is_ours(data_dir: Path) -> bool:
    """Whether `data_dir` carries the marker (or is a sandbox folder from before the marker)."""
    return _marker(data_dir) is not None or _legacy(data_dir)


def databases(data_dir: Path) -> list[str]:
    """The service names whose `<name>.db` the sandbox created in `data_dir`."""
    found = _marker(data_dir) or {}
    names = found.get("databases", [])
    if not isinstance(names, list):
        return []
    return [n for n in names if isinstance(n, str) and n and "/" not in n and "\\" not in n]


def prepare(data_dir: Path, names: Iterable[str]) -> None:
    """Make `data_dir` the sandbox's (or check it already is) and record that databases
    `names` are created there. Raises ForeignFolder for a folder that already holds files
    with the sandbox's names but no marker: they are somebody else's."""
    wanted = {f"{name}.db" for name in names} | set(ADOPTED)
    if not is_ours(data_dir) and data_dir.is_dir():
        clashing = sorted(p.name for p in data_dir.iterdir() if p.name in wanted)
        if clashing:
            raise ForeignFolder(
                f"{data_dir} is not a sandbox data directory (it has no {MARKER} file) but "
                f"holds {', '.join(clashing)}; the sandbox will not adopt files it did not "
                "create. Choose an empty folder or the one `sandbox up` used before."
            )
    recorded = set(databases(data_dir)) | set(names)
    _write(data_dir, sorted(recorded))


def clear(data_dir: Path, known: Iterable[str] = ()) -> list[Path]:
    """Delete the databases the sandbox created in `data_dir` (not the trace) and its seed
    file; returns what was deleted. Raises ForeignFolder for a folder without the marker.

    `known` names the services' databases for a folder prepared before the marker listed
    them (recognised by its world.json)."""
    if not data_dir.exists():
        return []
    if not is_ours(data_dir):
        raise ForeignFolder(
            f"{data_dir} is not a sandbox data directory (it has no {MARKER} file), so reset "
            "leaves it alone: it deletes only files the sandbox created. Pass the folder "
            "`sandbox up` used (--data-dir), or an empty one."
        )
    deleted = []
    names = databases(data_dir) if _marker(data_dir) is not None else list(known)
    for name in names:
        for suffix in DB_SUFFIXES:
            path = data_dir / f"{name}.db{suffix}"
            if path.is_file() and not path.is_symlink():
                path.unlink()
                deleted.append(path)
    seed = data_dir / SEED_FILE
    if seed.is_file():
        seed.unlink()
        deleted.append(seed)
    return deleted


def _marker(data_dir: Path) -> dict[str, object] | None:
    try:
        found = json.loads((data_dir / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(found, dict) or found.get("created_by") != "integration-sandbox":
        return None
    return found


def _legacy(data_dir: Path) -> bool:
    """A folder the sandbox prepared before it left a marker: its own world.json."""
    try:
        seed = json.loads((data_dir / SEED_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(seed, dict) and set(seed) == {"seed"} and isinstance(seed["seed"], int)


def _write(data_dir: Path, names: list[str]) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"created_by": "integration-sandbox", "databases": names}, indent=1)
    tmp = data_dir / f"{MARKER}.{os.getpid()}"
    tmp.write_text(body + "\n", encoding="utf-8")
    tmp.replace(data_dir / MARKER)
