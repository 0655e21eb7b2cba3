"""Scheduling rules without I/O: the assessor ratio, seats in whole groups, conflicts of interest, the
lower bound on days, the reasons an officer reads, the first-fit baseline and the schedule check."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

import pytest
from scheduling.domain import (
    Assessor,
    Group,
    Participant,
    Ratio,
    RoomSlot,
    ScheduleProblem,
    assessors_needed,
    conflicts,
    explain_infeasible,
    greedy_first_fit,
    lower_bound_days,
    schedule_violations,
    split_sizes,
    staff_in_subtrees,
    usable_seats,
    working_days,
)

DAYS = tuple(
    date(2026, 11, 2) + timedelta(days=i)
    for i in range(12)
    if (date(2026, 11, 2) + timedelta(days=i)).weekday() < 5
)


def assessor(aid: str, most: int = 16, **kw: object) -> Assessor:
    return Assessor(aid, f"sub-{aid}", f"Assessor {aid}", "prov", True, most, **kw)  # type: ignore[arg-type]


def problem(n: int = 40, **kw: object) -> ScheduleProblem:
    base: dict[str, object] = dict(
        campaign_id="c",
        tenant_id="t",
        dates=DAYS,
        participants=tuple(Participant(f"P{i:04d}", "t", "/SETDA/") for i in range(n)),
        rooms=(
            RoomSlot("R0", "SMK", "Lab", "computer_lab", 24),
            RoomSlot("R1", "SMK", "Kelas", "classroom", 24),
        ),
        assessors=tuple(assessor(f"A{i}") for i in range(6)),
        daily_cap=48,
        ratio=Ratio(6, 48),
    )
    base.update(kw)
    return ScheduleProblem(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("count", "ratio", "per_group", "needed"),
    [
        (25, Ratio(7, 25), 0, 7),  # Batu
        (48, Ratio(6, 48), 0, 6),  # Mojokerto
        (49, Ratio(6, 48), 0, 7),  # one more needs one more assessor
        (28, Ratio(6, 48), 0, 4),  # ceil(3.5)
        (4, Ratio(1, 8), 2, 2),  # a lone group still has its two observers
        (0, Ratio(7, 25), 2, 0),
    ],
)
def test_assessors_needed_rounds_up_and_keeps_a_groups_observers(count, ratio, per_group, needed):
    assert assessors_needed(count, ratio, assessors_per_group=per_group) == needed


@pytest.mark.parametrize(
    ("capacity", "lo", "hi", "seats"),
    [(24, 4, 8, 24), (9, 5, 8, 8), (10, 5, 8, 10), (3, 4, 8, 0), (0, 4, 8, 0), (-1, 4, 8, 0), (5, 4, 8, 5)],
)
def test_usable_seats_count_whole_groups_only(capacity, lo, hi, seats):
    assert usable_seats(capacity, lo, hi) == seats


def test_split_sizes_is_even():
    assert split_sizes(26, 4) == [7, 7, 6, 6]
    assert split_sizes(16, 2) == [8, 8]
    assert split_sizes(5, 0) == []


def test_conflicts_follow_the_line_of_command_and_declared_nips():
    kadis = assessor("K", unit_path="/DINKES/")
    pool = assessor("P", conflicting_nips=frozenset({"199001012015031001"}))
    assert conflicts(kadis, Participant("x", "t", "/DINKES/"))  # same unit
    assert conflicts(kadis, Participant("x", "t", "/DINKES/PUSKESMAS-1/"))  # subordinate
    assert conflicts(
        assessor("S", unit_path="/DINKES/PUSKESMAS-1"), Participant("x", "t", "/DINKES")
    )  # superior
    assert not conflicts(kadis, Participant("x", "t", "/DINKES-HEWAN/"))  # a shared prefix is not a line
    assert not conflicts(kadis, Participant("x", "t", "/DINSOS/"))
    assert not conflicts(kadis, Participant("x", "t", None))
    assert not conflicts(pool, Participant("x", "t", "/DINKES/"))  # the pool has no unit
    assert conflicts(pool, Participant("199001012015031001", "t", "/DINSOS/"))  # declared


def test_lower_bound_takes_the_tightest_limit():
    assert lower_bound_days(problem(268)) == 6  # 268 at 48 a day
    two = tuple(assessor(f"A{i}") for i in range(2))
    # Two assessors at 6 per 48 take 16 a day (and observe 2 x 16 / 2 = 16): 25 people need 2 days.
    assert lower_bound_days(problem(25, assessors=two)) == 2
    small = (RoomSlot("R0", "SMK", "Kelas", "classroom", 20),)
    assert lower_bound_days(problem(100, rooms=small)) == 5  # 20 seats a day
    # A room lent on one day only: the other days hold nobody, so the bound counts the days that can.
    one_day = (RoomSlot("R0", "SMK", "Aula", "classroom", 48, frozenset({DAYS[0]})),)
    assert lower_bound_days(problem(40, rooms=one_day)) == 1
    assert lower_bound_days(problem(0)) == 0


def test_lower_bound_is_never_above_a_real_schedule():
    rng = random.Random(3)
    checked = 0
    for _ in range(60):
        n = rng.randint(8, 300)
        staff = tuple(
            assessor(
                f"A{i}",
                rng.choice((8, 12, 16)),
                unavailable_dates=frozenset(rng.sample(DAYS, rng.randint(0, 4))),
            )
            for i in range(rng.randint(2, 10))
        )
        rooms = tuple(
            RoomSlot(f"R{i}", "v", "r", "classroom", rng.choice((0, 6, 9, 16, 24))) for i in range(3)
        )
        p = problem(
            n,
            assessors=staff,
            rooms=rooms,
            daily_cap=rng.choice((16, 32, 48)),
            ratio=Ratio(rng.randint(1, 3), 16),
        )
        first = greedy_first_fit(p)
        if first.status == "feasible":
            assert schedule_violations(p, first.groups) == []
            assert lower_bound_days(p) <= first.days_used
            checked += 1
    assert checked > 20


def test_reasons_in_the_officers_terms():
    assert explain_infeasible(problem(268, dates=DAYS[:5])) == [
        "268 participants at 48 a day need 6 days; the window has 5 working days"
    ]
    internal = tuple(assessor(f"B{i}") for i in range(2))
    batu = problem(25, dates=DAYS[:1], assessors=internal, daily_cap=25, ratio=Ratio(7, 25))
    assert explain_infeasible(batu) == [
        "25 participants need 7 assessors (7 per 25); only 2 are free on any day of the window"
    ]
    assert explain_infeasible(problem(40)) == []


def test_a_short_day_is_named_with_its_numbers():
    # Two days, 96 people at 48 a day: both days full. On the second only 3 of the 6 are free.
    away = frozenset({DAYS[1]})
    staff = tuple(assessor(f"A{i}", unavailable_dates=away if i < 3 else frozenset()) for i in range(6))
    reasons = explain_infeasible(problem(96, dates=DAYS[:2], assessors=staff))
    assert f"day {DAYS[1].isoformat()} needs 6 assessors, 3 are free" in reasons


def test_rooms_and_certification_reasons():
    empty = (RoomSlot("R0", "SMK", "Gudang", "classroom", 0),)
    reasons = explain_infeasible(problem(rooms=empty))
    assert "no room can hold a group of 4" in reasons
    assert any("has capacity 0" in r for r in reasons)
    closed = (RoomSlot("R0", "SMK", "Lab", "computer_lab", 24, frozenset({date(2027, 1, 4)})),)
    assert explain_infeasible(problem(rooms=closed)) == ["no room is available on any day of the window"]
    trainees = tuple(replace(assessor(f"T{i}"), certified=False) for i in range(3))
    assert explain_infeasible(problem(assessors=trainees))[0].startswith("no certified assessor is listed")
    assert explain_infeasible(problem(dates=())) == ["the window has no working days"]


def test_a_unit_whose_every_assessor_conflicts_is_named():
    staff = (assessor("K1", unit_path="/DINKES/"), assessor("K2", unit_path="/DINKES/"), assessor("P1"))
    p = problem(16, assessors=staff, ratio=Ratio(1, 16))
    assert explain_infeasible(p) == []  # SETDA has no conflict with DINKES
    p = replace(p, participants=tuple(Participant(f"P{i}", "t", "/DINKES/PUSKESMAS-2/") for i in range(16)))
    assert any("/DINKES/PUSKESMAS-2/" in r and "at most 1 free assessors" in r for r in explain_infeasible(p))


def test_first_fit_fills_days_in_list_order():
    p = problem(100)
    answer = greedy_first_fit(p)
    assert schedule_violations(p, answer.groups) == []
    assert (answer.status, answer.days_used) == ("feasible", 3)
    first_day = {n for g in answer.groups if g.day == DAYS[0] for n in g.participants}
    assert first_day == {f"P{i:04d}" for i in range(48)}
    assert greedy_first_fit(problem(268, dates=DAYS[:5])).status == "infeasible"


def test_schedule_violations_names_each_broken_rule():
    p = problem(
        8,
        assessors=(
            assessor("A0"),
            assessor("K", unit_path="/SETDA/"),
            replace(assessor("T"), certified=False),
        ),
    )
    nips = tuple(f"P{i:04d}" for i in range(8))
    assert schedule_violations(p, [Group(DAYS[0], "R0", nips, ("A0", "T"))]) == [
        f"group on {DAYS[0].isoformat()} in R0: Assessor T is not certified"
    ]
    conflict = schedule_violations(p, [Group(DAYS[0], "R0", nips, ("A0", "K"))])
    assert len(conflict) == 8 and all("conflict of interest" in v for v in conflict)
    twice = schedule_violations(
        p, [Group(DAYS[0], "R0", nips[:4], ("A0",)), Group(DAYS[1], "R0", nips, ("A0",))]
    )
    assert any("P0000 is scheduled 2 times" in v for v in twice)
    assert any("1 assessors, each group needs 2" in v for v in twice)
    small_room = replace(p, rooms=(RoomSlot("R0", "SMK", "Kecil", "classroom", 6),))
    assert any(
        "8 participants in 6 seats" in v
        for v in schedule_violations(small_room, [Group(DAYS[0], "R0", nips, ("A0", "T"))])
    )


def test_working_days_keep_the_chosen_weekdays_and_skip_holidays():
    monday = date(2026, 12, 7)
    days = working_days(monday, monday + timedelta(days=13), [1, 2, 3, 4, 5], [date(2026, 12, 9)])
    assert len(days) == 9 and date(2026, 12, 9) not in days
    assert all(d.isoweekday() <= 5 for d in days) and days[0] == monday and days[-1] == date(2026, 12, 18)
    assert working_days(monday, monday + timedelta(days=4), [6, 7], []) == []


def test_a_units_staff_counts_its_sub_units():
    direct = {"/DINKES/": 10, "/DINKES/DINKES-YANKES/": 30, "/DINKES/DINKES-YANKES/PKM-1/": 5, "/BKPSDM/": 7}
    assert staff_in_subtrees(direct) == {
        "/DINKES/": 45, "/DINKES/DINKES-YANKES/": 35, "/DINKES/DINKES-YANKES/PKM-1/": 5, "/BKPSDM/": 7
    }
    assert staff_in_subtrees({}) == {}
