"""Tables of the calibration feature (placement's database; migration 0006)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from placement.models import Base


class CalibrationSession(Base):
    """A group of moves discussed together (e.g. a calibration meeting) and approved together.
    draft -> approved | cancelled; nothing changes a placement before approval."""

    __tablename__ = "calibration_sessions"
    __table_args__ = (Index("ix_calibration_sessions_tenant_status", "tenant_id", "status", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))  # draft | approved | cancelled
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    approved_by: Mapped[str | None] = mapped_column(Text)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_by: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CalibrationMove(Base):
    """One employee's proposed box in a session, with a snapshot of the placement it was proposed
    against (box in force, computed box, inputs) so a change before approval is detected."""

    __tablename__ = "calibration_moves"
    __table_args__ = (
        UniqueConstraint("session_id", "nip", name="uq_calibration_moves_session_nip"),
        Index("ix_calibration_moves_employee", "tenant_id", "nip"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[str] = mapped_column(String(100))
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calibration_sessions.id", ondelete="CASCADE"))
    nip: Mapped[str] = mapped_column(String(18))
    from_box: Mapped[int] = mapped_column(Integer)  # the box in force when proposed
    to_box: Mapped[int] = mapped_column(Integer)
    computed_box: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    # The placement's inputs when proposed: any difference at approval makes the move stale.
    assessment_id: Mapped[str] = mapped_column(String(64))
    assessment_version: Mapped[int] = mapped_column(Integer)
    skp_year: Mapped[int] = mapped_column(Integer)
    predikat: Mapped[str] = mapped_column(String(20))
    rule_version: Mapped[int] = mapped_column(Integer)
    proposed_by: Mapped[str] = mapped_column(Text)
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CalibrationAudit(Base):
    """Every action on a session, in order, never edited: created, move proposed / replaced /
    removed, approved, cancelled. Moves can be replaced or removed while draft; this keeps them."""

    __tablename__ = "calibration_audit"
    __table_args__ = (Index("ix_calibration_audit_session", "tenant_id", "session_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(String(100))
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calibration_sessions.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(20))
    nip: Mapped[str | None] = mapped_column(String(18))
    actor: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    detail: Mapped[dict] = mapped_column(JSONB, server_default="{}")
