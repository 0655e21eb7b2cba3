from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, timezone
from typing import Annotated

from bakat_common.app import PrincipalDep, RuntimeDep, SessionDep
from bakat_common.errors import NotFound, problem_responses
from bakat_common.tenancy import KnownTenantDep
from fastapi import APIRouter, BackgroundTasks, Query, Response, status

from scheduling import exports, schedules, service
from scheduling.repository import AssessorRepository, ScheduleRepository, VenueRepository
from scheduling.schemas import (
    AbsenceIn,
    AbsenceOut,
    AssessorIn,
    AssessorOut,
    AssessorPatch,
    DayOut,
    PersonOut,
    RoomIn,
    RoomOut,
    RoomPatch,
    ScheduleOut,
    ScheduleRequestIn,
    SessionOut,
    VenueIn,
    VenueOut,
)

router = APIRouter(tags=["venues"])


@router.post(
    "/tenants/{tenant_id}/venues",
    response_model=VenueOut,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def create_venue(
    tenant_id: KnownTenantDep, body: VenueIn, session: SessionDep, principal: PrincipalDep
) -> VenueOut:
    return VenueOut.model_validate(await service.register_venue(session, principal, tenant_id, body))


@router.get(
    "/tenants/{tenant_id}/venues",
    response_model=list[VenueOut],
    responses=problem_responses(401, 403, 404, 422),
)
async def list_venues(
    tenant_id: KnownTenantDep, session: SessionDep, include_province: bool = False
) -> list[VenueOut]:
    """The tenant's venues; with include_province, also its province's (which a schedule may name)."""
    tenants = await service.assessor_tenants(session, tenant_id, with_pool=include_province)
    return [VenueOut.model_validate(v) for v in await VenueRepository(session).venues_of(tenants)]


@router.get(
    "/tenants/{tenant_id}/venues/{venue_id}",
    response_model=VenueOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_venue(tenant_id: KnownTenantDep, venue_id: uuid.UUID, session: SessionDep) -> VenueOut:
    venue = await VenueRepository(session).venue(tenant_id, venue_id)
    if venue is None:
        raise NotFound(f"venue {venue_id} not found in {tenant_id}")
    return VenueOut.model_validate(venue)


@router.post(
    "/tenants/{tenant_id}/venues/{venue_id}/rooms",
    response_model=RoomOut,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def create_room(
    tenant_id: KnownTenantDep, venue_id: uuid.UUID, body: RoomIn, session: SessionDep, principal: PrincipalDep
) -> RoomOut:
    return RoomOut.model_validate(await service.add_room(session, principal, tenant_id, venue_id, body))


@router.patch(
    "/tenants/{tenant_id}/venues/{venue_id}/rooms/{room_id}",
    response_model=RoomOut,
    responses=problem_responses(400, 401, 403, 404, 422),
    summary="Change a room's capacity or the dates it is lent to us",
)
async def change_room(
    tenant_id: KnownTenantDep,
    venue_id: uuid.UUID,
    room_id: uuid.UUID,
    body: RoomPatch,
    session: SessionDep,
    principal: PrincipalDep,
) -> RoomOut:
    return RoomOut.model_validate(
        await service.change_room(session, principal, tenant_id, venue_id, room_id, body)
    )


# ---- assessors -------------------------------------------------------------------------------------

assessors = APIRouter(tags=["assessors"])


def _assessor_out(record, tenant_id: str) -> AssessorOut:
    return AssessorOut.model_validate(record).model_copy(update={"pool": record.tenant_id != tenant_id})


@assessors.post(
    "/tenants/{tenant_id}/assessors",
    response_model=AssessorOut,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
    summary="Register an assessor (on a province: one of the pool its kabupaten/kota share)",
)
async def create_assessor(
    tenant_id: KnownTenantDep, body: AssessorIn, session: SessionDep, principal: PrincipalDep
) -> AssessorOut:
    return _assessor_out(await service.register_assessor(session, principal, tenant_id, body), tenant_id)


@assessors.get(
    "/tenants/{tenant_id}/assessors",
    response_model=list[AssessorOut],
    responses=problem_responses(401, 403, 404, 422),
    summary="The tenant's assessors and, with include_pool, the province's pool",
)
async def list_assessors(
    tenant_id: KnownTenantDep, session: SessionDep, include_pool: bool = True
) -> list[AssessorOut]:
    tenants = await service.assessor_tenants(session, tenant_id, with_pool=include_pool)
    return [_assessor_out(a, tenant_id) for a in await AssessorRepository(session).assessors(tenants)]


@assessors.patch(
    "/tenants/{tenant_id}/assessors/{assessor_id}",
    response_model=AssessorOut,
    responses=problem_responses(400, 401, 403, 404, 422),
    summary="Change an assessor: unavailable dates, certification, daily limit, conflicts, active",
)
async def change_assessor(
    tenant_id: KnownTenantDep,
    assessor_id: uuid.UUID,
    body: AssessorPatch,
    session: SessionDep,
    principal: PrincipalDep,
) -> AssessorOut:
    return _assessor_out(
        await service.change_assessor(session, principal, tenant_id, assessor_id, body), tenant_id
    )


# ---- schedules -------------------------------------------------------------------------------------

schedule_routes = APIRouter(tags=["schedules"])


def _schedule_out(schedule) -> ScheduleOut:
    stale = schedules.is_stale(schedule, datetime.now(timezone.utc))
    return ScheduleOut(
        id=schedule.id,
        tenant_id=schedule.tenant_id,
        campaign_id=schedule.campaign_id,
        name=schedule.name,
        status="failed" if stale else schedule.status,
        progress=schedule.progress,
        progress_note=schedule.progress_note,
        participants=len(schedule.request["participants"]),
        lower_bound_days=schedule.lower_bound_days,
        days_used=schedule.days_used,
        greedy_days=schedule.greedy_days,
        reasons=[schedules.INTERRUPTED] if stale else list(schedule.reasons),
        solve_seconds=schedule.solve_seconds,
        created_by=schedule.created_by,
        created_at=schedule.created_at,
        finished_at=schedule.finished_at,
        published_at=schedule.published_at,
    )


@schedule_routes.post(
    "/tenants/{tenant_id}/schedules",
    response_model=ScheduleOut,
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(400, 401, 403, 404, 422),
    summary="Request a schedule for a campaign; the solver runs as a job (poll the schedule)",
)
async def create_schedule(
    tenant_id: KnownTenantDep,
    body: ScheduleRequestIn,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    background: BackgroundTasks,
) -> ScheduleOut:
    schedule = await schedules.request_schedule(
        session,
        principal,
        tenant_id,
        body,
        today=date.today(),
        replica_wait_s=runtime.settings.replica_wait_s,
    )
    background.add_task(
        schedules.run_solve,
        runtime.sessions,
        runtime.side_sessions,
        tenant_id,
        schedule.id,
        runtime.domain_metrics,
    )
    return _schedule_out(schedule)


@schedule_routes.get(
    "/tenants/{tenant_id}/schedules",
    response_model=list[ScheduleOut],
    responses=problem_responses(401, 403, 404, 422),
)
async def list_schedules(
    tenant_id: KnownTenantDep, session: SessionDep, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[ScheduleOut]:
    return [_schedule_out(s) for s in await ScheduleRepository(session).schedules(tenant_id, limit)]


@schedule_routes.get(
    "/tenants/{tenant_id}/schedules/{schedule_id}",
    response_model=ScheduleOut,
    responses=problem_responses(401, 403, 404, 422),
    summary="The schedule's job: status, progress, the days against the lower bound, the reasons",
)
async def get_schedule(tenant_id: KnownTenantDep, schedule_id: uuid.UUID, session: SessionDep) -> ScheduleOut:
    return _schedule_out(await schedules.schedule_of(session, tenant_id, schedule_id))


@schedule_routes.get(
    "/tenants/{tenant_id}/schedules/{schedule_id}/days",
    response_model=list[DayOut],
    responses=problem_responses(401, 403, 404, 422),
    summary="Per day, room and group: the participants and their assessors",
)
async def schedule_days(
    tenant_id: KnownTenantDep, schedule_id: uuid.UUID, session: SessionDep
) -> list[DayOut]:
    schedule = await schedules.schedule_of(session, tenant_id, schedule_id)
    by_day: dict[date, list[SessionOut]] = {}
    for view in await schedules.session_views(session, schedule):
        by_day.setdefault(view.day, []).append(_session_out(view))
    return [
        DayOut(
            day=day,
            participants=sum(len(s.participants) for s in sessions),
            assessors=len({a.id for s in sessions for a in s.assessors}),
            sessions=sessions,
        )
        for day, sessions in sorted(by_day.items())
    ]


def _session_out(view) -> SessionOut:
    return SessionOut(
        id=uuid.UUID(view.session_id),
        day=view.day,
        venue=view.venue,
        room=view.room,
        room_type=view.room_type,
        participants=[PersonOut(id=p.id, name=p.name) for p in view.participants],
        assessors=[PersonOut(id=a.id, name=a.name) for a in view.assessors],
    )


@schedule_routes.post(
    "/tenants/{tenant_id}/schedules/{schedule_id}/publish",
    response_model=ScheduleOut,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Publish the sessions: the assessment service makes the pending assessments",
)
async def publish_schedule(
    tenant_id: KnownTenantDep, schedule_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> ScheduleOut:
    return _schedule_out(await schedules.publish(session, principal, tenant_id, schedule_id))


@schedule_routes.delete(
    "/tenants/{tenant_id}/schedules/{schedule_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Withdraw a schedule that was not published (its assessors' days are freed)",
)
async def delete_schedule(
    tenant_id: KnownTenantDep, schedule_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Response:
    await schedules.withdraw(session, principal, tenant_id, schedule_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@schedule_routes.post(
    "/tenants/{tenant_id}/schedules/{schedule_id}/absences",
    response_model=AbsenceOut,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
    summary="Re-schedule one absent participant; nobody else moves",
)
async def report_absence(
    tenant_id: KnownTenantDep,
    schedule_id: uuid.UUID,
    body: AbsenceIn,
    session: SessionDep,
    principal: PrincipalDep,
) -> AbsenceOut:
    result = await schedules.reschedule_absent(
        session, principal, tenant_id, schedule_id, body, today=date.today()
    )
    moved = None
    if result.moved_to is not None:
        schedule = await schedules.schedule_of(session, tenant_id, schedule_id)
        moved = next(
            (
                _session_out(v)
                for v in await schedules.session_views(session, schedule)
                if v.session_id == str(result.moved_to.id)
            ),
            None,
        )
    return AbsenceOut(status=result.status, reasons=result.reasons, moved_to=moved)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@schedule_routes.get(
    "/tenants/{tenant_id}/schedules/{schedule_id}/export.xlsx",
    responses={200: {"content": {XLSX: {}}}, **problem_responses(401, 403, 404, 422)},
    response_class=Response,
    summary="The schedule as a workbook: a row per participant, and each assessor's days",
)
async def export_schedule(tenant_id: KnownTenantDep, schedule_id: uuid.UUID, session: SessionDep) -> Response:
    schedule = await schedules.schedule_of(session, tenant_id, schedule_id)
    views = await schedules.session_views(session, schedule)
    body = await asyncio.to_thread(exports.schedule_workbook, schedule.name, views)
    return Response(
        body,
        media_type=XLSX,
        headers={"content-disposition": f'attachment; filename="jadwal-{schedule.id}.xlsx"'},
    )


@schedule_routes.get(
    "/tenants/{tenant_id}/schedules/{schedule_id}/assessors/{assessor_id}/calendar.ics",
    responses={200: {"content": {"text/calendar": {}}}, **problem_responses(401, 403, 404, 422)},
    response_class=Response,
    summary="One assessor's sessions of the schedule as an iCalendar file",
)
async def assessor_calendar(
    tenant_id: KnownTenantDep, schedule_id: uuid.UUID, assessor_id: uuid.UUID, session: SessionDep
) -> Response:
    schedule = await schedules.schedule_of(session, tenant_id, schedule_id)
    tenants = await service.assessor_tenants(session, tenant_id, with_pool=True)
    assessor = await AssessorRepository(session).assessor(tenants, assessor_id)
    if assessor is None:
        raise NotFound(f"assessor {assessor_id} not found for {tenant_id}")
    views = await schedules.session_views(session, schedule)
    body = exports.assessor_calendar(schedule.name, exports.Person(str(assessor.id), assessor.name), views)
    return Response(
        body,
        media_type="text/calendar",
        # The id, not the subject: a header carries ASCII only, and a subject may hold anything.
        headers={"content-disposition": f'attachment; filename="jadwal-{assessor.id}.ics"'},
    )
