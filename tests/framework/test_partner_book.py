"""PartnerBook: an institution's partners, changed only by whoever runs it."""

from __future__ import annotations

from typing import Any

from sandbox.framework.partner_book import Accepts, PartnerBook
from sandbox.framework.service import ServiceEnv
from sandbox.wire import Wire


def test_listeners_hear_of_a_change_and_only_of_a_change() -> None:
    asked: list[str] = []
    book = PartnerBook({"social": {"app_key": "a"}}, refresh=lambda: asked.append("asked"))
    heard: list[Accepts] = []

    def broken(_: Accepts) -> None:
        raise RuntimeError("a listener that fails")

    book.on_change(broken)
    book.on_change(heard.append)
    book.refresh()
    assert asked == ["asked"]
    assert not book.update({"social": {"app_key": "a"}}), "the same partners are no change"
    assert book.update({"social": {"app_key": "a"}, "lab": {"app_key": "b"}})
    assert [set(h) for h in heard] == [{"social", "lab"}], "heard despite the broken listener"


def test_a_book_is_a_copy_nobody_else_can_change() -> None:
    accepts: dict[str, Any] = {"social": {"app_key": "a"}}
    book = PartnerBook(accepts)
    accepts["social"]["app_key"] = "changed behind its back"
    accepts["lab"] = {}
    assert book.accepts == {"social": {"app_key": "a"}}
    book.refresh()  # no runtime to ask: nothing happens


def test_an_env_without_a_book_gets_one_of_its_seed() -> None:
    env = ServiceEnv("bank", Wire(), {"accepts": {"marketplace": {"client_key": "K"}}})
    assert env.book.accepts == {"marketplace": {"client_key": "K"}}
