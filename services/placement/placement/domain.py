"""Nine-box rules with no I/O (Permenpan RB 3/2020, DESIGN.md section 2).

Rows are performance, columns potential. The thresholds and the SKP mapping come from a rule set so
that tenants can change them; `DEFAULT_RULES` holds the regulation's defaults.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

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


# The parts of the potential score and their default weights: the competency JPM and the potential
# aspects count equally (as the assessment service weighs them by default); the track record counts
# only where a tenant gives it a weight.
POTENTIAL_PARTS = ("jpm", "aspects", "track_record")
DEFAULT_POTENTIAL_WEIGHTS: Mapping[str, float] = {"jpm": 50.0, "aspects": 50.0, "track_record": 0.0}
PART_NAMES = {"jpm": "JPM", "aspects": "potential aspects", "track_record": "track record"}
MAX_VALIDITY_YEARS = 3  # Perban BKN 26/2019; a tenant may shorten it (Mojokerto: 2)


@dataclass(frozen=True)
class RuleSet:
    version: int = 1
    potential_high: float = 80.0
    potential_middle: float = 60.0
    predikat_levels: Mapping[str, PerformanceLevel] = field(
        default_factory=lambda: dict(DEFAULT_PREDIKAT_LEVELS)
    )
    potential_weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_POTENTIAL_WEIGHTS))
    validity_years: int = MAX_VALIDITY_YEARS
    talent_pool_boxes: frozenset[int] = SUCCESSION_BOXES


class PotentialParts(NamedTuple):  # a tuple: made 100,000 times in a recompute
    """What an assessment result offers the potential axis, each 0-100 or None when not assessed;
    `reported` is the assessment service's own potential score (used when no part is present)."""

    reported: float
    jpm: float | None = None
    aspects: float | None = None
    track_record: float | None = None


def level_percent(levels: list[int]) -> float | None:
    """The mean of 1-5 levels as 0-100 (level 4 on average is 80, level 3 is 60)."""
    return round(100.0 * sum(levels) / len(levels) / 5, 2) if levels else None


def potential_score(parts: PotentialParts, weights: Mapping[str, float]) -> tuple[float, str]:
    """The weighted mean of the parts present with a weight above 0; a missing part leaves its weight
    to the others. Without any, the assessment's reported score stands (how: ""). Returns the score
    and how it was made ("JPM 80 x 50% + potential aspects 88 x 50%")."""
    values = (("jpm", parts.jpm), ("aspects", parts.aspects), ("track_record", parts.track_record))
    present = [
        (name, value, w) for name, value in values if value is not None and (w := weights.get(name, 0.0)) > 0
    ]
    if not present:
        return round(parts.reported, 2), ""
    total = sum(w for _, _, w in present)
    score = round(sum(value * w for _, value, w in present) / total, 2)
    how = " + ".join(
        f"{PART_NAMES[name]} {_fmt(value)} x {_fmt(round(100 * w / total, 1))}%" for name, value, w in present
    )
    return score, how


def valid_until(completed: date, reported_until: date, rules: RuleSet) -> date:
    """A result stays valid for the tenant's years from completion, never past what assessment said."""
    try:
        by_rule = completed.replace(year=completed.year + rules.validity_years)
    except ValueError:  # 29 February
        by_rule = completed.replace(year=completed.year + rules.validity_years, day=28)
    return min(by_rule, reported_until)


DEFAULT_RULES = RuleSet()


class Placement(NamedTuple):  # a tuple: made 100,000 times in a recompute
    box: int
    potential_level: PotentialLevel
    performance_level: PerformanceLevel
    reasons: tuple[str, ...]
    potential_score: float = 0.0
    in_talent_pool: bool = False

    @property
    def explanation(self) -> str:
        return explain(self.box, self.reasons)


def waiting_for(has_performance: bool, has_potential: bool) -> str:
    """What an employee without a placement still lacks, in the officer's words."""
    missing = [name for name, present in (("an SKP predikat", has_performance),
                                          ("a completed assessment", has_potential)) if not present]  # fmt: skip
    return f"waiting for {' and '.join(missing)}"


def trend(changes: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Per SKP year (a cycle), the last box of that year: `changes` are (skp_year, box), oldest first."""
    return sorted({year: box for year, box in changes}.items())


def explain(box: int, reasons: tuple[str, ...] | list[str]) -> str:
    return f"box {box}: " + "; ".join(reasons)


def _fmt(x: float) -> str:
    return f"{round(x, 2):g}"


def potential_level(score: float, rules: RuleSet, how: str = "") -> tuple[PotentialLevel, str]:
    made = f" ({how})" if how else ""
    if score >= rules.potential_high:
        return "high", f"potential {_fmt(score)}{made} >= {_fmt(rules.potential_high)} -> high"
    if score >= rules.potential_middle:
        return "middle", f"potential {_fmt(score)}{made} >= {_fmt(rules.potential_middle)} -> middle"
    return "low", f"potential {_fmt(score)}{made} < {_fmt(rules.potential_middle)} -> low"


def performance_level(predikat: str, year: int, rules: RuleSet) -> tuple[PerformanceLevel, str]:
    level = rules.predikat_levels[predikat]
    return level, f"SKP {year} {predikat} -> {level}"


def place(
    potential: float | PotentialParts, predikat: str, skp_year: int, rules: RuleSet = DEFAULT_RULES
) -> Placement:
    """The box for an assessment result and an SKP predikat under the rules, with the reasons. A bare
    score is taken as it is (the assessment's own potential score)."""
    if isinstance(potential, PotentialParts):
        score, how = potential_score(potential, rules.potential_weights)
    else:
        score, how = potential, ""
    pot, pot_reason = potential_level(score, rules, how)
    perf, perf_reason = performance_level(predikat, skp_year, rules)
    return Placement(
        box=NINE_BOX[(perf, pot)],
        potential_level=pot,
        performance_level=perf,
        reasons=(pot_reason, perf_reason),
        potential_score=score,
        in_talent_pool=NINE_BOX[(perf, pot)] in rules.talent_pool_boxes,
    )


# ---- distribution across units ----------------------------------------------------------------------

LOW_BOXES = frozenset({1, 2, 3})  # the boxes that call for guidance and counselling first
OUTLIER_Z = 2.0  # how many standard errors from the overall share makes a unit stand out
OUTLIER_MIN_SIZE = 10  # a unit smaller than this is too small to call an outlier


@dataclass(frozen=True)
class UnitShare:
    unit_code: str
    counts: Mapping[int, int]  # box -> employees

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def share(self, boxes: frozenset[int]) -> float:
        return sum(self.counts.get(b, 0) for b in boxes) / self.total if self.total else 0.0


def counts_by_child_unit(
    rows: Iterable[tuple[str, int, int]], parent: str | None
) -> dict[str, dict[int, int]]:
    """(unit path, box, employees) rows summed per unit directly under `parent` (None: per top-level
    unit); sub-units count in their ancestor, and people in `parent` itself form its own group."""
    by_unit: dict[str, dict[int, int]] = {}
    for path, box, count in rows:
        codes = [c for c in path.split("/") if c]
        if not codes:
            continue  # a path without a unit says nothing about units
        if parent is not None:
            codes = codes[codes.index(parent) :]  # the path from the parent down
        code = codes[1] if parent is not None and len(codes) > 1 else codes[0]
        boxes = by_unit.setdefault(code, {})
        boxes[box] = boxes.get(box, 0) + count
    return by_unit


def outliers(
    units: list[UnitShare],
    pool_boxes: frozenset[int] = SUCCESSION_BOXES,
    *,
    z: float = OUTLIER_Z,
    min_size: int = OUTLIER_MIN_SIZE,
) -> dict[str, list[str]]:
    """Units whose share of the talent pool or of the low boxes differs from the other units' by more
    than `z` standard errors (two-proportion test of the unit against the rest), with why in words."""
    total = sum(u.total for u in units)
    flagged: dict[str, list[str]] = {}
    for label, boxes in (("talent pool", pool_boxes), ("boxes 1-3", LOW_BOXES)):
        in_boxes = sum(round(u.share(boxes) * u.total) for u in units)
        for u in units:
            rest = total - u.total
            if u.total < min_size or rest < min_size:
                continue
            mine = round(u.share(boxes) * u.total)
            pooled = in_boxes / total
            if pooled in (0.0, 1.0):
                continue  # everybody or nobody: no unit can differ
            others = (in_boxes - mine) / rest
            se = (pooled * (1 - pooled) * (1 / u.total + 1 / rest)) ** 0.5
            score = (mine / u.total - others) / se
            if abs(score) >= z:
                flagged.setdefault(u.unit_code, []).append(
                    f"{label} {100 * mine / u.total:.0f}% vs {100 * others:.0f}% in the other units"
                    f" ({'above' if score > 0 else 'below'}, z {score:+.1f}, {u.total} employees)"
                )
    return flagged
