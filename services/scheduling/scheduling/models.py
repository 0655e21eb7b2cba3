from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from bakat_common.db import ServiceBase, new_metadata
from bakat_common.replicas import EmployeeReplicaColumns
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
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
    # The dates the room is lent to us; empty: any working day.
    available_dates: Mapped[list[date]] = mapped_column(ARRAY(Date), default=list, server_default="{}")
    venue: Mapped[Venue] = relationship(back_populates="rooms")


class EmployeeRecord(EmployeeReplicaColumns, Base):
    """What scheduling needs to know about an employee, from roster events: who may be a participant
    (a filter by unit and tier) and where they sit in the unit tree (conflicts of interest)."""

    __tablename__ = "employees"


class AssessorRecord(Base):
    """An assessor: internal to a kabupaten/kota, or in the province's pool (registered on the
    province tenant and bookable by all its children)."""

    __tablename__ = "assessors"
    __table_args__ = (UniqueConstraint("tenant_id", "subject", name="uq_assessors_tenant_subject"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[str] = mapped_column(String(100), index=True)
    subject: Mapped[str] = mapped_column(String(200))  # the `sub` of the assessor's token
    name: Mapped[str] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    nip: Mapped[str | None] = mapped_column(String(18))
    unit_path: Mapped[str | None] = mapped_column(Text)
    certification: Mapped[str | None] = mapped_column(Text)
    certified_until: Mapped[date | None] = mapped_column(Date)
    max_participants_per_day: Mapped[int] = mapped_column(Integer)
    unavailable_dates: Mapped[list[date]] = mapped_column(ARRAY(Date), default=list, server_default="{}")
    conflicting_nips: Mapped[list[str]] = mapped_column(ARRAY(String(18)), default=list, server_default="{}")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Schedule(Base):
    """A schedule request for a campaign and, once solved, its answer. The solve runs as a job:
    `status` goes queued -> solving -> optimal | feasible | infeasible | unknown | failed."""

    __tablename__ = "schedules"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[str] = mapped_column(String(100), index=True)
    campaign_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(Text)
    request: Mapped[dict[str, Any]] = mapped_column(JSONB)  # the request as sent (participants resolved)
    status: Mapped[str] = mapped_column(String(12))
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    progress_note: Mapped[str | None] = mapped_column(Text)
    lower_bound_days: Mapped[int | None] = mapped_column(Integer)
    days_used: Mapped[int | None] = mapped_column(Integer)
    greedy_days: Mapped[int | None] = mapped_column(Integer)
    reasons: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list, server_default="{}")
    solve_seconds: Mapped[float | None] = mapped_column(Float)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[str | None] = mapped_column(String(200))
    # Touched by the solving process while it works: a job whose heartbeat stopped lost its process.
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ScheduledSession(Base):
    """One group on one day in one room: its participants and its assessors (lead first)."""

    __tablename__ = "scheduled_sessions"
    __table_args__ = (Index("ix_scheduled_sessions_schedule", "schedule_id", "day"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    schedule_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"))
    tenant_id: Mapped[str] = mapped_column(String(100))
    day: Mapped[date] = mapped_column(Date)
    room_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rooms.id"))
    participants: Mapped[list[str]] = mapped_column(ARRAY(String(18)))
    assessor_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid))


class AssessorBooking(Base):
    """An assessor's day taken by a schedule. The primary key is the rule itself: one assessor, one
    schedule per day, across every tenant of the province (the pool is shared)."""

    __tablename__ = "assessor_bookings"

    assessor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assessors.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    schedule_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"), index=True)
    tenant_id: Mapped[str] = mapped_column(String(100))


class RoomBooking(Base):
    """A room's day taken by a schedule: a lent room holds one schedule's groups a day (the school lends
    it to one campaign), whichever tenant's schedule it is."""

    __tablename__ = "room_bookings"

    room_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rooms.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    schedule_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"), index=True)
    tenant_id: Mapped[str] = mapped_column(String(100))
