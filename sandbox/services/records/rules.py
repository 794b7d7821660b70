"""The records platform's rules as plain functions, so each one can be unit-tested alone.

Nothing here touches the database or HTTP: routes call these and turn a `Problem` into a 400.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from sandbox.dialects.nik import birth_digits_problem

NIK_SYSTEM = "https://fhir.kemkes.go.id/id/nik"
"""The identifier system of the national id number (NIK) in SATUSEHAT."""
IHS_SYSTEM = "https://fhir.kemkes.go.id/id/ihs-number"
"""The platform's own patient number (IHS number), opaque to everyone else."""
ICD10_SYSTEM = "http://hl7.org/fhir/sid/icd-10"
ENCOUNTER_SYSTEM = "http://sys-ids.kemkes.go.id/encounter/"
"""Followed by the organization's id: each facility numbers its own visits."""

TOKEN_SECONDS = 3600
"""How long an access token lives, measured on the platform's clock."""
EXPIRES_IN = "3599"
"""What the token reply says: one second less than the truth, so a client that trusts it never
uses a token in its very last second (and, as on SATUSEHAT, it is a string)."""

STATUS_ORDER = ("arrived", "in-progress", "finished")
"""The visit statuses the sandbox accepts, in the only order a visit can go through them."""
ICD10_PATTERN = re.compile(r"[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?")
"""A letter, two digits, then an optional dot and subcategory: A09, J06.9, E11.9."""
_NIK_PATTERN = re.compile(r"[0-9]{16}")
"""Matched whole (`fullmatch`): with `match` and `$`, a NIK ending in a newline passed."""


class Problem(ValueError):
    """A rule refused the input; `code` is stable, the message says how to fix it."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


def mask_nik(nik: str) -> str:
    """Every digit but the last four hidden: the NIK is personal data and the caller has it."""
    return "*" * (len(nik) - 4) + nik[-4:]


def check_nik(nik: str, field: str = "identifier") -> str:
    """The NIK itself, if it is 16 digits."""
    if not _NIK_PATTERN.fullmatch(nik):
        raise Problem(
            "invalid_nik", f"A NIK is exactly 16 digits; got {len(nik)} characters.", field
        )
    problem = birth_digits_problem(nik)
    if problem is not None:
        raise Problem("invalid_nik", problem, field)
    return nik


def nik_from_search(identifier: str) -> str:
    """The NIK out of a search token `https://fhir.kemkes.go.id/id/nik|{nik}`."""
    system, bar, value = identifier.partition("|")
    if not bar or system != NIK_SYSTEM:
        raise Problem(
            "invalid_identifier",
            f"Search by identifier={NIK_SYSTEM}|<16-digit NIK> (system, a bar, then the value).",
            "identifier",
        )
    return check_nik(value)


def reference_id(reference: str, kind: str, field: str) -> str:
    """The id in a literal reference such as `Patient/P10000000001`."""
    prefix = f"{kind}/"
    ident = reference[len(prefix) :] if reference.startswith(prefix) else ""
    if not ident or "/" in ident:
        raise Problem(
            "invalid_reference", f"{field} must look like {kind}/<id>, not {reference!r}.", field
        )
    return ident


def encounter_system(org_id: str) -> str:
    """The identifier system an organization numbers its encounters in."""
    return ENCOUNTER_SYSTEM + org_id


def status_history_problem(status: str, history: Sequence[str]) -> str | None:
    """Why a visit's status history is impossible, or None if it is fine.

    A visit moves forward only (arrived -> in-progress -> finished), each step once, and the
    encounter's `status` is where the history ends.
    """
    if not history:
        return "statusHistory needs at least one entry (start with 'arrived')."
    ranks = [STATUS_ORDER.index(s) for s in history]
    if any(later <= earlier for earlier, later in zip(ranks, ranks[1:], strict=False)):
        return "statusHistory must go forward, each status once: arrived, in-progress, finished."
    if history[-1] != status:
        return f"status is {status!r} but statusHistory ends with {history[-1]!r}; they must agree."
    return None


def icd10_code(codings: list[tuple[str, str]]) -> str:
    """The one ICD-10 code of a Condition, from its (system, code) codings."""
    if len(codings) != 1:
        raise Problem(
            "invalid_coding",
            f"code.coding must hold exactly one ICD-10 coding; got {len(codings)}.",
            "code.coding",
        )
    system, code = codings[0]
    if system != ICD10_SYSTEM:
        raise Problem(
            "invalid_coding",
            f"code.coding[0].system must be {ICD10_SYSTEM}, not {system!r}.",
            "code.coding[0].system",
        )
    if not ICD10_PATTERN.fullmatch(code):
        raise Problem(
            "invalid_icd10",
            f"{code!r} is not an ICD-10 code: write a letter, two digits and an optional "
            "subcategory, e.g. A09 or J06.9.",
            "code.coding[0].code",
        )
    return code


def parse_instant(value: str, field: str) -> float:
    """Unix seconds from an ISO-8601 date-time with an offset (FHIR `dateTime`)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise Problem(
            "invalid_datetime",
            f"{field} must be ISO-8601 with an offset, e.g. 2024-03-01T08:00:00+00:00.",
            field,
        )
    return moment.timestamp()


def instant(epoch: float) -> str:
    """FHIR instant in UTC, as the platform writes it: 2024-03-01T08:00:00+00:00."""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


def ihs_number(seq: int) -> str:
    """The n-th patient number: P followed by 11 digits (P10000000001)."""
    return f"P{10_000_000_000 + seq:011d}"


def encounter_id(seq: int) -> str:
    """The n-th encounter id (E00000001)."""
    return f"E{seq:08d}"


def condition_id(seq: int) -> str:
    """The n-th condition id (C00000001)."""
    return f"C{seq:08d}"
