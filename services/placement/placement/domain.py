"""Nine-box rules with no I/O (Permenpan RB 3/2020, DESIGN.md section 2).

Rows are performance, columns potential. The thresholds and the SKP mapping come from a rule set so
that tenants can change them; `DEFAULT_RULES` holds the regulation's defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bakat_common.contracts.assessment import SkpPredikat
from bakat_common.contracts.placement import AxisLevel as PotentialLevel
from bakat_common.contracts.placement import PerformanceLevel

NINE_BOX: Mapping[tuple[PerformanceLevel, PotentialLevel], int] = {
    ("above", "low"): 4,
    ("above", "middle"): 7,
    ("above", "high"): 9,
    ("meets", "low"): 2,
    ("meets", "middle"): 5,
    ("meets", "high"): 8,
    ("below", "low"): 1,
    ("below", "middle"): 3,
    ("below", "high"): 6,
}

SUCCESSION_BOXES = frozenset({7, 8, 9})

RECOMMENDATIONS: Mapping[int, tuple[str, ...]] = {
    9: ("promotion and retention", "national/agency succession", "award"),
    8: ("retention", "succession", "rotation", "performance guidance"),
    7: ("retention", "succession", "rotation/enrichment", "competency development", "study assignment"),
    6: ("suitable placement", "performance guidance and counselling"),
    5: ("suitable placement", "guidance", "competency development"),
    4: ("rotation", "competency development"),
    3: ("guidance", "counselling", "competency development", "suitable placement"),
    2: ("guidance", "competency development", "suitable placement"),
    1: ("handled per regulation",),
}

DEFAULT_PREDIKAT_LEVELS: Mapping[SkpPredikat, PerformanceLevel] = {
    "Sangat Baik": "above",
    "Baik": "meets",
    "Butuh Perbaikan": "below",
    "Kurang": "below",
    "Sangat Kurang": "below",
}


@dataclass(frozen=True)
class RuleSet:
    version: int = 1
    potential_high: float = 80.0
    potential_middle: float = 60.0
    predikat_levels: Mapping[str, PerformanceLevel] = field(default_factory=lambda: dict(DEFAULT_PREDIKAT_LEVELS))


DEFAULT_RULES = RuleSet()


@dataclass(frozen=True)
class Placement:
    box: int
    potential_level: PotentialLevel
    performance_level: PerformanceLevel
    reasons: tuple[str, ...]

    @property
    def in_talent_pool(self) -> bool:
        return self.box in SUCCESSION_BOXES

    @property
    def explanation(self) -> str:
        return explain(self.box, self.reasons)


def explain(box: int, reasons: tuple[str, ...] | list[str]) -> str:
    return f"box {box}: " + "; ".join(reasons)


def _fmt(x: float) -> str:
    return f"{x:g}"


def potential_level(score: float, rules: RuleSet) -> tuple[PotentialLevel, str]:
    if score >= rules.potential_high:
        return "high", f"potential {_fmt(score)} >= {_fmt(rules.potential_high)} -> high"
    if score >= rules.potential_middle:
        return "middle", f"potential {_fmt(score)} >= {_fmt(rules.potential_middle)} -> middle"
    return "low", f"potential {_fmt(score)} < {_fmt(rules.potential_middle)} -> low"


def performance_level(predikat: str, year: int, rules: RuleSet) -> tuple[PerformanceLevel, str]:
    level = rules.predikat_levels[predikat]
    return level, f"SKP {year} {predikat} -> {level}"


def place(potential_score: float, predikat: str, skp_year: int, rules: RuleSet = DEFAULT_RULES) -> Placement:
    pot, pot_reason = potential_level(potential_score, rules)
    perf, perf_reason = performance_level(predikat, skp_year, rules)
    return Placement(
        box=NINE_BOX[(perf, pot)], potential_level=pot, performance_level=perf, reasons=(pot_reason, perf_reason)
    )
