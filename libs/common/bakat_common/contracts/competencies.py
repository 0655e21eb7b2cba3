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
# The 8 potential aspects assessed alongside the competencies (code, English meaning).
POTENTIAL_ASPECTS = (
    ("Kemampuan Intelektual", "intellectual ability"),
    ("Kemampuan Interpersonal", "interpersonal ability"),
    ("Kesadaran Diri", "self-awareness"),
    ("Berpikir Kritis dan Strategis", "critical and strategic thinking"),
    ("Kemampuan Menyelesaikan Permasalahan", "problem solving"),
    ("Kecerdasan Emosional", "emotional intelligence"),
    ("Kemampuan Belajar Cepat dan Mengembangkan Diri", "learning agility"),
    ("Motivasi dan Komitmen", "motivation and commitment"),
)
POTENTIAL_CODES = frozenset(code for code, _ in POTENTIAL_ASPECTS)
# The panel's rating (1-5) of the track record: education, training, experience, career (rekam jejak).
TRACK_RECORD = "Rekam Jejak"
LEVELS = (1, 2, 3, 4, 5)

Tier = Literal[
    "JPT Utama", "JPT Madya", "JPT Pratama", "Administrator", "Pengawas", "Pelaksana", "Fungsional"
]
TIERS: tuple[str, ...] = Tier.__args__  # type: ignore[attr-defined]
