"""Roster's tables: tenants, the OPD unit tree, positions, employees and their history."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from bakat_common.db import ServiceBase, new_metadata
from sqlalchemy import (
    Date,
    DateTime,
    FetchedValue,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship


class Base(ServiceBase):
    __abstract__ = True
    metadata = new_metadata()


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)  # slug, e.g. "kota-batu"
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("tenants.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Unit(Base):
    """An OPD or one of its parts (Dinas, Badan, Bagian, Bidang, Kecamatan ...), in a tree."""

    __tablename__ = "units"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code", name="uq_units_tenant_code"),
        Index("ix_units_tenant_path", "tenant_id", "path", postgresql_ops={"path": "text_pattern_ops"}),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    code: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(30))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("units.id"))
    # "/DINKES/DINKES-P2P/": the codes from the root, so "this unit and its sub-units" is a prefix match.
    path: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Position(Base):
    """A jabatan with its competency standard. Its holder is the active employee whose position it is
    (at most one: a partial unique index on employees); without one it is vacant."""

    __tablename__ = "positions"
    __table_args__ = (UniqueConstraint("tenant_id", "code", name="uq_positions_tenant_code"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    code: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(Text)
    tier: Mapped[str] = mapped_column(String(20))
    functional_level: Mapped[str | None] = mapped_column(String(20))
    eselon: Mapped[str | None] = mapped_column(String(5))
    job_family: Mapped[str | None] = mapped_column(Text)
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("units.id"), index=True)
    # {"Integritas": 3, ..., "Perekat Bangsa": 3}: the 8 managerial competencies and Perekat Bangsa.
    requirements: Mapped[dict[str, int]] = mapped_column(JSONB)
    technical_requirements: Mapped[dict[str, int]] = mapped_column(JSONB, default=dict)
    unit: Mapped[Unit] = relationship(lazy="joined")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Employee(Base):
    __tablename__ = "employees"
    # Values the database makes (created_at, and updated_at = now() on a change) come back with the
    # INSERT/UPDATE's RETURNING: no SELECT after a write to read them.
    __mapper_args__ = {"eager_defaults": True}
    __table_args__ = (
        UniqueConstraint("tenant_id", "nip", name="uq_employees_tenant_nip"),
        Index("ix_employees_tenant_unit", "tenant_id", "unit_id", "nip"),
        Index("ix_employees_tenant_name", "tenant_id", "name"),
        Index(
            "uq_employees_active_position",
            "position_id",
            unique=True,
            postgresql_where=text("status = 'active' AND position_id IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    nip: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(Text)
    front_title: Mapped[str | None] = mapped_column(String(50))  # gelar depan, e.g. "Dr."
    back_title: Mapped[str | None] = mapped_column(String(80))  # gelar belakang, e.g. "S.E., M.M."
    gender: Mapped[str] = mapped_column(String(6))
    birth_date: Mapped[date] = mapped_column(Date)
    tmt: Mapped[date] = mapped_column(Date)  # from the NIP: TMT CPNS month (PNS) or TMT year (PPPK)
    employment_type: Mapped[str] = mapped_column(String(4))
    golongan: Mapped[str | None] = mapped_column(String(6))
    education_level: Mapped[str | None] = mapped_column(String(3))
    education_major: Mapped[str | None] = mapped_column(Text)
    education_institution: Mapped[str | None] = mapped_column(Text)
    unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("units.id"))
    position_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("positions.id"))
    position_title: Mapped[str | None] = mapped_column(Text)
    tier: Mapped[str | None] = mapped_column(String(20))
    functional_level: Mapped[str | None] = mapped_column(String(20))
    eselon: Mapped[str | None] = mapped_column(String(5))
    tmt_position: Mapped[date | None] = mapped_column(Date)
    career_preference: Mapped[str | None] = mapped_column(Text)
    leadership_experience: Mapped[str | None] = mapped_column(Text)
    bup: Mapped[int] = mapped_column(Integer)
    retirement_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="active")  # active | retired
    version: Mapped[int] = mapped_column(Integer, default=1)  # bumped on every change; events carry it
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), server_onupdate=FetchedValue()
    )
    unit: Mapped[Unit | None] = relationship(lazy="joined")
    position: Mapped[Position | None] = relationship(lazy="joined")


class TrackRecord(Base):
    """Riwayat: past positions, training, awards and disciplinary records."""

    __tablename__ = "track_records"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[str] = mapped_column(String(100))
    employee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("employees.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # position | training | award | discipline
    title: Mapped[str] = mapped_column(Text)
    organisation: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class EmployeeHistory(Base):
    """Every change to an employee, with the values before and after: nothing is overwritten unseen."""

    __tablename__ = "employee_history"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(String(100))
    employee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("employees.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # registered | updated | transferred | retired
    version: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(Text)
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB)  # {"field": [before, after]}
    reason: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ImportJob(Base):
    """A bulk import of employees from a file: its progress and every row's error."""

    __tablename__ = "import_jobs"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    filename: Mapped[str] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(String(20))  # all_or_nothing | valid_rows
    status: Mapped[str] = mapped_column(String(12))  # queued | running | done | rejected | failed
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    actor: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Renewed every half second while the job runs; a stale one means the process died mid-job.
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
