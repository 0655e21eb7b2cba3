from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from placement.models import EmployeeRecord, PerformanceInput, PlacementRecord, PotentialInput


@dataclass(frozen=True)
class PlacementInputs:
    performance: PerformanceInput
    potential: PotentialInput
    previous_box: int | None
    previous_rule_version: int | None


class PlacementRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert_performance(self, values: dict) -> None:
        """Keep the newest SKP year; a same-year correction recorded later replaces it."""
        stmt = pg_insert(PerformanceInput).values(**values)
        newer = (stmt.excluded.year > PerformanceInput.year) | (
            (stmt.excluded.year == PerformanceInput.year) & (stmt.excluded.recorded_at >= PerformanceInput.recorded_at)
        )
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["tenant_id", "nip"],
                set_={"year": stmt.excluded.year, "predikat": stmt.excluded.predikat, "recorded_at": stmt.excluded.recorded_at},
                where=newer,
            )
        )

    async def upsert_potential(self, values: dict) -> None:
        """Keep the newest completed assessment; a correction (higher version) of it replaces it."""
        stmt = pg_insert(PotentialInput).values(**values)
        newer = (stmt.excluded.completed_at > PotentialInput.completed_at) | (
            (stmt.excluded.completed_at == PotentialInput.completed_at) & (stmt.excluded.version >= PotentialInput.version)
        )
        keys = {"tenant_id", "nip"}
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["tenant_id", "nip"],
                set_={k: getattr(stmt.excluded, k) for k in values if k not in keys},
                where=newer,
            )
        )

    async def inputs(self, tenant_id: str, nip: str) -> tuple[PerformanceInput | None, PotentialInput | None]:
        perf = await self.session.get(PerformanceInput, (tenant_id, nip))
        pot = await self.session.get(PotentialInput, (tenant_id, nip))
        return perf, pot

    async def complete_inputs(self, tenant_id: str, nip: str) -> PlacementInputs | None:
        """Both axes' inputs and the current placement in one query; None while an axis is missing."""
        same_employee = lambda model: and_(  # noqa: E731
            model.tenant_id == PerformanceInput.tenant_id, model.nip == PerformanceInput.nip
        )
        row = (
            await self.session.execute(
                select(PerformanceInput, PotentialInput, PlacementRecord.box, PlacementRecord.rule_version)
                .join(PotentialInput, same_employee(PotentialInput))
                .outerjoin(PlacementRecord, same_employee(PlacementRecord))
                .where(PerformanceInput.tenant_id == tenant_id, PerformanceInput.nip == nip)
            )
        ).first()
        if row is None:
            return None
        return PlacementInputs(row[0], row[1], row[2], row[3])

    async def placement(self, tenant_id: str, nip: str) -> PlacementRecord | None:
        return await self.session.get(PlacementRecord, (tenant_id, nip))

    async def employee(self, tenant_id: str, nip: str) -> EmployeeRecord | None:
        return await self.session.get(EmployeeRecord, (tenant_id, nip))

    async def save_placement(self, values: dict) -> None:
        stmt = pg_insert(PlacementRecord).values(**values)
        keys = {"tenant_id", "nip"}
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["tenant_id", "nip"],
                set_={**{k: getattr(stmt.excluded, k) for k in values if k not in keys}, "computed_at": func.now()},
            )
        )

    async def placements(self, tenant_id: str, box: int | None, limit: int, offset: int) -> tuple[list[PlacementRecord], int]:
        where = [PlacementRecord.tenant_id == tenant_id]
        if box is not None:
            where.append(PlacementRecord.box == box)
        total = await self.session.scalar(select(func.count()).select_from(PlacementRecord).where(*where)) or 0
        rows = await self.session.scalars(
            select(PlacementRecord).where(*where).order_by(PlacementRecord.nip).limit(limit).offset(offset)
        )
        return list(rows.all()), total
