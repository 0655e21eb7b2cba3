"""Development plans: the per-box treatment and the assessment's development needs as plan items with
an owner, dates and a status; programmes for many employees; the employee's rapor."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from bakat_common.app import PrincipalDep, SessionDep
from bakat_common.errors import problem_responses
from bakat_common.tenancy import KnownTenantDep
from fastapi import APIRouter, Query, Response

from placement.audit import DEVELOPMENT_PLAN, RAPOR, trail
from placement.plans import service
from placement.plans.schemas import (
    AdoptedOut,
    AdoptIn,
    DevelopmentPlanOut,
    EnrolmentOut,
    Kind,
    PlanItemIn,
    PlanItemOut,
    PlanItemPage,
    PlanItemPatch,
    ProgrammeIn,
    ProgrammeOut,
    Rapor,
    Status,
)
from placement.schemas import NipPath

router = APIRouter(tags=["development plans"])
PLAN = "/tenants/{tenant_id}/employees/{nip}/development-plan"
PROGRAMMES = "/tenants/{tenant_id}/development-plans/programmes"


@router.get(
    PLAN,
    response_model=DevelopmentPlanOut,
    responses=problem_responses(401, 403, 404, 422),
    summary="The employee's development plan: stored items and the suggestions not adopted yet",
)
async def get_plan(
    tenant_id: KnownTenantDep, nip: NipPath, session: SessionDep, principal: PrincipalDep
) -> DevelopmentPlanOut:
    plan = await service.plan_of(session, principal, tenant_id, nip)
    await trail.record(
        session, principal, tenant_id, "read", DEVELOPMENT_PLAN, [nip], route="development plan"
    )
    return plan


@router.post(
    f"{PLAN}/adoptions",
    response_model=AdoptedOut,
    responses=problem_responses(400, 401, 403, 404, 422),
    summary="Adopt suggestions into the plan (the chosen keys, or all not adopted yet)",
)
async def adopt(
    tenant_id: KnownTenantDep, nip: NipPath, body: AdoptIn, session: SessionDep, principal: PrincipalDep
) -> AdoptedOut:
    adopted = await service.adopt(session, principal, tenant_id, nip, body)
    await trail.record(
        session, principal, tenant_id, "change", DEVELOPMENT_PLAN, [nip], route="adopt suggestions"
    )
    return adopted


@router.post(
    f"{PLAN}/items",
    response_model=PlanItemOut,
    status_code=201,
    responses=problem_responses(400, 401, 403, 404, 422),
    summary="Add an item of one's own to the plan",
)
async def add_item(
    tenant_id: KnownTenantDep, nip: NipPath, body: PlanItemIn, session: SessionDep, principal: PrincipalDep
) -> PlanItemOut:
    item = await service.add_item(session, principal, tenant_id, nip, body)
    await trail.record(session, principal, tenant_id, "change", DEVELOPMENT_PLAN, [nip], route="add plan item",
                       item_id=str(item.id))  # fmt: skip
    return item


@router.patch(
    f"{PLAN}/items/{{item_id}}",
    response_model=PlanItemOut,
    responses=problem_responses(400, 401, 403, 404, 422),
    summary="Change an item: status, owner, dates, schedule; reopening a done item needs a reason",
)
async def change_item(
    tenant_id: KnownTenantDep,
    nip: NipPath,
    item_id: uuid.UUID,
    body: PlanItemPatch,
    session: SessionDep,
    principal: PrincipalDep,
) -> PlanItemOut:
    item = await service.change_item(session, principal, tenant_id, nip, item_id, body)
    await trail.record(session, principal, tenant_id, "change", DEVELOPMENT_PLAN, [nip], route="change plan item",
                       item_id=str(item_id), changes=body.model_dump(mode="json", exclude_unset=True))  # fmt: skip
    return item


@router.delete(
    f"{PLAN}/items/{{item_id}}",
    status_code=204,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Delete an item still planned (one started or done is cancelled instead)",
)
async def delete_item(
    tenant_id: KnownTenantDep, nip: NipPath, item_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Response:
    await service.delete_item(session, principal, tenant_id, nip, item_id)
    await trail.record(session, principal, tenant_id, "change", DEVELOPMENT_PLAN, [nip], route="delete plan item",
                       item_id=str(item_id))  # fmt: skip
    return Response(status_code=204)


@router.post(
    PROGRAMMES,
    response_model=ProgrammeOut,
    status_code=201,
    responses={
        200: {
            "description": "the same programme existed already (same code and definition)",
            "model": ProgrammeOut,
        },
        **problem_responses(400, 401, 403, 404, 409, 422),
    },
    summary="A programme: one plan item for every active employee in the boxes and/or unit/tier",
)
async def create_programme(
    tenant_id: KnownTenantDep,
    body: ProgrammeIn,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
) -> ProgrammeOut:
    programme, created = await service.create_programme(session, principal, tenant_id, body)
    if not created:
        response.status_code = 200
    return programme


@router.get(
    PROGRAMMES,
    response_model=list[ProgrammeOut],
    responses=problem_responses(401, 403, 404, 422),
    summary="The tenant's programmes, newest first, each with its progress",
)
async def list_programmes(
    tenant_id: KnownTenantDep, session: SessionDep, principal: PrincipalDep
) -> list[ProgrammeOut]:
    return await service.list_programmes(session, principal, tenant_id)


@router.get(
    f"{PROGRAMMES}/{{programme_id}}",
    response_model=ProgrammeOut,
    responses=problem_responses(401, 403, 404, 422),
    summary="A programme with its progress: items per status",
)
async def get_programme(
    tenant_id: KnownTenantDep, programme_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> ProgrammeOut:
    return await service.programme_of(session, principal, tenant_id, programme_id)


@router.post(
    f"{PROGRAMMES}/{{programme_id}}/enrolments",
    response_model=EnrolmentOut,
    responses=problem_responses(401, 403, 404, 422),
    summary="Enrol the employees who match the programme now and are not in it yet",
)
async def enrol(
    tenant_id: KnownTenantDep, programme_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> EnrolmentOut:
    return await service.enrol_again(session, principal, tenant_id, programme_id)


@router.get(
    "/tenants/{tenant_id}/development-plans/items",
    response_model=PlanItemPage,
    responses=problem_responses(401, 403, 404, 422),
    summary="Plan items of the tenant for tracking, by NIP, filtered",
)
async def list_items(
    tenant_id: KnownTenantDep,
    session: SessionDep,
    principal: PrincipalDep,
    status: Status | None = None,
    kind: Kind | None = None,
    programme_id: uuid.UUID | None = None,
    owner: Annotated[str | None, Query(max_length=200)] = None,
    due_before: Annotated[
        date | None, Query(description="due before this day (with status: overdue)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> PlanItemPage:
    where = service.ItemFilter(
        status=status, kind=kind, programme_id=programme_id, owner=owner, due_before=due_before
    )
    return await service.list_items(session, principal, tenant_id, where, limit, cursor)


@router.get(
    "/tenants/{tenant_id}/employees/{nip}/rapor",
    response_model=Rapor,
    responses=problem_responses(401, 403, 404, 422),
    summary="The employee's rapor: box and why, trend per SKP year, development needs and the plan",
)
async def rapor(
    tenant_id: KnownTenantDep, nip: NipPath, session: SessionDep, principal: PrincipalDep
) -> Rapor:
    report = await service.rapor(session, principal, tenant_id, nip)
    await trail.record(session, principal, tenant_id, "read", RAPOR, [nip], route="rapor")
    return report
