from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from roster.models import Employee, EmployeeHistory, Position, Tenant, TrackRecord, Unit


class RosterRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # ---- tenants
    async def tenant(self, tenant_id: str) -> Tenant | None:
        return await self.session.get(Tenant, tenant_id)

    async def tenants_visible_to(self, tenant_id: str | None) -> list[Tenant]:
        stmt = select(Tenant).order_by(Tenant.id)
        if tenant_id is not None:
            stmt = stmt.where((Tenant.id == tenant_id) | (Tenant.parent_id == tenant_id))
        return list((await self.session.scalars(stmt)).all())

    # ---- units
    async def unit(self, tenant_id: str, code: str) -> Unit | None:
        return await self.session.scalar(select(Unit).where(Unit.tenant_id == tenant_id, Unit.code == code))

    async def units(self, tenant_id: str) -> list[Unit]:
        return list(
            (
                await self.session.scalars(
                    select(Unit).where(Unit.tenant_id == tenant_id).order_by(Unit.path)
                )
            ).all()
        )

    async def unit_codes(self, tenant_id: str) -> dict[str, Unit]:
        return {u.code: u for u in await self.units(tenant_id)}

    # ---- positions
    async def position(self, tenant_id: str, code: str) -> Position | None:
        return await self.session.scalar(
            select(Position).where(Position.tenant_id == tenant_id, Position.code == code)
        )

    async def positions(
        self, tenant_id: str, vacant: bool | None = None
    ) -> list[tuple[Position, str | None]]:
        """Positions with their holder's NIP (None: vacant)."""
        holder = and_(Employee.position_id == Position.id, Employee.status == "active")
        stmt = (
            select(Position, Employee.nip)
            .outerjoin(Employee, holder)
            .where(Position.tenant_id == tenant_id)
            .order_by(Position.code)
        )
        if vacant is True:
            stmt = stmt.where(Employee.id.is_(None))
        elif vacant is False:
            stmt = stmt.where(Employee.id.is_not(None))
        return [(p, nip) for p, nip in (await self.session.execute(stmt)).all()]

    async def holder(self, position: Position) -> Employee | None:
        return await self.session.scalar(
            select(Employee).where(Employee.position_id == position.id, Employee.status == "active")
        )

    async def position_codes(self, tenant_id: str) -> dict[str, Position]:
        rows = await self.session.scalars(select(Position).where(Position.tenant_id == tenant_id))
        return {p.code: p for p in rows.all()}

    # ---- employees
    async def employee(self, tenant_id: str, nip: str, *, for_update: bool = False) -> Employee | None:
        stmt = select(Employee).where(Employee.tenant_id == tenant_id, Employee.nip == nip)
        if for_update:
            stmt = stmt.with_for_update(of=Employee)
        return await self.session.scalar(stmt)

    async def employees_by_nip(self, tenant_id: str, nips: Sequence[str]) -> dict[str, Employee]:
        rows = await self.session.scalars(
            select(Employee).where(Employee.tenant_id == tenant_id, Employee.nip.in_(nips))
        )
        return {e.nip: e for e in rows.unique().all()}

    async def search_employees(
        self,
        tenant_id: str,
        *,
        unit_path: str | None,
        tier: str | None,
        golongan: str | None,
        status: str | None,
        query: str | None,
        after_nip: str | None,
        limit: int,
    ) -> list[Employee]:
        """Keyset pagination by NIP: a stable cursor that neither skips nor repeats rows while others write."""
        stmt = select(Employee).where(Employee.tenant_id == tenant_id)
        if unit_path is not None:  # the unit and all its sub-units
            stmt = stmt.join(Unit, Unit.id == Employee.unit_id).where(
                Unit.path.startswith(unit_path, autoescape=True)
            )
        if tier is not None:
            stmt = stmt.where(Employee.tier == tier)
        if golongan is not None:
            stmt = stmt.where(Employee.golongan == golongan)
        if status is not None:
            stmt = stmt.where(Employee.status == status)
        if query:
            stmt = stmt.where(
                or_(
                    Employee.nip.startswith(query, autoescape=True),
                    Employee.name.icontains(query, autoescape=True),
                )
            )
        if after_nip is not None:
            stmt = stmt.where(Employee.nip > after_nip)
        stmt = stmt.order_by(Employee.nip).limit(limit)
        return list((await self.session.scalars(stmt)).unique().all())

    async def all_employees(self, tenant_id: str) -> list[Employee]:
        rows = await self.session.scalars(
            select(Employee).where(Employee.tenant_id == tenant_id).order_by(Employee.nip)
        )
        return list(rows.unique().all())

    async def history(self, employee_id: uuid.UUID) -> list[EmployeeHistory]:
        rows = await self.session.scalars(
            select(EmployeeHistory)
            .where(EmployeeHistory.employee_id == employee_id)
            .order_by(EmployeeHistory.id)
        )
        return list(rows.all())

    async def track_records(self, employee_id: uuid.UUID) -> list[TrackRecord]:
        rows = await self.session.scalars(
            select(TrackRecord)
            .where(TrackRecord.employee_id == employee_id)
            .order_by(TrackRecord.start_date.desc().nulls_last(), TrackRecord.kind)
        )
        return list(rows.all())

    def add(self, row: object) -> None:
        self.session.add(row)
