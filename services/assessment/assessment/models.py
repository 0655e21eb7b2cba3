"""Assessment's tables: replicas of roster data, instruments, campaigns, assessments with their
ratings and versions, development rules, and SKP performance ratings."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from bakat_common.audit import audit_table
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
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column


class Base(ServiceBase):
    __abstract__ = True
    metadata = new_metadata()


# ---- replicas of roster data (event-carried state) -------------------------------------------------


class EmployeeRecord(EmployeeReplicaColumns, Base):
    """Employees known from roster events: who may take part, where they work, which post they hold."""

    __tablename__ = "employees"


class UnitRecord(Base):
    """OPD units from roster events: a campaign selects "this unit and its sub-units" by path."""

    __tablename__ = "units"

    tenant_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    path: Mapped[str] = mapped_column(Text)


class PositionRecord(Base):
    """Positions and their competency standards, from roster events: JPM is measured against them."""

    __tablename__ = "positions"

    tenant_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    tier: Mapped[str] = mapped_column(String(20))
    unit_code: Mapped[str] = mapped_column(String(50))
    requirements: Mapped[dict[str, int]] = mapped_column(JSONB)
    technical_requirements: Mapped[dict[str, int]] = mapped_column(JSONB)


# ---- instruments and campaigns ----------------------------------------------------------------------


class Instrument(Base):
    """A tenant's own instrument (the Permenpan RB 38/2017 framework and the usual materials are
    built in: see domain.BUILTIN_INSTRUMENTS)."""

    __tablename__ = "instruments"
    __table_args__ = (UniqueConstraint("tenant_id", "code", name="uq_instruments_tenant_code"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[str] = mapped_column(String(100))
    code: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(
        String(20)
    )  # managerial | socio_cultural | technical | potential | material
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Campaign(Base):
    """An assessment programme of one tenant, e.g. "Pemetaan Eselon IV 2021"."""

    __tablename__ = "campaigns"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(30))  # assessment_center | cat | interview
    instruments: Mapped[list[str]] = mapped_column(JSONB)  # instrument codes rated in every assessment
    exercises: Mapped[list[str]] = mapped_column(JSONB)  # e.g. ["In-tray", "LGD"]; [] = rated once each
    include_technical: Mapped[bool] = mapped_column(Boolean)  # also rate the post's technical competencies
    validity_years: Mapped[int] = mapped_column(Integer)
    selection: Mapped[dict[str, Any]] = mapped_column(
        JSONB
    )  # {"tiers": [...], "unit_codes": [...], "nips": [...]}
    potential_weights: Mapped[dict[str, int]] = mapped_column(JSONB)  # {"jpm": 50, "aspects": 50}
    # The method's assessor ratio and group size (scheduling plans with them).
    ratio_assessors: Mapped[int] = mapped_column(Integer)
    ratio_participants: Mapped[int] = mapped_column(Integer)
    group_min: Mapped[int] = mapped_column(Integer)
    group_max: Mapped[int] = mapped_column(Integer)
    observers_per_participant: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | closed
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


# ---- assessments ------------------------------------------------------------------------------------


class Assessment(Base):
    """One participant's assessment: scheduled -> in_progress -> scored -> integrated -> completed.

    A result recorded directly (from an external assessment centre) has no campaign and is completed
    at once. The result columns hold the current version; every version is in assessment_versions.
    """

    __tablename__ = "assessments"
    __table_args__ = (
        Index("ix_assessments_tenant_nip", "tenant_id", "nip"),
        Index(
            "uq_assessments_campaign_nip",
            "campaign_id",
            "nip",
            unique=True,
            postgresql_where=text("campaign_id IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[str] = mapped_column(String(100))
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("campaigns.id"))
    nip: Mapped[str] = mapped_column(String(18))
    status: Mapped[str] = mapped_column(String(12))
    version: Mapped[int] = mapped_column(Integer, default=0)  # 0 until completed; each correction + 1
    position_code: Mapped[str | None] = mapped_column(String(50))  # the post JPM is measured against
    lead_assessor: Mapped[str | None] = mapped_column(Text)
    session_id: Mapped[str | None] = mapped_column(String(100))  # scheduling's session, when scheduled
    scheduled_day: Mapped[date | None] = mapped_column(Date)
    potential_score: Mapped[float | None] = mapped_column(Float)
    jpm: Mapped[float | None] = mapped_column(Float)
    jpm_category: Mapped[str | None] = mapped_column(String(20))
    scores: Mapped[dict[str, int]] = mapped_column(JSONB, default=dict)
    gaps: Mapped[dict[str, int]] = mapped_column(JSONB, default=dict)
    recommendations: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AssessorAssignment(Base):
    __tablename__ = "assessor_assignments"

    assessment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assessments.id"), primary_key=True)
    assessor: Mapped[str] = mapped_column(Text, primary_key=True)  # identity subject (token `sub`)
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)


class Rating(Base):
    """One assessor's level for one instrument (in one exercise), with the evidence behind it."""

    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint(
            "assessment_id", "assessor", "instrument_code", "exercise", name="uq_ratings_assessor_instrument"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[str] = mapped_column(String(100))
    assessment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assessments.id"), index=True)
    assessor: Mapped[str] = mapped_column(Text)
    instrument_code: Mapped[str] = mapped_column(String(100))
    exercise: Mapped[str] = mapped_column(String(100), default="")  # "" when the method has no exercises
    level: Mapped[int] = mapped_column(Integer)
    evidence: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class IntegratedRating(Base):
    """The level the lead assessor sets for an instrument after the consensus discussion."""

    __tablename__ = "integrated_ratings"

    assessment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assessments.id"), primary_key=True)
    instrument_code: Mapped[str] = mapped_column(String(100), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(100))
    level: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(Text)
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AssessmentVersion(Base):
    """Every completed version of a result, who made it and why: corrections never overwrite unseen."""

    __tablename__ = "assessment_versions"
    __table_args__ = (UniqueConstraint("assessment_id", "version", name="uq_assessment_versions_version"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(String(100))
    assessment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assessments.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    result: Mapped[dict[str, Any]] = mapped_column(JSONB)  # scores, JPM, potential, gaps, valid_until
    changed_by: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class DevelopmentRule(Base):
    """Tenant data: which development a weak instrument calls for (low Komunikasi -> public speaking).

    It applies when the integrated level is below the position's required level, or below
    `below_level` for instruments the position does not require."""

    __tablename__ = "development_rules"
    __table_args__ = (
        UniqueConstraint("tenant_id", "instrument_code", name="uq_development_rules_instrument"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[str] = mapped_column(String(100))
    instrument_code: Mapped[str] = mapped_column(String(100))
    below_level: Mapped[int] = mapped_column(Integer)
    recommendation: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))  # training | coaching | counselling | assignment


# ---- performance (SKP) ------------------------------------------------------------------------------


class PerformanceRating(Base):
    """The SKP predikat of an employee for a year (PermenPANRB 6/2022); a later submission for the same
    year corrects it, and every submission stays in performance_history."""

    __tablename__ = "performance_ratings"
    __table_args__ = (
        UniqueConstraint("tenant_id", "nip", "year", name="uq_performance_ratings_tenant_nip_year"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[str] = mapped_column(String(100))
    nip: Mapped[str] = mapped_column(String(18))
    year: Mapped[int] = mapped_column(Integer)
    predikat: Mapped[str] = mapped_column(String(20))
    # When given, the predikat follows from them by the PermenPANRB 6/2022 matrix.
    hasil_kerja: Mapped[str | None] = mapped_column(String(20))  # di_bawah | sesuai | di_atas (ekspektasi)
    perilaku_kerja: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(12), server_default="api")  # api | import | integration
    recorded_by: Mapped[str] = mapped_column(Text, server_default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PerformanceHistory(Base):
    __tablename__ = "performance_history"
    __table_args__ = (Index("ix_performance_history_tenant_nip", "tenant_id", "nip", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(String(100))
    nip: Mapped[str] = mapped_column(String(18))
    year: Mapped[int] = mapped_column(Integer)
    predikat: Mapped[str] = mapped_column(String(20))
    hasil_kerja: Mapped[str | None] = mapped_column(String(20))
    perilaku_kerja: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(12))
    recorded_by: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


# Who read or changed whose result (bakat_common.audit).
audit_log = audit_table(Base.metadata)
