"""Unit tests of the social app's domain rules (no HTTP)."""

from __future__ import annotations

import pytest

from sandbox.services.social import rules


def test_cursor_round_trips() -> None:
    cursor = rules.encode_cursor("2024-02-28", 17)
    assert "2024" not in cursor  # opaque: clients should not build their own
    assert rules.decode_cursor(cursor) == ("2024-02-28", 17)


@pytest.mark.parametrize(
    "cursor",
    ["", "not-base64!!", "W10", "WyJ4IiwiMSJd", "WyJ4IiwwXQ", "eyJhIjoxfQ", "WyJ4Iix0cnVlXQ"],
)
def test_cursor_refuses_what_the_feed_did_not_hand_out(cursor: str) -> None:
    # W10 = [], WyJ4IiwiMSJd = ["x","1"], WyJ4IiwwXQ = ["x",0], eyJhIjoxfQ = {"a":1},
    # WyJ4Iix0cnVlXQ = ["x",true]
    with pytest.raises(rules.InvalidCursor):
        rules.decode_cursor(cursor)


def test_next_cursor_only_when_more_rows_exist() -> None:
    rows: list[dict[str, object]] = [
        {"posted_at": "2024-03-01", "video_id": 9},
        {"posted_at": "2024-02-01", "video_id": 5},
        {"posted_at": "2024-01-01", "video_id": 3},
    ]
    assert rules.next_cursor(rows[:2], 2) is None
    cursor = rules.next_cursor(rows, 2)
    assert cursor is not None
    assert rules.decode_cursor(cursor) == ("2024-02-01", 5)


def test_buy_button_needs_a_tagged_product() -> None:
    assert rules.is_tagged(100101, [100101, 100102])
    assert not rules.is_tagged(100103, [100101, 100102])
    assert rules.channel_ref(7) == "video:7"


def test_out_of_stock_keeps_the_marketplace_message() -> None:
    assert rules.explain_refusal(409, "out_of_stock", "Product 1 has 0 left.") == (
        409,
        "out_of_stock",
        "Product 1 has 0 left.",
    )


def test_unknown_buyer_means_account_not_linked() -> None:
    status, code, message = rules.explain_refusal(404, "unknown_buyer", "No buyer")
    assert (status, code) == (409, "account_not_linked")
    assert "link" in message


def test_refused_partner_credentials_are_not_the_persons_fault() -> None:
    assert rules.explain_refusal(401, "invalid_sign", "bad")[:2] == (502, "marketplace_unavailable")


def test_other_refusals_pass_the_reason_on() -> None:
    assert rules.explain_refusal(422, "mixed_shops", "one shop per order") == (
        409,
        "order_refused",
        "The marketplace refused the order: one shop per order",
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1709280000, 1709280000.0),
        (1709280000.5, 1709280000.5),
        ("1709280000", 1709280000.0),
        ("2024-03-01T15:00:00+07:00", 1709280000.0),
        ("2024-03-01T08:00:00+00:00", 1709280000.0),
    ],
)
def test_update_time_accepts_unix_seconds_and_iso(
    value: int | float | str, expected: float
) -> None:
    assert rules.parse_update_time(value) == expected


@pytest.mark.parametrize("value", ["yesterday", "2024-03-01T15:00:00", True])
def test_update_time_refuses_ambiguous_values(value: str | bool) -> None:
    with pytest.raises(ValueError):
        rules.parse_update_time(value)


def test_newest_update_wins_not_the_last_to_arrive() -> None:
    assert rules.is_newer((None, "UNPAID"), (100.0, "UNPAID"))
    assert rules.is_newer((100.0, "UNPAID"), (101.0, "AWAITING_SHIPMENT"))
    assert not rules.is_newer((101.0, "AWAITING_SHIPMENT"), (100.0, "UNPAID"))


def test_same_second_updates_follow_the_order_lifecycle() -> None:
    assert rules.is_newer((100.0, "UNPAID"), (100.0, "AWAITING_SHIPMENT"))
    assert not rules.is_newer((100.0, "AWAITING_SHIPMENT"), (100.0, "UNPAID"))
    assert rules.is_newer((100.0, "UNPAID"), (100.0, "CANCELLED"))
    assert not rules.is_newer((100.0, "CANCELLED"), (100.0, "CANCELLED"))


def test_local_time_is_wib() -> None:
    assert rules.local_time(1709280000.0) == "2024-03-01T15:00:00+07:00"
