"""Lessons: the loader and linter of lesson folders, and the engine that runs their steps.

A lesson is data (Markdown with small TOML blocks, in `lessons/`); this package reads it
(`loader`), reports every problem in it (`lint`), runs its steps against a running sandbox and
judges the calls they made (`engine`, `matching`), keeps the learner's place (`progress`) and
runs whole lessons headless for `sandbox lesson check` (`check`). No Textual here: the lesson
screen draws what `LessonRunner` returns.
"""
