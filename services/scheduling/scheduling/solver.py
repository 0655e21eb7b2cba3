"""The scheduling solver: CP-SAT on counts, then people and assessors put into the chosen slots.

Step 1 (count model, CP-SAT): how many participants of each class sit on each day (a class = the
participants with the same unit, the same preferred dates and the same declared conflicts: they are
interchangeable for every rule), how many participants and groups each room holds each day, and how many
assessors of each assessor class (assessors interchangeable for every rule: same unit, limits, dates,
declared conflicts, campaigns) are booked each day. First the fewest days (proven against the bound),
then, with the days held, the weighted soft goals.
Step 2 (assignment, per day): the people of each class, split into the rooms' groups, and the assessors of
each class (the least loaded members first), staffed first fit; a day first fit cannot staff goes to a
small CP-SAT model over that day's classes and groups. A day neither can staff is cut from the count
model (at most one participant fewer that day) and step 1 runs again in the time left.
See docs/SCHEDULING_SOLVER.md for the reasoning.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from ortools.sat.python import cp_model

from scheduling.domain import (
    Assessor,
    Group,
    Participant,
    ScheduleAnswer,
    ScheduleProblem,
    assessor_free,
    assessors_needed,
    bookable,
    conflicts,
    explain_infeasible,
    greedy_first_fit,
    lower_bound_days,
    room_open,
    same_line,
    schedule_warnings,
    split_sizes,
    staff_groups,
    usable_seats,
)

Progress = Callable[[float, str], None]

# Families of hard rules that the infeasibility fallback switches on one by one (assumptions).
FAMILY_WORDS = {
    "daily_cap": "the daily cap",
    "rooms": "the rooms' seats on the days they are lent",
    "ratio": "the assessor ratio",
    "observers": "the observers per group within each assessor's daily maximum",
    "conflicts": "the conflicts of interest",
    "pool": "one campaign per assessor and day across the province",
}


@dataclass
class _PClass:
    """Participants interchangeable for every rule."""

    unit_path: str | None
    preferred: frozenset[date]
    declared: frozenset[str]  # assessor_ids that declared a conflict with these NIPs
    members: list[Participant] = field(default_factory=list)


@dataclass
class _AClass:
    """Assessors interchangeable for every rule (in the same campaigns)."""

    rep: Assessor
    problems: frozenset[int]
    members: list[Assessor] = field(default_factory=list)

    def free_on(self, day: date) -> int:
        return len(self.members) if assessor_free(self.rep, day) else 0


@dataclass
class _Block:
    """One campaign in the count model."""

    index: int
    problem: ScheduleProblem
    classes: list[_PClass]
    aclasses: list[int]  # indices into the shared assessor classes
    eligible: dict[int, list[int]]  # participant class -> assessor classes without a conflict
    y: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    n: list[cp_model.IntVar] = field(default_factory=list)
    used: list[cp_model.IntVar] = field(default_factory=list)
    x: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    g: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    k: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    cuts: dict[int, int] = field(default_factory=dict)  # day -> most participants (after a failed day)


def _merge_assessors(problems: Sequence[ScheduleProblem]) -> tuple[dict[str, Assessor], dict[str, set[int]]]:
    """One record per person: an assessor_id in several campaigns is one person, away or booked on the
    union of the dates the campaigns know, with the union of the declared conflicts."""
    merged: dict[str, Assessor] = {}
    where: dict[str, set[int]] = defaultdict(set)
    for i, p in enumerate(problems):
        for a in p.assessors:
            where[a.assessor_id].add(i)
            old = merged.get(a.assessor_id)
            if old is None:
                merged[a.assessor_id] = a
            else:
                merged[a.assessor_id] = replace(
                    old,
                    certified=old.certified and a.certified,
                    max_participants_per_day=min(old.max_participants_per_day, a.max_participants_per_day),
                    unavailable_dates=old.unavailable_dates | a.unavailable_dates,
                    booked_dates=old.booked_dates | a.booked_dates,
                    conflicting_nips=old.conflicting_nips | a.conflicting_nips,
                )
    return merged, where


def _assessor_classes(
    problems: Sequence[ScheduleProblem], merged: dict[str, Assessor], where: dict[str, set[int]]
) -> list[_AClass]:
    classes: dict[tuple, _AClass] = {}
    for aid, a in merged.items():
        if not bookable(a):
            continue
        key = (
            a.unit_path and "/" + a.unit_path.strip("/") + "/",
            a.max_participants_per_day,
            a.unavailable_dates | a.booked_dates,
            a.conflicting_nips,
            frozenset(where[aid]),
        )
        if key not in classes:
            classes[key] = _AClass(a, frozenset(where[aid]))
        classes[key].members.append(a)
    return list(classes.values())


def _participant_classes(problem: ScheduleProblem, merged: dict[str, Assessor]) -> list[_PClass]:
    declared: dict[str, set[str]] = defaultdict(set)
    for a in problem.assessors:
        for nip in merged[a.assessor_id].conflicting_nips:
            declared[nip].add(a.assessor_id)
    classes: dict[tuple, _PClass] = {}
    for p in problem.participants:
        unit = p.unit_path and "/" + p.unit_path.strip("/") + "/"
        key = (unit, frozenset(p.preferred_dates), frozenset(declared.get(p.nip, ())))
        if key not in classes:
            classes[key] = _PClass(p.unit_path, key[1], key[2])
        classes[key].members.append(p)
    return list(classes.values())


def _conflict(pc: _PClass, ac: _AClass) -> bool:
    if any(m.assessor_id in pc.declared for m in ac.members):
        return True
    return bool(ac.rep.unit_path and pc.unit_path and same_line(ac.rep.unit_path, pc.unit_path))


class _Model:
    """The count model over one or several campaigns sharing assessors."""

    def __init__(
        self,
        problems: Sequence[ScheduleProblem],
        aclasses: list[_AClass],
        blocks_in: list[_Block],
        *,
        guards: dict[str, cp_model.IntVar] | None = None,
    ) -> None:
        self.m = cp_model.CpModel()
        self.blocks = blocks_in
        self.aclasses = aclasses
        self.guards = guards
        m = self.m
        if guards is not None:
            for name in FAMILY_WORDS:
                guards[name] = m.new_bool_var(name)
        self.booked: dict[tuple[int, date], list[cp_model.IntVar]] = defaultdict(list)
        for b in blocks_in:
            self._block(b)
        for (qi, day), vars_ in self.booked.items():
            if len(vars_) > 1:
                self._enforce(m.add(sum(vars_) <= aclasses[qi].free_on(day)), "pool")

    def _enforce(self, ct: cp_model.Constraint, family: str) -> None:
        if self.guards is not None:
            ct.only_enforce_if(self.guards[family])

    def _block(self, b: _Block) -> None:
        m, p = self.m, b.problem
        t = b.index
        gmin, gmax, apg = p.group_min, p.group_max, p.assessors_per_group
        for ci, c in enumerate(b.classes):
            for di in range(len(p.dates)):
                b.y[ci, di] = m.new_int_var(0, len(c.members), f"y{t}_{ci}_{di}")
            m.add(sum(b.y[ci, di] for di in range(len(p.dates))) == len(c.members))
        for di, day in enumerate(p.dates):
            n = m.new_int_var(0, len(p.participants), f"n{t}_{di}")
            used = m.new_bool_var(f"u{t}_{di}")
            b.n.append(n)
            b.used.append(used)
            m.add(n == sum(b.y[ci, di] for ci in range(len(b.classes))))
            seats_today = [usable_seats(r.capacity, gmin, gmax) if room_open(r, day) else 0 for r in p.rooms]
            # The day's own capacity as the big-M: a tight linear relaxation is what proves the days.
            # (Explaining infeasibility switches the cap and the rooms off, so there it stays loose.)
            top = len(p.participants)
            if self.guards is None:
                top = min(top, max(p.daily_cap, 0), sum(seats_today))
            m.add(n <= top * used)
            m.add(n >= gmin * used)
            self._enforce(m.add(n <= p.daily_cap), "daily_cap")
            if di in b.cuts:
                m.add(n <= b.cuts[di])
            for ri, r in enumerate(p.rooms):
                seats = seats_today[ri]
                x = b.x[ri, di] = m.new_int_var(0, seats, f"x{t}_{ri}_{di}")
                g = b.g[ri, di] = m.new_int_var(0, seats // max(gmin, 1), f"g{t}_{ri}_{di}")
                m.add(x >= gmin * g)
                m.add(x <= gmax * g)
            self._enforce(m.add(sum(b.x[ri, di] for ri in range(len(p.rooms))) == n), "rooms")
            for qi in b.aclasses:
                free = self.aclasses[qi].free_on(day)
                k = b.k[qi, di] = m.new_int_var(0, free, f"k{t}_{qi}_{di}")
                m.add(k <= free * used)  # nobody is booked on a day without participants
                self.booked[qi, day].append(k)
            ks = [b.k[qi, di] for qi in b.aclasses]
            # ceil(n * a / p) assessors: scaled, so the integer count is exact without a division.
            self._enforce(m.add(p.ratio.participants * sum(ks) >= p.ratio.assessors * n), "ratio")
            obs = []
            for qi in b.aclasses:
                most = self.aclasses[qi].rep.max_participants_per_day
                ok = [ci for ci in range(len(b.classes)) if qi in b.eligible[ci]]
                if len(ok) == len(b.classes):
                    obs.append(most * b.k[qi, di])
                    continue
                # An assessor with conflicts observes only the classes they may: no more than those
                # classes' people that day, however free their day is.
                o = m.new_int_var(0, most * self.aclasses[qi].free_on(day), f"o{t}_{qi}_{di}")
                m.add(o <= most * b.k[qi, di])
                m.add(o <= self.aclasses[qi].free_on(day) * sum(b.y[ci, di] for ci in ok))
                obs.append(o)
            self._enforce(m.add(sum(obs) >= apg * n), "observers")
            self._enforce(m.add(sum(ks) >= apg * used), "observers")
            # Each class needs its observers among the assessors it has no conflict with (Hall's
            # condition for one class at a time; step 2 deals with the rest).
            for ci, c in enumerate(b.classes):
                ok = b.eligible[ci]
                if len(ok) == len(b.aclasses):
                    continue
                y = b.y[ci, di]
                obs_ok = [self.aclasses[qi].rep.max_participants_per_day * b.k[qi, di] for qi in ok]
                self._enforce(m.add(sum(obs_ok) >= apg * y), "conflicts")
                here = m.new_bool_var(f"h{t}_{ci}_{di}")
                m.add(y <= len(c.members) * here)
                self._enforce(m.add(sum(b.k[qi, di] for qi in ok) >= apg * here), "conflicts")

    def days(self) -> cp_model.LinearExpr:
        return sum(u for b in self.blocks for u in b.used)

    def soft(self) -> tuple[cp_model.LinearExpr, cp_model.LinearExpr]:
        """(weighted soft goals, lateness tie-break)."""
        m = self.m
        terms = []
        late = []
        for b in self.blocks:
            p, w = b.problem, b.problem.weights
            for di, u in enumerate(b.used):
                late.append(di * u)
            if w.preferred_dates:
                for ci, c in enumerate(b.classes):
                    if c.preferred:
                        for di, day in enumerate(p.dates):
                            if day not in c.preferred:
                                terms.append(w.preferred_dates * b.y[ci, di])
            if p.max_unit_share is not None and w.unit_share:
                for unit, staff in p.unit_staff.items():
                    inside = [
                        ci for ci, c in enumerate(b.classes) if c.unit_path and _under(c.unit_path, unit)
                    ]
                    if not inside:
                        continue
                    limit = int(p.max_unit_share * staff)
                    total = sum(len(b.classes[ci].members) for ci in inside)
                    if total <= limit:
                        continue
                    for di in range(len(p.dates)):
                        over = m.new_int_var(0, total, "")
                        m.add(over >= sum(b.y[ci, di] for ci in inside) - limit)
                        terms.append(w.unit_share * over)
            if w.assessor_days:
                terms.extend(w.assessor_days * k for k in b.k.values())
        # Balance: the busiest minus the least busy assessor, in assessor-days over all campaigns; a class's
        # days are spread evenly over its members in step 2, so its members differ by at most one.
        weight = max((b.problem.weights.assessor_balance for b in self.blocks), default=0)
        if weight and self.aclasses:
            horizon = max(len(b.problem.dates) for b in self.blocks) * len(self.blocks)
            hi = m.new_int_var(0, horizon, "load_max")
            lo = m.new_int_var(0, horizon, "load_min")
            for qi, q in enumerate(self.aclasses):
                days = [k for b in self.blocks for (qj, _), k in b.k.items() if qj == qi]
                if not days or not any(q.free_on(d) for b in self.blocks for d in b.problem.dates):
                    continue
                m.add(len(q.members) * hi >= sum(days))
                m.add(len(q.members) * lo <= sum(days))
            terms.append(weight * (hi - lo))
        return sum(terms), sum(late)


def _under(path: str, unit: str) -> bool:
    return ("/" + path.strip("/") + "/").startswith("/" + unit.strip("/") + "/")


class _Reporter(cp_model.CpSolverSolutionCallback):
    def __init__(self, progress: Progress | None, start: float, span: float, what: str) -> None:
        super().__init__()
        self.progress, self.start, self.span, self.what = progress, start, span, what

    def on_solution_callback(self) -> None:
        if self.progress is None:
            return
        obj, bound = self.objective_value, self.best_objective_bound
        closed = 1.0 if obj == bound else max(0.0, min(1.0, bound / obj)) if obj > 0 else 0.0
        self.progress(self.start + self.span * closed, f"{self.what}: {obj:g} (bound {bound:g})")


def _solver(seconds: float) -> cp_model.CpSolver:
    s = cp_model.CpSolver()
    s.parameters.num_workers = 2
    s.parameters.max_time_in_seconds = max(seconds, 0.05)
    return s


def _blocks(problems: Sequence[ScheduleProblem]) -> tuple[list[_Block], list[_AClass], dict[str, Assessor]]:
    merged, where = _merge_assessors(problems)
    aclasses = _assessor_classes(problems, merged, where)
    blocks = []
    for i, p in enumerate(problems):
        classes = _participant_classes(p, merged)
        mine = [qi for qi, q in enumerate(aclasses) if i in q.problems]
        eligible = {ci: [qi for qi in mine if not _conflict(c, aclasses[qi])] for ci, c in enumerate(classes)}
        blocks.append(_Block(i, p, classes, mine, eligible))
    return blocks, aclasses, merged


def _fresh(blocks: list[_Block]) -> list[_Block]:
    return [_Block(b.index, b.problem, b.classes, b.aclasses, b.eligible, cuts=dict(b.cuts)) for b in blocks]


def _explain_by_assumptions(
    problems: Sequence[ScheduleProblem], aclasses: list[_AClass], blocks: list[_Block], seconds: float
) -> list[str]:
    """The rule families that together leave no schedule, found by switching them on as assumptions."""
    guards: dict[str, cp_model.IntVar] = {}
    model = _Model(problems, aclasses, _fresh(blocks), guards=guards)
    model.m.add_assumptions(list(guards.values()))
    solver = _solver(seconds)
    solver.parameters.num_workers = 1  # the core of assumptions comes from the sequential search
    status = solver.solve(model.m)
    if status != cp_model.INFEASIBLE:
        return []
    core = solver.sufficient_assumptions_for_infeasibility()
    names = [name for name, lit in guards.items() if lit.index in core]
    if not names:
        return ["the participants do not fit the window's days with the rules given"]
    return ["no schedule fits the window under " + " together with ".join(FAMILY_WORDS[n] for n in names)]


def _assign(
    blocks: list[_Block], aclasses: list[_AClass], values: Callable[[cp_model.IntVar], int], deadline: float
) -> tuple[list[list[Group]], list[tuple[int, int, int]]]:
    """Step 2: people and assessors into the slots the count model chose. Returns the groups of each
    campaign and the (campaign, day, participants) the assignment could not staff."""
    out: list[list[Group]] = [[] for _ in blocks]
    failed: list[tuple[int, int, int]] = []
    load: dict[str, int] = defaultdict(int)
    taken: dict[date, set[str]] = defaultdict(set)
    queues = [[list(c.members) for c in b.classes] for b in blocks]
    days = sorted({d for b in blocks for d in b.problem.dates})
    for day in days:
        todays = [(b, b.problem.dates.index(day)) for b in blocks if day in b.problem.dates]
        todays = [(b, di) for b, di in todays if values(b.used[di])]
        # What the count model owes each campaign of the day, per assessor class: the rest is spare.
        owed: dict[int, int] = defaultdict(int)
        for b, di in todays:
            for qi in b.aclasses:
                owed[qi] += values(b.k[qi, di])
        for b, di in todays:
            p = b.problem
            counts = {ci: values(b.y[ci, di]) for ci in range(len(b.classes))}
            # The members of each assessor class: the least loaded ones, not yet booked that day.
            staff: list[Assessor] = []
            for qi in b.aclasses:
                want = values(b.k[qi, di])
                owed[qi] -= want
                if want:
                    pool = [a for a in aclasses[qi].members if a.assessor_id not in taken[day]]
                    pool.sort(key=lambda a: (load[a.assessor_id], a.assessor_id))
                    staff.extend(pool[:want])
            rooms = [
                (p.rooms[ri].room_id, values(b.x[ri, di]), values(b.g[ri, di]))
                for ri in range(len(p.rooms))
                if values(b.x[ri, di])
            ]
            groups = _fill_day(b, day, counts, rooms, staff, queues[b.index], load, deadline)
            if groups is None:
                # The counts see observers as capacity, not as whole groups of classes they may observe
                # (a conflicted internal assessor may have too few people to fill their day): add the
                # assessors no campaign is owed that day, and try again.
                mine = {a.assessor_id for a in staff}
                extra: list[Assessor] = []
                for qi in b.aclasses:
                    if not aclasses[qi].free_on(day):
                        continue
                    spare = [
                        a
                        for a in aclasses[qi].members
                        if a.assessor_id not in taken[day] and a.assessor_id not in mine
                    ]
                    spare.sort(key=lambda a: (load[a.assessor_id], a.assessor_id))
                    extra.extend(spare[: max(len(spare) - owed[qi], 0)])
                if extra:
                    groups = _fill_day(b, day, counts, rooms, staff + extra, queues[b.index], load, deadline)
            if groups is None:
                failed.append((b.index, di, values(b.n[di])))
                continue
            out[b.index].extend(groups)
            for grp in groups:
                taken[day].update(grp.assessors)
            for aid in {aid for grp in groups for aid in grp.assessors}:
                load[aid] += 1
    return out, failed


def _fill_day(
    b: _Block,
    day: date,
    counts: dict[int, int],
    rooms: list[tuple[str, int, int]],
    staff: list[Assessor],
    queue: list[list[Participant]],
    load: dict[str, int],
    deadline: float,
) -> list[Group] | None:
    """One day of one campaign: first fit, else a small CP-SAT model over classes and groups. Takes the
    day's people from the front of each class's queue."""
    p = b.problem
    # Classes with conflicts first, so that they cluster in the first groups and leave the rest free.
    order = sorted(
        (ci for ci in counts if counts[ci]),
        key=lambda ci: (len(b.eligible[ci]), b.classes[ci].unit_path or ""),
    )
    flat = [ci for ci in order for _ in range(counts[ci])]
    layout: list[tuple[str, dict[int, int]]] = []
    start = 0
    for rid, x, g in rooms:
        for size in split_sizes(x, g):
            mix: dict[int, int] = defaultdict(int)
            for ci in flat[start : start + size]:
                mix[ci] += 1
            layout.append((rid, mix))
            start += size
    taken = {ci: 0 for ci in counts}
    members: list[list[Participant]] = []
    for _, mix in layout:
        members.append([q for ci, c in mix.items() for q in queue[ci][taken[ci] : taken[ci] + c]])
        for ci, c in mix.items():
            taken[ci] += c
    staffed = staff_groups(members, staff, p.ratio, p.assessors_per_group, load)
    if staffed is None:
        exact = _day_model(b, day, counts, staff, deadline)
        if exact is None:
            return None
        layout, staffed = exact
        taken = {ci: 0 for ci in counts}
        members = []
        for _, mix in layout:
            members.append([q for ci, c in mix.items() for q in queue[ci][taken[ci] : taken[ci] + c]])
            for ci, c in mix.items():
                taken[ci] += c
    for ci in counts:
        del queue[ci][: counts[ci]]
    return [
        Group(day, rid, tuple(q.nip for q in mem), tuple(a.assessor_id for a in st))
        for (rid, _), mem, st in zip(layout, members, staffed)
    ]


def _day_model(
    b: _Block,
    day: date,
    counts: dict[int, int],
    staff: list[Assessor],
    deadline: float,
) -> tuple[list[tuple[str, dict[int, int]]], list[list[Assessor]]] | None:
    """One day as CP-SAT, when first fit cannot staff the count model's layout: the day's people (as
    counts per class) over any of the rooms lent that day, in as many groups as suit (a group slot is
    either empty or holds group_min..group_max), and which assessors observe each group, under the
    conflicts, each assessor's daily maximum and the ratio. The count model's observer count is a
    relaxation (it does not see that an assessor observes whole groups); this step sees it."""
    p = b.problem
    seconds = min(5.0, deadline - time.monotonic())
    if seconds <= 0.05:
        return None
    m = cp_model.CpModel()
    gmin, gmax = max(p.group_min, 1), p.group_max
    open_rooms = [(r.room_id, usable_seats(r.capacity, gmin, gmax)) for r in p.rooms if room_open(r, day)]
    groups = [rid for rid, seats in open_rooms for _ in range(seats // gmin)]
    live = [ci for ci, c in counts.items() if c]
    ks = range(len(groups))
    cnt = {(ci, k): m.new_int_var(0, counts[ci], "") for ci in live for k in ks}
    has = {(ci, k): m.new_bool_var("") for ci in live for k in ks}
    obs = {(ai, k): m.new_bool_var("") for ai in range(len(staff)) for k in ks}
    seen = {(ai, k): m.new_int_var(0, gmax, "") for ai in range(len(staff)) for k in ks}
    size = [m.new_int_var(0, gmax, "") for _ in ks]
    active = [m.new_bool_var("") for _ in ks]
    for ci in live:
        m.add(sum(cnt[ci, k] for k in ks) == counts[ci])
    for k in ks:
        m.add(size[k] == sum(cnt[ci, k] for ci in live))
        m.add(size[k] >= gmin * active[k])
        m.add(size[k] <= gmax * active[k])
        if k > 0 and groups[k - 1] == groups[k]:
            m.add(size[k - 1] >= size[k])  # the slots of a room are alike: fill them in order
        for ci in live:
            m.add(cnt[ci, k] <= counts[ci] * has[ci, k])
        m.add(sum(obs[ai, k] for ai in range(len(staff))) >= p.assessors_per_group * active[k])
        for ai in range(len(staff)):
            m.add_implication(obs[ai, k], active[k])
    for rid, seats in open_rooms:
        m.add(sum(size[k] for k in ks if groups[k] == rid) <= seats)
    person = {ci: b.classes[ci].members[0] for ci in live}
    for ai, a in enumerate(staff):
        for k in ks:
            for ci in live:
                if conflicts(a, person[ci]):
                    m.add_bool_or([has[ci, k].Not(), obs[ai, k].Not()])
            m.add(seen[ai, k] == size[k]).only_enforce_if(obs[ai, k])
            m.add(seen[ai, k] == 0).only_enforce_if(obs[ai, k].Not())
        m.add(sum(seen[ai, k] for k in ks) <= a.max_participants_per_day)
    works = [m.new_bool_var("") for _ in staff]
    for ai in range(len(staff)):
        m.add_max_equality(works[ai], [obs[ai, k] for k in ks])
    need = assessors_needed(sum(counts.values()), p.ratio, assessors_per_group=p.assessors_per_group)
    m.add(sum(works) >= need)
    solver = _solver(seconds)
    if solver.solve(m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    layout, staffed = [], []
    for k in ks:
        if solver.value(active[k]):
            layout.append(
                (groups[k], {ci: solver.value(cnt[ci, k]) for ci in live if solver.value(cnt[ci, k])})
            )
            staffed.append([staff[ai] for ai in range(len(staff)) if solver.value(obs[ai, k])])
    return layout, staffed


def solve(problem: ScheduleProblem, *, progress: Progress | None = None) -> ScheduleAnswer:
    """One campaign: the fewest days (proven when the time allows), then the soft goals; see solve_many."""
    return solve_many([problem], progress=progress)[0]


def solve_many(
    problems: Sequence[ScheduleProblem],
    *,
    progress: Progress | None = None,
    time_limit_s: float | None = None,
) -> list[ScheduleAnswer]:
    """Several campaigns (tenants) solved together because they share the province's assessors: an
    assessor_id in several problems is one person, booked by at most one campaign a day. The days come
    first (their sum over the campaigns), then the weighted soft goals. The time limit is the smallest of
    the problems' unless given; the call returns within it (plus the model's build time).

    Up to JOINT_AT_MOST campaigns share one count model. More are split (`_solve_split`): a pool plan
    over aggregate counts decides which pool assessors each campaign gets on which day, then each
    campaign is solved alone with its share of the pool."""
    started = time.monotonic()
    limit = time_limit_s if time_limit_s is not None else min((p.time_limit_s for p in problems), default=1.0)
    deadline = started + max(limit, 0.1)
    report = progress or (lambda _f, _m: None)
    answers: list[ScheduleAnswer | None] = [None] * len(problems)
    live: list[int] = []
    for i, p in enumerate(problems):
        if not p.participants:
            answers[i] = ScheduleAnswer("optimal", 0, 0, (), ("no participants to schedule",), 0.0, 0.0, True)
            continue
        reasons = explain_infeasible(p)
        if reasons:
            answers[i] = ScheduleAnswer("infeasible", None, lower_bound_days(p), (), tuple(reasons), 0.0)
            continue
        live.append(i)
    if live:
        chosen = [problems[i] for i in live]
        joint = _solve_live if len(chosen) <= JOINT_AT_MOST else _solve_split
        for i, answer in zip(live, joint(chosen, report, started, deadline)):
            answers[i] = answer
    report(1.0, "done")
    elapsed = time.monotonic() - started
    return [replace(a, solve_seconds=round(elapsed, 3)) for a in answers if a is not None]


def _solve_live(
    problems: list[ScheduleProblem], report: Progress, started: float, deadline: float
) -> list[ScheduleAnswer]:
    blocks, aclasses, _ = _blocks(problems)
    bounds = [lower_bound_days(p) for p in problems]
    warnings = [tuple(schedule_warnings(p)) for p in problems]
    proven_days: int | None = None
    bound_total = 0
    cut = False
    previous: list[int] = []
    report(0.02, "count model built")
    while True:
        left = deadline - time.monotonic()
        model = _Model(problems, aclasses, blocks)
        m = model.m
        days = model.days()
        for b, lb in zip(model.blocks, bounds):
            m.add(sum(b.used) >= lb)  # a true bound: only helps the proof
        m.minimize(days)
        if previous:  # after a cut: start from the last answer, which breaks only the cut days
            for var, value in zip(_all_vars(model.blocks), previous):
                m.add_hint(var, value)
        s1 = _solver(left * 0.5)
        status1 = s1.solve(m, _Reporter(progress=report, start=0.05, span=0.45, what="days"))
        if status1 == cp_model.INFEASIBLE and not cut:
            left = deadline - time.monotonic()
            why = _explain_by_assumptions(problems, aclasses, blocks, max(left, 0.5))
            why = why or ["no schedule satisfies all the rules in the window"]
            return [ScheduleAnswer("infeasible", None, lb, (), tuple(why), 0.0) for lb in bounds]
        if status1 not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return _fallback(problems, bounds, warnings, "the solver found no schedule within the time limit")
        best_days = round(s1.objective_value)
        if status1 == cp_model.OPTIMAL and not cut:
            proven_days = best_days
        if not cut:  # a cut model's bound is no bound of the real problem
            bound_total = int(s1.best_objective_bound + 0.999)
        # Phase 2: the days held, the soft goals, from phase 1's answer.
        for var in _all_vars(model.blocks):
            m.add_hint(var, s1.value(var))
        m.add(days <= best_days)
        soft, late = model.soft()
        weight = sum(len(p.dates) * len(p.dates) for p in problems) + 1
        m.minimize(weight * soft + late)
        reserve = max(0.1 * (deadline - started), 0.2)
        s2 = _solver(deadline - time.monotonic() - reserve)
        status2 = s2.solve(m, _Reporter(progress=report, start=0.5, span=0.4, what="soft goals"))
        solver = s2 if status2 in (cp_model.OPTIMAL, cp_model.FEASIBLE) else s1
        report(0.9, "assigning people and assessors")
        groups, failed = _assign(model.blocks, aclasses, solver.value, deadline)
        if not failed:
            break
        if time.monotonic() > deadline - 0.2:
            return _fallback(
                problems, bounds, warnings, "the solver ran out of time putting people into groups"
            )
        previous = [solver.value(v) for v in _all_vars(model.blocks)]
        for bi, di, count in failed:
            blocks[bi].cuts[di] = count - 1
        cut = True
        report(
            0.05, f"{len(failed)} day(s) could not be staffed; solving again with fewer participants there"
        )
    soft_value = float(s2.value(soft)) if solver is s2 else None
    answers = []
    for b, lb, grp, warn in zip(model.blocks, bounds, groups, warnings):
        used = sum(solver.value(u) for u in b.used)
        own_bound = max(lb, bound_total) if len(problems) == 1 else lb
        proven = (proven_days is not None and best_days == proven_days) or used == own_bound
        optimal = proven and status2 == cp_model.OPTIMAL and solver is s2
        notes = list(warn)
        if proven and not optimal:
            notes.append(
                f"{used} days is proven the fewest; the soft goals were not proven best in the time limit"
            )
        elif not proven:
            notes.append(
                f"{used} days; no schedule can use fewer than {own_bound}, not proven in the time limit"
            )
        if len(problems) > 1 and optimal:
            notes.append("optimal for the campaigns' days together (the province's pool is shared)")
        answers.append(
            ScheduleAnswer(
                "optimal" if optimal else "feasible",
                used,
                own_bound,
                tuple(sorted(grp, key=lambda g: (g.day, g.room_id, g.participants))),
                tuple(notes),
                0.0,
                soft_value,
                proven,
            )
        )
    return answers


def _all_vars(blocks: list[_Block]) -> list[cp_model.IntVar]:
    out: list[cp_model.IntVar] = []
    for b in blocks:
        out.extend(b.y.values())
        out.extend(b.n)
        out.extend(b.used)
        out.extend(b.x.values())
        out.extend(b.g.values())
        out.extend(b.k.values())
    return out


def _fallback(
    problems: list[ScheduleProblem], bounds: list[int], warnings: list[tuple[str, ...]], why: str
) -> list[ScheduleAnswer]:
    """The first-fit schedule when the solver has none in time; 'unknown' when first fit fails too."""
    out = []
    for p, first, lb, warn in zip(problems, greedy_first_fit_many(problems), bounds, warnings):
        if first.status == "feasible":
            note = f"{why}; this is the first-fit schedule ({first.days_used} days)"
            out.append(replace(first, lower_bound_days=lb, reasons=(*warn, note)))
        else:
            out.append(ScheduleAnswer("unknown", None, lb, (), (*warn, why), 0.0))
    return out


def greedy_first_fit_many(problems: Sequence[ScheduleProblem]) -> list[ScheduleAnswer]:
    """First fit campaign after campaign, as the province's office would book its pool by hand: the days a
    campaign takes an assessor become booked days for the campaigns after it."""
    taken: dict[str, set[date]] = defaultdict(set)
    out = []
    for p in problems:
        shared = tuple(
            replace(a, booked_dates=a.booked_dates | frozenset(taken[a.assessor_id])) for a in p.assessors
        )
        answer = greedy_first_fit(replace(p, assessors=shared))
        for g in answer.groups:
            for aid in g.assessors:
                taken[aid].add(g.day)
        out.append(answer)
    return out


def reschedule_absent(
    problem: ScheduleProblem, answer: ScheduleAnswer, nip: str, *, not_before: date | None = None
) -> ScheduleAnswer:
    """Someone was absent: put them on a day from `not_before` on (default: the day after their group),
    leaving every other participant and assessor where they are. First an existing group with room (the
    group's maximum, the room's seats, the daily cap, and the group's assessors' daily maximum and
    conflicts still hold), the earliest day first; else a make-up group of one on the earliest day with
    a free seat in a lent room and enough assessors (already working that day with room to spare, or
    free that day) to keep the group's observers and the day's ratio. Infeasible, with the reason, when
    nothing fits."""
    started = time.monotonic()
    person = next((p for p in problem.participants if p.nip == nip), None)
    if person is None:
        return replace(answer, status="infeasible", reasons=(f"{nip} is not a participant of this campaign",))
    home = next((g for g in answer.groups if nip in g.participants), None)
    if not_before is None:
        not_before = home.day + timedelta(days=1) if home else min(problem.dates, default=date.min)
    others = [
        replace(g, participants=tuple(n for n in g.participants if n != nip)) if g is home else g
        for g in answer.groups
    ]
    others = [g for g in others if g.participants]
    staff = {a.assessor_id: a for a in problem.assessors}
    rooms = {r.room_id: r for r in problem.rooms}
    apg = problem.assessors_per_group

    def totals(day: date) -> tuple[int, dict[str, int], dict[str, int], set[str]]:
        count, in_room, observed, working = 0, defaultdict(int), defaultdict(int), set()
        for g in others:
            if g.day == day:
                count += len(g.participants)
                in_room[g.room_id] += len(g.participants)
                for aid in g.assessors:
                    observed[aid] += len(g.participants)
                    working.add(aid)
        return count, in_room, observed, working

    def done(groups: list[Group]) -> ScheduleAnswer:
        days = len({g.day for g in groups})
        return replace(
            answer,
            status="feasible",
            days_used=days,
            groups=tuple(sorted(groups, key=lambda g: (g.day, g.room_id, g.participants))),
            reasons=(f"{nip} moved to {next(g.day for g in groups if nip in g.participants).isoformat()}",),
            solve_seconds=round(time.monotonic() - started, 3),
            days_proven=False,
        )

    days = [d for d in problem.dates if d >= not_before]
    for day in days:  # an existing group first: nobody else moves and no one new is booked
        count, in_room, observed, working = totals(day)
        if count + 1 > problem.daily_cap:
            continue
        if len(working) < assessors_needed(count + 1, problem.ratio, assessors_per_group=apg):
            continue
        for gi, g in sorted(enumerate(others), key=lambda e: len(e[1].participants)):
            if g.day != day or len(g.participants) >= problem.group_max:
                continue
            if in_room[g.room_id] + 1 > rooms[g.room_id].capacity:
                continue
            if any(
                conflicts(staff[aid], person) or observed[aid] + 1 > staff[aid].max_participants_per_day
                for aid in g.assessors
            ):
                continue
            moved = list(others)
            moved[gi] = replace(g, participants=(*g.participants, nip))
            return done(moved)
    booked_elsewhere: set[str] = set()
    for day in days:  # else a make-up group of one
        count, in_room, observed, working = totals(day)
        if count + 1 > problem.daily_cap:
            continue
        room = next(
            (r for r in problem.rooms if room_open(r, day) and in_room[r.room_id] + 1 <= r.capacity), None
        )
        if room is None:
            continue
        can = [
            a
            for a in problem.assessors
            if assessor_free(a, day)
            and not conflicts(a, person)
            and observed[a.assessor_id] + 1 <= a.max_participants_per_day
            and a.assessor_id not in booked_elsewhere
        ]
        # Those already working that day first: no new booking.
        can.sort(key=lambda a: (a.assessor_id not in working, observed[a.assessor_id]))
        need_day = assessors_needed(count + 1, problem.ratio, assessors_per_group=apg)
        pick = can[: max(apg, 1)]
        if len(pick) < max(apg, 1):
            continue
        while len(working | {a.assessor_id for a in pick}) < need_day and len(pick) < len(can):
            pick = can[: len(pick) + 1]
        if len(working | {a.assessor_id for a in pick}) < need_day:
            continue
        return done([*others, Group(day, room.room_id, (nip,), tuple(a.assessor_id for a in pick))])
    where = (
        f"from {not_before.isoformat()}"
        if days
        else f"(no working day of the window is on or after {not_before})"
    )
    return replace(
        answer,
        status="infeasible",
        reasons=(f"no group or free seat with enough free assessors for {nip} {where}",),
        solve_seconds=round(time.monotonic() - started, 3),
    )


# ---- many campaigns over one pool: split into a pool plan and one solve per campaign ----------------

# Up to this many campaigns are solved in one count model (exact, with the infeasibility explanation);
# more are split: the joint model's size grows with campaigns x days x classes, and at province scale
# (38 campaigns) CP-SAT improves it one campaign-day at a time.
JOINT_AT_MOST = 4


def _split_plan(
    problems: list[ScheduleProblem], shared: dict[str, Assessor], seconds: float, report: Progress
) -> dict[tuple[int, date], set[str]] | None:
    """The pool plan: per campaign and day, the pool assessors it may book. First how many of each team
    (pool members interchangeable for these rules) each campaign gets, minimising the campaigns' total days. Aggregate rules only (daily cap, rooms' seats, the ratio,
    the observers' capacity, one campaign per pool assessor a day); a campaign's own solve then puts
    people and assessors into groups. None when no plan exists in time."""
    teams: dict[tuple, list[Assessor]] = defaultdict(list)
    for a in shared.values():
        if bookable(a):
            teams[(a.unavailable_dates | a.booked_dates, a.max_participants_per_day)].append(a)
    team_keys = sorted(teams, key=lambda k: (sorted(k[0]), k[1]))
    m = cp_model.CpModel()
    used_all, take, works = [], {}, {}
    per_day_team: dict[tuple[date, int], list[cp_model.IntVar]] = defaultdict(list)
    for t, p in enumerate(problems):
        inside = [a for a in p.assessors if a.assessor_id not in shared and bookable(a)]
        listed = {a.assessor_id for a in p.assessors}
        ns, used = [], []
        for d in p.dates:
            cap = min(
                p.daily_cap,
                sum(usable_seats(r.capacity, p.group_min, p.group_max) for r in p.rooms if room_open(r, d)),
            )
            u = m.new_bool_var("")
            works[t, d] = u
            n = m.new_int_var(0, max(cap, 0), "")
            m.add(n <= cap * u)
            m.add(n >= max(p.group_min, 1) * u)
            own = [a for a in inside if assessor_free(a, d)]
            count, observe = len(own) * u, sum(a.max_participants_per_day for a in own) * u
            for ti, key in enumerate(team_keys):
                free = sum(1 for a in teams[key] if assessor_free(a, d))
                if not free or all(a.assessor_id not in listed for a in teams[key]):
                    continue
                k = m.new_int_var(0, free, "")
                m.add(k <= free * u)
                take[t, d, ti] = k
                per_day_team[d, ti].append(k)
                count += k
                observe += key[1] * k
            m.add(p.ratio.participants * count >= p.ratio.assessors * n)
            m.add(observe >= p.assessors_per_group * n)
            m.add(count >= max(p.assessors_per_group, 1) * u)
            ns.append(n)
            used.append(u)
        m.add(sum(ns) == len(p.participants))
        m.add(sum(used) >= lower_bound_days(p))
        used_all.extend(used)
    for (d, ti), ks in per_day_team.items():
        m.add(sum(ks) <= sum(1 for a in teams[team_keys[ti]] if assessor_free(a, d)))
    m.minimize(sum(used_all))
    solver = _solver(seconds)
    status = solver.solve(m, _Reporter(progress=report, start=0.05, span=0.35, what="days"))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    # Members to campaigns, the least loaded first; the members no campaign needs that day go to the
    # campaigns working that day as spares (each to one campaign only), which their own solves may use.
    plan: dict[tuple[int, date], set[str]] = defaultdict(set)
    load: dict[str, int] = defaultdict(int)
    days = sorted({d for p in problems for d in p.dates})
    for d in days:
        for ti, key in enumerate(team_keys):
            members = sorted(
                (a for a in teams[key] if assessor_free(a, d)),
                key=lambda a: (load[a.assessor_id], a.assessor_id),
            )
            wants = [(t, solver.value(take[t, d, ti])) for t in range(len(problems)) if (t, d, ti) in take]
            working = [t for t, _ in wants if solver.value(works[t, d])]
            for t, k in wants:
                for a in members[:k]:
                    plan[t, d].add(a.assessor_id)
                    load[a.assessor_id] += 1
                members = members[k:]
            for i, a in enumerate(members):
                if working:
                    plan[working[i % len(working)], d].add(a.assessor_id)  # a spare
    return plan


def _solve_split(
    problems: list[ScheduleProblem], report: Progress, started: float, deadline: float
) -> list[ScheduleAnswer]:
    owners: dict[str, set[int]] = defaultdict(set)
    for t, p in enumerate(problems):
        for a in p.assessors:
            owners[a.assessor_id].add(t)
    shared = {a.assessor_id: a for p in problems for a in p.assessors if len(owners[a.assessor_id]) > 1}
    plan = _split_plan(problems, shared, 0.4 * (deadline - time.monotonic()), report)
    if plan is None:
        return _solve_live(problems, report, started, deadline)  # explains why, or falls back in time
    answers: list[ScheduleAnswer] = []
    taken: dict[str, set[date]] = defaultdict(set)  # pool days held by the campaigns solved so far
    for t, p in enumerate(problems):
        report(0.4 + 0.55 * t / len(problems), f"campaign {t + 1} of {len(problems)}")
        slice_s = max((deadline - time.monotonic()) / (len(problems) - t), 0.2)
        mine = {aid: {d for (tt, d), got in plan.items() if tt == t and aid in got} for aid in shared}
        later = {aid: {d for (tt, d), got in plan.items() if tt > t and aid in got} for aid in shared}

        def pool_view(days_of: dict[str, set[date]]) -> tuple[Assessor, ...]:
            return tuple(
                replace(
                    a, booked_dates=a.booked_dates | (frozenset(p.dates) - frozenset(days_of[a.assessor_id]))
                )
                if a.assessor_id in shared
                else a
                for a in p.assessors
            )

        answer = solve(replace(p, assessors=pool_view(mine), time_limit_s=slice_s))
        if answer.status not in ("optimal", "feasible"):
            # The plan's days did not fit this campaign's groups: any pool day no one else holds or is
            # planned to hold.
            free = {aid: set(p.dates) - taken[aid] - later[aid] for aid in shared}
            retry = solve(replace(p, assessors=pool_view(free), time_limit_s=max(slice_s, 1.0)))
            if retry.status in ("optimal", "feasible"):
                answer = retry
        for g in answer.groups:
            for aid in g.assessors:
                if aid in shared:
                    taken[aid].add(g.day)
        own_bound = lower_bound_days(p)
        answers.append(
            replace(
                answer,
                lower_bound_days=own_bound,
                days_proven=answer.days_used == own_bound,
                status="optimal"
                if answer.status == "optimal" and answer.days_used == own_bound
                else answer.status,
            )
        )
    return answers
