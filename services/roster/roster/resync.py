"""Reconciliation use cases (docs/RESILIENCE.md): the versions roster holds, and its employees'
current state published again for a copy that missed or mangled an event."""

from __future__ import annotations

from collections.abc import Sequence

from bakat_common.auth import Principal, require_roles
from bakat_common.contracts.reconcile import EmployeeVersion, ResyncOutcome
from bakat_common.contracts.roster import EmployeeUpdatedV1
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from roster.models import Employee
from roster.repository import RosterRepository
from roster.service import ensure_tenant_access, publish, snapshot_fields

# Who compares copies and asks for a resync: a tenant's admin, or the platform's machine client.
RECONCILERS = ("admin", "integration")


async def employee_versions(session: AsyncSession, principal: Principal, tenant_id: str) -> list[EmployeeVersion]:
    require_roles(principal, *RECONCILERS)
    await ensure_tenant_access(RosterRepository(session), principal, tenant_id)
    rows = await session.execute(
        select(Employee.nip, Employee.version, Employee.status)
        .where(Employee.tenant_id == tenant_id)
        .order_by(Employee.nip)
    )
    return [EmployeeVersion(nip=nip, version=version, status=status) for nip, version, status in rows]


async def resync_employees(
    session: AsyncSession, principal: Principal, tenant_id: str, nips: Sequence[str]
) -> ResyncOutcome:
    """Each employee's current snapshot as an `employee.updated` event with a new id: consumers keep
    the highest version, so a copy that has it already is unchanged and one that lacks it catches up."""
    require_roles(principal, *RECONCILERS)
    repo = RosterRepository(session)
    await ensure_tenant_access(repo, principal, tenant_id)
    found = await repo.employees_by_nip(tenant_id, list(dict.fromkeys(nips)))
    for nip in sorted(found):
        await publish(session, EmployeeUpdatedV1(**snapshot_fields(found[nip])), tenant_id, nip)
    return ResyncOutcome(published=len(found), unknown=sorted(set(nips) - set(found)))
