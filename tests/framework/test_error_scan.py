"""The errors an endpoint lists are those it can return: a call means the function its imports
and declared types say, never every function of that name (error_scan.py, call_types.py).

The sample (tests/framework/error_scan_sample.py) holds the two mistakes the name-only scan
made in the institutions: a store's `claim` listed under a read that only claims an
application, and an order's `settle` under a seller-form read. The institutions' own
endpoints are checked too, and that none of their calls is left unresolved.
"""

from __future__ import annotations

import pytest

from sandbox.framework.error_scan import errors_of, unresolved
from sandbox.runtime.registry import BUILTIN
from sandbox.services.bank import mobile
from sandbox.services.bank.routes import snap_caller
from sandbox.services.marketplace import routes as marketplace_routes
from tests.framework import error_scan_sample as sample


def test_error_scan_a_namesake_method_on_another_class_does_not_leak() -> None:
    found = errors_of([sample.registration, sample.get_context])
    assert 409 not in found  # Ledger.claim's duplicate_external_id
    assert 404 not in found  # Orders.settle's order_not_payable


def test_error_scan_a_real_error_through_a_typed_attribute_is_found() -> None:
    assert errors_of([sample.transfer]) == {409: {"duplicate_external_id"}}
    assert errors_of([sample.transfer_through_state]) == {409: {"duplicate_external_id"}}
    assert errors_of([sample.cancel]) == {404: {"order_not_payable"}}
    assert errors_of([sample.transfer_batch]) == {409: {"duplicate_external_id"}}  # a loop
    assert errors_of([sample.transfer_trimmed]) == {409: {"duplicate_external_id"}}  # super()
    assert errors_of([sample.transfer_by_kind]) == {422: {"transfer_refused"}}  # a table


def test_error_scan_an_untyped_receiver_resolves_to_nothing_and_is_reported() -> None:
    assert errors_of([sample.untyped]) == {}
    reported = unresolved(sample.__name__)
    assert len(reported) == 1 and "untyped() calls .settle()" in reported[0]


def test_error_scan_the_bank_registration_read_lists_no_duplicate_external_id() -> None:
    found = errors_of([mobile.registration])
    assert "duplicate_external_id" not in set().union(*found.values())
    assert found[404] == {"application_not_found"}


def test_error_scan_the_seller_registration_read_lists_no_order_errors() -> None:
    found = errors_of([marketplace_routes.registration])
    codes = set().union(*found.values())
    assert "order_not_payable" not in codes
    assert "fs_id_mismatch" not in codes  # the registry client's verify, not the partner gate's


def test_error_scan_errors_behind_typed_attributes_and_protocols_are_kept() -> None:
    # `bank: Bank` (an Annotated alias) -> BankContext.throttle: Throttle -> Throttle.check
    assert errors_of([snap_caller("27")])[429] == {"too_many_requests"}
    # Orders.debits: PaymentHold (a Protocol) -> DirectDebits.settle -> record -> 404
    assert "order_not_payable" in errors_of([marketplace_routes.cancel_order])[404]


@pytest.mark.parametrize(
    "package",
    [
        *(f"sandbox.services.{spec.name}" for spec in BUILTIN),
        "sandbox.framework",
        "sandbox.dialects",
    ],
)
def test_error_scan_no_institution_call_is_left_unresolved(package: str) -> None:
    """A call whose receiver's type is not said, named like a function that raises, could
    hide an error: annotate the receiver (call_types.py says what is read)."""
    assert unresolved(package) == []
