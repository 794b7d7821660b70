"""What every story shares: numbered steps, a trace id, and failing with a reason."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from sandbox.language import LANGUAGES, N_, rupiah, texts
from sandbox.scenarios.phone import Phone
from sandbox.trace.steps import format_step
from sandbox.wire import Wire
from sandbox.wire.context import Span, current_span, current_step, root_span

Report = Callable[[str], None]
Gate = Callable[[str], Awaitable[None]]
"""Awaited before each step: a presenter's UI pauses the story there until a key is pressed."""


class StoryFailed(Exception):
    """A step did not end as the story says it should; the message says what happened.

    Raised with `StoryFailed.said(N_("..."), ...)`, a message of the stories' catalogue, the
    message is in English and `Story.run` re-words it in the story's language.
    """

    def __init__(self, message: str, msgid: str = "", values: dict[str, object] | None = None):
        super().__init__(message)
        self.msgid = msgid
        """The message as marked, in English, placeholders and all ("" when not worded by one)."""
        self.values = dict(values or {})

    @classmethod
    def said(cls, message: str, **values: object) -> StoryFailed:
        """A failure worded by `message` (English until the story re-words it)."""
        return cls(message.format(**values), message, values)

    def in_language(self, lang: str) -> StoryFailed:
        """The same failure in `lang` (a failure without a message id stays as it is)."""
        if not self.msgid or lang == "en":
            return self
        _ = texts("stories", lang)
        values = dict(self.values)
        if isinstance(values.get("what"), str):  # the step's name, marked where `expect` ran
            values["what"] = _(str(values["what"]))
        return StoryFailed(_(self.msgid).format(**values), self.msgid, self.values)


@dataclass
class Story:
    """The running state of one story: where it reports and what it found."""

    wire: Wire
    world: dict[str, Any]
    report: Report = print
    steps: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    span: Span = field(default_factory=root_span)
    gate: Gate | None = None
    lang: str = "en"
    """The language the story speaks in (`LANGUAGES`); its calls are the same in any."""
    name: str = ""
    """The story's name (`checkout`): its calls say which of its steps made them."""
    phone: Phone | None = None
    """The people's phones, for a story in which an institution texts someone (a code)."""

    def __post_init__(self) -> None:
        if self.lang not in LANGUAGES:
            raise ValueError(
                f"unknown language {self.lang!r}; choose one of {', '.join(LANGUAGES)}"
            )

    def rupiah(self, amount: int) -> str:
        """An amount written as the story's language writes rupiah."""
        return rupiah(amount, self.lang)

    @property
    def trace_id(self) -> str:
        """The trace every call of this story belongs to."""
        return self.span.trace_id

    async def step(self, text: str) -> None:
        """Wait at the gate (if any), then announce the next step."""
        if self.gate is not None:
            await self.gate(text)
        self.steps.append(text)
        if self.name:
            current_step.set(format_step(self.name, len(self.steps), text))
        self.report(f"{len(self.steps):>2}. {text}")

    def client(self, caller: str, callee: str) -> httpx.AsyncClient:
        """A recorded client for `caller` (a persona or an app) reaching `callee`."""
        return self.wire.client(caller, callee)

    async def run(self, body: Callable[[Story], Awaitable[None]]) -> Story:
        """Run `body` with every call inside this story's trace."""
        token, step = current_span.set(self.span), current_step.set(None)
        try:
            await body(self)
        except httpx.TransportError as exc:
            failed = StoryFailed.said(N_("a service could not be reached: {error}"), error=exc)
            raise failed.in_language(self.lang) from exc
        except StoryFailed as exc:
            if exc.in_language(self.lang) is exc:
                raise
            raise exc.in_language(self.lang) from None
        finally:
            current_step.reset(step)
            current_span.reset(token)
        return self


def expect(response: httpx.Response, status: int, what: str) -> dict[str, Any]:
    """The JSON of `response`, or StoryFailed naming the step and what came back.

    `what` names the step (`N_("video")`), so a failure can name it in the story's language.
    """
    if response.status_code != status:
        try:
            detail = response.json().get("message", response.text)
        except ValueError:
            detail = response.text[:200]
        raise StoryFailed.said(
            N_("{what}: expected HTTP {status}, got {got}: {detail}"),
            what=what,
            status=status,
            got=response.status_code,
            detail=detail,
        )
    data: dict[str, Any] = response.json()
    return data


async def wait_for(
    check: Callable[[], Awaitable[bool]], within: float = 10.0, interval: float = 0.05
) -> bool:
    """Poll `check` until it is true or `within` seconds (real time) pass."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while loop.time() < deadline:
        if await check():
            return True
        await asyncio.sleep(interval)
    return False
