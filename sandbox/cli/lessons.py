"""`sandbox learn` and `sandbox present`: the UI opened on a lesson, for a learner resuming
where she stopped or for a presenter from a freshly prepared world.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sandbox.cli.options import (
    LANG_DEFAULT,
    THEME_NAMES,
    UserError,
    _config,
    _log_to_file,
    _port,
    _settings,
    add_command,
)
from sandbox.cli.ui import _control_token, _theme
from sandbox.config import DEFAULT_PORT_BASE, DEFAULT_SEED
from sandbox.language import LANGUAGES


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Define `sandbox learn` and `sandbox present`."""
    for name, help_text, required in (
        ("learn", "open the UI on a lesson and resume where you stopped", False),
        ("present", "run a lesson on a projector: presenter mode, fresh world", True),
    ):
        p = add_command(sub, name, help_text)
        p.add_argument(
            "lesson",
            nargs=None if required else "?",
            metavar="LESSON",
            help='a lesson by number ("3"), name or folder'
            + ("" if required else " (default: the first one not finished)"),
        )
        p.add_argument(
            "--root",
            metavar="DIR",
            help="the folder of lessons (default: the sandbox's own lessons)",
        )
        p.add_argument(
            "--lang",
            choices=LANGUAGES,
            default=argparse.SUPPRESS,
            help=f"lesson and UI language ({LANG_DEFAULT})",
        )
        p.add_argument("--theme", choices=THEME_NAMES, default=argparse.SUPPRESS, help="UI colours")
        p.add_argument("--attach", metavar="URL", help="use a running sandbox (its control API)")
        p.add_argument(
            "--port-base",
            type=_port,
            default=DEFAULT_PORT_BASE,
            metavar="N",
            help=f"ports of a sandbox started for the lesson (default {DEFAULT_PORT_BASE})",
        )
        p.set_defaults(func=cmd_present if required else cmd_learn)


# -- lessons in the UI --------------------------------------------------------------------------


def cmd_learn(args: argparse.Namespace) -> int:
    """Open the UI on a lesson, resuming where the learner stopped."""
    return _lesson_ui(args, presenter=False)


def cmd_present(args: argparse.Namespace) -> int:
    """Open a lesson in presenter mode, from a freshly prepared world."""
    return _lesson_ui(args, presenter=True)


def _lesson_ui(args: argparse.Namespace, *, presenter: bool) -> int:
    import asyncio as _asyncio

    from sandbox.lessons.engine import LessonRunner
    from sandbox.lessons.progress import Progress
    from sandbox.runtime import child
    from sandbox.runtime.remote import ControlClient, ControlError
    from sandbox.tui.backend import RemoteBackend
    from sandbox.tui.lesson_launch import build_lesson_app
    from sandbox.world import load_world

    settings = _settings(args)
    progress = Progress.load(settings.data_dir)
    lesson = chosen_lesson(args, progress)
    started = None
    if args.attach:
        url = args.attach.rstrip("/")
        token = _control_token(url, settings)
        try:
            seed, urls = _asyncio.run(_seed_and_urls(url))
        except ControlError as exc:
            raise UserError(f"no sandbox answers at {url}: {exc}") from None
    else:
        _log_to_file(settings.data_dir)
        if lesson.config is not None:
            from sandbox.runtime.config_file import ConfigError, load_config

            try:  # a lesson runs Python only from its own folder
                load_config(lesson.config, confined=True)
            except ConfigError as exc:
                raise UserError(str(exc)) from None
        config_path = lesson.config or _config(args).path
        try:
            started = child.start(settings, config_path)
        except child.ChildFailed as exc:
            raise UserError(f"the sandbox could not start: {exc}") from None
        url, seed, urls = (
            started.state.control_url,
            started.state.seed,
            dict(started.state.services),
        )
        token = started.state.token
    try:
        world = load_world(seed)
        backend = RemoteBackend(ControlClient(url, token=token), world)
        runner = LessonRunner(
            lesson, urls=urls, control=backend.control, world=world, data_dir=settings.data_dir
        )
        build_lesson_app(
            backend,
            lesson,
            runner,
            progress,
            lang=args.lang,
            presenter=presenter,
            screenshot_dir=settings.data_dir / "screenshots",
            theme=_theme(args),
            next_lesson=_next_lesson(args, lesson, presenter),
            glossary=_glossary(lesson),
        ).run()
    finally:
        if started is not None:
            started.stop()
    return 0


def _next_lesson(args: argparse.Namespace, lesson: Any, presenter: bool) -> str:
    """The lesson after `lesson` in its folder, as the completion names it ("" for the last)."""
    from sandbox.lessons.loader import lesson_slugs, load_lesson
    from sandbox.lessons.model import LessonError

    root = lesson.folder.parent
    slugs = lesson_slugs(root)
    if lesson.folder.name not in slugs:
        return ""
    following = slugs[slugs.index(lesson.folder.name) + 1 :]
    if not following:
        return ""
    try:
        upcoming = load_lesson(root / following[0], args.lang)
    except LessonError:
        return ""
    command = "present" if presenter else "learn"
    return f"{upcoming.number} · {upcoming.title} (sandbox {command} {upcoming.number})"


def _glossary(lesson: Any) -> list[tuple[str, str]]:
    """The lessons' glossary in the lesson's language (none when the folder has none)."""
    from sandbox.lessons.glossary import glossary

    try:
        return [(t.term, t.meaning) for t in glossary(lesson.lang, lesson.folder.parent)]
    except (OSError, KeyError, ValueError):
        return []


def chosen_lesson(args: argparse.Namespace, progress: Any) -> Any:
    """The lesson `learn`/`present` opens: LESSON by number, name or folder (anywhere: a
    teacher's own lessons need not live in the sandbox's folder), looked for in `--root`; with
    no LESSON, the first one there not finished yet, else the last one."""
    from sandbox.lessons.loader import find_lesson, lesson_slugs, lessons_root, load_lesson
    from sandbox.lessons.model import LessonError

    root = Path(args.root).expanduser() if getattr(args, "root", None) else lessons_root()
    name = args.lesson
    if name is None:
        slugs = lesson_slugs(root)
        if not slugs:
            raise UserError(f"no lessons found in {root}")
        name = next((s for s in slugs if not progress.completed(s, args.lang)), slugs[-1])
    try:
        return load_lesson(find_lesson(name, root), args.lang)
    except (LookupError, LessonError) as exc:
        raise UserError(str(exc.args[0] if isinstance(exc, LookupError) else exc)) from None


async def _seed_and_urls(url: str) -> tuple[int, dict[str, str]]:
    from sandbox.runtime.remote import ControlClient

    control = ControlClient(url)
    try:
        health = await control.health()
        services = await control.services()
    finally:
        await control.aclose()
    return int(health.get("seed", DEFAULT_SEED)), {s.name: s.url for s in services}
