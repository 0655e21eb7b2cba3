"""Tables of the succession feature (placement's database; migration 0007)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, Index, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from placement.models import Base


class PositionRecord(Base):
    """What placement keeps about a position from roster's events (event-carried state; it never asks
    roster). Position events carry no version, so each part keeps the time of the event that set it:
    the definition (`defined_at`, from position.registered) and the holder (`holder_changed_at`, from
    registered/vacated/filled). An older event arriving late or twice changes nothing. A holder event
    seen before the registration makes a stub row (no title, no standard) that the registration fills."""

    __tablename__ = "positions"
    __table_args__ = (Index("ix_positions_vacant", "tenant_id", "vacant"),)

    tenant_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    title: Mapped[str | None] = mapped_column(Text)
    tier: Mapped[str] = mapped_column(String(20))
    eselon: Mapped[str | None] = mapped_column(String(10))
    functional_level: Mapped[str | None] = mapped_column(String(50))
    unit_code: Mapped[str] = mapped_column(String(50))
    unit_path: Mapped[str | None] = mapped_column(Text)
    requirements: Mapped[dict[str, int]] = mapped_column(JSONB, server_default="{}")
    technical_requirements: Mapped[dict[str, int]] = mapped_column(JSONB, server_default="{}")
    defined_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    holder_nip: Mapped[str | None] = mapped_column(String(18))
    previous_holder_nip: Mapped[str | None] = mapped_column(String(18))
    vacant: Mapped[bool] = mapped_column(Boolean)
    vacant_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    holder_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SuccessionSettingsVersion(Base):
    """A tenant's succession settings; every change is a new version with who, when and why. Without
    any, the defaults (version 1, domain.DEFAULT_SETTINGS) apply."""

    __tablename__ = "succession_settings"

    tenant_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_source: Mapped[str] = mapped_column(String(10))
    key_tiers: Mapped[list[str]] = mapped_column(JSONB)
    merit_index: Mapped[float | None] = mapped_column(Float)
    merit_threshold: Mapped[float] = mapped_column(Float)
    readiness: Mapped[dict] = mapped_column(JSONB)
    created_by: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
