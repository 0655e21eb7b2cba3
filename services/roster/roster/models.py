from __future__ import annotations

import uuid
from datetime import date, datetime

from bakat_common.db import ServiceBase, new_metadata
from sqlalchemy import Date, DateTime, ForeignKey, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column


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


class Employee(Base):
    __tablename__ = "employees"
    __table_args__ = (UniqueConstraint("tenant_id", "nip", name="uq_employees_tenant_nip"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    nip: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(Text)
    gender: Mapped[str] = mapped_column(String(6))
    birth_date: Mapped[date] = mapped_column(Date)
    tmt: Mapped[date] = mapped_column(Date)  # from the NIP: TMT CPNS month (PNS) or TMT year (PPPK)
    employment_type: Mapped[str] = mapped_column(String(4))
    unit: Mapped[str | None] = mapped_column(Text)
    position_title: Mapped[str | None] = mapped_column(Text)
    tier: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
