"""Routes for reconciliation (docs/RESILIENCE.md). Included before assessment.api's router, so that
`/assessments/versions` is not taken for an assessment's id."""

from __future__ import annotations

from bakat_common.app import PrincipalDep, SessionDep
from bakat_common.contracts.reconcile import AssessmentVersions, ResyncOutcome, ResyncRequest
from bakat_common.errors import problem_responses
from bakat_common.tenancy import KnownTenantDep
from fastapi import APIRouter

from assessment import resync

router = APIRouter()


@router.get(
    "/tenants/{tenant_id}/assessments/versions",
    response_model=AssessmentVersions,
    tags=["reconciliation"],
    responses=problem_responses(401, 403, 404, 422),
    summary="Every completed result (id, version) and SKP rating: what a copy kept from assessment's events should hold",
)
async def versions(tenant_id: KnownTenantDep, session: SessionDep, principal: PrincipalDep) -> AssessmentVersions:
    return await resync.versions(session, principal, tenant_id)


@router.post(
    "/tenants/{tenant_id}/assessments/resync",
    response_model=ResyncOutcome,
    tags=["reconciliation"],
    responses=problem_responses(400, 401, 403, 404, 422),
    summary="Publish these employees' results and SKP ratings again (new events), for a copy that differs",
)
async def resync_employees(
    tenant_id: KnownTenantDep, body: ResyncRequest, session: SessionDep, principal: PrincipalDep
) -> ResyncOutcome:
    return await resync.resync(session, principal, tenant_id, body.nips)
