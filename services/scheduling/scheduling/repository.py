from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from bakat_common.db import key_list, unnest_rows
from sqlalchemy import Table, delete, exists, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from scheduling.models import (
    AssessorBooking,
    AssessorRecord,
    EmployeeRecord,
    Room,
    RoomBooking,
    Schedule,
    ScheduledSession,
    Venue,
)


class VenueRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def venue(self, tenant_id: str, venue_id: uuid.UUID) -> Venue | None:
        return await self.session.scalar(
            select(Venue).where(Venue.tenant_id == tenant_id, Venue.id == venue_id)
        )

    async def venue_named(self, tenant_id: str, name: str) -> Venue | None:
        return await self.session.scalar(
            select(Venue).where(Venue.tenant_id == tenant_id, Venue.name == name)
        )

    async def venues_of(self, tenant_ids: Sequence[str]) -> list[Venue]:
        query = select(Venue).where(Venue.tenant_id.in_(list(tenant_ids))).order_by(Venue.name, Venue.id)
        return list((await self.session.scalars(query)).all())

    async def venues(self, tenant_id: str) -> list[Venue]:
        return list(
            (
                await self.session.scalars(
                    select(Venue).where(Venue.tenant_id == tenant_id).order_by(Venue.name)
                )
            ).all()
        )

    def add(self, venue: Venue) -> None:
        self.session.add(venue)


class AssessorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def assessor(self, tenant_ids: Sequence[str], assessor_id: uuid.UUID) -> AssessorRecord | None:
        query = select(AssessorRecord).where(
            AssessorRecord.id == assessor_id, AssessorRecord.tenant_id.in_(list(tenant_ids))
        )
        return await self.session.scalar(query)

    async def by_subject_in(self, tenant_ids: Sequence[str], subject: str) -> list[AssessorRecord]:
        query = select(AssessorRecord).where(
            AssessorRecord.tenant_id.in_(list(tenant_ids)), AssessorRecord.subject == subject
        )
        return list((await self.session.scalars(query)).all())

    async def assessors(
        self, tenant_ids: Sequence[str], *, active_only: bool = False
    ) -> list[AssessorRecord]:
        query = select(AssessorRecord).where(AssessorRecord.tenant_id.in_(list(tenant_ids)))
        if active_only:
            query = query.where(AssessorRecord.active)
        return list(
            (await self.session.scalars(query.order_by(AssessorRecord.name, AssessorRecord.id))).all()
        )

    async def by_ids(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, AssessorRecord]:
        rows = await self.session.scalars(select(AssessorRecord).where(AssessorRecord.id.in_(list(ids))))
        return {a.id: a for a in rows}

    def add(self, assessor: AssessorRecord) -> None:
        self.session.add(assessor)


class EmployeeRepository:
    """Scheduling's copy of the roster (from roster's employee events)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_nip(self, tenant_id: str, nips: Sequence[str]) -> dict[str, EmployeeRecord]:
        if not nips:
            return {}
        keys = key_list(sorted(set(nips)))
        query = (
            select(EmployeeRecord)
            .join(keys, EmployeeRecord.nip == keys.c.nip)
            .where(EmployeeRecord.tenant_id == tenant_id)
        )
        return {e.nip: e for e in await self.session.scalars(query)}

    async def matching(
        self, tenant_id: str, unit_code: str | None, tiers: Sequence[str] | None
    ) -> list[EmployeeRecord]:
        query = select(EmployeeRecord).where(
            EmployeeRecord.tenant_id == tenant_id, EmployeeRecord.status == "active"
        )
        if unit_code is not None:
            query = query.where(EmployeeRecord.unit_path.contains(f"/{unit_code}/", autoescape=True))
        if tiers:
            query = query.where(EmployeeRecord.tier.in_(list(tiers)))
        return list((await self.session.scalars(query.order_by(EmployeeRecord.nip))).all())

    async def staff_per_unit(self, tenant_id: str) -> dict[str, int]:
        """Unit path -> active employees directly in that unit (not below it)."""
        query = (
            select(EmployeeRecord.unit_path, func.count())
            .where(EmployeeRecord.tenant_id == tenant_id, EmployeeRecord.status == "active")
            .where(EmployeeRecord.unit_path.is_not(None))
            .group_by(EmployeeRecord.unit_path)
        )
        return {path: count for path, count in (await self.session.execute(query)).all()}


class ScheduleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def schedule(
        self, tenant_id: str, schedule_id: uuid.UUID, *, for_update: bool = False
    ) -> Schedule | None:
        query = select(Schedule).where(Schedule.tenant_id == tenant_id, Schedule.id == schedule_id)
        if for_update:
            query = query.with_for_update()
        return await self.session.scalar(query)

    async def schedules(self, tenant_id: str, limit: int) -> list[Schedule]:
        query = (
            select(Schedule)
            .where(Schedule.tenant_id == tenant_id)
            .order_by(Schedule.created_at.desc(), Schedule.id)
            .limit(limit)
        )
        return list((await self.session.scalars(query)).all())

    async def sessions(self, schedule_id: uuid.UUID) -> list[ScheduledSession]:
        query = (
            select(ScheduledSession)
            .where(ScheduledSession.schedule_id == schedule_id)
            .order_by(ScheduledSession.day, ScheduledSession.room_id, ScheduledSession.id)
        )
        return list((await self.session.scalars(query)).all())

    async def rooms(self, room_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Room]:
        query = select(Room).options(selectinload(Room.venue)).where(Room.id.in_(list(room_ids)))
        return {r.id: r for r in await self.session.scalars(query)}

    async def booked_days(
        self,
        assessor_ids: Sequence[uuid.UUID],
        first: date,
        last: date,
        *,
        except_schedule: uuid.UUID | None = None,
    ) -> dict[uuid.UUID, set[date]]:
        """The days each assessor is already booked (by any tenant's schedule) within [first, last]."""
        query = select(AssessorBooking.assessor_id, AssessorBooking.day).where(
            AssessorBooking.assessor_id.in_(list(assessor_ids)), AssessorBooking.day.between(first, last)
        )
        if except_schedule is not None:
            query = query.where(AssessorBooking.schedule_id != except_schedule)
        booked: dict[uuid.UUID, set[date]] = {}
        for assessor_id, day in (await self.session.execute(query)).all():
            booked.setdefault(assessor_id, set()).add(day)
        return booked

    async def book(
        self, schedule: Schedule, days: set[tuple[uuid.UUID, date]]
    ) -> set[tuple[uuid.UUID, date]]:
        """Book (assessor, day) pairs for the schedule; returns the pairs another schedule holds
        already (the caller rolls back then)."""
        return await self._book(AssessorBooking.__table__, "assessor_id", schedule, days)

    async def book_rooms(
        self, schedule: Schedule, days: set[tuple[uuid.UUID, date]]
    ) -> set[tuple[uuid.UUID, date]]:
        """Book (room, day) pairs for the schedule; returns the pairs another schedule holds."""
        return await self._book(RoomBooking.__table__, "room_id", schedule, days)

    async def _book(
        self, table: Table, key: str, schedule: Schedule, days: set[tuple[uuid.UUID, date]]
    ) -> set[tuple[uuid.UUID, date]]:
        if not days:
            return set()
        # In key order, the order every booking transaction takes these rows in: two solves finishing
        # together wait for each other instead of deadlocking. One array per column, whatever the count.
        rows = [(k, d, schedule.id, schedule.tenant_id) for k, d in sorted(days)]
        select_rows, params = unnest_rows(table, [key, "day", "schedule_id", "tenant_id"], rows)
        await self.session.execute(
            text(
                f"INSERT INTO {table.name} ({key}, day, schedule_id, tenant_id) {select_rows}"
                " ORDER BY 1, 2 ON CONFLICT DO NOTHING"
            ),
            params,
        )
        held = await self.session.execute(
            select(table.c[key], table.c.day).where(table.c.schedule_id == schedule.id)
        )
        return days - {(k, d) for k, d in held.all()}

    async def rooms_taken(
        self, room_ids: Sequence[uuid.UUID], first: date, last: date, *, except_schedule: uuid.UUID
    ) -> dict[uuid.UUID, set[date]]:
        """The days each room is held by another schedule within [first, last]."""
        query = select(RoomBooking.room_id, RoomBooking.day).where(
            RoomBooking.room_id.in_(list(room_ids)),
            RoomBooking.day.between(first, last),
            RoomBooking.schedule_id != except_schedule,
        )
        taken: dict[uuid.UUID, set[date]] = {}
        for room_id, day in (await self.session.execute(query)).all():
            taken.setdefault(room_id, set()).add(day)
        return taken

    async def release(self, schedule_id: uuid.UUID) -> None:
        """Free every day the schedule holds and drop its sessions."""
        for table in (AssessorBooking, RoomBooking, ScheduledSession):
            await self.session.execute(delete(table).where(table.schedule_id == schedule_id))

    async def release_unused(self, schedule_id: uuid.UUID) -> None:
        """Free the assessor and room days no session of the schedule needs any more (after an absence)."""
        used = (
            select(func.unnest(ScheduledSession.assessor_ids).label("assessor_id"), ScheduledSession.day)
            .where(ScheduledSession.schedule_id == schedule_id)
            .subquery()
        )
        await self.session.execute(
            delete(AssessorBooking).where(
                AssessorBooking.schedule_id == schedule_id,
                ~exists().where(
                    used.c.assessor_id == AssessorBooking.assessor_id, used.c.day == AssessorBooking.day
                ),
            )
        )
        await self.session.execute(
            delete(RoomBooking).where(
                RoomBooking.schedule_id == schedule_id,
                ~exists().where(
                    ScheduledSession.schedule_id == schedule_id,
                    ScheduledSession.room_id == RoomBooking.room_id,
                    ScheduledSession.day == RoomBooking.day,
                ),
            )
        )
