"""When a passed audit stops counting: its age on the shared clock, in calendar months.

"Periodically, especially when a service is added": each rule set says how long an audit of
it lasts (`period_months` in its TOML file, 12 when absent). The age is measured on the
sandbox's clock (`GET /clock`), so a presenter who advances it 13 months sees RE-AUDIT fail
for that reason. A month is a calendar month: an audit recorded on 31 January with a period
of one month is due on the last day of February.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

DEFAULT_PERIOD_MONTHS = 12
"""How long an audit lasts when its rule set names no `period_months`."""
MAX_PERIOD_MONTHS = 120


def recorded_instant(recorded_at: str) -> datetime | None:
    """The instant an audit was recorded (ISO 8601), or None when the record has none (the
    seeded world's, a hand-edited file): such a record does not age."""
    try:
        moment = datetime.fromisoformat(recorded_at)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus `months` calendar months (the day kept, or the month's last day)."""
    total = moment.month - 1 + months
    year, month = moment.year + total // 12, total % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def due_at(recorded_at: str, period_months: int) -> datetime | None:
    """When an audit recorded at `recorded_at` must be run again, or None if it never ages."""
    moment = recorded_instant(recorded_at)
    return None if moment is None else add_months(moment, period_months)
