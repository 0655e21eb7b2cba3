"""Succession rules with no I/O: tiers, JPM against a position's standard, readiness, ranking with
reasons, bench strength and the merit-system flag (DESIGN.md section 2, issue 5)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

# The structural ladder, highest first (JPT Utama = eselon I.a .. Pengawas = eselon IV). Fungsional is
# a separate track with its own levels: it has no structural "tier below".
STRUCTURAL_TIERS = ("JPT Utama", "JPT Madya", "JPT Pratama", "Administrator", "Pengawas", "Pelaksana")
CandidateSource = Literal["tier_below", "same_tier", "both"]
Readiness = Literal["ready_now", "1_2_years", "future"]
READINESS_ORDER: tuple[Readiness, ...] = ("ready_now", "1_2_years", "future")
READINESS_NAMES: Mapping[str, str] = {
    "ready_now": "ready now",
    "1_2_years": "ready in 1-2 years",
    "future": "future",
}
# SKP predikat, best first (PermenPANRB 6/2022).
PREDIKAT_ORDER = ("Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang")
DEFAULT_KEY_TIERS = ("JPT Pratama", "Administrator", "Pengawas")
DEFAULT_MERIT_THRESHOLD = 325.0  # Kota Cirebon: fill from the pool without open bidding at >= 325
MEMENUHI_SYARAT, MASIH_MEMENUHI_SYARAT = 80.0, 68.0  # JPM selection categories


def tier_below(tier: str) -> str | None:
    """The next tier down the structural ladder; None for Pelaksana, Fungsional or an unknown tier."""
    if tier not in STRUCTURAL_TIERS or tier == STRUCTURAL_TIERS[-1]:
        return None
    return STRUCTURAL_TIERS[STRUCTURAL_TIERS.index(tier) + 1]


def source_tiers(tier: str, source: CandidateSource) -> tuple[str, ...]:
    """Where a position's successors come from. With no tier below (Pelaksana, Fungsional) the
    position's own tier is the only source, whatever the setting: there is nobody else to rank."""
    below = tier_below(tier)
    if source == "same_tier" or below is None:
        return (tier,)
    if source == "tier_below":
        return (below,)
    return (tier, below)


def selection_category(jpm: float) -> str:
    if jpm >= MEMENUHI_SYARAT:
        return "Memenuhi Syarat"
    if jpm >= MASIH_MEMENUHI_SYARAT:
        return "Masih Memenuhi Syarat"
    return "Kurang Memenuhi Syarat"


def job_person_match(
    scores: Mapping[str, int], standard: Mapping[str, int]
) -> tuple[float | None, dict[str, int]]:
    """JPM = sum(min(actual, required)) / sum(required) x 100 over the standard's competencies (a
    competency not assessed counts 0), and the shortfall per competency. None: no standard known."""
    required = {c: level for c, level in standard.items() if level > 0}
    total = sum(required.values())
    if total == 0:
        return None, {}
    met = sum(min(scores.get(c, 0), level) for c, level in required.items())
    gaps = {c: level - scores.get(c, 0) for c, level in sorted(required.items()) if scores.get(c, 0) < level}
    return round(100.0 * met / total, 2), gaps


@dataclass(frozen=True)
class ReadinessRules:
    """Ready now: a box in `ready_now_boxes` whatever the JPM, or a box in `ready_now_jpm_boxes` with
    JPM >= `ready_now_jpm`; 1-2 years: JPM >= `one_to_two_years_jpm`; future otherwise."""

    ready_now_boxes: frozenset[int] = frozenset({9})
    ready_now_jpm_boxes: frozenset[int] = frozenset({8})
    ready_now_jpm: float = MEMENUHI_SYARAT
    one_to_two_years_jpm: float = MASIH_MEMENUHI_SYARAT


@dataclass(frozen=True)
class SuccessionSettings:
    version: int = 1  # version 1: the defaults, never stored
    candidate_source: CandidateSource = "tier_below"
    key_tiers: tuple[str, ...] = DEFAULT_KEY_TIERS
    merit_index: float | None = None
    merit_threshold: float = DEFAULT_MERIT_THRESHOLD
    readiness: ReadinessRules = field(default_factory=ReadinessRules)


DEFAULT_SETTINGS = SuccessionSettings()


def readiness_of(box: int, jpm: float | None, rules: ReadinessRules) -> tuple[Readiness, str]:
    """The readiness and why. A position without a known standard gives no JPM: only the box counts."""
    if box in rules.ready_now_boxes:
        return "ready_now", f"ready now: box {box}"
    shown = "no standard" if jpm is None else f"JPM {_fmt(jpm)}"
    if jpm is not None and box in rules.ready_now_jpm_boxes and jpm >= rules.ready_now_jpm:
        return "ready_now", f"ready now: box {box} with {shown} >= {_fmt(rules.ready_now_jpm)}"
    if jpm is not None and jpm >= rules.one_to_two_years_jpm:
        return "1_2_years", f"ready in 1-2 years: {shown} >= {_fmt(rules.one_to_two_years_jpm)}"
    return "future", f"future: {shown} below {_fmt(rules.one_to_two_years_jpm)}"


def merit_flag(settings: SuccessionSettings) -> tuple[bool, str]:
    """May the tenant fill a position from the talent pool without open bidding (seleksi terbuka)?"""
    index, threshold = settings.merit_index, settings.merit_threshold
    if index is None:
        return False, "merit-system index not recorded for the tenant: open bidding required"
    if index >= threshold:
        return True, (
            f"merit-system index {_fmt(index)} >= {_fmt(threshold)}: may fill from the talent pool "
            "without open bidding"
        )
    return False, f"merit-system index {_fmt(index)} < {_fmt(threshold)}: open bidding required"


@dataclass(frozen=True)
class PositionStandard:
    code: str
    tier: str
    requirements: Mapping[str, int]
    technical_requirements: Mapping[str, int]
    unit_code: str | None = None
    holder_nip: str | None = None
    previous_holder_nip: str | None = None

    @property
    def standard(self) -> dict[str, int]:
        return {**self.requirements, **self.technical_requirements}


@dataclass(frozen=True)
class Candidate:
    """An active employee in the talent pool with a still-valid assessment (the SQL already chose them)."""

    nip: str
    name: str
    tier: str | None
    unit_code: str | None
    position_code: str | None
    box: int
    predikat: str
    skp_year: int
    potential_score: float
    scores: Mapping[str, int]
    valid_until: date | None = None


@dataclass(frozen=True)
class RankedCandidate:
    rank: int
    candidate: Candidate
    jpm: float | None
    jpm_category: str | None
    gaps: dict[str, int]
    readiness: Readiness
    reasons: tuple[str, ...]
    decided_by: str | None  # what put it below the one ranked just above (None for the first)


def eligible(candidate: Candidate, position: PositionStandard) -> bool:
    """Never the position's own current or previous holder."""
    return candidate.nip not in (position.holder_nip, position.previous_holder_nip) and (
        candidate.position_code != position.code
    )


def _predikat_rank(predikat: str) -> int:
    return PREDIKAT_ORDER.index(predikat) if predikat in PREDIKAT_ORDER else len(PREDIKAT_ORDER)


# DESIGN.md section 2: by box, JPM against the vacant position's standard, performance, readiness.
RANK_KEYS = ("box", "JPM", "SKP predikat", "readiness", "potential score", "NIP")


def _key(c: Candidate, jpm: float | None, readiness: Readiness) -> tuple:
    return (
        -c.box,  # 9 before 8 before 7
        -(jpm if jpm is not None else -1.0),
        _predikat_rank(c.predikat),
        READINESS_ORDER.index(readiness),
        -c.potential_score,
        c.nip,  # deterministic
    )


def rank_candidates(
    candidates: Iterable[Candidate], position: PositionStandard, rules: ReadinessRules
) -> list[RankedCandidate]:
    """Rank by box (9 > 8 > 7), then JPM against the position's standard, SKP predikat, readiness,
    potential score and NIP; each with its reasons and the key that separated it from the one above."""
    standard = position.standard
    scored = []
    for c in candidates:
        if not eligible(c, position):
            continue
        jpm, gaps = job_person_match(c.scores, standard)
        readiness, why_ready = readiness_of(c.box, jpm, rules)
        scored.append((_key(c, jpm, readiness), c, jpm, gaps, readiness, why_ready))
    scored.sort(key=lambda s: s[0])
    ranked: list[RankedCandidate] = []
    previous: tuple | None = None
    for i, (key, c, jpm, gaps, readiness, why_ready) in enumerate(scored, start=1):
        decided_by = None
        if previous is not None:
            decided_by = next(name for name, a, b in zip(RANK_KEYS, previous, key) if a != b)
        previous = key
        category = selection_category(jpm) if jpm is not None else None
        reasons = [f"box {c.box}"]
        if jpm is None:
            reasons.append(f"no competency standard known for {position.code}: JPM not computed")
        else:
            reasons.append(f"JPM {_fmt(jpm)} vs {position.code} standard ({category})")
            if gaps:
                reasons.append("below standard: " + ", ".join(f"{k} -{v}" for k, v in gaps.items()))
        reasons.append(f"SKP {c.skp_year} {c.predikat}")
        reasons.append(f"potential score {_fmt(c.potential_score)}")
        reasons.append(why_ready)
        ranked.append(RankedCandidate(i, c, jpm, category, gaps, readiness, tuple(reasons), decided_by))
    return ranked


def readiness_counts(
    candidates: Sequence[Candidate], position: PositionStandard, rules: ReadinessRules
) -> dict[str, int]:
    """How many eligible successors a position has per readiness (JPM computed only when it matters)."""
    counts = {r: 0 for r in READINESS_ORDER}
    standard = position.standard
    for c in candidates:
        if not eligible(c, position):
            continue
        jpm = None if c.box in rules.ready_now_boxes else job_person_match(c.scores, standard)[0]
        counts[readiness_of(c.box, jpm, rules)[0]] += 1
    return counts


class SuccessorCounter:
    """`readiness_counts` for many positions drawing on one pool, without computing every candidate's
    JPM for every position (700 key positions x 5,000 candidates is 3.5 million JPMs).

    A position's standard is its requirements (usually shared by a tier) plus a few technical
    competencies that few candidates have a score for. Per distinct requirements, each candidate's
    integer sum of min(actual, required) is computed once and sorted; a position's counts are then a
    binary search for the smallest sum that reaches each JPM threshold, corrected one by one for the
    few candidates with a score in its technical competencies and for the excluded holders. Gives
    exactly what `readiness_counts` gives (tested)."""

    def __init__(self, candidates: Sequence[Candidate], rules: ReadinessRules) -> None:
        self.rules = rules
        self.always = [c for c in candidates if c.box in rules.ready_now_boxes]
        self.by_jpm = [c for c in candidates if c.box not in rules.ready_now_boxes]
        self._scored: dict[str, list[Candidate]] = {}  # competency -> the candidates with a score in it
        for c in self.by_jpm:
            for code, level in c.scores.items():
                if level > 0:
                    self._scored.setdefault(code, []).append(c)
        self._sums: dict[tuple, tuple[list[int], list[int]]] = {}  # base -> sorted sums (JPM boxes, others)
        self._by_nip = {c.nip: c for c in candidates}
        self._by_position: dict[str, list[Candidate]] = {}
        for c in candidates:
            if c.position_code is not None:
                self._by_position.setdefault(c.position_code, []).append(c)

    def _excluded(self, position: PositionStandard) -> dict[int, Candidate]:
        """The position's own holders among the pool (found by NIP and position, not by a scan)."""
        found = [self._by_nip.get(n) for n in (position.holder_nip, position.previous_holder_nip) if n]
        found += self._by_position.get(position.code, [])
        return {id(c): c for c in found if c is not None}

    def _base_sums(self, base: Mapping[str, int]) -> tuple[list[int], list[int]]:
        key = tuple(sorted(base.items()))
        if key not in self._sums:
            jpm_boxes, others = [], []
            for c in self.by_jpm:
                met = sum(min(c.scores.get(code, 0), level) for code, level in key)
                (jpm_boxes if c.box in self.rules.ready_now_jpm_boxes else others).append(met)
            self._sums[key] = (sorted(jpm_boxes), sorted(others))
        return self._sums[key]

    def _classify(self, c: Candidate, jpm: float | None) -> Readiness:
        return readiness_of(c.box, jpm, self.rules)[0]

    def counts(self, position: PositionStandard) -> dict[str, int]:
        standard = {code: level for code, level in position.standard.items() if level > 0}
        total = sum(standard.values())
        counts = {r: 0 for r in READINESS_ORDER}
        excluded = self._excluded(position)
        jpm_excluded = {i: c for i, c in excluded.items() if c.box not in self.rules.ready_now_boxes}
        counts["ready_now"] = len(self.always) - (len(excluded) - len(jpm_excluded))
        if total == 0:
            counts["future"] = len(self.by_jpm) - len(jpm_excluded)
            return counts
        technical = {code for code in position.technical_requirements if code in standard}
        base = {code: level for code, level in standard.items() if code not in technical}
        jpm_boxes, others = self._base_sums(base)

        def reaching(threshold: float) -> int:
            """The smallest integer sum whose JPM (rounded as job_person_match does) reaches threshold."""
            met = max(0, int(threshold * total / 100) - 1)
            while met <= total and round(100.0 * met / total, 2) < threshold:
                met += 1
            return met

        ready, soon = reaching(self.rules.ready_now_jpm), reaching(self.rules.one_to_two_years_jpm)
        n_ready = len(jpm_boxes) - bisect_left(jpm_boxes, ready)
        n_soon = len(jpm_boxes) + len(others) - bisect_left(jpm_boxes, soon) - bisect_left(others, soon)
        counts["ready_now"] += n_ready
        counts["1_2_years"] += n_soon - n_ready
        counts["future"] += len(jpm_boxes) + len(others) - n_soon
        # Correct for those the base sums counted wrongly: a score in a technical competency, or excluded.
        special = {id(c): c for code in technical for c in self._scored.get(code, ())} | jpm_excluded
        for c in special.values():
            met = sum(min(c.scores.get(code, 0), level) for code, level in base.items())
            counts[self._classify(c, round(100.0 * met / total, 2))] -= 1
            if eligible(c, position):
                counts[self._classify(c, job_person_match(c.scores, standard)[0])] += 1
        return counts


def _fmt(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0") if value != int(value) else str(int(value))
