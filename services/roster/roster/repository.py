from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from roster.models import Employee, Tenant


class RosterRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def tenant(self, tenant_id: str) -> Tenant | None:
        return await self.session.get(Tenant, tenant_id)

    async def tenants_visible_to(self, tenant_id: str | None) -> list[Tenant]:
        stmt = select(Tenant).order_by(Tenant.id)
        if tenant_id is not None:
            stmt = stmt.where((Tenant.id == tenant_id) | (Tenant.parent_id == tenant_id))
        return list((await self.session.scalars(stmt)).all())

    async def employee(self, tenant_id: str, nip: str) -> Employee | None:
        return await self.session.scalar(select(Employee).where(Employee.tenant_id == tenant_id, Employee.nip == nip))

    async def employees(self, tenant_id: str, limit: int, offset: int) -> tuple[list[Employee], int]:
        where = Employee.tenant_id == tenant_id
        total = await self.session.scalar(select(func.count()).select_from(Employee).where(where)) or 0
        rows = await self.session.scalars(select(Employee).where(where).order_by(Employee.nip).limit(limit).offset(offset))
        return list(rows.all()), total

    def add(self, row: Tenant | Employee) -> None:
        self.session.add(row)
