from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling.models import Venue


class VenueRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def venue(self, tenant_id: str, venue_id: uuid.UUID) -> Venue | None:
        return await self.session.scalar(select(Venue).where(Venue.tenant_id == tenant_id, Venue.id == venue_id))

    async def venue_named(self, tenant_id: str, name: str) -> Venue | None:
        return await self.session.scalar(select(Venue).where(Venue.tenant_id == tenant_id, Venue.name == name))

    async def venues(self, tenant_id: str) -> list[Venue]:
        return list((await self.session.scalars(select(Venue).where(Venue.tenant_id == tenant_id).order_by(Venue.name))).all())

    def add(self, venue: Venue) -> None:
        self.session.add(venue)
