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

import httpx
from openapi_core import OpenAPI

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


def test_every_change_declares_the_control_token_and_reading_none(tmp_path: Path) -> None:
    document = control_document(tmp_path)
    for item in document["paths"].values():
        for method, operation in item.items():
            if method in ("get", "head"):
                assert "security" not in operation and "401" not in operation["responses"]
            else:
                assert operation["security"] == [{"controlToken": []}]
                assert "missing_control_token" in operation["responses"]["401"]["x-error-codes"]
            assert "422" not in operation["responses"]  # malformed input answers 400
            assert "foreign_host" in operation["responses"]["403"]["x-error-codes"]
    assert OpenAPI.from_dict(document)  # a valid OpenAPI 3.1 document


async def test_the_control_api_serves_its_docs_offline(tmp_path: Path) -> None:
    runtime = Runtime(Settings(data_dir=tmp_path, port_base=0))
    try:
        app = create_control_app(runtime)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            docs = await client.get("/docs")
            document = await client.get("/openapi.json")
    finally:
        runtime.writer.close()
        runtime.traces.close()
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert "cdn" not in docs.text.lower()  # the UI's files come from the package itself
    assert document.json()["info"]["title"] == "SANDBOX control API"


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        text = json.dumps(control_document(Path(folder)), indent=1, ensure_ascii=False)
    PINNED.write_text(text + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {PINNED}\n")
