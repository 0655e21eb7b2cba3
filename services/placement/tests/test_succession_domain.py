"""Succession rules without I/O: tiers, JPM against a standard, readiness, ranking and the merit flag."""

from __future__ import annotations

import random

import pytest
from placement.succession.domain import (
    Candidate,
    PositionStandard,
    ReadinessRules,
    SuccessionSettings,
    SuccessorCounter,
    job_person_match,
    merit_flag,
    rank_candidates,
    readiness_counts,
    readiness_of,
    selection_category,
    source_tiers,
    tier_below,
)

RULES = ReadinessRules()
KABID = PositionStandard(
    code="KABID-MUTASI",
    tier="Administrator",
    requirements={"Integritas": 3, "Kerjasama": 3, "Komunikasi": 3},
    technical_requirements={"Manajemen ASN": 4},
    holder_nip=None,
    previous_holder_nip="196501011990031001",
)


def person(nip: str, box: int, scores: dict[str, int], predikat: str = "Baik", potential: float = 80.0, **kw):
    return Candidate(
        nip=nip, name=f"P {nip[-3:]}", tier="Pengawas", unit_code="U", position_code=kw.get("position_code"),
        box=box, predikat=predikat, skp_year=2025, potential_score=potential, scores=scores,
    )  # fmt: skip


def test_tier_below_follows_the_structural_ladder_and_falls_back_to_the_same_tier():
    assert tier_below("Administrator") == "Pengawas"
    assert tier_below("JPT Pratama") == "Administrator"
    assert tier_below("Pelaksana") is None and tier_below("Fungsional") is None
    assert source_tiers("Administrator", "tier_below") == ("Pengawas",)
    assert source_tiers("Administrator", "same_tier") == ("Administrator",)
    assert source_tiers("Administrator", "both") == ("Administrator", "Pengawas")
    assert source_tiers("Fungsional", "tier_below") == ("Fungsional",)


def test_jpm_is_capped_per_competency_and_counts_missing_ones_as_zero():
    jpm, gaps = job_person_match({"Integritas": 5, "Kerjasama": 2, "Komunikasi": 3}, KABID.standard)
    # min(5,3) + min(2,3) + 3 + 0 (Manajemen ASN not assessed) = 8 of 13
    assert jpm == round(800 / 13, 2)
    assert gaps == {"Kerjasama": 1, "Manajemen ASN": 4}
    assert job_person_match({"Integritas": 3}, {}) == (None, {})
    full = {"Integritas": 4, "Kerjasama": 4, "Komunikasi": 4, "Manajemen ASN": 4}
    assert job_person_match(full, KABID.standard) == (100.0, {})


@pytest.mark.parametrize(
    ("jpm", "category"),
    [(80, "Memenuhi Syarat"), (79.99, "Masih Memenuhi Syarat"), (68, "Masih Memenuhi Syarat"),
     (67.9, "Kurang Memenuhi Syarat")],
)  # fmt: skip
def test_selection_categories(jpm, category):
    assert selection_category(jpm) == category


def test_readiness_defaults_and_configurable_thresholds():
    assert readiness_of(9, 10.0, RULES)[0] == "ready_now"
    assert readiness_of(8, 80.0, RULES)[0] == "ready_now"
    assert readiness_of(8, 79.9, RULES)[0] == "1_2_years"
    assert readiness_of(7, 95.0, RULES)[0] == "1_2_years"  # box 7 is not ready now by JPM by default
    assert readiness_of(7, 67.9, RULES)[0] == "future"
    assert readiness_of(8, None, RULES)[0] == "future"  # no standard: only the box can make it ready
    strict = ReadinessRules(
        ready_now_boxes=frozenset(), ready_now_jpm_boxes=frozenset({8, 9}), ready_now_jpm=90
    )
    assert readiness_of(9, 85.0, strict) == ("1_2_years", "ready in 1-2 years: JPM 85 >= 68")


def test_ranking_key_order_reasons_and_what_decided_each_rank():
    strong = {"Integritas": 4, "Kerjasama": 4, "Komunikasi": 4, "Manajemen ASN": 4}
    weak = {"Integritas": 3, "Kerjasama": 2, "Komunikasi": 2, "Manajemen ASN": 2}  # 9/13 = 69.2
    people = [
        person("199001012015011005", 8, weak, "Sangat Baik"),  # 1-2 years
        person("199001012015011004", 7, strong, "Sangat Baik"),  # 1-2 years, lower box
        person("199001012015011003", 8, strong, "Baik", 70),  # ready now (box 8, JPM 100)
        person("199001012015011002", 9, weak, "Sangat Baik"),  # ready now, box 9
        person("199001012015011001", 8, strong, "Sangat Baik", 70),  # ready now, better SKP than ...003
        person("199001012015011009", 8, strong, "Sangat Baik", 90),  # same, higher potential
        person("199001012015011008", 8, strong, "Sangat Baik", 90),  # a tie: the NIP decides
        person("196501011990031001", 9, strong),  # the previous holder: never a candidate
        person("199001012015011007", 9, strong, position_code="KABID-MUTASI"),  # holds it: excluded
    ]
    ranked = rank_candidates(people, KABID, RULES)
    assert [r.candidate.nip[-3:] for r in ranked] == ["002", "008", "009", "001", "003", "005", "004"]
    assert [r.decided_by for r in ranked] == [
        None, "box", "NIP", "potential score", "SKP predikat", "JPM", "box",
    ]  # fmt: skip
    first = ranked[0]
    assert first.reasons[0] == "box 9"
    assert first.reasons[1] == "JPM 69.2 vs KABID-MUTASI standard (Masih Memenuhi Syarat)"
    assert "Manajemen ASN -2" in first.reasons[2]
    assert first.reasons[-2:] == ("potential score 80", "ready now: box 9")
    assert ranked[1].jpm == 100 and ranked[1].jpm_category == "Memenuhi Syarat"
    assert "SKP 2025 Sangat Baik" in ranked[1].reasons
    counts = readiness_counts(people, KABID, RULES)
    assert counts == {"ready_now": 5, "1_2_years": 2, "future": 0}


def test_merit_flag_at_the_threshold():
    assert merit_flag(SuccessionSettings(merit_index=325))[0] is True
    assert merit_flag(SuccessionSettings(merit_index=324.9)) == (
        False, "merit-system index 324.9 < 325: open bidding required",
    )  # fmt: skip
    assert merit_flag(SuccessionSettings(merit_index=None))[0] is False
    assert merit_flag(SuccessionSettings(merit_index=300, merit_threshold=300))[0] is True


def test_the_fast_counter_gives_what_counting_one_by_one_gives():
    rnd = random.Random(5)
    codes = ["Integritas", "Kerjasama", "Komunikasi", "Manajemen ASN", "Literasi Digital"]
    people = [
        Candidate(
            nip=f"{i:018d}", name="x", tier="Pengawas", unit_code="U",
            position_code=rnd.choice([None, None, "P-1", "P-2"]), box=rnd.choice([5, 7, 8, 9]),
            predikat="Baik", skp_year=2025, potential_score=70,
            scores={c: rnd.randint(1, 5) for c in codes if rnd.random() < (0.95 if i % 3 else 0.3)},
        )
        for i in range(400)
    ]  # fmt: skip
    rule_sets = [
        RULES,
        ReadinessRules(frozenset(), frozenset({7, 8, 9}), ready_now_jpm=85.5, one_to_two_years_jpm=61.3),
        ReadinessRules(frozenset({8, 9}), frozenset({7}), ready_now_jpm=100, one_to_two_years_jpm=0),
    ]
    for rules in rule_sets:
        counter = SuccessorCounter(people, rules)
        for k in range(60):
            requirements = {c: rnd.randint(0, 5) for c in codes[:3]}
            technical = {c: rnd.randint(1, 4) for c in rnd.sample(codes[2:], rnd.randint(0, 2))}
            position = PositionStandard(
                code=rnd.choice(["P-1", "P-2", "P-3"]), tier="Administrator", requirements=requirements,
                technical_requirements=technical, holder_nip=rnd.choice([None, people[k].nip]),
                previous_holder_nip=rnd.choice([None, people[k + 100].nip]),
            )  # fmt: skip
            assert counter.counts(position) == readiness_counts(people, position, rules), position
