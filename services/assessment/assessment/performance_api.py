"""Routes for SKP performance ratings."""

from __future__ import annotations

from typing import Annotated

from bakat_common.app import PrincipalDep, SessionDep
from bakat_common.errors import problem_responses
from bakat_common.tenancy import KnownTenantDep
from fastapi import APIRouter, Path, status

from assessment import performance
from assessment.deps import SettingsDep
from assessment.repository import AssessmentRepository
from assessment.schemas import PerformanceRatingIn, PerformanceRatingOut

router = APIRouter()
NipPath = Annotated[str, Path(max_length=40)]


@router.post(
    "/tenants/{tenant_id}/performance-ratings",
    response_model=PerformanceRatingOut,
    status_code=status.HTTP_201_CREATED,
    tags=["performance"],
    responses=problem_responses(400, 401, 403, 404, 422),
    summary="Record an employee's SKP predikat for a year (a second call for the same year corrects it)",
)
async def create_performance_rating(
    tenant_id: KnownTenantDep,
    body: PerformanceRatingIn,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> PerformanceRatingOut:
    rating = await performance.record_performance(
        session, principal, tenant_id, body, settings.replica_wait_s
    )
    return PerformanceRatingOut.model_validate(rating)


@router.get(
    "/tenants/{tenant_id}/employees/{nip}/performance-ratings",
    response_model=list[PerformanceRatingOut],
    tags=["performance"],
    responses=problem_responses(401, 403, 404),
)
async def list_performance_ratings(
    tenant_id: KnownTenantDep, nip: NipPath, session: SessionDep
) -> list[PerformanceRatingOut]:
    return [
        PerformanceRatingOut.model_validate(r)
        for r in await AssessmentRepository(session).ratings(tenant_id, nip)
    ]
