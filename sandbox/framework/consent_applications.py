"""Applications waiting for a person's consent at the civil registry: the part every
institution's two-step know-your-customer shares.

An institution may check a person at the registry only with her consent, and she gives it in
her IKD app, never to the institution. So signing up is two steps: the form answers 202 with an
application `AWAITING_CONSENT`, and reading that application asks the registry how she answered.
Once she approved, one conditional UPDATE claims the application (`VERIFYING`), so two reads in
the same millisecond cannot both run the verification; then the institution records how it
ended. The bank's account opening and the marketplace's seller sign-up both work this way; each
keeps its own table, form, wording and what "opened" means, and this module holds the rest.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, ClassVar

import sqlite_utils

from sandbox.framework.errors import ApiError

WAITING = "AWAITING_CONSENT"


class ConsentApplications:
    """One institution's applications table: read, find the one waiting, claim once, finish.

    A subclass names its `TABLE` and its `migrations` (which create that table with at least
    application_id, nik, consent_request_id, status, outcome, created_at and updated_at), and
    adds the rows itself, since what a form keeps differs per institution.
    """

    TABLE: ClassVar[str]
    migrations: ClassVar[sqlite_utils.Migrations]

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.migrations.apply(db)

    def get(self, application_id: str) -> dict[str, Any] | None:
        """One application, its outcome decoded (None if unknown)."""
        rows = list(
            self.db.query(f"SELECT * FROM {self.TABLE} WHERE application_id = ?", [application_id])
        )
        if not rows:
            return None
        row = dict(rows[0])
        row["outcome"] = json.loads(row["outcome"]) if row["outcome"] else None
        return row

    def waiting_for(self, nik: str) -> dict[str, Any] | None:
        """The application of this NIK still waiting for her answer, if any."""
        rows = list(
            self.db.query(
                f"SELECT application_id FROM {self.TABLE} WHERE nik = ? "
                "AND status = 'AWAITING_CONSENT' ORDER BY created_at DESC LIMIT 1",
                [nik],
            )
        )
        return self.get(rows[0]["application_id"]) if rows else None

    def claim(self, application_id: str, now: float) -> bool:
        """Move a waiting application to VERIFYING; False if someone else already did."""
        cursor = self.db.execute(
            f"UPDATE {self.TABLE} SET status = 'VERIFYING', updated_at = ? "
            "WHERE application_id = ? AND status = 'AWAITING_CONSENT'",
            [now, application_id],
        )
        return cursor.rowcount == 1

    def finish(self, application_id: str, status: str, outcome: dict[str, Any], now: float) -> None:
        """Record how the application ended (opened, or REJECTED with why)."""
        self.db.execute(
            f"UPDATE {self.TABLE} SET status = ?, outcome = ?, updated_at = ? "
            "WHERE application_id = ?",
            [status, json.dumps(outcome, default=str), now, application_id],
        )


async def settle_application(
    applications: ConsentApplications,
    application_id: str,
    answer: Mapping[str, Any],
    now: float,
    said: Mapping[str, str],
    opened: str,
    open_with: Callable[[str], Awaitable[dict[str, Any]]],
) -> dict[str, Any]:
    """Act on the registry's view of her consent request; the application afterwards.

    `answer` is that view (its status and, once approved, its consent_id; empty when the
    registry could not say). DECLINED or EXPIRED rejects the application with the message
    `said` holds for that status. APPROVED lets exactly one reader claim the application and
    run `open_with(consent_id)`: its result is recorded under the status `opened`, and the
    ApiError it raises instead becomes the rejection. Anything else leaves it waiting.
    """
    status = answer.get("status")
    if status in {"DECLINED", "EXPIRED"}:
        outcome = {"code": f"consent_{str(status).lower()}", "message": said[str(status)]}
        applications.finish(application_id, "REJECTED", outcome, now)
    elif (
        status == "APPROVED"
        and answer.get("consent_id")
        and applications.claim(application_id, now)  # one reader runs the check, once
    ):
        consent_id = str(answer["consent_id"])[:40]
        try:
            result = await open_with(consent_id)
        except ApiError as refused:
            outcome = {"code": refused.code, "message": refused.message, **refused.extra}
            applications.finish(application_id, "REJECTED", outcome, now)
        else:
            applications.finish(application_id, opened, result, now)
    fresh = applications.get(application_id)
    assert fresh is not None
    return fresh
