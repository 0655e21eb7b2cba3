"""Scheduling rules with no I/O: what a schedule request is, what an answer is, and the rules both obey.

The solver (solver.py) turns a `ScheduleProblem` into a `ScheduleAnswer`; the use cases build the
problem from the database and store the answer. Everything here is plain data so that the solver,
the greedy baseline and the tests can share it without a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

RoomType = Literal["computer_lab", "language_lab", "classroom", "interview_room"]
SolveStatus = Literal["optimal", "feasible", "infeasible", "unknown"]


@dataclass(frozen=True, slots=True)
class Participant:
    nip: str
    tenant_id: str
    unit_path: str | None  # "/SETDA/BAG-ORG/": conflicts of interest follow the unit tree
    preferred_dates: tuple[date, ...] = ()


@dataclass(frozen=True, slots=True)
class RoomSlot:
    """A room that may be used, and the dates it is lent to us (empty: every date of the window)."""

    room_id: str
    venue: str
    name: str
    room_type: RoomType
    capacity: int
    available_dates: frozenset[date] = frozenset()


@dataclass(frozen=True, slots=True)
class Assessor:
    """An assessor who may be booked: internal (tenant_id = the tenant) or from the province's pool
    (tenant_id = the province). `unit_path` is set for assessors who are employees of a unit;
    `conflicting_nips` holds declared conflicts (family, a direct report in another unit...)."""

    assessor_id: str
    subject: str  # the identity `sub` of the assessor's token (SessionScheduledV1.assessors)
    name: str
    tenant_id: str
    certified: bool
    max_participants_per_day: int
    unit_path: str | None = None
    unavailable_dates: frozenset[date] = frozenset()
    booked_dates: frozenset[date] = frozenset()  # already booked by another schedule (any tenant)
    conflicting_nips: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Ratio:
    """`assessors` assessors per `participants` participants on a day (Batu: 7 per 25)."""

    assessors: int
    participants: int


@dataclass(frozen=True, slots=True)
class SoftWeights:
    """Weights of the soft goals, after the number of days (which always comes first)."""

    unit_share: int = 10  # per participant over a unit's daily share
    assessor_balance: int = 1  # per assessor-day between the busiest and the least busy assessor
    preferred_dates: int = 1  # per participant not on one of their preferred dates
    assessor_days: int = 1  # per assessor-day booked: no assessor is booked (and paid) without need


@dataclass(frozen=True, slots=True)
class ScheduleProblem:
    """One campaign's request (or several tenants' campaigns sharing the province's assessors)."""

    campaign_id: str
    tenant_id: str
    dates: tuple[date, ...]  # the working days of the window, in order
    participants: tuple[Participant, ...]
    rooms: tuple[RoomSlot, ...]
    assessors: tuple[Assessor, ...]
    daily_cap: int  # most participants on one day
    ratio: Ratio
    group_min: int = 4
    group_max: int = 8
    assessors_per_group: int = 2
    max_unit_share: float | None = None  # e.g. 0.3: no unit sends more than 30 % of its staff in one day
    unit_staff: dict[str, int] = field(default_factory=dict)  # unit_path -> staff count, for the share
    weights: SoftWeights = SoftWeights()
    time_limit_s: float = 30.0


@dataclass(frozen=True, slots=True)
class Group:
    day: date
    room_id: str
    participants: tuple[str, ...]  # NIPs
    assessors: tuple[str, ...]  # assessor_ids; the first is the lead assessor


@dataclass(frozen=True, slots=True)
class ScheduleAnswer:
    status: SolveStatus
    days_used: int | None
    lower_bound_days: int
    groups: tuple[Group, ...]
    reasons: tuple[str, ...]  # in the officer's terms, for infeasible answers (and warnings otherwise)
    solve_seconds: float
    objective: float | None = None  # the weighted soft goals (the days come first and are not in it)
    days_proven: bool = False  # days_used is proven the fewest possible (the soft goals may not be)


# --- Rules -------------------------------------------------------------------------------------


def working_days(start: date, end: date, weekdays: Sequence[int], holidays: Sequence[date]) -> list[date]:
    """The days of [start, end] that fall on one of the ISO `weekdays` and are not holidays."""
    off = set(holidays)
    wanted = set(weekdays)
    days = (start + timedelta(days=i) for i in range((end - start).days + 1))
    return [d for d in days if d.isoweekday() in wanted and d not in off]


def _norm_path(path: str) -> str:
    """'/DINKES' and '/DINKES/' are the same unit: compare paths with one leading and one trailing slash."""
    return "/" + path.strip("/") + "/"


def same_line(unit_a: str, unit_b: str) -> bool:
    """True when the units are the same or one is an ancestor of the other (a line of command):
    '/DINKES/' and '/DINKES/PUSKESMAS-1/' are on one line, '/DINKES/' and '/DINSOS/' are not."""
    a, b = _norm_path(unit_a), _norm_path(unit_b)
    return a.startswith(b) or b.startswith(a)


def staff_in_subtrees(staff_per_path: dict[str, int]) -> dict[str, int]:
    """Unit path -> active staff of the unit and every unit below it, from the staff counted at each
    path: the staff a unit's share of participants is measured against (a dinas sends people from
    its bidang too)."""
    totals: dict[str, int] = {}
    for path, count in staff_per_path.items():
        parts = [part for part in path.split("/") if part]
        for depth in range(1, len(parts) + 1):
            prefix = "/" + "/".join(parts[:depth]) + "/"
            totals[prefix] = totals.get(prefix, 0) + count
    return totals


def conflicts(assessor: Assessor, participant: Participant) -> bool:
    """Conflict of interest: the participant's NIP is declared by the assessor, or the assessor works in the
    participant's unit or in a unit above or below it (superior/subordinate). Assessors without a unit
    (the province's pool) conflict only through declared NIPs."""
    if participant.nip in assessor.conflicting_nips:
        return True
    if not assessor.unit_path or not participant.unit_path:
        return False
    return same_line(assessor.unit_path, participant.unit_path)


def assessors_needed(count: int, ratio: Ratio, *, assessors_per_group: int = 0) -> int:
    """Assessors needed on a day for `count` participants: ceil(count * ratio.assessors / ratio.participants)
    (Batu: 25 participants at 7 per 25 need 7; Mojokerto: 48 at 6 per 48 need 6), and never fewer than
    the observers of one group when anyone comes. Nobody coming needs nobody."""
    if count <= 0:
        return 0
    by_ratio = -(-count * max(ratio.assessors, 0) // max(ratio.participants, 1))
    return max(by_ratio, assessors_per_group)


def usable_seats(capacity: int, group_min: int, group_max: int) -> int:
    """Most participants a room of `capacity` seats holds in whole groups of group_min..group_max
    (a room may hold several groups: 24 seats hold three groups of 8). 9 seats with groups of 5-8 hold
    only 8: two groups would need 10."""
    if group_min < 1 or group_max < group_min:
        return 0
    for seats in range(max(capacity, 0), 0, -1):
        groups = -(-seats // group_max)
        if groups * group_min <= seats:
            return seats
    return 0


def room_open(room: RoomSlot, day: date) -> bool:
    """A room without listed dates is lent for the whole window."""
    return not room.available_dates or day in room.available_dates


def bookable(assessor: Assessor) -> bool:
    """Only certified assessors who may observe someone are booked."""
    return assessor.certified and assessor.max_participants_per_day > 0


def assessor_free(assessor: Assessor, day: date) -> bool:
    """Bookable, not away and not already booked by another schedule on that day."""
    return bookable(assessor) and day not in assessor.unavailable_dates and day not in assessor.booked_dates


def free_assessors(problem: ScheduleProblem, day: date) -> list[Assessor]:
    return [a for a in problem.assessors if assessor_free(a, day)]


def assessor_limited_participants(free: Sequence[Assessor], ratio: Ratio, assessors_per_group: int) -> int:
    """Most participants a day these assessors can take: the ratio (x participants need
    ceil(x * ratio.assessors / ratio.participants) assessors), every participant observed by
    `assessors_per_group` assessors, and each assessor observing at most max_participants_per_day."""
    if not free or len(free) < assessors_per_group:
        return 0
    by_ratio = len(free) * ratio.participants // ratio.assessors if ratio.assessors > 0 else 10**9
    observers = max(assessors_per_group, 1)
    by_observation = sum(a.max_participants_per_day for a in free) // observers
    return max(0, min(by_ratio, by_observation))


def room_seats(problem: ScheduleProblem, day: date) -> int:
    """Seats usable in whole groups over the rooms lent on `day`."""
    return sum(
        usable_seats(r.capacity, problem.group_min, problem.group_max)
        for r in problem.rooms
        if room_open(r, day)
    )


def day_capacity(problem: ScheduleProblem, day: date) -> int:
    """Most participants `day` can take: the daily cap, the rooms' seats and the free assessors.
    A day that cannot hold one whole group takes nobody."""
    cap = min(
        problem.daily_cap,
        room_seats(problem, day),
        assessor_limited_participants(
            free_assessors(problem, day), problem.ratio, problem.assessors_per_group
        ),
    )
    return cap if cap >= problem.group_min else 0


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def lower_bound_days(problem: ScheduleProblem) -> int:
    """Days no schedule can beat: the largest of ceil(n / daily cap), ceil(n / most room seats on a day),
    ceil(n / most participants the free assessors take on a day), and the fewest days whose capacities
    (each the smallest of the three limits on that day) add up to n. Each is a relaxation of the hard
    rules, so the bound is never above a real schedule's days. Limits that are zero on every day are left
    out of the first three (the problem is infeasible then and explain_infeasible says why)."""
    n = len(problem.participants)
    if n == 0:
        return 0
    bounds = [1]
    if problem.daily_cap > 0:
        bounds.append(_ceil_div(n, problem.daily_cap))
    seats = max((room_seats(problem, d) for d in problem.dates), default=0)
    if seats > 0:
        bounds.append(_ceil_div(n, seats))
    by_assessors = max(
        (
            assessor_limited_participants(
                free_assessors(problem, d), problem.ratio, problem.assessors_per_group
            )
            for d in problem.dates
        ),
        default=0,
    )
    if by_assessors > 0:
        bounds.append(_ceil_div(n, by_assessors))
    capacities = sorted((day_capacity(problem, d) for d in problem.dates), reverse=True)
    total = 0
    for days, cap in enumerate(capacities, start=1):
        total += cap
        if total >= n:
            bounds.append(days)
            break
    return max(bounds)


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _working_days(count: int) -> str:
    return f"{count} working day" if count == 1 else f"{count} working days"


def explain_infeasible(problem: ScheduleProblem) -> list[str]:
    """Necessary conditions a schedule must meet, checked one by one; each failed one is a reason in the
    officer's terms ("268 participants at 48 a day need 6 days; the window has 5 working days"). An empty
    list does not prove a schedule exists (the solver may still find the rules clash together)."""
    reasons: list[str] = []
    n = len(problem.participants)
    window = len(problem.dates)
    if n == 0:
        return reasons
    if window == 0:
        return ["the window has no working days"]
    if problem.group_min < 1 or problem.group_max < problem.group_min:
        return [f"groups of {problem.group_min} to {problem.group_max} participants cannot be formed"]
    if problem.ratio.participants < 1 or problem.ratio.assessors < 0:
        return [
            f"the ratio of {problem.ratio.assessors} assessors per {problem.ratio.participants} is not usable"
        ]
    if n < problem.group_min:
        reasons.append(f"{n} participants cannot form a group of at least {problem.group_min}")
    if problem.daily_cap < problem.group_min:
        reasons.append(
            f"the daily cap of {problem.daily_cap} is smaller than the smallest group ({problem.group_min})"
        )
    elif _ceil_div(n, problem.daily_cap) > window:
        reasons.append(
            f"{n} participants at {problem.daily_cap} a day need {_days(_ceil_div(n, problem.daily_cap))}; "
            f"the window has {_working_days(window)}"
        )

    rooms = [r for r in problem.rooms if usable_seats(r.capacity, problem.group_min, problem.group_max) > 0]
    unusable = [w for w in schedule_warnings(problem) if w.startswith("room ")]
    if not problem.rooms:
        reasons.append("no room is listed")
    elif not rooms:
        reasons.append(f"no room can hold a group of {problem.group_min}")
        reasons.extend(unusable)
    elif not any(room_open(r, d) for r in rooms for d in problem.dates):
        reasons.append("no room is available on any day of the window")
    else:
        seats = max(room_seats(problem, d) for d in problem.dates)
        if seats < problem.daily_cap and _ceil_div(n, seats) > window:  # else the cap says it already
            reasons.append(
                f"{n} participants in at most {seats} seats a day need {_days(_ceil_div(n, seats))}; "
                f"the window has {_working_days(window)}"
            )
            reasons.extend(unusable)

    uncertified = [a for a in problem.assessors if not a.certified]
    certified = [a for a in problem.assessors if bookable(a)]
    # Said beside an assessor shortage: the officer may have counted people who cannot be booked.
    reasons_note = (
        "not certified, never booked: " + ", ".join(a.name for a in uncertified)
        if len(uncertified) <= 5
        else f"{len(uncertified)} assessors are not certified and never booked"
    )
    if not certified:
        reasons.append("no certified assessor is listed" + (f" ({reasons_note})" if uncertified else ""))
        return reasons
    apg = problem.assessors_per_group
    free_by_day = {d: free_assessors(problem, d) for d in problem.dates}
    most_free = max(len(f) for f in free_by_day.values())
    per_day = _ceil_div(n, window)
    needed = assessors_needed(min(per_day, max(problem.daily_cap, 1)), problem.ratio, assessors_per_group=apg)
    if most_free == 0:
        reasons.append(
            "no certified assessor is free on any day of the window"
            + (f" ({reasons_note})" if uncertified else "")
        )
    elif needed > most_free:
        over = f"over {_working_days(window)} " if window > 1 else ""
        reasons.append(
            f"{n} participants {over}need {needed} assessors "
            f"({problem.ratio.assessors} per {problem.ratio.participants}"
            + (f", {apg} observing each group" if needed == apg else "")
            + f"); only {most_free} {'is' if most_free == 1 else 'are'} free on any day of the window"
            + (f" ({reasons_note})" if uncertified else "")
        )
    else:
        # Seats and the cap would do; say which days run short of assessors when those decide it.
        plain = {d: min(problem.daily_cap, room_seats(problem, d)) for d in problem.dates}
        real = {d: day_capacity(problem, d) for d in problem.dates}
        if sum(real.values()) < n <= sum(plain.values()):
            for d in problem.dates:
                want = assessors_needed(plain[d], problem.ratio, assessors_per_group=apg)
                if plain[d] >= problem.group_min and len(free_by_day[d]) < want:
                    reasons.append(
                        f"day {d.isoformat()} needs {want} assessors, {len(free_by_day[d])} are free"
                    )
            reasons.append(
                f"{n} participants need more assessor-days than the free assessors give: "
                f"at most {sum(real.values())} participants fit the window"
            )
        elif sum(real.values()) < n and not reasons:
            reasons.append(
                f"at most {sum(real.values())} of the {n} participants fit the window "
                f"(daily cap, rooms and free assessors day by day)"
            )

    # Every participant needs `apg` assessors without a conflict of interest on some day. Participants
    # whose NIP no assessor declared are alike per unit: one check per unit.
    declared = {nip for a in problem.assessors for nip in a.conflicting_nips}
    checked: set[str | None] = set()
    for p in problem.participants:
        if p.nip not in declared:
            if p.unit_path in checked:
                continue
            checked.add(p.unit_path)
        best = max((sum(1 for a in free_by_day[d] if not conflicts(a, p)) for d in problem.dates), default=0)
        if best < max(apg, 1):
            who = (
                f"participant {p.nip}" if p.nip in declared else f"participants of {p.unit_path or 'no unit'}"
            )
            reasons.append(
                f"{who} have at most {best} free assessors without a conflict of interest on a day; "
                f"each participant needs {max(apg, 1)}"
            )
            if len(reasons) > 20:
                break
    return reasons


def schedule_warnings(problem: ScheduleProblem) -> list[str]:
    """What the solver leaves out and the officer should know: rooms that cannot hold a group (capacity 0
    or below group_min) and assessors who are not certified."""
    out: list[str] = []
    for r in problem.rooms:
        if r.capacity <= 0:
            out.append(f"room {r.name} ({r.venue}) has capacity {r.capacity} and is not used")
        elif usable_seats(r.capacity, problem.group_min, problem.group_max) == 0:
            out.append(
                f"room {r.name} ({r.venue}) seats {r.capacity}, fewer than a group of {problem.group_min}; not used"
            )
    uncertified = [a.name for a in problem.assessors if not a.certified]
    if uncertified:
        out.append(
            "not certified, never booked: "
            + ", ".join(uncertified[:10])
            + (" ..." if len(uncertified) > 10 else "")
        )
    return out


def split_sizes(count: int, groups: int) -> list[int]:
    """`count` participants in `groups` groups as even as possible (26 in 4: 7, 7, 6, 6)."""
    if groups <= 0:
        return []
    return [count // groups + (1 if i < count % groups else 0) for i in range(groups)]


def staff_groups(
    members: Sequence[Sequence[Participant]],
    free: Sequence[Assessor],
    ratio: Ratio,
    assessors_per_group: int,
    load: dict[str, int] | None = None,
) -> list[list[Assessor]] | None:
    """Assessors for the groups of one day, first fit: the groups with the fewest eligible assessors are
    staffed first, each with `assessors_per_group` assessors free of conflicts who still have room under
    their max_participants_per_day (the least used that day, then the least loaded over the campaign,
    first); then idle assessors join groups until the day's ratio is met. None when the day cannot be
    staffed. The first assessor of each group is its lead."""
    load = load or {}
    left = {a.assessor_id: a.max_participants_per_day for a in free}
    used_today = {a.assessor_id: 0 for a in free}
    eligible = [[a for a in free if not any(conflicts(a, p) for p in group)] for group in members]
    staff: list[list[Assessor]] = [[] for _ in members]
    for gi in sorted(range(len(members)), key=lambda i: (len(eligible[i]), -len(members[i]))):
        size = len(members[gi])
        choice = [a for a in eligible[gi] if left[a.assessor_id] >= size]
        choice.sort(
            key=lambda a: (used_today[a.assessor_id], load.get(a.assessor_id, 0), -left[a.assessor_id])
        )
        if len(choice) < assessors_per_group:
            return None
        for a in choice[: max(assessors_per_group, 0)]:
            staff[gi].append(a)
            left[a.assessor_id] -= size
            used_today[a.assessor_id] += 1
    need = assessors_needed(sum(len(g) for g in members), ratio, assessors_per_group=assessors_per_group)
    working = {a.assessor_id for g in staff for a in g}
    for a in sorted(free, key=lambda a: load.get(a.assessor_id, 0)):
        if len(working) >= need:
            break
        if a.assessor_id in working:
            continue
        fits = [
            gi for gi in range(len(members)) if a in eligible[gi] and left[a.assessor_id] >= len(members[gi])
        ]
        if not fits:
            continue
        gi = min(fits, key=lambda i: len(staff[i]))
        staff[gi].append(a)
        left[a.assessor_id] -= len(members[gi])
        working.add(a.assessor_id)
    if len(working) < need:
        return None
    return staff


def schedule_violations(
    problem: ScheduleProblem, groups: Sequence[Group], *, allow_make_up: bool = False
) -> list[str]:
    """Every hard rule a schedule breaks, in words (empty: the schedule is valid). `allow_make_up` lets a
    group be smaller than group_min (a make-up session for someone who was absent)."""
    out: list[str] = []
    people = {p.nip: p for p in problem.participants}
    staff = {a.assessor_id: a for a in problem.assessors}
    rooms = {r.room_id: r for r in problem.rooms}
    window = set(problem.dates)
    seen: dict[str, int] = {}
    per_day: dict[date, int] = {}
    per_room: dict[tuple[date, str], int] = {}
    observed: dict[tuple[date, str], int] = {}
    working: dict[date, set[str]] = {}
    for g in groups:
        where = f"group on {g.day.isoformat()} in {g.room_id}"
        for nip in g.participants:
            seen[nip] = seen.get(nip, 0) + 1
            if nip not in people:
                out.append(f"{where}: {nip} is not a participant")
        if g.day not in window:
            out.append(f"{where}: the day is outside the window")
        room = rooms.get(g.room_id)
        if room is None:
            out.append(f"{where}: unknown room")
        elif not room_open(room, g.day):
            out.append(f"{where}: the room is not lent that day")
        size = len(g.participants)
        if size > problem.group_max or (size < problem.group_min and not allow_make_up) or size == 0:
            out.append(f"{where}: {size} participants, groups are {problem.group_min}-{problem.group_max}")
        if len(set(g.assessors)) != len(g.assessors):
            out.append(f"{where}: an assessor is listed twice")
        if len(set(g.assessors)) < problem.assessors_per_group:
            out.append(
                f"{where}: {len(set(g.assessors))} assessors, each group needs {problem.assessors_per_group}"
            )
        per_day[g.day] = per_day.get(g.day, 0) + size
        per_room[(g.day, g.room_id)] = per_room.get((g.day, g.room_id), 0) + size
        for aid in set(g.assessors):
            a = staff.get(aid)
            if a is None:
                out.append(f"{where}: {aid} is not an assessor of this campaign")
                continue
            if not a.certified:
                out.append(f"{where}: {a.name} is not certified")
            elif not assessor_free(a, g.day):
                out.append(f"{where}: {a.name} is not free that day")
            observed[(g.day, aid)] = observed.get((g.day, aid), 0) + size
            working.setdefault(g.day, set()).add(aid)
            for nip in g.participants:
                if nip in people and conflicts(a, people[nip]):
                    out.append(f"{where}: {a.name} has a conflict of interest with {nip}")
    for nip in people:
        if seen.get(nip, 0) != 1:
            out.append(f"participant {nip} is scheduled {seen.get(nip, 0)} times")
    for day, count in per_day.items():
        if count > problem.daily_cap:
            out.append(f"{day.isoformat()}: {count} participants, the daily cap is {problem.daily_cap}")
        need = assessors_needed(count, problem.ratio, assessors_per_group=problem.assessors_per_group)
        if len(working.get(day, ())) < need:
            out.append(
                f"{day.isoformat()}: {len(working.get(day, ()))} assessors for {count} participants, {need} needed"
            )
    for (day, rid), count in per_room.items():
        if rid in rooms and count > rooms[rid].capacity:
            out.append(f"{day.isoformat()} {rid}: {count} participants in {rooms[rid].capacity} seats")
    for (day, aid), count in observed.items():
        if count > staff[aid].max_participants_per_day:
            out.append(
                f"{day.isoformat()}: {staff[aid].name} observes {count}, at most {staff[aid].max_participants_per_day}"
            )
    return out


def greedy_first_fit(problem: ScheduleProblem) -> ScheduleAnswer:
    """What an officer does by hand in a spreadsheet, the baseline for the solver: the days in order,
    each filled with the next participants of the list up to the day's limit (the daily cap, the rooms
    lent that day in list order, the free assessors by the ratio), rooms split into even groups, assessors
    first fit. A group that cannot be staffed without a conflict goes back to the front of the queue for
    the next day. No optimisation."""
    queue = list(problem.participants)
    groups: list[Group] = []
    load: dict[str, int] = {}
    days_used = 0
    for day in problem.dates:
        if not queue:
            break
        free = free_assessors(problem, day)
        take = min(day_capacity(problem, day), len(queue))
        if take < problem.group_min:
            continue
        today: list[tuple[str, list[Participant]]] = []
        start = 0
        for room in problem.rooms:
            if not room_open(room, day) or start >= take:
                continue
            chunk = usable_seats(min(room.capacity, take - start), problem.group_min, problem.group_max)
            if chunk == 0:
                continue
            count = _ceil_div(chunk, problem.group_max)
            for size in split_sizes(chunk, count):
                today.append((room.room_id, queue[start : start + size]))
                start += size
        staff = staff_groups([m for _, m in today], free, problem.ratio, problem.assessors_per_group, load)
        while staff is None and today:
            today.pop()  # the last group waits for another day
            staff = staff_groups(
                [m for _, m in today], free, problem.ratio, problem.assessors_per_group, load
            )
        if not today or staff is None:
            continue
        placed = {p.nip for _, m in today for p in m}
        for (room_id, members), assessors in zip(today, staff):
            groups.append(
                Group(day, room_id, tuple(p.nip for p in members), tuple(a.assessor_id for a in assessors))
            )
        for aid in {a.assessor_id for s in staff for a in s}:
            load[aid] = load.get(aid, 0) + 1
        queue = [p for p in queue if p.nip not in placed]
        days_used += 1
    lower = lower_bound_days(problem)
    if queue:
        return ScheduleAnswer(
            "infeasible", None, lower, tuple(groups),
            (f"first fit left {len(queue)} of {len(problem.participants)} participants without a day",),
            0.0,
        )  # fmt: skip
    return ScheduleAnswer("feasible", days_used, lower, tuple(groups), (), 0.0)
