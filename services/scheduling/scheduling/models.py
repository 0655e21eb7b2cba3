from __future__ import annotations

import uuid
from datetime import datetime

from bakat_common.db import ServiceBase, new_metadata
from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship


class Base(ServiceBase):
    __abstract__ = True
    metadata = new_metadata()


class Venue(Base):
    """A place assessments are held, often borrowed (e.g. a vocational school's labs)."""

    __tablename__ = "venues"
    __table_args__ = (UniqueConstraint("tenant_id", "name", name="uq_venues_tenant_name"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    rooms: Mapped[list[Room]] = relationship(back_populates="venue", order_by="Room.name", lazy="selectin")


class Room(Base):
    __tablename__ = "rooms"
    __table_args__ = (UniqueConstraint("venue_id", "name", name="uq_rooms_venue_name"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"), index=True)
    tenant_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(Text)
    room_type: Mapped[str] = mapped_column(String(20))
    capacity: Mapped[int] = mapped_column(Integer)
    venue: Mapped[Venue] = relationship(back_populates="rooms")
