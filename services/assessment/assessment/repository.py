from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from assessment.models import Assessment, EmployeeRecord, PerformanceRating


class AssessmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert_employee(self, tenant_id: str, nip: str, name: str, status: str, version: int) -> None:
        """Keep the newest version of roster's snapshot, whatever order the events arrive in."""
        stmt = pg_insert(EmployeeRecord).values(tenant_id=tenant_id, nip=nip, name=name, status=status, version=version)
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["tenant_id", "nip"],
                set_={"name": name, "status": status, "version": version},
                where=stmt.excluded.version >= EmployeeRecord.version,
            )
        )

    async def employee(self, tenant_id: str, nip: str) -> EmployeeRecord | None:
        return await self.session.get(EmployeeRecord, (tenant_id, nip))

    async def rating(self, tenant_id: str, nip: str, year: int) -> PerformanceRating | None:
        return await self.session.scalar(
            select(PerformanceRating).where(
                PerformanceRating.tenant_id == tenant_id, PerformanceRating.nip == nip, PerformanceRating.year == year
            )
        )

    async def ratings(self, tenant_id: str, nip: str) -> list[PerformanceRating]:
        rows = await self.session.scalars(
            select(PerformanceRating)
            .where(PerformanceRating.tenant_id == tenant_id, PerformanceRating.nip == nip)
            .order_by(PerformanceRating.year.desc())
        )
        return list(rows.all())

    async def result(self, tenant_id: str, result_id: uuid.UUID) -> Assessment | None:
        row = await self.session.get(Assessment, result_id)
        return row if row is not None and row.tenant_id == tenant_id else None

    def add(self, row: object) -> None:
        self.session.add(row)
