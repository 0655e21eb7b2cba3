"""Routes for instruments, campaigns, the assessment workflow, results, development rules and the
re-assessment list. Each calls one use case in service.py."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from typing import Annotated, Literal

from bakat_common.app import PrincipalDep, SessionDep
from bakat_common.auth import require_roles
from bakat_common.errors import InvalidInput, NotFound, problem_responses
from bakat_common.pagination import decode_nip_cursor, encode_nip_cursor
from bakat_common.tenancy import KnownTenantDep
from fastapi import APIRouter, Path, Query, Response, status

from assessment import service
from assessment.audit import REPORT, RESULT, trail
from assessment.deps import MetricsDep, SettingsDep
from assessment.models import Assessment, Campaign
from assessment.report import render_report
from assessment.repository import AssessmentRepository
from assessment.schemas import (
    AssessmentOut,
    AssessmentResultIn,
    AssessmentResultOut,
    AssessmentVersionOut,
    AssessorsIn,
    BatchResultsIn,
    BatchResultsOut,
    CampaignIn,
    CampaignOut,
    CorrectionIn,
    DevelopmentRuleIn,
    DevelopmentRulesIn,
    InstrumentIn,
    InstrumentOut,
    IntegratedRatingsIn,
    IntegrationView,
    ParticipantsAdded,
    ParticipantsIn,
    RatingsIn,
    ReassessmentEntry,
    ReassessmentPage,
)

router = APIRouter()
NipPath = Annotated[str, Path(max_length=40)]
READ = problem_responses(401, 403, 404, 422)
WRITE = problem_responses(400, 401, 403, 404, 409, 422)


# ---- instruments ----------------------------------------------------------------------------------------


@router.get(
    "/tenants/{tenant_id}/instruments",
    response_model=list[InstrumentOut],
    tags=["instruments"],
    responses=READ,
)
async def list_instruments(tenant_id: KnownTenantDep, session: SessionDep) -> list[InstrumentOut]:
    """The Permenpan RB 38/2017 framework, the 8 potential aspects and the usual materials, plus the
    tenant's own instruments."""
    catalogue = await service.instrument_catalogue(session, tenant_id)
    return [
        InstrumentOut(code=code, name=name, kind=kind, description=description, builtin=builtin)
        for code, (name, kind, description, builtin) in catalogue.items()
    ]


@router.post(
    "/tenants/{tenant_id}/instruments",
    response_model=InstrumentOut,
    status_code=status.HTTP_201_CREATED,
    tags=["instruments"],
    responses=WRITE,
)
async def create_instrument(
    tenant_id: KnownTenantDep, body: InstrumentIn, session: SessionDep, principal: PrincipalDep
) -> InstrumentOut:
    """A tenant's own instrument: a technical competency, a potential aspect or another material."""
    i = await service.create_instrument(session, principal, tenant_id, body)
    return InstrumentOut(code=i.code, name=i.name, kind=i.kind, description=i.description, builtin=False)


# ---- campaigns ----------------------------------------------------------------------------------------


async def _campaign_out(session, campaigns: list[Campaign]) -> list[CampaignOut]:
    counts = await AssessmentRepository(session).status_counts([c.id for c in campaigns])
    out = []
    for c in campaigns:
        by_status = counts.get(c.id, {})
        out.append(
            CampaignOut.model_validate(c).model_copy(
                update={"participants": sum(by_status.values()), "by_status": by_status}
            )
        )
    return out


@router.post(
    "/tenants/{tenant_id}/campaigns",
    response_model=CampaignOut,
    status_code=status.HTTP_201_CREATED,
    tags=["campaigns"],
    responses=WRITE,
)
async def create_campaign(
    tenant_id: KnownTenantDep,
    body: CampaignIn,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> CampaignOut:
    """A campaign and its participants: active employees of the selected tiers and units (with
    sub-units), plus the listed NIPs; each gets a scheduled assessment."""
    campaign = await service.create_campaign(session, principal, tenant_id, body, settings.replica_wait_s)
    return (await _campaign_out(session, [campaign]))[0]


@router.get(
    "/tenants/{tenant_id}/campaigns", response_model=list[CampaignOut], tags=["campaigns"], responses=READ
)
async def list_campaigns(tenant_id: KnownTenantDep, session: SessionDep) -> list[CampaignOut]:
    return await _campaign_out(session, await AssessmentRepository(session).campaigns(tenant_id))


async def _get_campaign(session, tenant_id: str, campaign_id: uuid.UUID) -> Campaign:
    campaign = await AssessmentRepository(session).campaign(tenant_id, campaign_id)
    if campaign is None:
        raise NotFound(f"campaign {campaign_id} not found in {tenant_id}")
    return campaign


@router.get(
    "/tenants/{tenant_id}/campaigns/{campaign_id}",
    response_model=CampaignOut,
    tags=["campaigns"],
    responses=READ,
)
async def get_campaign(tenant_id: KnownTenantDep, campaign_id: uuid.UUID, session: SessionDep) -> CampaignOut:
    return (await _campaign_out(session, [await _get_campaign(session, tenant_id, campaign_id)]))[0]


@router.post(
    "/tenants/{tenant_id}/campaigns/{campaign_id}/participants",
    response_model=ParticipantsAdded,
    tags=["campaigns"],
    responses=WRITE,
)
async def add_participants(
    tenant_id: KnownTenantDep,
    campaign_id: uuid.UUID,
    body: ParticipantsIn,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> ParticipantsAdded:
    """Add employees by NIP (those already taking part are counted, not duplicated)."""
    added, already = await service.add_participants(
        session, principal, tenant_id, campaign_id, body.nips, settings.replica_wait_s
    )
    return ParticipantsAdded(added=added, already_participating=already)


@router.post(
    "/tenants/{tenant_id}/campaigns/{campaign_id}/closure",
    response_model=CampaignOut,
    tags=["campaigns"],
    responses=WRITE,
)
async def close_campaign(
    tenant_id: KnownTenantDep, campaign_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> CampaignOut:
    """No more participants; assessments already under way can still be completed."""
    campaign = await service.set_campaign_status(session, principal, tenant_id, campaign_id, "closed")
    return (await _campaign_out(session, [campaign]))[0]


# ---- assessments ------------------------------------------------------------------------------------------


async def _outs(session, assessments: list[Assessment]) -> list[AssessmentOut]:
    assessors = await service.assessors_by_assessment(session, [a.id for a in assessments])
    return [
        AssessmentOut.model_validate(a).model_copy(update={"assessors": assessors.get(a.id, [])})
        for a in assessments
    ]


@router.get(
    "/tenants/{tenant_id}/assessments",
    response_model=list[AssessmentOut],
    tags=["assessments"],
    responses=READ,
)
async def list_assessments(
    tenant_id: KnownTenantDep,
    session: SessionDep,
    principal: PrincipalDep,
    campaign_id: uuid.UUID | None = None,
    status_: Annotated[
        Literal["scheduled", "in_progress", "scored", "integrated", "completed"] | None, Query(alias="status")
    ] = None,
    assessor: Annotated[str | None, Query(max_length=200, description="`me`: the caller's own")] = None,
    after: Annotated[uuid.UUID | None, Query(description="the last id of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[AssessmentOut]:
    """Assessments by campaign, status or assessor. An assessor sees only their own."""
    if not principal.has_any("admin", "officer", "viewer", "integration"):
        require_roles(principal, "assessor")
        assessor = principal.subject
    elif assessor == "me":
        assessor = principal.subject
    rows = await AssessmentRepository(session).assessments(
        tenant_id, campaign_id=campaign_id, status=status_, assessor=assessor, after=after, limit=limit
    )
    await trail.record(session, principal, tenant_id, "read", RESULT, [a.nip for a in rows], route="list assessments",
                       campaign_id=campaign_id and str(campaign_id), status=status_, assessor=assessor)  # fmt: skip
    return await _outs(session, rows)


@router.get(
    "/tenants/{tenant_id}/employees/{nip}/assessments",
    response_model=list[AssessmentOut],
    tags=["assessments"],
    responses=READ,
)
async def employee_assessments(
    tenant_id: KnownTenantDep, nip: NipPath, session: SessionDep, principal: PrincipalDep
) -> list[AssessmentOut]:
    require_roles(principal, "admin", "officer", "viewer", "integration")
    rows = await AssessmentRepository(session).assessments(tenant_id, nip=nip, limit=500)
    await trail.record(session, principal, tenant_id, "read", RESULT, [nip], route="employee assessments")
    return await _outs(session, rows)


@router.post(
    "/tenants/{tenant_id}/assessments",
    response_model=AssessmentResultOut,
    status_code=status.HTTP_201_CREATED,
    tags=["assessments"],
    responses=problem_responses(400, 401, 403, 404, 422),
    summary="Record a result scored elsewhere (potential score, JPM)",
)
async def create_assessment_result(
    tenant_id: KnownTenantDep,
    body: AssessmentResultIn,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    metrics: MetricsDep,
) -> AssessmentResultOut:
    result = await service.record_assessment_result(
        session, principal, tenant_id, body, settings.default_validity_years, settings.replica_wait_s
    )
    metrics.completed_on_commit(session, tenant_id, "recorded")
    await trail.record(session, principal, tenant_id, "change", RESULT, [body.nip], route="record result",
                       assessment_id=str(result.id))  # fmt: skip
    return AssessmentResultOut.model_validate(result)


@router.post(
    "/tenants/{tenant_id}/assessments/batch",
    response_model=BatchResultsOut,
    status_code=status.HTTP_201_CREATED,
    tags=["assessments"],
    responses=WRITE,
    summary="Record up to 10,000 results scored elsewhere (integrated levels per instrument), all or nothing",
)
async def record_batch(
    tenant_id: KnownTenantDep,
    body: BatchResultsIn,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    metrics: MetricsDep,
) -> BatchResultsOut:
    ids = await service.record_batch(session, principal, tenant_id, body, settings.replica_wait_s)
    metrics.completed_on_commit(session, tenant_id, "batch", len(ids))
    await trail.record(session, principal, tenant_id, "change", RESULT, [r.nip for r in body.results],
                       route="record batch", recorded=len(ids))  # fmt: skip
    return BatchResultsOut(recorded=len(ids), assessment_ids=ids)


@router.get(
    "/tenants/{tenant_id}/assessments/{assessment_id}",
    response_model=AssessmentOut,
    tags=["assessments"],
    responses=READ,
)
async def get_assessment(
    tenant_id: KnownTenantDep, assessment_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> AssessmentOut:
    assessment = await service.readable_assessment(session, principal, tenant_id, assessment_id)
    await trail.record(session, principal, tenant_id, "read", RESULT, [assessment.nip], route="get assessment",
                       assessment_id=str(assessment_id))  # fmt: skip
    return (await _outs(session, [assessment]))[0]


@router.get(
    "/tenants/{tenant_id}/assessments/{assessment_id}/versions",
    response_model=list[AssessmentVersionOut],
    tags=["assessments"],
    responses=READ,
)
async def assessment_versions(
    tenant_id: KnownTenantDep, assessment_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> list[AssessmentVersionOut]:
    """Every completed version with who made it and why."""
    assessment = await service.readable_assessment(session, principal, tenant_id, assessment_id)
    await trail.record(session, principal, tenant_id, "read", RESULT, [assessment.nip], route="assessment versions",
                       assessment_id=str(assessment_id))  # fmt: skip
    return [
        AssessmentVersionOut.model_validate(v)
        for v in await AssessmentRepository(session).versions(assessment.id)
    ]


@router.get(
    "/tenants/{tenant_id}/assessments/{assessment_id}/report.pdf",
    tags=["assessments"],
    responses={
        **READ,
        409: READ[404],
        200: {"content": {"application/pdf": {}}, "description": "the report"},
    },
    response_class=Response,
)
async def assessment_report(
    tenant_id: KnownTenantDep, assessment_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Response:
    """The participant's individual report (Laporan Individu): scores against the post's standard with a
    chart, JPM, potential score, gaps and development recommendations."""
    data = await service.report_data(session, principal, tenant_id, assessment_id)
    await trail.record(session, principal, tenant_id, "read", REPORT, [data.nip], route="report pdf",
                       assessment_id=str(assessment_id), version=data.version)  # fmt: skip
    pdf = await asyncio.to_thread(render_report, data)  # CPU-bound: keep the service answering
    filename = f"laporan-{data.nip}-v{data.version}.pdf"
    return Response(
        pdf, media_type="application/pdf", headers={"content-disposition": f'inline; filename="{filename}"'}
    )


@router.put(
    "/tenants/{tenant_id}/assessments/{assessment_id}/assessors",
    response_model=AssessmentOut,
    tags=["assessments"],
    responses=WRITE,
)
async def assign_assessors(
    tenant_id: KnownTenantDep,
    assessment_id: uuid.UUID,
    body: AssessorsIn,
    session: SessionDep,
    principal: PrincipalDep,
) -> AssessmentOut:
    """Who assesses this participant, and who leads the integration."""
    assessment = await service.assign_assessors(session, principal, tenant_id, assessment_id, body)
    await trail.record(session, principal, tenant_id, "change", RESULT, [assessment.nip], route="assign assessors",
                       assessment_id=str(assessment_id))  # fmt: skip
    return (await _outs(session, [assessment]))[0]


@router.put(
    "/tenants/{tenant_id}/assessments/{assessment_id}/ratings",
    response_model=AssessmentOut,
    tags=["assessments"],
    responses=WRITE,
)
async def rate(
    tenant_id: KnownTenantDep,
    assessment_id: uuid.UUID,
    body: RatingsIn,
    session: SessionDep,
    principal: PrincipalDep,
) -> AssessmentOut:
    """The calling assessor's levels (1-5) with evidence, per instrument (and exercise). Only an
    assigned assessor may rate; sending an instrument again replaces its level."""
    assessment = await service.rate(session, principal, tenant_id, assessment_id, body)
    await trail.record(session, principal, tenant_id, "change", RESULT, [assessment.nip], route="rate",
                       assessment_id=str(assessment_id))  # fmt: skip
    return (await _outs(session, [assessment]))[0]


@router.get(
    "/tenants/{tenant_id}/assessments/{assessment_id}/integration",
    response_model=IntegrationView,
    tags=["assessments"],
    responses=READ,
)
async def integration(
    tenant_id: KnownTenantDep, assessment_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> IntegrationView:
    """Every assessor's ratings side by side, disagreements of more than one level flagged."""
    view = await service.integration_view(session, principal, tenant_id, assessment_id)
    out = IntegrationView.model_validate(view)
    await trail.record(session, principal, tenant_id, "read", RESULT, [out.nip], route="integration view",
                       assessment_id=str(assessment_id))  # fmt: skip
    return out


@router.put(
    "/tenants/{tenant_id}/assessments/{assessment_id}/integrated-ratings",
    response_model=AssessmentOut,
    tags=["assessments"],
    responses=WRITE,
)
async def integrate(
    tenant_id: KnownTenantDep,
    assessment_id: uuid.UUID,
    body: IntegratedRatingsIn,
    session: SessionDep,
    principal: PrincipalDep,
) -> AssessmentOut:
    """The lead assessor's consensus levels."""
    assessment = await service.integrate(session, principal, tenant_id, assessment_id, body)
    await trail.record(session, principal, tenant_id, "change", RESULT, [assessment.nip], route="integrate",
                       assessment_id=str(assessment_id))  # fmt: skip
    return (await _outs(session, [assessment]))[0]


@router.post(
    "/tenants/{tenant_id}/assessments/{assessment_id}/completion",
    response_model=AssessmentOut,
    tags=["assessments"],
    responses=WRITE,
)
async def complete(
    tenant_id: KnownTenantDep,
    assessment_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    metrics: MetricsDep,
) -> AssessmentOut:
    """Computes JPM, potential score, gaps and recommendations, and publishes the result."""
    assessment = await service.complete(session, principal, tenant_id, assessment_id)
    metrics.completed_on_commit(session, tenant_id, "campaign")
    await trail.record(session, principal, tenant_id, "change", RESULT, [assessment.nip], route="complete",
                       assessment_id=str(assessment_id))  # fmt: skip
    return (await _outs(session, [assessment]))[0]


@router.post(
    "/tenants/{tenant_id}/assessments/{assessment_id}/corrections",
    response_model=AssessmentOut,
    tags=["assessments"],
    responses=WRITE,
)
async def correct(
    tenant_id: KnownTenantDep,
    assessment_id: uuid.UUID,
    body: CorrectionIn,
    session: SessionDep,
    principal: PrincipalDep,
) -> AssessmentOut:
    """Changes a completed result: a new version with the reason, published as a correction."""
    assessment = await service.correct(session, principal, tenant_id, assessment_id, body)
    await trail.record(session, principal, tenant_id, "change", RESULT, [assessment.nip], route="correct",
                       assessment_id=str(assessment_id))  # fmt: skip
    return (await _outs(session, [assessment]))[0]


# ---- development rules, re-assessment list ------------------------------------------------------------


@router.get(
    "/tenants/{tenant_id}/development-rules",
    response_model=list[DevelopmentRuleIn],
    tags=["development"],
    responses=READ,
)
async def development_rules(tenant_id: KnownTenantDep, session: SessionDep) -> list[DevelopmentRuleIn]:
    """Which development a weak instrument calls for (the defaults until the tenant sets its own)."""
    return [
        DevelopmentRuleIn(instrument=code, below_level=below, recommendation=text, kind=kind)
        for code, below, text, kind in await service.rules_of(session, tenant_id)
    ]


@router.put(
    "/tenants/{tenant_id}/development-rules",
    response_model=list[DevelopmentRuleIn],
    tags=["development"],
    responses=WRITE,
)
async def replace_development_rules(
    tenant_id: KnownTenantDep, body: DevelopmentRulesIn, session: SessionDep, principal: PrincipalDep
) -> list[DevelopmentRuleIn]:
    """Replaces the tenant's rules (results completed later use them; earlier ones keep theirs)."""
    await service.replace_rules(session, principal, tenant_id, body)
    return await development_rules(tenant_id, session)


@router.get(
    "/tenants/{tenant_id}/reassessments",
    response_model=ReassessmentPage,
    tags=["assessments"],
    responses=READ,
)
async def reassessments(
    tenant_id: KnownTenantDep,
    session: SessionDep,
    unit: Annotated[str | None, Query(max_length=50, description="unit code; includes its sub-units")] = None,
    tier: Annotated[str | None, Query(max_length=20)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ReassessmentPage:
    """Active employees with no valid result: never assessed, or their last result has expired."""
    repo = AssessmentRepository(session)
    unit_path = None
    if unit is not None:
        unit_path = (await repo.unit_paths(tenant_id, [unit])).get(unit)
        if unit_path is None:
            raise InvalidInput("query.unit", "exists", f"unknown unit {unit!r}")
    rows = await repo.needing_assessment(
        tenant_id,
        date.today(),
        unit_path=unit_path,
        tier=tier,
        after_nip=decode_nip_cursor(cursor),
        limit=limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return ReassessmentPage(
        items=[
            ReassessmentEntry(
                nip=e.nip,
                name=e.name,
                unit_code=e.unit_code,
                tier=e.tier,
                reason=service.reassessment_reason(valid_until),
                last_valid_until=valid_until,
            )
            for e, valid_until in rows
        ],
        next_cursor=encode_nip_cursor(rows[-1][0].nip) if more else None,
    )
