"""The Python examples in the README and the docs run as written against a real sandbox.

A developer copies them first; an example that no longer runs is a broken promise. Each
```python block of the files below is executed against a sandbox started for the test, with
the documented default addresses (base port 8700) pointed at the test's own ports and the
placeholders a reader fills in (`<...>`, the fs_id `sandbox new client` printed) filled from
the seeded world. A block whose first line is `# not run: <why>` is a file excerpt, not a
script, and is only compiled.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.cli import main
from sandbox.config import Settings
from sandbox.runtime.config_file import load_config
from sandbox.runtime.registry import BUILTIN
from sandbox.runtime.supervisor import Runtime
from tests.extend.partner_probe import held

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DOCS = [
    ROOT / "README.md",
    *sorted((ROOT / "docs" / "services").glob("*.md")),
    ROOT / "docs" / "extending.md",
]
BLOCK = re.compile(r"```python\n(.*?)```", re.S)
DEFAULT_PORT = re.compile(r"http://127\.0\.0\.1:87(\d\d)")
OFFSETS = {spec.offset: spec.name for spec in BUILTIN}


def examples() -> list[tuple[str, int, str]]:
    found = []
    for path in DOCS:
        for number, code in enumerate(BLOCK.findall(path.read_text(encoding="utf-8")), 1):
            found.append((str(path.relative_to(ROOT)), number, code))
    return found


EXAMPLES = examples()


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Runtime, Path]]:
    folder = tmp_path_factory.mktemp("reader")
    config = folder / "sandbox.toml"
    with contextlib.redirect_stdout(io.StringIO()):
        assert (
            main(["new", "client", "me", "--calls", "marketplace,bank", "--config", str(config)])
            == 0
        )
    runtime = Runtime(
        Settings(data_dir=folder / "data", port_base=0),
        load_config(config, plugins=False),
        partners_file=config,
    )
    runtime.start_in_thread()
    yield runtime, folder
    runtime.stop_thread()


def filled(code: str, runtime: Runtime, folder: Path) -> str:
    """The example as the reader runs it on their machine, on this test's sandbox."""
    code = DEFAULT_PORT.sub(lambda m: runtime.urls[OFFSETS[int(m.group(1))]], code)
    fs_id = held(folder / "sandbox.toml", "me")["marketplace"]["fs_id"]
    return code.replace("/fs/7123/", f"/fs/{fs_id}/")


@pytest.mark.parametrize(
    ("doc", "number", "code"),
    [pytest.param(d, n, c, id=f"{d}#{n}") for d, n, c in EXAMPLES],
)
def test_the_example_runs_as_written(
    sandbox: tuple[Runtime, Path], doc: str, number: int, code: str
) -> None:
    runtime, folder = sandbox
    compile(code, f"{doc} example {number}", "exec")
    if code.lstrip().startswith("# not run:"):
        return
    assert "<" not in re.sub(r"<[=<>]|->|\s<\s", "", code), "a placeholder the reader cannot fill"
    namespace: dict[str, Any] = {"__name__": "__example__"}
    before = Path.cwd()
    os.chdir(folder)  # where `sandbox new client` wrote sandbox.toml, as the README says
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(
                compile(filled(code, runtime, folder), f"{doc} example {number}", "exec"), namespace
            )
    finally:
        os.chdir(before)
        for value in namespace.values():  # a client the example left open, as scripts do
            if isinstance(value, httpx.Client):
                value.close()
