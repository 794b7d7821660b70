"""The command each page of the stage runs: this Python, the same UI as the terminal.

textual-serve runs the command through a shell for every page opened, so every argument is
quoted. No command carries the control token: the presenter's UI reads it from runtime.json
in the data directory, exactly as `sandbox --attach` does in a terminal; a follower's UI is
never given it (`follow.py`).
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path


def presenter_page(control_url: str, data_dir: Path, lang: str, theme: str | None) -> str:
    """The presenter's UI, attached to the sandbox at `control_url`, fully interactive."""
    themed = ["--theme", theme] if theme else []
    return shlex.join(
        [sys.executable, "-m", "sandbox", "--data-dir", str(data_dir), "--lang", lang,
         *themed, "--attach", control_url]
    )  # fmt: skip


def follower_page(control_url: str, lang: str, theme: str | None) -> str:
    """A student's UI: the same sandbox, read-only (`sandbox.tui.read_only`)."""
    themed = ["--theme", theme] if theme else []
    return shlex.join(
        [sys.executable, "-m", "sandbox.serve.follow", "--lang", lang, *themed,
         "--attach", control_url]
    )  # fmt: skip
