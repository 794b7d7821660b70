"""Scripted stories as plain async functions over the wire's clients.

The CLI, the tests and (later) the lessons and UI run the same code, so what a student watches
is exactly what the tests check. Each story runs under one root span: one story, one trace.
"""

from collections.abc import Awaitable, Callable

from sandbox.scenarios.admission import admission, admission_covered, admission_revoked
from sandbox.scenarios.base import Story, StoryFailed
from sandbox.scenarios.checkout import checkout
from sandbox.scenarios.open_account import open_account
from sandbox.scenarios.phone import AppsPhone, Phone, PhoneReader

SCENARIOS: dict[str, Callable[..., Awaitable[Story]]] = {
    "checkout": checkout,
    "open-account": open_account,
    "admission": admission,
    "admission-covered": admission_covered,
}
"""Every story by the name the CLI, the UI and lessons use."""
VARIANTS: dict[str, Callable[..., Awaitable[Story]]] = {
    "admission-revoked": admission_revoked,
}
"""Stories the CLI runs (`sandbox run NAME`) that the UI's story list does not show yet."""
TAKES_PHONE = frozenset({"checkout"})
"""Stories in which an institution texts someone (the bank, a code): give them `phone=`."""

__all__ = [
    "SCENARIOS",
    "VARIANTS",
    "TAKES_PHONE",
    "AppsPhone",
    "Phone",
    "PhoneReader",
    "Story",
    "StoryFailed",
    "admission",
    "admission_covered",
    "admission_revoked",
    "checkout",
    "open_account",
]
