"""The public layout of a NIK, which every institution can check on its own.

A NIK is `PP KK CC DDMMYY SSSS`: region codes, the birth date (women's day + 40) and a serial
from 0001. Whether a region exists is the civil registry's to say (it alone holds the region
table); whether the digits could ever have been issued is plain arithmetic any institution
does before asking anyone, so a malformed NIK is a 400, not "not found".
"""

from __future__ import annotations

from datetime import date


def birth_digits_problem(nik: str) -> str | None:
    """Why a 16-digit NIK cannot have been issued, judged from its own digits, or None."""
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    real_day = day - 40 if day > 40 else day
    if not any(_is_date(century + yy, month, real_day) for century in (1900, 2000)):
        return (
            f"NIK digits 7-12 ({nik[6:12]}) are not a birth date DDMMYY "
            "(women's days are the day of birth + 40, so 41-71; men's are 01-31)."
        )
    if nik[12:] == "0000":
        return "NIK serial (digits 13-16) starts at 0001; 0000 is never issued."
    return None


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True
