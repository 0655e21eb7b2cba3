"""Civil-service vocabulary and rules with no I/O: tiers, golongan, education, retirement (BUP)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from bakat_common.contracts.competencies import Tier

FunctionalLevel = Literal[
    "Ahli Utama", "Ahli Madya", "Ahli Muda", "Ahli Pertama", "Penyelia", "Mahir", "Terampil", "Pemula"
]
EducationLevel = Literal["SD", "SMP", "SMA", "D1", "D2", "D3", "D4", "S1", "S2", "S3"]
Eselon = Literal["I.a", "I.b", "II.a", "II.b", "III.a", "III.b", "IV.a", "IV.b", "V.a"]

# PNS golongan/ruang and their pangkat (PP 99/2000).
PANGKAT = {
    "I/a": "Juru Muda", "I/b": "Juru Muda Tingkat I", "I/c": "Juru", "I/d": "Juru Tingkat I",
    "II/a": "Pengatur Muda", "II/b": "Pengatur Muda Tingkat I", "II/c": "Pengatur", "II/d": "Pengatur Tingkat I",
    "III/a": "Penata Muda", "III/b": "Penata Muda Tingkat I", "III/c": "Penata", "III/d": "Penata Tingkat I",
    "IV/a": "Pembina", "IV/b": "Pembina Tingkat I", "IV/c": "Pembina Utama Muda", "IV/d": "Pembina Utama Madya",
    "IV/e": "Pembina Utama",
}  # fmt: skip
# PPPK golongan I .. XVII (Perpres 98/2020).
PPPK_GOLONGAN = (
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII",
)  # fmt: skip


def golongan_problem(golongan: str, employment_type: str) -> str | None:
    """Why `golongan` is not valid for this kind of employee, or None."""
    if employment_type == "PPPK":
        return (
            None if golongan in PPPK_GOLONGAN else f"PPPK golongan must be one of I..XVII, got {golongan!r}"
        )
    return (
        None if golongan in PANGKAT else f"PNS golongan must look like III/a (I/a .. IV/e), got {golongan!r}"
    )


def pangkat_of(golongan: str | None) -> str | None:
    return PANGKAT.get(golongan) if golongan else None


def retirement_age(tier: Tier | None, functional_level: FunctionalLevel | None = None) -> int:
    """BUP (batas usia pensiun), UU 5/2014 and PP 11/2017: 60 for JPT, 58 for administration posts;
    functional posts 58, Ahli Madya 60, Ahli Utama 65."""
    if tier in ("JPT Utama", "JPT Madya", "JPT Pratama"):
        return 60
    if tier == "Fungsional":
        return {"Ahli Utama": 65, "Ahli Madya": 60}.get(functional_level or "", 58)
    return 58


def retirement_date(birth_date: date, bup: int) -> date:
    """Retirement takes effect on the first day of the month after the month of the BUP birthday."""
    year, month = birth_date.year + bup, birth_date.month + 1
    if month == 13:
        year, month = year + 1, 1
    return date(year, month, 1)
