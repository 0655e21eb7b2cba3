"""The suggested development plan, box names and the sane status changes and dates (no I/O)."""

from __future__ import annotations

from datetime import date

import pytest
from placement.domain import RECOMMENDATIONS
from placement.plans.domain import (
    KINDS,
    TREATMENT_KINDS,
    box_name,
    check_dates,
    check_transition,
    cycle_of,
    pending,
    plan_kind,
    suggested_plan,
    suggestion_key,
)

KOMUNIKASI = {
    "instrument": "Komunikasi",
    "level": 2,
    "target": 3,
    "recommendation": "Pelatihan public speaking dan komunikasi efektif",
    "kind": "training",
}


def test_every_box_treatment_has_a_plan_kind():
    texts = {t for treatments in RECOMMENDATIONS.values() for t in treatments}
    assert texts <= set(TREATMENT_KINDS)
    assert set(TREATMENT_KINDS.values()) <= set(KINDS)


def test_box_names_follow_the_grid():
    assert box_name(9) == "9 — high potential, above expectation"
    assert box_name(1) == "1 — low potential, below expectation"
    assert box_name(6) == "6 — high potential, below expectation"
    assert box_name(2) == "2 — low potential, meets expectation"


def test_a_low_box_gets_guidance_and_counselling_from_its_box():
    plan = suggested_plan(3, [])
    assert [(s.title, s.kind, s.source) for s in plan] == [
        ("Guidance", "coaching", "box 3"),
        ("Counselling", "counselling", "box 3"),
        ("Competency development", "training", "box 3"),
        ("Suitable placement", "placement", "box 3"),
    ]


def test_gaps_drive_training_and_replace_the_generic_competency_development():
    plan = suggested_plan(3, [KOMUNIKASI])
    assert [(s.title, s.kind, s.source) for s in plan] == [
        ("Guidance", "coaching", "box 3"),
        ("Counselling", "counselling", "box 3"),
        ("Suitable placement", "placement", "box 3"),
        ("Pelatihan public speaking dan komunikasi efektif", "training", "gap: Komunikasi 2 < 3"),
    ]


def test_needs_with_the_same_recommendation_are_one_item_with_both_sources():
    coaching = {"recommendation": "Coaching dan mentoring", "kind": "coaching", "target": 3}
    needs = [
        {**coaching, "instrument": "Pengembangan Diri dan Orang Lain", "level": 1},
        {**coaching, "instrument": "Orientasi pada Hasil", "level": 2},
    ]
    [item] = suggested_plan(None, needs)
    assert item.source == "gap: Pengembangan Diri dan Orang Lain 1 < 3; gap: Orientasi pada Hasil 2 < 3"
    assert item.kind == "coaching"


def test_a_gap_without_a_development_need_becomes_competency_development():
    plan = suggested_plan(
        None, [KOMUNIKASI], gaps={"Komunikasi": 1, "Manajemen ASN": 3}, scores={"Manajemen ASN": 0}
    )
    assert [(s.title, s.source) for s in plan] == [
        ("Pelatihan public speaking dan komunikasi efektif", "gap: Komunikasi 2 < 3"),
        ("Competency development: Manajemen ASN", "gap: Manajemen ASN 0 < 3"),
    ]


def test_a_box_treatment_and_a_need_with_the_same_kind_and_title_are_one_item():
    need = {"instrument": "Motivasi dan Komitmen", "level": 2, "target": 3, "recommendation": "counselling",
            "kind": "counselling"}  # fmt: skip
    plan = suggested_plan(3, [need])
    assert [s.source for s in plan if s.kind == "counselling"] == ["gap: Motivasi dan Komitmen 2 < 3"]


def test_the_top_box_is_promotion_and_award():
    assert [(s.kind, s.title) for s in suggested_plan(9, [])] == [
        ("promotion", "Promotion and retention"),
        ("promotion", "National/agency succession"),
        ("award", "Award"),
    ]


def test_keys_are_stable_and_adopted_suggestions_are_left_out():
    plan = suggested_plan(3, [KOMUNIKASI])
    assert suggestion_key("coaching", "Guidance") == "coaching:guidance"
    assert [s.key for s in suggested_plan(3, [KOMUNIKASI])] == [s.key for s in plan]
    left = pending(plan, ["coaching:guidance", "counselling:counselling"])
    assert [s.title for s in left] == [
        "Suitable placement",
        "Pelatihan public speaking dan komunikasi efektif",
    ]
    assert cycle_of("a-1", 2025) == "assessment a-1, SKP 2025"


def test_assessment_kinds_map_to_plan_kinds():
    assert plan_kind("training") == "training"
    assert plan_kind("assignment") == "rotation"
    assert plan_kind("Counseling") == "counselling"
    assert plan_kind("karaoke") == "other"


def test_dates_must_not_end_before_they_start():
    assert check_dates(date(2026, 3, 1), date(2026, 2, 1)) is not None
    assert check_dates(date(2026, 3, 1), date(2026, 3, 1)) is None
    assert check_dates(None, date(2026, 3, 1)) is None


@pytest.mark.parametrize(
    ("current", "new", "reason", "ok"),
    [
        ("planned", "in_progress", None, True),
        ("in_progress", "done", None, True),
        ("planned", "cancelled", None, True),
        ("done", "done", None, True),
        ("done", "planned", None, False),
        ("done", "in_progress", "  ", False),
        ("done", "in_progress", "materi belum selesai", True),
        ("cancelled", "planned", None, False),
        ("planned", "finished", None, False),
    ],
)
def test_status_changes(current, new, reason, ok):
    assert (check_transition(current, new, reason) is None) == ok
