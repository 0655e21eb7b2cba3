"""Scheduling solver figures (issue 6): pure, no database.

    .venv/bin/python bench/scheduling_solver.py [--quick] [--seed 7] [--pool 60]

(a) Kabupaten Serang size: 800 participants in 40 units, 4 rooms (a vocational school's computer lab
    and language lab lent on Mondays to Thursdays, two classrooms every day), 12 assessors (4 internal
    with a unit, so conflicts of interest apply; 8 from the province, each away 3 random days), a window
    of 30 working days, cap 72 a day, ratio 1 per 6, 2 observers per group of 4-8. Goal: the days proven
    optimal within 10 s.
(b) Province-wide: 38 kabupaten/kota (Jawa Timur has 38) x 600 participants sharing one pool of 60
    provincial assessors (four teams of 15; each team has a training week in the window), plus 2
    certified internal assessors (and 1 not yet certified) per tenant; per tenant 3 rooms (24, 16, 16
    seats), cap 48 a day, ratio 6 per 48, 30 working days. Objective: the sum over tenants of days used.
    Lower bound: the larger of (1) the sum of per-tenant bounds, (2) a pool bound: tenant t in k days needs
    at least ceil(n*6/48) assessor-days, of which its internal assessors give at most 2k, the rest from
    the pool, whose free assessor-days are limited; the fewest total days meeting that (solved exactly,
    a small CP-SAT model) is a bound, and (3) CP-SAT's own proven bound on the count model. Goal: within
    120 s, at most 2 % above the bound.
Both print first fit (what an officer does by hand; for (b) tenant after tenant, the pool's days taken
by earlier tenants booked for later ones) beside the solver.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services" / "scheduling"))

from ortools.sat.python import cp_model  # noqa: E402
from scheduling.domain import (  # noqa: E402
    Assessor,
    Participant,
    Ratio,
    RoomSlot,
    ScheduleProblem,
    greedy_first_fit,
    lower_bound_days,
    schedule_violations,
)
from scheduling.solver import greedy_first_fit_many, solve, solve_many  # noqa: E402


def workdays(start: date, count: int) -> tuple[date, ...]:
    out: list[date] = []
    day = start
    while len(out) < count:
        if day.weekday() < 5:
            out.append(day)
        day += timedelta(days=1)
    return tuple(out)


def serang(rng: random.Random, participants: int = 800) -> ScheduleProblem:
    dates = workdays(date(2026, 9, 1), 30)
    units = [f"/DINAS-{u:02d}/" for u in range(25)] + [
        f"/DINAS-{u:02d}/UPT-{v}/" for u in range(5) for v in range(3)
    ]
    people = tuple(Participant(f"3201{i:014d}", "kab-serang", rng.choice(units)) for i in range(participants))
    mon_thu = frozenset(d for d in dates if d.weekday() < 4)
    rooms = (
        RoomSlot("lab-komputer", "SMKN 1 Serang", "Lab Komputer", "computer_lab", 24, mon_thu),
        RoomSlot("lab-bahasa", "SMKN 1 Serang", "Lab Bahasa", "language_lab", 24, mon_thu),
        RoomSlot("kelas-a", "BKPSDM", "Ruang Kelas A", "classroom", 16),
        RoomSlot("kelas-b", "BKPSDM", "Ruang Kelas B", "classroom", 16),
    )
    internal = tuple(
        Assessor(f"int-{i}", f"sub-int-{i}", f"Internal {i}", "kab-serang", True, 16, unit_path=units[i])
        for i in range(4)
    )
    pool = tuple(
        Assessor(
            f"prov-{i}", f"sub-prov-{i}", f"Provincial {i}", "prov-banten", True, 16,
            unavailable_dates=frozenset(rng.sample(dates, 3)),
        )
        for i in range(8)
    )  # fmt: skip
    return ScheduleProblem(
        "serang-2026", "kab-serang", dates, people, rooms, internal + pool, 72, Ratio(1, 6), time_limit_s=10.0
    )


def province(rng: random.Random, tenants: int, participants: int, pool_size: int) -> list[ScheduleProblem]:
    dates = workdays(date(2026, 7, 6), 30)
    weeks = [dates[i : i + 5] for i in range(0, 30, 5)]
    pool = tuple(
        Assessor(
            f"prov-{i}", f"sub-prov-{i}", f"Provincial {i}", "prov-jatim", True, 16,
            unavailable_dates=frozenset(weeks[1 + i % 4]),  # four teams, each in training one week
        )
        for i in range(pool_size)
    )  # fmt: skip
    problems = []
    for t in range(tenants):
        tid = f"kab-{t:02d}"
        units = [f"/OPD-{u:02d}/" for u in range(18)]
        people = tuple(Participant(f"35{t:02d}{i:014d}", tid, rng.choice(units)) for i in range(participants))
        rooms = tuple(
            RoomSlot(f"{tid}-r{r}", f"SMKN {t + 1}", f"Ruang {r}", "classroom", cap)
            for r, cap in enumerate((24, 16, 16))
        )
        internal = tuple(
            Assessor(
                f"{tid}-a{i}",
                "s",
                f"Internal {i}",
                tid,
                True,
                16,
                unit_path="/BKPSDM/" if i == 0 else rng.choice(units),
            )
            for i in range(2 + t % 3)  # 2 to 4 certified internal assessors (Batu has 2)
        ) + (Assessor(f"{tid}-trainee", "s", "Internal (in training)", tid, False, 16),)
        problems.append(
            ScheduleProblem(
                f"c-{tid}", tid, dates, people, rooms, internal + pool, 48, Ratio(6, 48), time_limit_s=120.0
            )
        )
    return problems


def pool_bound(problems: list[ScheduleProblem]) -> int:
    """The fewest total days such that the tenants' pool needs fit the pool's free assessor-days (see the
    module docstring); a relaxation of the real problem, so a lower bound."""
    owners: dict[str, set[int]] = {}
    for i, p in enumerate(problems):
        for a in p.assessors:
            owners.setdefault(a.assessor_id, set()).add(i)
    shared = {aid for aid, who in owners.items() if len(who) > 1}
    pool = {
        a.assessor_id: a for p in problems for a in p.assessors if a.assessor_id in shared and a.certified
    }
    window = sorted({d for p in problems for d in p.dates})
    capacity = sum(1 for a in pool.values() for d in window if d not in a.unavailable_dates | a.booked_dates)
    m = cp_model.CpModel()
    total, used = [], []
    for p in problems:
        need = -(-len(p.participants) * p.ratio.assessors // p.ratio.participants)
        inside = sorted(
            (
                sum(
                    1
                    for a in p.assessors
                    if a.assessor_id not in shared and a.certified and d not in a.unavailable_dates
                )
                for d in p.dates
            ),
            reverse=True,
        )
        choice = {k: m.new_bool_var("") for k in range(lower_bound_days(p), len(p.dates) + 1)}
        m.add_exactly_one(choice.values())
        total.append(sum(k * v for k, v in choice.items()))
        used.append(sum(max(0, need - sum(inside[:k])) * v for k, v in choice.items()))
    m.add(sum(used) <= capacity)
    m.minimize(sum(total))
    s = cp_model.CpSolver()
    s.parameters.num_workers = 2
    s.parameters.max_time_in_seconds = 10
    status = s.solve(m)
    return int(s.best_objective_bound + 0.999) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else 0


def figure_serang(rng: random.Random, time_limit: float) -> None:
    p = serang(rng)
    p = ScheduleProblem(**{f: getattr(p, f) for f in p.__slots__} | {"time_limit_s": time_limit})
    started = time.perf_counter()
    first = greedy_first_fit(p)
    greedy_s = time.perf_counter() - started
    proven_at: list[float] = []

    def progress(fraction: float, message: str) -> None:
        if message.startswith("days") and not proven_at and "bound" in message:
            a, b = message.split(": ")[1].split(" (bound ")
            if float(a) == float(b.rstrip(")")):
                proven_at.append(time.perf_counter() - started)

    started = time.perf_counter()
    answer = solve(p, progress=progress)
    seconds = time.perf_counter() - started
    bad = schedule_violations(p, answer.groups)
    print(
        f"(a) Serang: {len(p.participants)} participants, {len(p.rooms)} rooms, {len(p.assessors)} assessors, {len(p.dates)} working days"
    )
    print(f"    lower bound {answer.lower_bound_days} days (domain bound {lower_bound_days(p)})")
    print(f"    first fit: {first.days_used} days in {greedy_s:.2f} s")
    print(
        f"    solver: {answer.days_used} days, status {answer.status}, days proven {answer.days_proven}"
        f" (proof reached at {proven_at[0] if proven_at else float('nan'):.2f} s), total {seconds:.2f} s"
        f" (time limit {time_limit:.0f} s); soft objective {answer.objective}"
    )
    ok = answer.days_proven and (proven_at[0] if proven_at else seconds) <= 10
    print(f"    solver days / lower bound = {answer.days_used / answer.lower_bound_days:.3f}; violations {len(bad)}; goal (proven optimal days within 10 s): {'met' if ok else 'NOT met'}")  # fmt: skip


def figure_province(
    rng: random.Random, tenants: int, participants: int, pool_size: int, limit: float
) -> None:
    problems = province(rng, tenants, participants, pool_size)
    started = time.perf_counter()
    firsts = greedy_first_fit_many(problems)
    greedy_s = time.perf_counter() - started
    greedy_days = sum(a.days_used or len(p.dates) + 1 for a, p in zip(firsts, problems))
    greedy_failed = sum(1 for a in firsts if a.status != "feasible")
    per_tenant = sum(lower_bound_days(p) for p in problems)
    pooled = pool_bound(problems)
    bound_seen: list[float] = [0]

    cut: list[bool] = [False]

    def progress(fraction: float, message: str) -> None:
        # Only the first days phase: after a day is cut its bound is no bound of the real problem.
        cut[0] = cut[0] or "could not be staffed" in message
        if message.startswith("days") and not cut[0]:
            bound_seen[0] = float(message.split("(bound ")[1].rstrip(")"))
        if "could not be staffed" in message:
            print(f"    ({message})")

    started = time.perf_counter()
    answers = solve_many(problems, progress=progress, time_limit_s=limit)
    seconds = time.perf_counter() - started
    days = sum(a.days_used or 0 for a in answers)
    bound = max(per_tenant, pooled, int(bound_seen[0] + 0.999))
    bad = sum(len(schedule_violations(p, a.groups)) for p, a in zip(problems, answers))
    seen: dict[tuple[date, str], int] = {}
    for a in answers:
        for g in a.groups:
            for aid in set(g.assessors):
                seen[(g.day, aid)] = seen.get((g.day, aid), 0) + 1
    shared_twice = 0
    for (day, aid), count in seen.items():
        if aid.startswith("prov-") and count > 1:
            # one assessor in several groups of one tenant's day is fine; across tenants it is not
            tenants_that_day = {
                i for i, a in enumerate(answers) for g in a.groups if g.day == day and aid in g.assessors
            }
            shared_twice += len(tenants_that_day) > 1
    print(
        f"(b) province: {tenants} tenants x {participants} participants, pool of {pool_size} provincial assessors, {len(problems[0].dates)} working days"
    )
    print(
        f"    lower bound {bound} days in total (per-tenant sum {per_tenant}, pool bound {pooled}, CP-SAT bound {bound_seen[0]:g})"
    )
    print(
        f"    first fit tenant after tenant: {greedy_days} days in {greedy_s:.2f} s ({greedy_failed} tenants left people unscheduled)"
    )
    statuses = {
        s: sum(1 for a in answers if a.status == s) for s in ("optimal", "feasible", "infeasible", "unknown")
    }
    print(f"    solver: {days} days in {seconds:.1f} s (time limit {limit:.0f} s), statuses {statuses}")
    ratio = days / bound if bound else float("nan")
    print(f"    solver days / lower bound = {ratio:.4f}; violations {bad}; pool double-bookings {shared_twice}; goal (<= 1.02 within 120 s): {'met' if ratio <= 1.02 and seconds <= 120 else 'NOT met'}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="province of 8 tenants x 300, 30 s")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pool", type=int, default=60, help="provincial assessors in (b)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    figure_serang(rng, 10.0)
    if args.quick:
        figure_province(rng, 8, 300, 12, 30.0)
    else:
        figure_province(rng, 38, 600, args.pool, 120.0)


if __name__ == "__main__":
    main()
