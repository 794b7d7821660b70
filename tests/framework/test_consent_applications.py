"""The consent application both KYC flows share: her answer rejects, waits or opens, once."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import sqlite_utils

from sandbox.framework.consent_applications import ConsentApplications, settle_application
from sandbox.framework.errors import ApiError

_migrations = sqlite_utils.Migrations("club-applications")
SAID = {"DECLINED": "She said no.", "EXPIRED": "She did not answer."}


@_migrations()
def m001_applications(db: sqlite_utils.Database) -> None:
    db.execute(
        "CREATE TABLE applications (application_id TEXT PRIMARY KEY, nik TEXT, "
        "consent_request_id TEXT, status TEXT, outcome TEXT, created_at REAL, updated_at REAL)"
    )


class ClubApplications(ConsentApplications):
    """The smallest institution that asks for consent: a club."""

    TABLE = "applications"
    migrations = _migrations

    def add(self, application_id: str, nik: str, now: float) -> None:
        self.db.execute(
            "INSERT INTO applications VALUES (?, ?, 'CR-1', 'AWAITING_CONSENT', NULL, ?, ?)",
            [application_id, nik, now, now],
        )


def _club(tmp_path: Path) -> ClubApplications:
    club = ClubApplications(sqlite_utils.Database(tmp_path / "club.db"))
    club.add("A-1", "3171015001900001", 10.0)
    return club


async def test_a_refusal_rejects_with_the_institutions_words(tmp_path: Path) -> None:
    club = _club(tmp_path)
    opened: list[str] = []

    async def open_with(consent_id: str) -> dict[str, Any]:
        opened.append(consent_id)
        return {}

    row = await settle_application(club, "A-1", {"status": "EXPIRED"}, 20.0, SAID, "IN", open_with)
    assert row["status"] == "REJECTED" and row["updated_at"] == 20.0
    assert row["outcome"] == {"code": "consent_expired", "message": "She did not answer."}
    assert opened == [] and club.waiting_for("3171015001900001") is None


async def test_no_answer_yet_or_no_consent_id_keeps_it_waiting(tmp_path: Path) -> None:
    club = _club(tmp_path)

    async def open_with(consent_id: str) -> dict[str, Any]:
        raise AssertionError("nothing to open without her consent")

    for answer in ({}, {"status": "PENDING"}, {"status": "APPROVED", "consent_id": ""}):
        row = await settle_application(club, "A-1", answer, 20.0, SAID, "IN", open_with)
        assert row["status"] == "AWAITING_CONSENT" and row["outcome"] is None
    waiting = club.waiting_for("3171015001900001")
    assert waiting is not None and waiting["application_id"] == "A-1"


async def test_two_readers_of_an_approval_open_it_once(tmp_path: Path) -> None:
    club = _club(tmp_path)
    opened: list[str] = []

    async def open_with(consent_id: str) -> dict[str, Any]:
        opened.append(consent_id)
        await asyncio.sleep(0)  # the other reader runs while this one verifies
        return {"member_no": 7}

    answer = {"status": "APPROVED", "consent_id": "C" * 60}
    first, second = await asyncio.gather(
        settle_application(club, "A-1", answer, 20.0, SAID, "IN", open_with),
        settle_application(club, "A-1", answer, 20.0, SAID, "IN", open_with),
    )
    assert opened == ["C" * 40]  # one check, quoting the consent id cut to 40 characters
    assert {first["status"], second["status"]} <= {"VERIFYING", "IN"}
    final = club.get("A-1")
    assert final is not None and final["status"] == "IN" and final["outcome"] == {"member_no": 7}


async def test_a_refused_check_becomes_the_rejection(tmp_path: Path) -> None:
    club = _club(tmp_path)

    async def open_with(consent_id: str) -> dict[str, Any]:
        raise ApiError(422, "kyc_failed", "The name did not match.", mismatched=["name"])

    answer = {"status": "APPROVED", "consent_id": "C-1"}
    row = await settle_application(club, "A-1", answer, 20.0, SAID, "IN", open_with)
    assert row["status"] == "REJECTED"
    assert row["outcome"] == {
        "code": "kyc_failed",
        "message": "The name did not match.",
        "mismatched": ["name"],
    }
    assert not club.claim("A-1", 30.0)  # a finished application is never claimed again
