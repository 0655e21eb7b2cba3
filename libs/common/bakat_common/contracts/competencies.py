"""The competency framework of Permenpan RB 38/2017: shared vocabulary for positions and assessments."""

from __future__ import annotations

from typing import Literal

MANAGERIAL = (
    "Integritas",
    "Kerjasama",
    "Komunikasi",
    "Orientasi pada Hasil",
    "Pelayanan Publik",
    "Pengembangan Diri dan Orang Lain",
    "Mengelola Perubahan",
    "Pengambilan Keputusan",
)
SOCIO_CULTURAL = ("Perekat Bangsa",)
STANDARD_COMPETENCIES = MANAGERIAL + SOCIO_CULTURAL
LEVELS = (1, 2, 3, 4, 5)

Tier = Literal["JPT Utama", "JPT Madya", "JPT Pratama", "Administrator", "Pengawas", "Pelaksana", "Fungsional"]
TIERS: tuple[str, ...] = Tier.__args__  # type: ignore[attr-defined]
