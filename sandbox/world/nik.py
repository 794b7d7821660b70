"""A Faker provider for structurally valid Indonesian NIK and KK numbers.

Faker's `id_ID` locale has no NIK provider (its `ssn()` is US-style), so the sandbox makes its
own. Layout of a NIK: ``PP KK CC DDMMYY SSSS`` - province, regency or city, district of first
registration, birth date (women add 40 to the day) and a serial that starts at 0001 for each
district and birth date. Every code comes from the sandbox's own province 99, which is not an
official province, so no generated number can belong to a real person.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from faker.providers import BaseProvider


def encode_nik(district: str, birth_date: date, sex: str, serial: int) -> str:
    """Build a NIK from its parts; `sex` is "L" (laki-laki) or "P" (perempuan)."""
    day = birth_date.day + (40 if sex == "P" else 0)
    return f"{district}{day:02d}{birth_date:%m%y}{serial:04d}"


def encode_kk(district: str, issued: date, serial: int) -> str:
    """Build a family-card (KK) number: district, issue date DDMMYY, serial."""
    return f"{district}{issued:%d%m%y}{serial:04d}"


class NikProvider(BaseProvider):
    """Hands out unique NIK/KK numbers; remembers serials already used (named personas too)."""

    def __init__(self, generator: object) -> None:
        super().__init__(generator)
        self._nik_serials: defaultdict[str, int] = defaultdict(int)
        self._kk_serials: defaultdict[str, int] = defaultdict(int)

    def reserve_nik(self, nik: str) -> None:
        """Mark a hand-written NIK's serial as taken so generated ones never collide."""
        key, serial = nik[:12], int(nik[12:])
        self._nik_serials[key] = max(self._nik_serials[key], serial)

    def reserve_kk(self, kk: str) -> None:
        """Mark a hand-written KK's serial as taken."""
        key, serial = kk[:12], int(kk[12:])
        self._kk_serials[key] = max(self._kk_serials[key], serial)

    def nik(self, district: str, birth_date: date, sex: str) -> str:
        """The next free NIK for this district, birth date and sex."""
        probe = encode_nik(district, birth_date, sex, 0)[:12]
        self._nik_serials[probe] += 1
        return encode_nik(district, birth_date, sex, self._nik_serials[probe])

    def kk(self, district: str, issued: date) -> str:
        """The next free KK number for this district and issue date."""
        probe = encode_kk(district, issued, 0)[:12]
        self._kk_serials[probe] += 1
        return encode_kk(district, issued, self._kk_serials[probe])
