"""Tables of the development plans feature (placement's database; migration 0005)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from placement.models import Base


class DevelopmentProgramme(Base):
    """A programme run for many employees at once (Kota Batu: coaching twice a week for boxes 1-3):
    one plan item per matching employee, tracked one by one. `code` makes creating it idempotent."""

    __tablename__ = "development_programmes"
    __table_args__ = (UniqueConstraint("tenant_id", "code", name="uq_development_programmes_code"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[str] = mapped_column(String(100))
    code: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    boxes: Mapped[list[int]] = mapped_column(JSONB, server_default="[]")  # empty: any box (or none)
    unit_code: Mapped[str | None] = mapped_column(String(50))  # with its sub-units
    tier: Mapped[str | None] = mapped_column(String(20))
    owner: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    schedule_note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class DevelopmentPlanItem(Base):
    """One thing an employee's development plan holds: adopted from a suggestion (box treatment or a
    competency gap), added by hand, or enrolled by a programme. planned -> in_progress -> done
    (or cancelled)."""

    __tablename__ = "development_plan_items"
    __table_args__ = (
        # A suggestion is adopted once per cycle (assessment + SKP year); NULL keys (custom and
        # programme items) never collide because NULLs are distinct.
        UniqueConstraint(
            "tenant_id", "nip", "suggestion_key", "cycle", name="uq_development_plan_items_suggestion"
        ),
        UniqueConstraint("tenant_id", "programme_id", "nip", name="uq_development_plan_items_programme"),
        Index("ix_development_plan_items_employee", "tenant_id", "nip", "id"),
        Index("ix_development_plan_items_status", "tenant_id", "status", "kind"),
        Index("ix_development_plan_items_owner", "tenant_id", "owner"),
        Index("ix_development_plan_items_due", "tenant_id", "due_date"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[str] = mapped_column(String(100))
    nip: Mapped[str] = mapped_column(String(18))
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(Text)  # "box 3", "gap: Komunikasi 2 < 3", "programme X", "custom"
    suggestion_key: Mapped[str | None] = mapped_column(String(200))
    cycle: Mapped[str | None] = mapped_column(String(200))  # the inputs the suggestion came from
    owner: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))  # planned | in_progress | done | cancelled
    status_reason: Mapped[str | None] = mapped_column(Text)
    schedule_note: Mapped[str | None] = mapped_column(Text)
    programme_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("development_programmes.id", ondelete="RESTRICT")
    )
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_by: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
