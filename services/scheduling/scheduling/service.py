"""Venue, room and assessor use cases, and the roster copy. The route has already checked the tenant
(known here, covered by the token). Schedules are in schedules.py."""

from __future__ import annotations

import uuid

from bakat_common.auth import Principal, require_roles
from bakat_common.consumer import batched
from bakat_common.db import set_tenant_scope
from bakat_common.errors import Conflict, InvalidInput, NotFound
from bakat_common.events import CloudEvent
from bakat_common.infrastructure import known_tenants
from bakat_common.replicas import employee_rows, upsert_newest
from bakat_common.tenancy import known_parent
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling.models import AssessorRecord, EmployeeRecord, Room, Venue
from scheduling.repository import AssessorRepository, EmployeeRepository, VenueRepository
from scheduling.schemas import AssessorIn, AssessorPatch, RoomIn, RoomPatch, VenueIn

WRITERS = ("admin", "officer")


def _check_unique_names(rooms: list[RoomIn], existing: set[str], field: str) -> None:
    seen = set(existing)
    for i, room in enumerate(rooms):
        if room.name in seen:
            raise InvalidInput(
                f"{field}.{i}.name", "unique", f"room name {room.name!r} is used twice in this venue"
            )
        seen.add(room.name)


async def register_venue(session: AsyncSession, principal: Principal, tenant_id: str, data: VenueIn) -> Venue:
    require_roles(principal, *WRITERS)
    repo = VenueRepository(session)
    if await repo.venue_named(tenant_id, data.name) is not None:
        raise Conflict(f"venue {data.name!r} already exists in {tenant_id}")
    _check_unique_names(data.rooms, set(), "body.rooms")
    venue = Venue(
        tenant_id=tenant_id,
        name=data.name,
        address=data.address,
        rooms=[
            Room(
                tenant_id=tenant_id,
                name=r.name,
                room_type=r.room_type,
                capacity=r.capacity,
                available_dates=sorted(set(r.available_dates)),
            )
            for r in data.rooms
        ],
    )
    repo.add(venue)
    await session.flush()
    return venue


async def add_room(
    session: AsyncSession, principal: Principal, tenant_id: str, venue_id: uuid.UUID, data: RoomIn
) -> Room:
    require_roles(principal, *WRITERS)
    venue = await VenueRepository(session).venue(tenant_id, venue_id)
    if venue is None:
        raise NotFound(f"venue {venue_id} not found in {tenant_id}")
    if data.name in {r.name for r in venue.rooms}:
        raise Conflict(f"room {data.name!r} already exists in venue {venue.name!r}")
    room = Room(
        tenant_id=tenant_id,
        name=data.name,
        room_type=data.room_type,
        capacity=data.capacity,
        available_dates=sorted(set(data.available_dates)),
    )
    venue.rooms.append(room)
    await session.flush()
    return room


async def change_room(
    session: AsyncSession,
    principal: Principal,
    tenant_id: str,
    venue_id: uuid.UUID,
    room_id: uuid.UUID,
    data: RoomPatch,
) -> Room:
    require_roles(principal, *WRITERS)
    venue = await VenueRepository(session).venue(tenant_id, venue_id)
    room = next((r for r in venue.rooms if r.id == room_id), None) if venue is not None else None
    if room is None:
        raise NotFound(f"room {room_id} not found in venue {venue_id} of {tenant_id}")
    if "capacity" in data.model_fields_set and data.capacity is None:
        raise InvalidInput("body.capacity", "required", "capacity cannot be null")
    if data.capacity is not None:
        room.capacity = data.capacity
    if data.available_dates is not None:
        room.available_dates = sorted(set(data.available_dates))
    await session.flush()
    return room


# ---- assessors -------------------------------------------------------------------------------------


async def register_assessor(
    session: AsyncSession, principal: Principal, tenant_id: str, data: AssessorIn
) -> AssessorRecord:
    """An internal assessor of a kabupaten/kota, or (registered on the province) one of the pool."""
    require_roles(principal, *WRITERS)
    repo = AssessorRepository(session)
    # One person, one record in the whole province: the booking rule (one schedule a day) is kept per
    # record, so the same person as a kota's internal assessor and in the pool could be booked twice.
    family = await province_family(session, tenant_id)
    await set_tenant_scope(session, family)  # the rule spans the province: look at every tenant of it
    existing = await repo.by_subject_in(family, data.subject)
    await set_tenant_scope(session, [tenant_id])
    if existing:
        raise Conflict(f"assessor {data.subject!r} is already registered in {existing[0].tenant_id}")
    unit_path = data.unit_path
    if unit_path is None and data.nip is not None:
        employee = (await EmployeeRepository(session).by_nip(tenant_id, [data.nip])).get(data.nip)
        unit_path = employee.unit_path if employee is not None else None
    assessor = AssessorRecord(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        subject=data.subject,
        name=data.name,
        email=data.email,
        nip=data.nip,
        unit_path=unit_path,
        certification=data.certification,
        certified_until=data.certified_until,
        max_participants_per_day=data.max_participants_per_day,
        unavailable_dates=sorted(set(data.unavailable_dates)),
        conflicting_nips=sorted(set(data.conflicting_nips)),
        active=True,
    )
    repo.add(assessor)
    await session.flush()
    return assessor


async def change_assessor(
    session: AsyncSession, principal: Principal, tenant_id: str, assessor_id: uuid.UUID, data: AssessorPatch
) -> AssessorRecord:
    """Change an assessor of this tenant (a pool assessor is changed on the province). Bookings already
    made stay; new solves see the change."""
    require_roles(principal, *WRITERS)
    assessor = await AssessorRepository(session).assessor([tenant_id], assessor_id)
    if assessor is None:
        raise NotFound(f"assessor {assessor_id} not found in {tenant_id}")
    changes = data.model_dump(exclude_unset=True)
    for list_field in ("unavailable_dates", "conflicting_nips"):
        if changes.get(list_field) is not None:
            changes[list_field] = sorted(set(changes[list_field]))
    for name, value in changes.items():  # null clears an optional field; a required one cannot be null
        if value is None and name in (
            "name",
            "max_participants_per_day",
            "unavailable_dates",
            "conflicting_nips",
            "active",
        ):
            raise InvalidInput(f"body.{name}", "required", f"{name} cannot be null")
        setattr(assessor, name, value)
    await session.flush()
    return assessor


async def province_family(session: AsyncSession, tenant_id: str) -> list[str]:
    """The province of `tenant_id` (or the tenant itself when it has no parent) and all its children."""
    _, parent = await known_parent(session, tenant_id)
    root = parent or tenant_id
    query = select(known_tenants.c.tenant_id).where(
        or_(known_tenants.c.tenant_id == root, known_tenants.c.parent_id == root)
    )
    return sorted(set((await session.scalars(query)).all()) | {tenant_id})


async def assessor_tenants(session: AsyncSession, tenant_id: str, *, with_pool: bool) -> list[str]:
    """The tenants whose assessors (and venues) this tenant may use: its own and, with the pool, its
    province's; the tenant scope (row-level security) is widened to them."""
    if not with_pool:
        return [tenant_id]
    _, parent = await known_parent(session, tenant_id)
    tenants = [tenant_id] if parent is None else [tenant_id, parent]
    await set_tenant_scope(session, tenants)
    return tenants


# ---- roster's employees ------------------------------------------------------------------------------


async def _on_employees_changed(session: AsyncSession, events: list[CloudEvent]) -> None:
    """Roster's employee snapshots: the newest version of each wins, a run of them in one statement."""
    await upsert_newest(session, EmployeeRecord.__table__, employee_rows(events), keys=("tenant_id", "nip"))


on_employee_changed = batched(_on_employees_changed)
