from __future__ import annotations

from typing import Annotated

from bakat_common.app import SessionDep
from bakat_common.errors import problem_responses
from bakat_common.tenancy import KnownTenantDep
from fastapi import APIRouter, Path, Query

from placement import service
from placement.repository import PlacementRepository
from placement.schemas import PlacementOut, PlacementPage

router = APIRouter(tags=["placements"])
NipPath = Annotated[str, Path(max_length=40)]


@router.get(
    "/tenants/{tenant_id}/employees/{nip}/placement",
    response_model=PlacementOut,
    responses=problem_responses(401, 403, 404),
    summary="The employee's nine-box placement, with both axis levels and why",
)
async def get_placement(tenant_id: KnownTenantDep, nip: NipPath, session: SessionDep) -> PlacementOut:
    return PlacementOut.of(await service.placement_of(session, tenant_id, nip))


@router.get(
    "/tenants/{tenant_id}/placements",
    response_model=PlacementPage,
    responses=problem_responses(401, 403, 404),
)
async def list_placements(
    tenant_id: KnownTenantDep,
    session: SessionDep,
    box: Annotated[int | None, Query(ge=1, le=9)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> PlacementPage:
    rows, total = await PlacementRepository(session).placements(tenant_id, box, limit, offset)
    return PlacementPage(items=[PlacementOut.of(r) for r in rows], total=total, limit=limit, offset=offset)
