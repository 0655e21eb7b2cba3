"""Assessment rules with no I/O: the instrument catalogue, JPM and its categories, gaps, the potential
score, assessor disagreements, development recommendations, result validity and the SKP matrix."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from bakat_common.contracts.competencies import (
    MANAGERIAL,
    POTENTIAL_ASPECTS,
    POTENTIAL_CODES,
    SOCIO_CULTURAL,
    TRACK_RECORD,
)

InstrumentKind = Literal["managerial", "socio_cultural", "technical", "potential", "material"]
LEVELS = range(1, 6)


@dataclass(frozen=True)
class BuiltinInstrument:
    code: str
    name: str
    kind: InstrumentKind
    description: str


# Other materials the agencies use (Serang, Batang).
MATERIALS = (
    ("Literasi Digital", "digital literacy"),
    ("Berpikir Numerik dan Kritis", "numerical and critical thinking"),
    ("Tes Integritas", "integrity test"),
    ("Psikologi Karakter", "character psychology"),
    ("Kecerdasan Kerja", "work intelligence"),
    ("Kemampuan Teknis", "technical ability"),
    (TRACK_RECORD, "track record: education, training, experience and career, rated by the panel"),
)
BUILTIN_INSTRUMENTS: dict[str, BuiltinInstrument] = {
    i.code: i
    for i in (
        *(BuiltinInstrument(c, c, "managerial", "managerial competency (Permenpan RB 38/2017)") for c in MANAGERIAL),
        *(BuiltinInstrument(c, c, "socio_cultural", "socio-cultural competency (Permenpan RB 38/2017)")
          for c in SOCIO_CULTURAL),
        *(BuiltinInstrument(c, c, "potential", f"potential aspect: {en}") for c, en in POTENTIAL_ASPECTS),
        *(BuiltinInstrument(c, c, "material", en) for c, en in MATERIALS),
    )
}  # fmt: skip

# Development the weak instruments call for, copied to a tenant's own rules the first time it asks
# (Serang: weak communication -> public speaking; weak digital literacy -> digital-literacy training;
# weak socio-cultural understanding -> socio-cultural training).
DEFAULT_DEVELOPMENT_RULES: tuple[tuple[str, int, str, str], ...] = (
    ("Integritas", 3, "Pembinaan integritas dan pakta integritas", "coaching"),
    ("Kerjasama", 3, "Pelatihan kerja sama tim (team building)", "training"),
    ("Komunikasi", 3, "Pelatihan public speaking dan komunikasi efektif", "training"),
    ("Orientasi pada Hasil", 3, "Coaching manajemen kinerja dan penetapan target", "coaching"),
    ("Pelayanan Publik", 3, "Pelatihan pelayanan prima", "training"),
    ("Pengembangan Diri dan Orang Lain", 3, "Coaching dan mentoring", "coaching"),
    ("Mengelola Perubahan", 3, "Pelatihan manajemen perubahan", "training"),
    ("Pengambilan Keputusan", 3, "Pelatihan pengambilan keputusan dan pemecahan masalah", "training"),
    ("Perekat Bangsa", 3, "Pelatihan wawasan kebangsaan dan sosial kultural", "training"),
    ("Literasi Digital", 3, "Pelatihan literasi digital", "training"),
    ("Berpikir Numerik dan Kritis", 3, "Pelatihan berpikir analitis dan numerik", "training"),
    ("Motivasi dan Komitmen", 3, "Konseling motivasi kerja", "counselling"),
    ("Kecerdasan Emosional", 3, "Konseling dan pelatihan kecerdasan emosional", "counselling"),
)


# ---- JPM ----------------------------------------------------------------------------------------


def job_person_match(actual: Mapping[str, int], required: Mapping[str, int]) -> float:
    """JPM = sum(min(actual, required)) / sum(required) x 100, capped at 100 (a missing level counts 0)."""
    total = sum(required.values())
    if total <= 0:
        raise ValueError("a position standard needs at least one required level")
    met = sum(min(actual.get(code, 0), level) for code, level in required.items())
    return round(min(100.0, 100.0 * met / total), 2)


def mapping_category(jpm: float) -> Literal["Optimal", "Cukup Optimal", "Kurang Optimal"]:
    """Talent mapping: Optimal >= 90, Cukup Optimal 78 - < 90, Kurang Optimal < 78."""
    if jpm >= 90:
        return "Optimal"
    return "Cukup Optimal" if jpm >= 78 else "Kurang Optimal"


def selection_category(
    jpm: float,
) -> Literal["Memenuhi Syarat", "Masih Memenuhi Syarat", "Kurang Memenuhi Syarat"]:
    """Selection: Memenuhi Syarat >= 80, Masih Memenuhi Syarat 68 - < 80, Kurang Memenuhi Syarat < 68."""
    if jpm >= 80:
        return "Memenuhi Syarat"
    return "Masih Memenuhi Syarat" if jpm >= 68 else "Kurang Memenuhi Syarat"


def gaps(actual: Mapping[str, int], required: Mapping[str, int]) -> dict[str, int]:
    """Required minus actual, for each required competency that falls short."""
    return {
        code: level - actual.get(code, 0) for code, level in required.items() if actual.get(code, 0) < level
    }


def potential_score(jpm: float | None, scores: Mapping[str, int], weights: Mapping[str, int]) -> float:
    """0-100: the weighted mean of the JPM and the potential aspects (their mean level / 5 x 100, so
    level 4 on average is 80 and level 3 is 60, the default high/middle thresholds). A part that
    is missing (no standard, or no aspect rated) leaves the other with all the weight."""
    aspects = [level for code, level in scores.items() if code in POTENTIAL_CODES]
    parts: list[tuple[float, int]] = []
    if jpm is not None:
        parts.append((jpm, weights.get("jpm", 0)))
    if aspects:
        parts.append((100.0 * sum(aspects) / len(aspects) / 5, weights.get("aspects", 0)))
    if not parts:
        raise ValueError("a potential score needs a JPM or potential aspects")
    total = sum(weight for _, weight in parts)
    if total == 0:  # only a part weighted 0 is present: it is all there is
        return round(sum(value for value, _ in parts) / len(parts), 2)
    return round(sum(value * weight for value, weight in parts) / total, 2)


# ---- assessor ratings -------------------------------------------------------------------------------


def spread(levels: Iterable[int]) -> int:
    """Highest minus lowest level given for one instrument (every assessor, every exercise); more than
    one level apart is a disagreement the integration discussion must settle."""
    values = list(levels)
    return max(values) - min(values) if values else 0


def suggested_level(levels: Iterable[int]) -> int:
    """A starting point for the lead assessor: the rounded mean of the assessors' levels."""
    values = list(levels)
    return int(sum(values) / len(values) + 0.5)


def recommendations(
    scores: Mapping[str, int],
    required: Mapping[str, int],
    rules: Iterable[tuple[str, int, str, str]],
) -> list[dict[str, str | int]]:
    """Development items from the tenant's rules (instrument, below_level, recommendation, kind): one
    applies when the integrated level is below what the position requires, or below `below_level`."""
    out: list[dict[str, str | int]] = []
    for instrument, below_level, text, kind in rules:
        if instrument not in scores:
            continue
        level = scores[instrument]
        threshold = required.get(instrument, below_level)
        if level < threshold:
            out.append(
                {
                    "instrument": instrument,
                    "level": level,
                    "target": threshold,
                    "recommendation": text,
                    "kind": kind,
                }
            )
    return out


# ---- lifecycle --------------------------------------------------------------------------------------

Status = Literal["scheduled", "in_progress", "scored", "integrated", "completed"]


def status_after_ratings(status: str, complete: bool) -> str:
    """scheduled -> in_progress at the first rating; -> scored when every assigned assessor rated all."""
    if status in ("integrated", "completed"):
        return status
    return "scored" if complete else "in_progress"


def valid_until(completed: date, years: int) -> date:
    """Results expire `years` after completion (29 February falls back to 28 February)."""
    try:
        return completed.replace(year=completed.year + years)
    except ValueError:
        return completed.replace(year=completed.year + years, day=28)


# ---- SKP (PermenPANRB 6/2022) ---------------------------------------------------------------------

Expectation = Literal["di_bawah", "sesuai", "di_atas"]
# (rating hasil kerja, rating perilaku kerja) -> predikat kinerja
PREDIKAT_MATRIX: dict[tuple[str, str], str] = {
    ("di_atas", "di_atas"): "Sangat Baik",
    ("di_atas", "sesuai"): "Baik",
    ("di_atas", "di_bawah"): "Butuh Perbaikan",
    ("sesuai", "di_atas"): "Baik",
    ("sesuai", "sesuai"): "Baik",
    ("sesuai", "di_bawah"): "Butuh Perbaikan",
    ("di_bawah", "di_atas"): "Kurang",
    ("di_bawah", "sesuai"): "Kurang",
    ("di_bawah", "di_bawah"): "Sangat Kurang",
}


def predikat_from(hasil_kerja: str, perilaku_kerja: str) -> str:
    return PREDIKAT_MATRIX[(hasil_kerja, perilaku_kerja)]
