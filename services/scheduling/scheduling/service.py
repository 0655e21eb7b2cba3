"""Venue and room use cases. The route has already checked the tenant (known here, covered by the token)."""

from __future__ import annotations

import uuid

from bakat_common.auth import Principal, require_roles
from bakat_common.errors import Conflict, InvalidInput, NotFound
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling.models import Room, Venue
from scheduling.repository import VenueRepository
from scheduling.schemas import RoomIn, VenueIn

WRITERS = ("admin", "officer")


def _check_unique_names(rooms: list[RoomIn], existing: set[str], field: str) -> None:
    seen = set(existing)
    for i, room in enumerate(rooms):
        if room.name in seen:
            raise InvalidInput(f"{field}.{i}.name", "unique", f"room name {room.name!r} is used twice in this venue")
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
        rooms=[Room(tenant_id=tenant_id, name=r.name, room_type=r.room_type, capacity=r.capacity) for r in data.rooms],
    )
    repo.add(venue)
    await session.flush()
    return venue


async def add_room(session: AsyncSession, principal: Principal, tenant_id: str, venue_id: uuid.UUID, data: RoomIn) -> Room:
    require_roles(principal, *WRITERS)
    venue = await VenueRepository(session).venue(tenant_id, venue_id)
    if venue is None:
        raise NotFound(f"venue {venue_id} not found in {tenant_id}")
    if data.name in {r.name for r in venue.rooms}:
        raise Conflict(f"room {data.name!r} already exists in venue {venue.name!r}")
    room = Room(tenant_id=tenant_id, name=data.name, room_type=data.room_type, capacity=data.capacity)
    venue.rooms.append(room)
    await session.flush()
    return room
