import pytest
from placement.domain import DEFAULT_RULES, RuleSet, place

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
