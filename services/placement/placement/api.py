from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Annotated

from bakat_common.app import PrincipalDep, ReadSessionDep, RuntimeDep, SessionDep
from bakat_common.errors import NotFound, problem_responses
from bakat_common.pagination import decode_nip_cursor, encode_nip_cursor
from bakat_common.responses import ModelResponse
from bakat_common.tenancy import KnownTenantDep
from fastapi import APIRouter, BackgroundTasks, Query, Response
from sqlalchemy import select

from placement import service
from placement.audit import NINE_BOX, PLACEMENT, PLACEMENT_LIST, trail
from placement.domain import LOW_BOXES, UnitShare, counts_by_child_unit, outliers, trend
from placement.models import RecomputeJob, RuleSetVersion
from placement.repository import PlacementRepository
from placement.schemas import (
    DistributionView,
    NineBoxView,
    NipPath,
    PlacementChange,
    PlacementHistoryOut,
    PlacementOut,
    PlacementPage,
    ReassessmentDue,
    ReassessmentDuePage,
    RecomputeJobOut,
    RuleChangeOut,
    RuleSetIn,
    RuleSetOut,
    UnitDistribution,
    UnitQuery,
    YearBox,
)

router = APIRouter(tags=["placements"])


@router.get(
    "/tenants/{tenant_id}/employees/{nip}/placement",
    response_model=PlacementOut,
    responses=problem_responses(401, 403, 404, 422),
    summary="The employee's nine-box placement, with both axis levels and why",
)
async def get_placement(
    tenant_id: KnownTenantDep, nip: NipPath, session: ReadSessionDep, principal: PrincipalDep
) -> Response:
    # Outside a transaction, as the nine-box: the audit row is written once the placement was found
    # (a 404 shows nothing and records nothing).
    placement = await service.placement_of(session, tenant_id, nip)
    await trail.record(session, principal, tenant_id, "read", PLACEMENT, [nip], route="placement")
    return ModelResponse(PlacementOut.of(placement))


@router.get(
    "/tenants/{tenant_id}/employees/{nip}/placement/history",
    response_model=PlacementHistoryOut,
    responses=problem_responses(401, 403, 404, 422),
    summary="Every placement the employee has had, and the box per SKP year (trend across cycles)",
)
async def placement_history(
    tenant_id: KnownTenantDep, nip: NipPath, session: SessionDep, principal: PrincipalDep
) -> PlacementHistoryOut:
    changes = await PlacementRepository(session).history(tenant_id, nip)
    if not changes:
        await service.placement_of(session, tenant_id, nip)  # 404 that says what is missing
    await trail.record(session, principal, tenant_id, "read", PLACEMENT, [nip], route="placement history")
    return PlacementHistoryOut(
        changes=[PlacementChange.model_validate(c) for c in changes],
        trend=[YearBox(skp_year=y, box=b) for y, b in trend((c.skp_year, c.box) for c in changes)],
    )


@router.get(
    "/tenants/{tenant_id}/nine-box",
    response_model=NineBoxView,
    responses=problem_responses(401, 403, 404, 422),
    summary="The nine-box of a unit (with its sub-units) and/or tier: counts and members per box",
)
async def nine_box(
    tenant_id: KnownTenantDep,
    session: ReadSessionDep,
    principal: PrincipalDep,
    unit: UnitQuery = None,
    tier: Annotated[str | None, Query(max_length=20)] = None,
    per_box: Annotated[int, Query(ge=0, le=500, description="members listed per box")] = 20,
) -> Response:
    counts, members = await PlacementRepository(session).nine_box(tenant_id, unit, tier, per_box)
    await trail.record(session, principal, tenant_id, "read", NINE_BOX, [m.nip for m in members], route="nine-box",
                       unit=unit, tier=tier)  # fmt: skip
    return Response(content=NineBoxView.json_of(counts, members), media_type="application/json")


@router.get(
    "/tenants/{tenant_id}/nine-box/distribution",
    response_model=DistributionView,
    responses=problem_responses(401, 403, 404, 422),
    summary="The nine-box of each unit under a unit (or of the top-level units), outliers flagged",
)
async def distribution(
    tenant_id: KnownTenantDep,
    session: ReadSessionDep,
    unit: Annotated[
        str | None, Query(max_length=50, description="compare the units directly under this one")
    ] = None,
    tier: Annotated[str | None, Query(max_length=20)] = None,
) -> DistributionView:
    pool = (await service.current_rules(session, tenant_id)).talent_pool_boxes
    rows = await PlacementRepository(session).box_counts_by_unit_path(tenant_id, unit, tier)
    by_unit = counts_by_child_unit(rows, unit)
    shares = [UnitShare(code, boxes) for code, boxes in sorted(by_unit.items())]
    flagged = outliers(shares, pool)
    overall: dict[int, int] = {}
    for path, box, count in rows:
        overall[box] = overall.get(box, 0) + count
    return DistributionView(
        parent_unit=unit,
        total=sum(overall.values()),
        boxes=dict(sorted(overall.items())),
        units=[
            UnitDistribution(
                unit_code=u.unit_code,
                total=u.total,
                boxes=dict(sorted(u.counts.items())),
                talent_pool_share=round(u.share(pool), 4),
                low_boxes_share=round(u.share(LOW_BOXES), 4),
                outlier=u.unit_code in flagged,
                outlier_reasons=flagged.get(u.unit_code, []),
            )  # fmt: skip
            for u in shares
        ],
    )


@router.get(
    "/tenants/{tenant_id}/placements/reassessment-due",
    response_model=ReassessmentDuePage,
    responses=problem_responses(401, 403, 404, 422),
    summary="Active employees with no valid assessment result (never assessed, or expired under the rules)",
)
async def reassessment_due(
    tenant_id: KnownTenantDep,
    session: ReadSessionDep,
    principal: PrincipalDep,
    unit: UnitQuery = None,
    within_days: Annotated[
        int, Query(ge=0, le=3 * 366, description="also those whose result expires within so many days")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=100)] = None,
) -> ReassessmentDuePage:
    after = decode_nip_cursor(cursor)
    rules = await service.current_rules(session, tenant_id)
    today = date.today()
    due_by = today + timedelta(days=within_days)  # a result is still valid on its valid_until day
    rows, total = await PlacementRepository(session).reassessment_due(
        tenant_id, rules.validity_years, due_by, unit, after, limit + 1
    )
    more, rows = len(rows) > limit, rows[:limit]
    await trail.record(session, principal, tenant_id, "read", PLACEMENT_LIST, [r.nip for r in rows],
                       route="reassessment due", unit=unit)  # fmt: skip

    def reason(until: date | None) -> str:
        if until is None:
            return "never assessed"
        return f"result {'expired' if until < today else 'expires'} on {until.isoformat()}"

    items = [
        ReassessmentDue(nip=r.nip, name=r.name, unit_code=r.unit_code, tier=r.tier, assessment_id=r.assessment_id,
                        completed_at=r.completed_at, valid_until=r.valid_until, reason=reason(r.valid_until))
        for r in rows
    ]  # fmt: skip
    return ReassessmentDuePage(
        items=items, total=total, due_by=due_by,
        next_cursor=encode_nip_cursor(rows[-1].nip) if more and rows else None,
    )  # fmt: skip


@router.get(
    "/tenants/{tenant_id}/talent-pool",
    response_model=PlacementPage,
    responses=problem_responses(401, 403, 404, 422),
    summary="The talent pool (succession group): employees in the pool's boxes (7, 8 and 9 by default)",
)
async def talent_pool(
    tenant_id: KnownTenantDep,
    session: SessionDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> PlacementPage:
    rows, total = await PlacementRepository(session).placements(
        tenant_id, None, limit, offset, pool_only=True
    )
    await trail.record(
        session, principal, tenant_id, "read", PLACEMENT_LIST, [r.nip for r in rows], route="talent pool"
    )
    return PlacementPage(items=[PlacementOut.of(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get(
    "/tenants/{tenant_id}/placements",
    response_model=PlacementPage,
    responses=problem_responses(401, 403, 404, 422),
)
async def list_placements(
    tenant_id: KnownTenantDep,
    session: SessionDep,
    principal: PrincipalDep,
    box: Annotated[int | None, Query(ge=1, le=9)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> PlacementPage:
    rows, total = await PlacementRepository(session).placements(tenant_id, box, limit, offset)
    await trail.record(session, principal, tenant_id, "read", PLACEMENT_LIST, [r.nip for r in rows],
                       route="placements", box=box)  # fmt: skip
    return PlacementPage(items=[PlacementOut.of(r) for r in rows], total=total, limit=limit, offset=offset)


def _rule_set_out(row: RuleSetVersion | None) -> RuleSetOut:
    rules = service.rules_of(row)
    return RuleSetOut(
        version=rules.version, potential_high=rules.potential_high, potential_middle=rules.potential_middle,
        predikat_levels=dict(rules.predikat_levels), potential_weights=dict(rules.potential_weights),
        validity_years=rules.validity_years, talent_pool_boxes=sorted(rules.talent_pool_boxes),
        created_by=row.created_by if row else None,
        reason=row.reason if row else "defaults (Permenpan RB 3/2020)",  # no change yet: version 1
        created_at=row.created_at if row else None,
    )  # fmt: skip


@router.get(
    "/tenants/{tenant_id}/rule-sets",
    response_model=list[RuleSetOut],
    responses=problem_responses(401, 403, 404, 422),
    summary="Every version of the tenant's nine-box rules, newest first (the defaults are version 1)",
)
async def list_rule_sets(tenant_id: KnownTenantDep, session: SessionDep) -> list[RuleSetOut]:
    rows = await session.scalars(
        select(RuleSetVersion)
        .where(RuleSetVersion.tenant_id == tenant_id)
        .order_by(RuleSetVersion.version.desc())
    )
    return [_rule_set_out(r) for r in rows.all()] + [_rule_set_out(None)]


@router.post(
    "/tenants/{tenant_id}/rule-sets",
    response_model=RuleChangeOut,
    status_code=202,
    responses=problem_responses(400, 401, 403, 404, 422),
    summary="Change the rules: a new version, and a job that recomputes every placement (poll it)",
)
async def change_rule_set(
    tenant_id: KnownTenantDep,
    body: RuleSetIn,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    background: BackgroundTasks,
) -> RuleChangeOut:
    row, job = await service.change_rules(session, principal, tenant_id, body)
    background.add_task(service.run_recompute, runtime.sessions, runtime.side_sessions, tenant_id, job.id)
    return RuleChangeOut(rule_set=_rule_set_out(row), job=RecomputeJobOut.model_validate(job))


@router.get(
    "/tenants/{tenant_id}/rule-sets/recomputations/{job_id}",
    response_model=RecomputeJobOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def recompute_job(tenant_id: KnownTenantDep, job_id: uuid.UUID, session: SessionDep) -> RecomputeJobOut:
    job = await session.get(RecomputeJob, job_id)
    if job is None or job.tenant_id != tenant_id:
        raise NotFound(f"recomputation {job_id} not found in {tenant_id}")
    return RecomputeJobOut.model_validate(job)
