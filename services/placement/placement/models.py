"""Placement's own tables plus the inputs it keeps from other services' events (event-carried state)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from bakat_common.audit import audit_table
from bakat_common.db import ServiceBase, new_metadata
from bakat_common.replicas import EmployeeReplicaColumns
from sqlalchemy import Boolean, Date, DateTime, Float, Index, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column


class Base(ServiceBase):
    __abstract__ = True
    metadata = new_metadata()


class EmployeeRecord(EmployeeReplicaColumns, Base):
    """What placement needs to know about an employee, from roster events."""

    __tablename__ = "employees"


class PerformanceInput(Base):
    """The latest SKP predikat per employee (newest year wins, whatever order events arrive in)."""

    __tablename__ = "performance_inputs"

    tenant_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    predikat: Mapped[str] = mapped_column(String(20))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PotentialInput(Base):
    """The latest completed assessment per employee (newest completion, then highest version, wins)."""

    __tablename__ = "potential_inputs"

    tenant_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    assessment_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    potential_score: Mapped[float] = mapped_column(Float)  # the assessment's own figure
    jpm: Mapped[float | None] = mapped_column(Float)
    completed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[date] = mapped_column(Date)
    # The parts the tenant's rules weigh (0-100, None when not assessed), from the result's scores.
    aspects_score: Mapped[float | None] = mapped_column(Float)
    track_record_score: Mapped[float | None] = mapped_column(Float)
    campaign_id: Mapped[str | None] = mapped_column(String(64))
    scores: Mapped[dict[str, int]] = mapped_column(JSONB, server_default="{}")  # level 1-5 per instrument
    gaps: Mapped[dict[str, int]] = mapped_column(JSONB, server_default="{}")  # required - actual, shortfalls
    development: Mapped[list[dict]] = mapped_column(JSONB, server_default="[]")  # contracts DevelopmentNeed


class PlacementRecord(Base):
    """An employee's current nine-box placement. `box` is the one everybody sees: the rules' box
    (`computed_box`) unless an approved calibration moved it (`calibration_id`), which holds for the
    same inputs (assessment and SKP year) and ends when a new cycle's inputs arrive."""

    __tablename__ = "placements"
    __table_args__ = (
        # The nine-box of a unit and its sub-units is a prefix of the unit path ("/DINKES/%"): its counts
        # come from this index alone, its first members per box by name from the next one.
        Index(
            "ix_placements_unit_path",
            "tenant_id",
            "unit_path",
            postgresql_ops={"unit_path": "text_pattern_ops"},
            postgresql_include=["box", "employee_status", "tier"],
        ),
        Index("ix_placements_box_name", "tenant_id", "box", "name", "nip"),  # also the list by box
        # Room on each page, so that a recompute that leaves the box alone updates in place (HOT).
        {"postgresql_with": {"fillfactor": 80}},
    )

    tenant_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    box: Mapped[int] = mapped_column(Integer)
    computed_box: Mapped[int] = mapped_column(Integer)
    calibration_id: Mapped[uuid.UUID | None] = mapped_column()
    assessment_version: Mapped[int] = mapped_column(Integer, server_default="1")
    jpm: Mapped[float | None] = mapped_column(Float)
    valid_until: Mapped[date | None] = mapped_column(Date)
    # The employee fields the views filter and list by, copied from the employees replica and kept in
    # step with every employee event, so a unit's nine-box reads this one table (NULL: not known yet).
    name: Mapped[str | None] = mapped_column(Text)
    unit_code: Mapped[str | None] = mapped_column(String(50))
    unit_path: Mapped[str | None] = mapped_column(Text)
    tier: Mapped[str | None] = mapped_column(String(20))
    employee_status: Mapped[str | None] = mapped_column(String(10))
    # Whether `box` is in the talent pool under the rules it was written with: a change of the pool's
    # boxes announces who joined or left even when nobody's box moved.
    in_talent_pool: Mapped[bool] = mapped_column(Boolean, server_default="false")
    potential_level: Mapped[str] = mapped_column(String(6))
    performance_level: Mapped[str] = mapped_column(String(5))
    potential_score: Mapped[float] = mapped_column(Float)
    predikat: Mapped[str] = mapped_column(String(20))
    skp_year: Mapped[int] = mapped_column(Integer)
    assessment_id: Mapped[str] = mapped_column(String(64))
    rule_version: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list[str]] = mapped_column(JSONB)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RuleSetVersion(Base):
    """A tenant's nine-box rules; every change is a new version with who, when and why. Without any,
    the regulation's defaults (version 1, domain.DEFAULT_RULES) apply."""

    __tablename__ = "rule_sets"

    tenant_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    potential_high: Mapped[float] = mapped_column(Float)
    potential_middle: Mapped[float] = mapped_column(Float)
    predikat_levels: Mapped[dict[str, str]] = mapped_column(JSONB)
    potential_weights: Mapped[dict[str, float]] = mapped_column(
        JSONB, server_default='{"jpm": 50, "aspects": 50, "track_record": 0}'
    )
    validity_years: Mapped[int] = mapped_column(Integer, server_default="3")
    talent_pool_boxes: Mapped[list[int]] = mapped_column(JSONB, server_default="[7, 8, 9]")
    created_by: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RecomputeJob(Base):
    """The bulk recomputation of a tenant's placements after a rule change, with its progress."""

    __tablename__ = "recompute_jobs"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[str] = mapped_column(String(100), index=True)
    rule_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))  # running | done | failed
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PlacementHistory(Base):
    """Every placement an employee has had (a row per change), so the trend across cycles can be read."""

    __tablename__ = "placement_history"
    __table_args__ = (Index("ix_placement_history_employee", "tenant_id", "nip", "computed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(String(100))
    nip: Mapped[str] = mapped_column(String(18))
    box: Mapped[int] = mapped_column(Integer)
    computed_box: Mapped[int | None] = mapped_column(Integer)
    calibration_id: Mapped[uuid.UUID | None] = mapped_column()
    potential_score: Mapped[float] = mapped_column(Float)
    predikat: Mapped[str] = mapped_column(String(20))
    skp_year: Mapped[int] = mapped_column(Integer)
    assessment_id: Mapped[str] = mapped_column(String(64))
    rule_version: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list[str]] = mapped_column(JSONB)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# Who read or changed whose placement, plan or calibration (bakat_common.audit).
audit_log = audit_table(Base.metadata)
