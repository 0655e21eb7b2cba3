"""Routes for reconciliation (docs/RESILIENCE.md). Included before roster.api's router, so that
`/employees/versions` is not taken for an employee's NIP."""

from __future__ import annotations

from bakat_common.app import PrincipalDep, SessionDep
from bakat_common.contracts.reconcile import EmployeeVersion, ResyncOutcome, ResyncRequest
from fastapi import APIRouter, Depends

from roster import resync
from roster.api import READ, WRITE, TenantId, tenant_covered

router = APIRouter(dependencies=[Depends(tenant_covered)])


@router.get(
    "/tenants/{tenant_id}/employees/versions",
    response_model=list[EmployeeVersion],
    tags=["reconciliation"],
    responses=READ,
    summary="Every employee's NIP, version and status: what a copy kept from roster's events should hold",
)
async def employee_versions(tenant_id: TenantId, session: SessionDep, principal: PrincipalDep) -> list[EmployeeVersion]:
    return await resync.employee_versions(session, principal, tenant_id)


@router.post(
    "/tenants/{tenant_id}/employees/resync",
    response_model=ResyncOutcome,
    tags=["reconciliation"],
    responses=WRITE,
    summary="Publish these employees' current state again (new events), for a copy that differs",
)
async def resync_employees(
    tenant_id: TenantId, body: ResyncRequest, session: SessionDep, principal: PrincipalDep
) -> ResyncOutcome:
    return await resync.resync_employees(session, principal, tenant_id, body.nips)
