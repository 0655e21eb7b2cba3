from __future__ import annotations

import uuid

from bakat_common.app import PrincipalDep, SessionDep
from bakat_common.errors import NotFound, problem_responses
from bakat_common.tenancy import KnownTenantDep
from fastapi import APIRouter, status

from scheduling import service
from scheduling.repository import VenueRepository
from scheduling.schemas import RoomIn, RoomOut, VenueIn, VenueOut

router = APIRouter(tags=["venues"])


@router.post(
    "/tenants/{tenant_id}/venues",
    response_model=VenueOut,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def create_venue(
    tenant_id: KnownTenantDep, body: VenueIn, session: SessionDep, principal: PrincipalDep
) -> VenueOut:
    return VenueOut.model_validate(await service.register_venue(session, principal, tenant_id, body))


@router.get(
    "/tenants/{tenant_id}/venues", response_model=list[VenueOut], responses=problem_responses(401, 403, 404)
)
async def list_venues(tenant_id: KnownTenantDep, session: SessionDep) -> list[VenueOut]:
    return [VenueOut.model_validate(v) for v in await VenueRepository(session).venues(tenant_id)]


@router.get(
    "/tenants/{tenant_id}/venues/{venue_id}",
    response_model=VenueOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_venue(tenant_id: KnownTenantDep, venue_id: uuid.UUID, session: SessionDep) -> VenueOut:
    venue = await VenueRepository(session).venue(tenant_id, venue_id)
    if venue is None:
        raise NotFound(f"venue {venue_id} not found in {tenant_id}")
    return VenueOut.model_validate(venue)


@router.post(
    "/tenants/{tenant_id}/venues/{venue_id}/rooms",
    response_model=RoomOut,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def create_room(
    tenant_id: KnownTenantDep, venue_id: uuid.UUID, body: RoomIn, session: SessionDep, principal: PrincipalDep
) -> RoomOut:
    return RoomOut.model_validate(await service.add_room(session, principal, tenant_id, venue_id, body))
