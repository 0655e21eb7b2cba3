from datetime import date

import pytest
from placement.domain import (
    DEFAULT_POTENTIAL_WEIGHTS,
    DEFAULT_RULES,
    PotentialParts,
    RuleSet,
    level_percent,
    place,
    potential_score,
    trend,
    valid_until,
    waiting_for,
)

# DESIGN.md section 2: rows performance, columns potential.
GRID = {
    ("Sangat Baik", 50): 4,
    ("Sangat Baik", 70): 7,
    ("Sangat Baik", 90): 9,
    ("Baik", 50): 2,
    ("Baik", 70): 5,
    ("Baik", 90): 8,
    ("Butuh Perbaikan", 50): 1,
    ("Butuh Perbaikan", 70): 3,
    ("Butuh Perbaikan", 90): 6,
}


@pytest.mark.parametrize(("predikat", "score"), list(GRID))
def test_all_nine_cells(predikat, score):
    assert place(score, predikat, 2024).box == GRID[(predikat, score)]


@pytest.mark.parametrize(
    ("score", "level"),
    [(0, "low"), (59.99, "low"), (60, "middle"), (79.99, "middle"), (80, "high"), (100, "high")],
)
def test_potential_threshold_edges(score, level):
    assert place(score, "Baik", 2024).potential_level == level


@pytest.mark.parametrize(
    ("predikat", "level"),
    [("Sangat Baik", "above"), ("Baik", "meets"), ("Butuh Perbaikan", "below"), ("Kurang", "below"), ("Sangat Kurang", "below")],
)
def test_skp_predikat_mapping(predikat, level):
    assert place(70, predikat, 2024).performance_level == level


def test_placement_explains_itself():
    result = place(84, "Butuh Perbaikan", 2024)
    assert result.explanation == "box 6: potential 84 >= 80 -> high; SKP 2024 Butuh Perbaikan -> below"
    assert not result.in_talent_pool


def test_succession_group_is_boxes_7_to_9():
    pooled = {box for (predikat, score), box in GRID.items() if place(score, predikat, 2024).in_talent_pool}
    assert pooled == {7, 8, 9}


def test_thresholds_come_from_the_rule_set():
    rules = RuleSet(version=2, potential_high=90, potential_middle=70)
    assert place(85, "Baik", 2024, rules).box == 5
    assert place(85, "Baik", 2024, DEFAULT_RULES).box == 8


# ---- potential weights, validity and pool boxes from the rule set ------------------------------------


def test_the_potential_score_weighs_the_parts_the_rules_name():
    parts = PotentialParts(reported=70, jpm=80, aspects=90, track_record=60)
    assert potential_score(parts, DEFAULT_POTENTIAL_WEIGHTS) == (85, "JPM 80 x 50% + potential aspects 90 x 50%")
    score, how = potential_score(parts, {"jpm": 40, "aspects": 40, "track_record": 20})
    assert score == 80 and how == "JPM 80 x 40% + potential aspects 90 x 40% + track record 60 x 20%"


def test_a_part_not_assessed_leaves_its_weight_to_the_others():
    assert potential_score(PotentialParts(reported=70, jpm=None, aspects=90), DEFAULT_POTENTIAL_WEIGHTS)[0] == 90
    weights = {"jpm": 40, "aspects": 40, "track_record": 20}
    assert potential_score(PotentialParts(reported=70, jpm=80, aspects=90), weights)[0] == 85


def test_without_any_part_the_assessments_own_score_stands():
    assert potential_score(PotentialParts(reported=72.5), DEFAULT_POTENTIAL_WEIGHTS) == (72.5, "")
    only_track = {"jpm": 0, "aspects": 0, "track_record": 100}
    assert potential_score(PotentialParts(reported=72.5, jpm=90), only_track) == (72.5, "")


def test_the_weighted_score_decides_the_box_and_explains_itself():
    parts = PotentialParts(reported=50, jpm=76, aspects=88)  # 82: high, although assessment said 50
    result = place(parts, "Butuh Perbaikan", 2024)
    assert result.box == 6 and result.potential_score == 82
    assert result.reasons[0] == "potential 82 (JPM 76 x 50% + potential aspects 88 x 50%) >= 80 -> high"


def test_level_percent_is_the_mean_level_out_of_five():
    assert level_percent([4, 4, 5, 3]) == 80 and level_percent([3]) == 60 and level_percent([]) is None


@pytest.mark.parametrize(
    ("completed", "reported", "years", "expected"),
    [
        (date(2024, 5, 2), date(2027, 5, 2), 3, date(2027, 5, 2)),
        (date(2024, 5, 2), date(2027, 5, 2), 2, date(2026, 5, 2)),  # Mojokerto: 2 years
        (date(2024, 5, 2), date(2025, 5, 2), 3, date(2025, 5, 2)),  # never past what assessment said
        (date(2024, 2, 29), date(2030, 1, 1), 2, date(2026, 2, 28)),
    ],
)
def test_a_result_is_valid_for_the_tenants_years_and_never_longer_than_reported(completed, reported, years, expected):
    assert valid_until(completed, reported, RuleSet(validity_years=years)) == expected


def test_the_talent_pool_boxes_come_from_the_rules():
    assert place(90, "Baik", 2024).in_talent_pool  # box 8, default pool 7-9
    narrow = RuleSet(talent_pool_boxes=frozenset({9}))
    assert not place(90, "Baik", 2024, narrow).in_talent_pool
    assert place(90, "Sangat Baik", 2024, narrow).in_talent_pool


def test_the_trend_keeps_the_last_box_of_each_skp_year():
    assert trend([(2024, 3), (2024, 5), (2025, 8), (2023, 2)]) == [(2023, 2), (2024, 5), (2025, 8)]
    assert trend([]) == []


def test_what_an_unplaced_employee_waits_for():
    assert waiting_for(False, False) == "waiting for an SKP predikat and a completed assessment"
    assert waiting_for(True, False) == "waiting for a completed assessment"
    assert waiting_for(False, True) == "waiting for an SKP predikat"
