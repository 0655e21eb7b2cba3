from __future__ import annotations

import uuid
from typing import Annotated

from bakat_common.app import PrincipalDep, SessionDep
from bakat_common.errors import NotFound, problem_responses
from bakat_common.tenancy import KnownTenantDep
from fastapi import APIRouter, Path, status

from assessment import service
from assessment.deps import SettingsDep
from assessment.repository import AssessmentRepository
from assessment.schemas import (
    AssessmentResultIn,
    AssessmentResultOut,
)

router = APIRouter()
NipPath = Annotated[str, Path(max_length=40)]


@router.post(
    "/tenants/{tenant_id}/assessments",
    response_model=AssessmentResultOut,
    status_code=status.HTTP_201_CREATED,
    tags=["assessments"],
    responses=problem_responses(400, 401, 403, 404, 422),
    summary="Record a completed assessment's result (potential score, JPM)",
)
async def create_assessment_result(
    tenant_id: KnownTenantDep,
    body: AssessmentResultIn,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> AssessmentResultOut:
    result = await service.record_assessment_result(
        session, principal, tenant_id, body, settings.default_validity_years, settings.replica_wait_s
    )
    return AssessmentResultOut.model_validate(result)


@router.get(
    "/tenants/{tenant_id}/assessments/{assessment_id}",
    response_model=AssessmentResultOut,
    tags=["assessments"],
    responses=problem_responses(401, 403, 404, 422),
)
async def get_assessment_result(
    tenant_id: KnownTenantDep, assessment_id: uuid.UUID, session: SessionDep
) -> AssessmentResultOut:
    result = await AssessmentRepository(session).result(tenant_id, assessment_id)
    if result is None:
        raise NotFound(f"assessment {assessment_id} not found in {tenant_id}")
    return AssessmentResultOut.model_validate(result)
