from __future__ import annotations

import uuid
from datetime import date, datetime

from bakat_common.db import ServiceBase, new_metadata
from sqlalchemy import Date, DateTime, Float, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column


class Base(ServiceBase):
    __abstract__ = True
    metadata = new_metadata()


class EmployeeRecord(Base):
    """Employees known from roster events: results are only accepted for real employees."""

    __tablename__ = "employees"

    tenant_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer)


class PerformanceRating(Base):
    """One SKP predikat per employee and year; a re-submission for the same year corrects it."""

    __tablename__ = "performance_ratings"
    __table_args__ = (UniqueConstraint("tenant_id", "nip", "year", name="uq_performance_ratings_tenant_nip_year"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[str] = mapped_column(String(100))
    nip: Mapped[str] = mapped_column(String(18))
    year: Mapped[int] = mapped_column(Integer)
    predikat: Mapped[str] = mapped_column(String(20))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AssessmentResult(Base):
    __tablename__ = "assessment_results"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[str] = mapped_column(String(100), index=True)
    nip: Mapped[str] = mapped_column(String(18))
    status: Mapped[str] = mapped_column(String(20), default="completed")
    version: Mapped[int] = mapped_column(Integer, default=1)
    potential_score: Mapped[float] = mapped_column(Float)
    jpm: Mapped[float | None] = mapped_column(Float)
    completed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
