"""The control API's OpenAPI document is pinned: its paths, operations (named after the route
functions), parameters and bodies. A reshaping of the control API keeps it; a change to the API
shows here, and `python -m tests.runtime.test_control_openapi` writes the new document once the
change is meant."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from sandbox.config import Settings
from sandbox.runtime.control import create_control_app
from sandbox.runtime.supervisor import Runtime

PINNED = Path(__file__).parent / "data" / "control_openapi.json"


def control_document(data_dir: Path) -> dict[str, Any]:
    """The OpenAPI document of the control API of a runtime (not started) in `data_dir`."""
    runtime = Runtime(Settings(data_dir=data_dir, port_base=0))
    try:
        return create_control_app(runtime).openapi()
    finally:
        runtime.writer.close()
        runtime.traces.close()


def test_the_control_api_document_is_the_pinned_one(tmp_path: Path) -> None:
    pinned = json.loads(PINNED.read_text(encoding="utf-8"))
    assert control_document(tmp_path) == pinned


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        text = json.dumps(control_document(Path(folder)), indent=1, ensure_ascii=False)
    PINNED.write_text(text + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {PINNED}\n")
