"""Thin routes: parse, call a use case, shape the answer."""

from __future__ import annotations

from typing import Annotated

from bakat_common.app import PrincipalDep, SessionDep
from bakat_common.auth import ALL_TENANTS
from bakat_common.errors import NotFound, problem_responses
from fastapi import APIRouter, Path, Query, status

from roster import service
from roster.repository import RosterRepository
from roster.schemas import EmployeeIn, EmployeeOut, EmployeePage, TenantIn, TenantOut

router = APIRouter()
TenantId = Annotated[str, Path(max_length=100, description="tenant slug, e.g. kota-batu")]
NipPath = Annotated[str, Path(max_length=40, description="18-digit NIP")]


@router.post(
    "/tenants",
    status_code=status.HTTP_201_CREATED,
    response_model=TenantOut,
    tags=["tenants"],
    responses=problem_responses(400, 401, 403, 409, 422),
)
async def create_tenant(body: TenantIn, session: SessionDep, principal: PrincipalDep) -> TenantOut:
    return TenantOut.model_validate(await service.register_tenant(session, principal, body))


@router.get("/tenants", response_model=list[TenantOut], tags=["tenants"], responses=problem_responses(401))
async def list_tenants(session: SessionDep, principal: PrincipalDep) -> list[TenantOut]:
    scope = None if principal.tenant == ALL_TENANTS else principal.tenant
    return [TenantOut.model_validate(t) for t in await RosterRepository(session).tenants_visible_to(scope)]


@router.get(
    "/tenants/{tenant_id}",
    response_model=TenantOut,
    tags=["tenants"],
    responses=problem_responses(401, 403, 404),
)
async def get_tenant(tenant_id: TenantId, session: SessionDep, principal: PrincipalDep) -> TenantOut:
    tenant = await service.authorize_tenant(RosterRepository(session), principal, tenant_id)
    return TenantOut.model_validate(tenant)


@router.post(
    "/tenants/{tenant_id}/employees",
    status_code=status.HTTP_201_CREATED,
    response_model=EmployeeOut,
    tags=["employees"],
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def create_employee(
    tenant_id: TenantId, body: EmployeeIn, session: SessionDep, principal: PrincipalDep
) -> EmployeeOut:
    return EmployeeOut.model_validate(await service.register_employee(session, principal, tenant_id, body))


@router.get(
    "/tenants/{tenant_id}/employees",
    response_model=EmployeePage,
    tags=["employees"],
    responses=problem_responses(401, 403, 404),
)
async def list_employees(
    tenant_id: TenantId,
    session: SessionDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> EmployeePage:
    repo = RosterRepository(session)
    await service.authorize_tenant(repo, principal, tenant_id)
    rows, total = await repo.employees(tenant_id, limit, offset)
    return EmployeePage(
        items=[EmployeeOut.model_validate(r) for r in rows], total=total, limit=limit, offset=offset
    )


@router.get(
    "/tenants/{tenant_id}/employees/{nip}",
    response_model=EmployeeOut,
    tags=["employees"],
    responses=problem_responses(401, 403, 404),
)
async def get_employee(
    tenant_id: TenantId, nip: NipPath, session: SessionDep, principal: PrincipalDep
) -> EmployeeOut:
    repo = RosterRepository(session)
    await service.authorize_tenant(repo, principal, tenant_id)
    employee = await repo.employee(tenant_id, nip)
    if employee is None:
        raise NotFound(f"employee {nip} not found in {tenant_id}")
    return EmployeeOut.model_validate(employee)
