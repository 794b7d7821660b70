"""The footer's keys are QuietFooterKey: a screen switch does not restyle them twice."""

from __future__ import annotations

from pathlib import Path

from textual.widgets._footer import FooterKey

from sandbox.tui.footer import QuietFooterKey
from tests.tui.factory import make_app, until


async def test_every_footer_key_starts_as_its_footer_and_is_never_made_compact(
    tmp_path: Path,
) -> None:
    app, backend = make_app(tmp_path, live=False)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            for key in ("2", "1", "4"):
                await pilot.press(key)
                await until(lambda: bool(app.screen.query(FooterKey)), pilot)
                keys = list(app.screen.query(FooterKey))
                assert keys and all(isinstance(k, QuietFooterKey) for k in keys)
                bound = [k for k in keys if not k.has_class("-command-palette")]
                assert bound and not any(k.has_class("-compact") for k in bound)
    finally:
        await backend.aclose()
