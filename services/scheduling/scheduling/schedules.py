"""Schedule use cases: a request is checked and stored, the solver runs as a job (on a worker thread,
its progress saved as it goes), the answer is stored with the assessors' days booked, and publishing
sends one session-scheduled event per group. One absent participant can be re-scheduled without
moving anybody else.

Booking is what keeps a pool assessor from being on two tenants' schedules on one day: the
(assessor, day) primary key of assessor_bookings is the rule, so two solves running at the same time
cannot both keep the same day. The loser solves again with the winner's days taken.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any, get_args

from bakat_common.auth import Principal, require_roles
from bakat_common.contracts.scheduling import SessionScheduledV1
from bakat_common.db import on_commit, unit_of_work, use_tenant_scope
from bakat_common.errors import Conflict, InvalidInput, NotFound, sqlstate
from bakat_common.events import new_event
from bakat_common.outbox import add_to_outbox
from bakat_common.replicas import await_replica
from bakat_common.topics import service_topic
from prometheus_client import CollectorRegistry, Counter, Histogram
from sqlalchemy import func, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from scheduling import domain, exports, solver
from scheduling.models import AssessorRecord, Room, Schedule, ScheduledSession
from scheduling.repository import AssessorRepository, EmployeeRepository, ScheduleRepository, VenueRepository
from scheduling.schemas import AbsenceIn, ScheduleRequestIn
from scheduling.service import WRITERS, assessor_tenants

log = logging.getLogger("bakat.scheduling")

SOLVED = ("optimal", "feasible")
ANSWERS = get_args(domain.SolveStatus)  # the solver's answers, as metric labels
MAX_PARTICIPANTS = 20_000  # as ScheduleRequestIn.participants allows
RUNNING = ("queued", "solving")
BOOKING_ATTEMPTS = 3
# A solve again after a lost booking race needs at least this much of the time limit left.
MIN_RETRY_S = 1.0
PROGRESS_EVERY_S = 0.5
# A running job's process touches its heartbeat this often; one silent for STALE_AFTER lost its
# process (a restart, a kill): it is shown as failed, and may be withdrawn, instead of solving forever.
HEARTBEAT_EVERY = timedelta(seconds=20)
STALE_AFTER = timedelta(minutes=2)
INTERRUPTED = "the solve stopped without an answer (the service was restarted): request the schedule again"


class SolveMetrics:
    """Scheduling's own metrics: the solver's (dashboards: schedule solve time), on the app's registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.seconds = Histogram(
            "bakat_schedule_solve_seconds",
            "Time to solve a schedule request, by answer",
            ["status"],
            buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
            registry=registry,
        )
        self.participants = Counter(
            "bakat_schedule_participants_total", "Participants in solved schedule requests, by answer", ["status"],
            registry=registry,
        )  # fmt: skip
        for status in ANSWERS:  # at 0 from the start: the first solve of each answer is an increase
            self.seconds.labels(status)
            self.participants.labels(status)

    def solved(self, status: str, seconds: float, participants: int) -> None:
        self.seconds.labels(status).observe(seconds)
        self.participants.labels(status).inc(participants)


def is_stale(schedule: Schedule, now: datetime) -> bool:
    last_sign = schedule.heartbeat_at or schedule.created_at
    return schedule.status in RUNNING and last_sign + STALE_AFTER < now


# ---- the request -------------------------------------------------------------------------------------


async def request_schedule(
    session: AsyncSession,
    principal: Principal,
    tenant_id: str,
    data: ScheduleRequestIn,
    *,
    today: date,
    replica_wait_s: float,
) -> Schedule:
    """Check the request against what is known here and store it as a queued job. Everything the
    solver needs from the request is resolved now (the participants' units, the rooms, the dates),
    so a later roster change does not alter a request already made."""
    require_roles(principal, *WRITERS)
    window = data.window
    if window.start < today:
        raise InvalidInput(
            "body.window.start", "future", f"the window starts on {window.start}, before today ({today})"
        )
    dates = domain.working_days(window.start, window.end, window.working_days, window.holidays)
    if not dates:
        raise InvalidInput("body.window", "working_days", "the window has no working day")
    participants = await _participants(session, tenant_id, data, set(dates), replica_wait_s)
    rooms = await _rooms(session, tenant_id, data.venue_ids)
    schedule = Schedule(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        campaign_id=data.campaign_id,
        name=data.name,
        status="queued",
        progress=0.0,
        reasons=[],
        created_by=principal.subject,
        request={
            **data.model_dump(mode="json", exclude={"participants", "participant_filter", "venue_ids"}),
            "participant_filter": data.participant_filter.model_dump() if data.participant_filter else None,
            "dates": [d.isoformat() for d in dates],
            "participants": participants,
            "room_ids": [str(r.id) for r in rooms],
        },
    )
    session.add(schedule)
    await session.flush()
    return schedule


async def _participants(
    session: AsyncSession, tenant_id: str, data: ScheduleRequestIn, dates: set[date], replica_wait_s: float
) -> list[dict[str, Any]]:
    employees = EmployeeRepository(session)
    if data.participant_filter is not None:
        found = await employees.matching(
            tenant_id, data.participant_filter.unit, data.participant_filter.tiers
        )
        if not found:
            raise InvalidInput(
                "body.participant_filter", "empty", "no active employee of the roster matches the filter"
            )
        if len(found) > MAX_PARTICIPANTS:
            raise InvalidInput(
                "body.participant_filter",
                "too_many",
                f"{len(found)} employees match; one schedule takes at most {MAX_PARTICIPANTS}",
            )
        return [{"nip": e.nip, "unit_path": e.unit_path, "preferred_dates": []} for e in found]
    listed = data.participants or []
    if not listed:
        raise InvalidInput("body.participants", "min_length", "the participant list is empty")
    seen: dict[str, int] = {}
    for i, p in enumerate(listed):
        if p.nip in seen:
            raise InvalidInput(
                f"body.participants.{i}.nip", "unique", f"NIP {p.nip} is listed twice (also at {seen[p.nip]})"
            )
        seen[p.nip] = i
        for j, day in enumerate(p.preferred_dates):
            if day not in dates:
                raise InvalidInput(
                    f"body.participants.{i}.preferred_dates.{j}",
                    "working_day",
                    f"{day} is not a working day of the window",
                )
    nips = [p.nip for p in listed]

    async def all_known() -> dict | None:
        known = await employees.by_nip(tenant_id, nips)
        return known if len(known) == len(nips) else None

    # An employee registered a moment ago may still be on its way here from roster.
    known = await await_replica(all_known, replica_wait_s) or await employees.by_nip(tenant_id, nips)
    for i, p in enumerate(listed):
        employee = known.get(p.nip)
        if employee is None:
            raise InvalidInput(
                f"body.participants.{i}.nip", "known", f"NIP {p.nip} is not in {tenant_id}'s roster"
            )
        if employee.status != "active":
            raise InvalidInput(f"body.participants.{i}.nip", "active", f"NIP {p.nip} is {employee.status}")
    return [
        {
            "nip": p.nip,
            "unit_path": known[p.nip].unit_path,
            "preferred_dates": [d.isoformat() for d in p.preferred_dates],
        }
        for p in listed
    ]


async def _rooms(session: AsyncSession, tenant_id: str, venue_ids: list[uuid.UUID] | None) -> list[Room]:
    """The rooms of the chosen venues (the tenant's own or its province's); default: the tenant's."""
    venues_repo = VenueRepository(session)
    if venue_ids is None:
        venues = await venues_repo.venues(tenant_id)
    else:
        tenants = await assessor_tenants(session, tenant_id, with_pool=True)
        known = {v.id: v for v in await venues_repo.venues_of(tenants)}
        venues = []
        for i, venue_id in enumerate(venue_ids):
            if venue_id not in known:
                raise InvalidInput(
                    f"body.venue_ids.{i}", "known", f"venue {venue_id} not found in {tenant_id}"
                )
            venues.append(known[venue_id])
    rooms = [room for venue in venues for room in venue.rooms]
    if not rooms:
        raise InvalidInput(
            "body.venue_ids", "rooms", "no room to hold the assessment: register a venue with rooms first"
        )
    return rooms


# ---- the problem the solver gets ---------------------------------------------------------------------


@dataclass
class Loaded:
    """A stored schedule's problem, with the records its ids refer to."""

    problem: domain.ScheduleProblem
    rooms: dict[uuid.UUID, Room]
    assessors: dict[uuid.UUID, AssessorRecord]


async def load_problem(
    session: AsyncSession, schedule: Schedule, sessions: Sequence[ScheduledSession] = ()
) -> Loaded:
    """The solver's problem from the stored request and the current rooms, assessors and bookings
    (other schedules' bookings only: this schedule's own days are its to move). With the schedule's
    `sessions` (an absence), the rooms and assessors they use stay in the problem as they are, even if
    one was deactivated or a room's lending changed since: those sessions stand."""
    request = schedule.request
    dates = tuple(date.fromisoformat(d) for d in request["dates"])
    window = set(dates)
    repo = ScheduleRepository(session)
    rooms = await repo.rooms([uuid.UUID(r) for r in request["room_ids"]] + [s.room_id for s in sessions])
    used_days: dict[uuid.UUID, set[date]] = {}
    for row in sessions:
        used_days.setdefault(row.room_id, set()).add(row.day)
    taken = await repo.rooms_taken(list(rooms), dates[0], dates[-1], except_schedule=schedule.id)
    tenants = await assessor_tenants(session, schedule.tenant_id, with_pool=request["use_province_pool"])
    assessors = AssessorRepository(session)
    records = await assessors.assessors(tenants, active_only=True)
    active = {a.id for a in records}
    used_ids = {a for row in sessions for a in row.assessor_ids} - active
    records += list((await assessors.by_ids(used_ids)).values())
    booked = await repo.booked_days([a.id for a in records], dates[0], dates[-1], except_schedule=schedule.id)

    def lent(room: Room) -> frozenset[date]:
        """The window's days the room may hold this schedule's groups: lent to us (every day when no
        dates are set), not held by another schedule; and the days this schedule's sessions use it."""
        days = window.intersection(room.available_dates) if room.available_dates else set(window)
        return frozenset((days - taken.get(room.id, set())) | used_days.get(room.id, set()))

    unit_staff = {}
    if request.get("max_unit_share"):
        unit_staff = domain.staff_in_subtrees(await EmployeeRepository(session).staff_per_unit(schedule.tenant_id))
    problem = domain.ScheduleProblem(
        campaign_id=schedule.campaign_id,
        tenant_id=schedule.tenant_id,
        dates=dates,
        participants=tuple(
            domain.Participant(
                nip=p["nip"],
                tenant_id=schedule.tenant_id,
                unit_path=p["unit_path"],
                preferred_dates=tuple(date.fromisoformat(d) for d in p["preferred_dates"]),
            )
            for p in request["participants"]
        ),
        rooms=tuple(
            domain.RoomSlot(
                room_id=str(room.id),
                venue=room.venue.name,
                name=room.name,
                room_type=room.room_type,  # type: ignore[arg-type]
                capacity=room.capacity,
                available_dates=lent(room),
            )
            for room in rooms.values()
            if lent(room)  # a room with no free day in the window is not in the problem
        ),
        assessors=tuple(
            domain.Assessor(
                assessor_id=str(a.id),
                subject=a.subject,
                name=a.name,
                tenant_id=a.tenant_id,
                # An assessor no longer active keeps the sessions they have and gets no new one.
                certified=a.id in active
                and a.certification is not None
                and (a.certified_until is None or a.certified_until >= dates[-1]),
                max_participants_per_day=a.max_participants_per_day,
                unit_path=a.unit_path,
                unavailable_dates=frozenset(a.unavailable_dates),
                booked_dates=frozenset(booked.get(a.id, ())),
                conflicting_nips=frozenset(a.conflicting_nips),
            )
            for a in records
        ),
        daily_cap=request["daily_cap"],
        ratio=domain.Ratio(request["ratio"]["assessors"], request["ratio"]["participants"]),
        group_min=request["group_min"],
        group_max=request["group_max"],
        assessors_per_group=request["assessors_per_group"],
        max_unit_share=request.get("max_unit_share"),
        unit_staff=unit_staff,
        time_limit_s=request["time_limit_s"],
    )
    return Loaded(problem, rooms, {a.id: a for a in records})


# ---- the job -----------------------------------------------------------------------------------------


class _DaysTaken(Exception):
    """Another schedule booked an assessor or room day of this answer while it was being solved."""


def _lost_race(exc: BaseException) -> bool:
    """A booking that met another transaction's booking of the same rows (deadlock or serialization
    failure): solving again with the other schedule's days taken is the answer."""
    return isinstance(exc, _DaysTaken) or (
        isinstance(exc, DBAPIError) and sqlstate(exc) in ("40P01", "40001")
    )


async def run_solve(
    sessions: async_sessionmaker[AsyncSession],
    progress_sessions: async_sessionmaker[AsyncSession],
    tenant_id: str,
    schedule_id: uuid.UUID,
    metrics: SolveMetrics | None = None,
) -> None:
    """Solve a queued schedule and store the answer (never raises: a failure is the job's status).
    Progress and heartbeat go through `progress_sessions`, off the main pool, so that a busy pool
    never makes a live job look lost."""
    use_tenant_scope([tenant_id])  # row-level security; load_problem widens it to the province's pool
    loop = asyncio.get_running_loop()
    last_saved = 0.0

    def progress(fraction: float, note: str) -> None:  # called on the solver's thread
        nonlocal last_saved
        now = time.monotonic()
        if now - last_saved >= PROGRESS_EVERY_S:
            last_saved = now
            saving = asyncio.run_coroutine_threadsafe(
                _save_progress(progress_sessions, schedule_id, fraction, note), loop
            )
            saving.add_done_callback(_log_failure)

    heartbeat = asyncio.create_task(_beat(progress_sessions, schedule_id))
    try:
        async with unit_of_work(sessions) as session:
            schedule = await session.get(Schedule, schedule_id, with_for_update=True)
            if schedule is None or schedule.status != "queued":
                return
            schedule.status = "solving"
            schedule.heartbeat_at = func.now()
        deadline: float | None = None  # the request's time limit holds for the job, retries included
        for _ in range(BOOKING_ATTEMPTS):
            async with sessions() as session:
                schedule = await session.get(Schedule, schedule_id)
                if schedule is None:
                    return  # withdrawn meanwhile
                loaded = await load_problem(session, schedule)
            problem = loaded.problem
            if deadline is None:
                deadline = time.monotonic() + problem.time_limit_s
            elif (left := deadline - time.monotonic()) < MIN_RETRY_S:
                break  # no time left for another solve: the officer asks again
            else:
                problem = replace(problem, time_limit_s=left)
            answer = await asyncio.to_thread(solver.solve, problem, progress=progress)
            greedy = await asyncio.to_thread(domain.greedy_first_fit, problem)
            try:
                async with unit_of_work(sessions) as session:
                    if await _store_answer(session, schedule_id, answer, greedy.days_used) and metrics:
                        # Counted once the answer is stored: an answer lost to a booking race is solved again.
                        solved = (answer.status, answer.solve_seconds, len(problem.participants))
                        on_commit(session, lambda: metrics.solved(*solved))
                return
            except Exception as exc:
                if not _lost_race(exc):
                    raise
                log.info("a day of this answer was booked by another schedule meanwhile; solving again")
        await _finish(sessions, schedule_id, "failed", [RACED])
    except Exception as exc:
        log.exception("schedule solve failed", extra={"schedule_id": str(schedule_id)})
        await _finish(
            sessions, schedule_id, "failed", [f"the solver stopped with an error ({type(exc).__name__})"]
        )
    finally:
        heartbeat.cancel()


RACED = (
    "assessors or rooms were booked by other schedules while this one was being solved, until its time limit"
    " or three times over: request it again"
)


def _log_failure(future: concurrent.futures.Future) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.warning("saving a schedule's progress failed: %r", future.exception())


async def _beat(sessions: async_sessionmaker[AsyncSession], schedule_id: uuid.UUID) -> None:
    """While the job lives, its heartbeat moves: a job whose heartbeat stopped lost its process."""
    while True:
        await asyncio.sleep(HEARTBEAT_EVERY.total_seconds())
        try:
            async with unit_of_work(sessions) as session:
                await session.execute(
                    update(Schedule)
                    .where(Schedule.id == schedule_id, Schedule.status.in_(RUNNING))
                    .values(heartbeat_at=func.now())
                )
        except Exception as exc:  # the next beat tries again; the job itself goes on
            log.warning("schedule heartbeat failed: %r", exc)


async def _save_progress(
    sessions: async_sessionmaker[AsyncSession], schedule_id: uuid.UUID, fraction: float, note: str
):
    async with unit_of_work(sessions) as session:
        await session.execute(
            update(Schedule)
            .where(Schedule.id == schedule_id, Schedule.status == "solving")
            .values(progress=min(1.0, max(0.0, fraction)), progress_note=note, heartbeat_at=func.now())
        )


async def _finish(
    sessions: async_sessionmaker[AsyncSession], schedule_id: uuid.UUID, status: str, reasons: list[str]
):
    async with unit_of_work(sessions) as session:
        await session.execute(
            update(Schedule)
            .where(Schedule.id == schedule_id)
            .values(status=status, reasons=reasons, finished_at=func.now(), progress_note=None)
        )


async def _store_answer(
    session: AsyncSession, schedule_id: uuid.UUID, answer: domain.ScheduleAnswer, greedy_days: int | None
) -> bool:
    """Whether the answer was stored (not when the request was withdrawn meanwhile)."""
    schedule = await session.get(Schedule, schedule_id, with_for_update=True)
    if schedule is None or schedule.status != "solving":
        return False  # withdrawn (or given up as lost) while it was being solved
    repo = ScheduleRepository(session)
    await repo.release(schedule.id)
    assessor_days = {(uuid.UUID(a), g.day) for g in answer.groups for a in g.assessors}
    room_days = {(uuid.UUID(g.room_id), g.day) for g in answer.groups}
    if await repo.book(schedule, assessor_days) or await repo.book_rooms(schedule, room_days):
        raise _DaysTaken  # rolls the transaction back: nothing of this answer is kept
    for group in answer.groups:
        session.add(_session_row(schedule, group))
    schedule.status = answer.status
    schedule.progress = 1.0
    schedule.progress_note = None
    schedule.lower_bound_days = answer.lower_bound_days
    schedule.days_used = answer.days_used
    schedule.greedy_days = greedy_days
    schedule.reasons = list(answer.reasons)
    schedule.solve_seconds = answer.solve_seconds
    schedule.finished_at = func.now()
    return True


def _session_row(schedule: Schedule, group: domain.Group) -> ScheduledSession:
    return ScheduledSession(
        id=uuid.uuid4(),
        schedule_id=schedule.id,
        tenant_id=schedule.tenant_id,
        day=group.day,
        room_id=uuid.UUID(group.room_id),
        participants=list(group.participants),
        assessor_ids=[uuid.UUID(a) for a in group.assessors],
    )


# ---- publishing, withdrawing, absences -------------------------------------------------------------


async def _solved(session: AsyncSession, tenant_id: str, schedule_id: uuid.UUID) -> Schedule:
    schedule = await ScheduleRepository(session).schedule(tenant_id, schedule_id, for_update=True)
    if schedule is None:
        raise NotFound(f"schedule {schedule_id} not found in {tenant_id}")
    if schedule.status not in SOLVED:
        raise Conflict(f"schedule {schedule_id} is {schedule.status}: only a solved schedule can be used")
    return schedule


async def publish(
    session: AsyncSession, principal: Principal, tenant_id: str, schedule_id: uuid.UUID
) -> Schedule:
    """Send every session of the schedule to the assessment service (pending assessments with their
    assessors). Publishing twice sends nothing new."""
    require_roles(principal, *WRITERS)
    schedule = await _solved(session, tenant_id, schedule_id)
    if schedule.published_at is not None:
        return schedule
    sessions = await ScheduleRepository(session).sessions(schedule.id)
    await _announce(session, schedule, sessions)
    schedule.published_at = func.now()
    schedule.published_by = principal.subject
    await session.flush()
    await session.refresh(schedule)
    return schedule


async def _announce(session: AsyncSession, schedule: Schedule, sessions: Sequence[ScheduledSession]) -> None:
    await assessor_tenants(session, schedule.tenant_id, with_pool=True)  # pool assessors, province rooms
    rooms = await ScheduleRepository(session).rooms({s.room_id for s in sessions})
    assessors = await AssessorRepository(session).by_ids({a for s in sessions for a in s.assessor_ids})
    for row in sessions:
        subjects = [assessors[a].subject for a in row.assessor_ids]
        room = rooms[row.room_id]
        payload = SessionScheduledV1(
            schedule_id=str(schedule.id),
            session_id=str(row.id),
            campaign_id=schedule.campaign_id,
            day=row.day,
            venue=room.venue.name,
            room=room.name,
            participants=list(row.participants),
            assessors=subjects,
            lead_assessor=subjects[0],
        )
        event = new_event(payload, service="scheduling", tenant=schedule.tenant_id, subject=str(row.id))
        await add_to_outbox(session, event, topic=service_topic("scheduling"))


async def withdraw(
    session: AsyncSession, principal: Principal, tenant_id: str, schedule_id: uuid.UUID
) -> None:
    """Delete a schedule that was not published, freeing its assessors' days."""
    require_roles(principal, *WRITERS)
    schedule = await ScheduleRepository(session).schedule(tenant_id, schedule_id, for_update=True)
    if schedule is None:
        raise NotFound(f"schedule {schedule_id} not found in {tenant_id}")
    if schedule.published_at is not None:
        raise Conflict("a published schedule stays: re-schedule the absent participants instead")
    if schedule.status in RUNNING and not is_stale(schedule, datetime.now(timezone.utc)):
        raise Conflict("the schedule is being solved: delete it when the job has finished")
    await ScheduleRepository(session).release(schedule.id)
    await session.delete(schedule)


@dataclass
class AbsenceResult:
    status: str
    reasons: list[str]
    moved_to: ScheduledSession | None


async def reschedule_absent(
    session: AsyncSession,
    principal: Principal,
    tenant_id: str,
    schedule_id: uuid.UUID,
    data: AbsenceIn,
    *,
    today: date,
) -> AbsenceResult:
    """Give an absent participant another session; every other participant keeps theirs. Nothing
    changes when no session can take them (the answer says why)."""
    require_roles(principal, *WRITERS)
    schedule = await _solved(session, tenant_id, schedule_id)
    repo = ScheduleRepository(session)
    rows = await repo.sessions(schedule.id)
    old = next((r for r in rows if data.nip in r.participants), None)
    if old is None:
        raise InvalidInput("body.nip", "scheduled", f"NIP {data.nip} is not on this schedule")
    if data.not_before is not None and data.not_before <= old.day:
        raise InvalidInput(
            "body.not_before", "after_session", f"the new day must come after their session on {old.day}"
        )
    not_before = max(data.not_before or old.day + timedelta(days=1), today)
    loaded = await load_problem(session, schedule, rows)
    current = domain.ScheduleAnswer(
        status=schedule.status,  # type: ignore[arg-type]
        days_used=schedule.days_used,
        lower_bound_days=schedule.lower_bound_days or 0,
        groups=tuple(_group(r) for r in rows),
        reasons=(),
        solve_seconds=0.0,
    )
    answer = await asyncio.to_thread(
        solver.reschedule_absent, loaded.problem, current, data.nip, not_before=not_before
    )
    if answer.status not in SOLVED:
        return AbsenceResult("infeasible", list(answer.reasons), None)
    target = next(g for g in answer.groups if data.nip in g.participants)
    # The rest of the answer is the schedule as it was: only the old and the new session change.
    old.participants = [n for n in old.participants if n != data.nip]
    others = frozenset(n for n in target.participants if n != data.nip)
    joined = next(
        (
            r
            for r in rows
            if r.day == target.day
            and str(r.room_id) == target.room_id
            and frozenset(r.participants) == others
            and others
        ),
        None,
    )
    if joined is None:
        joined = _session_row(schedule, target)
        session.add(joined)
    else:
        joined.participants = list(target.participants)
        joined.assessor_ids = [uuid.UUID(a) for a in target.assessors]
    if not old.participants:
        await session.delete(old)
    try:
        taken = await repo.book(schedule, {(a, joined.day) for a in joined.assessor_ids})
        taken |= await repo.book_rooms(schedule, {(joined.room_id, joined.day)})
    except DBAPIError as exc:
        if not _lost_race(exc):
            raise
        taken = {(joined.room_id, joined.day)}
    if taken:  # the route's transaction rolls back: nothing of the move is kept
        raise Conflict(
            "an assessor or room of the new session was booked by another schedule meanwhile: try again"
        )
    await session.flush()
    await repo.release_unused(schedule.id)
    if schedule.published_at is not None:
        await _announce(session, schedule, [r for r in (old, joined) if r.participants and r is not None])
    days = len({r.day for r in await repo.sessions(schedule.id)})
    if days > (schedule.days_used or 0) and schedule.status == "optimal":
        schedule.status = "feasible"  # a make-up day: the fewest days are no longer proven
        schedule.reasons = [*schedule.reasons, f"a make-up day for {data.nip} was added after the solve"]
    schedule.days_used = days
    return AbsenceResult(answer.status, list(answer.reasons), joined)


def _group(row: ScheduledSession) -> domain.Group:
    return domain.Group(
        day=row.day,
        room_id=str(row.room_id),
        participants=tuple(row.participants),
        assessors=tuple(str(a) for a in row.assessor_ids),
    )


# ---- views -------------------------------------------------------------------------------------------


async def session_views(session: AsyncSession, schedule: Schedule) -> list[exports.SessionView]:
    """The schedule's sessions by day and room, with the participants' and assessors' names."""
    await assessor_tenants(session, schedule.tenant_id, with_pool=True)  # pool assessors, province rooms
    repo = ScheduleRepository(session)
    rows = await repo.sessions(schedule.id)
    rooms = await repo.rooms({r.room_id for r in rows})
    assessors = await AssessorRepository(session).by_ids({a for r in rows for a in r.assessor_ids})
    employees = await EmployeeRepository(session).by_nip(
        schedule.tenant_id, [n for r in rows for n in r.participants]
    )
    views = []
    for row in rows:
        room = rooms[row.room_id]
        people = []
        for nip in row.participants:
            e = employees.get(nip)
            people.append(exports.Person(nip, e.name if e else nip, (e.unit_code if e else None)))
        views.append(
            exports.SessionView(
                session_id=str(row.id),
                day=row.day,
                venue=room.venue.name,
                room=room.name,
                room_type=room.room_type,
                participants=people,
                assessors=[exports.Person(str(a), assessors[a].name) for a in row.assessor_ids],
            )
        )
    views.sort(key=lambda v: (v.day, v.venue, v.room, v.session_id))
    return views


async def schedule_of(session: AsyncSession, tenant_id: str, schedule_id: uuid.UUID) -> Schedule:
    schedule = await ScheduleRepository(session).schedule(tenant_id, schedule_id)
    if schedule is None:
        raise NotFound(f"schedule {schedule_id} not found in {tenant_id}")
    return schedule
