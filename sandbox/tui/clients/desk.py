"""The hospital's reception desk, logged in as the desk clerk (a staff token, not a persona)."""

from __future__ import annotations

from typing import Any

from sandbox.scenarios.admission import admission_request
from sandbox.tui.clients.client import AppClient


class DeskClient(AppClient):
    """What the reception screen asks the hospital: one admission, which reaches every back-end."""

    service = "hospital"

    async def admit(
        self,
        person: dict[str, Any],
        complaint: str,
        icd10: str,
        consent: bool,
        service: str = "outpatient",
        requested_class: str | None = None,
    ) -> dict[str, Any]:
        """Admit the person whose KTP is on the counter, for a visit or a stay (in a higher
        class, if asked); the hospital's summary of what each back-end answered."""
        return await self.call(
            "hospital",
            "POST",
            "/api/v1/admissions",
            json=admission_request(
                person,
                complaint,
                icd10,
                consent=consent,
                service=service,
                requested_class=requested_class,
            ),
        )

    async def admission(self, admission_id: str) -> dict[str, Any]:
        """One admission as the hospital keeps it now (the bill's status included)."""
        return await self.call("hospital", "GET", f"/api/v1/admissions/{admission_id}")
