"""Splitting a lesson file into title, intro and steps, line by line."""

from __future__ import annotations

from sandbox.lessons.markdown import split, step_number, take_apart

TEXT = """# The title

Intro text.

```toml
[lesson]
minutes = 5
```

## 1. First step

Narration with code:

````markdown
## 9. Not a step (inside a fence)
```toml
not = "the step's block"
```
````

```python
# not a heading either
```

```toml
[action]
kind = "reset"
```

> [!NOTE]
> Presenter: say this.
> And this.

After the note.

## 2. Second step
"""


def test_split_finds_title_intro_and_steps_outside_fences() -> None:
    doc = split(TEXT)
    assert (doc.title, doc.title_line) == ("The title", 1)
    assert [(s.heading, s.line) for s in doc.steps] == [
        ("1. First step", 10),
        ("2. Second step", 36),
    ]
    assert doc.problems == []


def test_take_apart_separates_toml_notes_and_prose() -> None:
    doc = split(TEXT)
    intro = take_apart(doc.intro)
    assert intro.prose == "Intro text."
    assert [(b.text, b.line) for b in intro.tomls] == [("[lesson]\nminutes = 5", 5)]
    step = take_apart(doc.steps[0])
    assert [(b.text, b.line) for b in step.tomls] == [('[action]\nkind = "reset"', 25)]
    assert step.notes == "Presenter: say this.\nAnd this."
    assert "## 9. Not a step" in step.prose and "# not a heading either" in step.prose
    assert step.prose.endswith("After the note.")
    assert "[!NOTE]" not in step.prose


def test_second_title_is_a_problem() -> None:
    doc = split("# One\n\n# Two\n")
    assert doc.problems[0][:2] == (3, "a second level-1 heading")


def test_step_number_reads_numbered_headings_only() -> None:
    assert step_number("12. Twelve") == (12, "Twelve")
    assert step_number("Summary") is None
    assert step_number("1.Missing space") is None
