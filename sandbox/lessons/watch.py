"""`sandbox watch [NAME]`: rerun an exercise every time its file is saved.

A sandbox runs in this process for as long as the watch does; each run resets its world,
plays the exercise's steps and prints what to fix first (`track.render_one`). Without NAME
the watch starts at the first exercise not done yet and moves on to the next one when it
passes. File changes come from watchfiles (inotify and its kin, not polling), so a save is
seen at once and an idle watch costs nothing.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from sandbox.config import DEFAULT_SEED, Settings
from sandbox.language import texts
from sandbox.lessons.check import run_lesson, sandbox_config
from sandbox.lessons.engine import LessonRunner
from sandbox.lessons.loader import find_lesson, load_lesson
from sandbox.lessons.model import Lesson
from sandbox.lessons.progress import Progress
from sandbox.lessons.track import exercise_file, next_exercise, record, render_one

Changes = Callable[[Path], AsyncIterator[object]]
"""Given the learner's file, yields once each time it is saved."""


async def saved(path: Path) -> AsyncIterator[object]:
    """Each save of `path` (watching its folder: editors often replace the file)."""
    from watchfiles import awatch

    async for changes in awatch(path.parent, debounce=200, step=50):
        if any(Path(changed).name == path.name for _, changed in changes):
            yield changes


class Watch:
    """One watch: the exercise on screen, the sandbox it runs against, the learner's place."""

    def __init__(
        self,
        root: Path,
        data_dir: Path,
        lang: str,
        out: Callable[[str], None] = print,
        seed: int = DEFAULT_SEED,
    ) -> None:
        self.root, self.data_dir, self.lang, self.out, self.seed = root, data_dir, lang, out, seed
        self.progress = Progress.load(data_dir)
        self._runtime: Any = None
        self._config: Path | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    async def run(self, name: str | None, changes: Changes = saved, runs: int | None = None) -> int:
        """Watch `name` (or the first exercise not done); returns after `runs` runs (tests),
        else runs until interrupted. Returns 0 if the last run passed, 1 if not."""
        _ = texts("lessons", self.lang)
        follow = name is None
        slug = name or next_exercise(self.root, self.data_dir, self.lang)
        if slug is None:
            self.out(_("Every exercise is done. Well done!"))
            return 0
        lesson = load_lesson(find_lesson(slug, self.root), self.lang)
        done = 0
        try:
            while True:
                ok, file = await self._once(lesson)
                done += 1
                if runs is not None and done >= runs:
                    return 0 if ok else 1
                if ok and follow:
                    following = next_exercise(self.root, self.data_dir, self.lang)
                    if following is None:
                        self.out(_("Every exercise is done. Well done!"))
                        return 0
                    lesson = load_lesson(find_lesson(following, self.root), self.lang)
                    continue
                self.out(
                    _("Watching {file}: save it to check again (Ctrl+C stops).").format(file=file)
                )
                async for _ in changes(file):
                    break
        finally:
            self._stop()

    async def _once(self, lesson: Lesson) -> tuple[bool, Path]:
        """Run the exercise once against a freshly reset world and print the result."""
        from sandbox.runtime.remote import ControlClient

        runtime = self._runtime_for(lesson.config)
        file = exercise_file(lesson, self.data_dir) or lesson.folder
        async with ControlClient(runtime.control_url) as control:
            runner = LessonRunner(
                lesson,
                urls=dict(runtime.urls),
                control=control,
                world=runtime.world,
                data_dir=self.data_dir,
                progress=self.progress,
                clock=runtime.clock,  # in this process: read it, never ask over HTTP
            )
            try:
                check = await run_lesson(runner)
            finally:
                await runner.aclose()
        record(self.progress, check)
        self.out("\n".join(render_one(check, file)))
        return check.ok, file

    def _runtime_for(self, config: Path | None) -> Any:
        """The running sandbox for `config`, started (or restarted) when it changes."""
        from sandbox.runtime.supervisor import Runtime

        if self._runtime is not None and config == self._config:
            return self._runtime
        self._stop()
        self._tmp = tempfile.TemporaryDirectory(prefix="sandbox-watch-")
        settings = Settings(data_dir=Path(self._tmp.name), port_base=0, seed=self.seed)
        self._runtime = Runtime(settings, sandbox_config(config))
        self._runtime.start_in_thread()
        self._config = config
        return self._runtime

    def _stop(self) -> None:
        if self._runtime is not None:
            self._runtime.stop_thread()
            self._runtime = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
