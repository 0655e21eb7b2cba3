"""Succession: positions kept from roster events, ranked candidates for a vacant position, bench strength, the merit-system flag."""

from __future__ import annotations

from typing import Annotated

from bakat_common.app import PrincipalDep, ReadSessionDep, SessionDep
from bakat_common.errors import problem_responses
from bakat_common.tenancy import KnownTenantDep
from fastapi import APIRouter, Path, Query

from placement.audit import SUCCESSION, trail
from placement.schemas import UnitQuery
from placement.succession import domain, service
from placement.succession.domain import SuccessionSettings
from placement.succession.models import PositionRecord, SuccessionSettingsVersion
from placement.succession.schemas import (
    BenchPosition,
    BenchStrengthView,
    BenchUnit,
    CandidateOut,
    CandidatesView,
    PositionOut,
    ReadinessCounts,
    ReadinessRulesIn,
    SettingsIn,
    SettingsOut,
    VacancyList,
    VacancyOut,
)

router = APIRouter(tags=["succession"])
PREFIX = "/tenants/{tenant_id}/succession"


def _settings_out(s: SuccessionSettings, row: SuccessionSettingsVersion | None) -> SettingsOut:
    flag, why = domain.merit_flag(s)
    r = s.readiness
    return SettingsOut(
        version=s.version, candidate_source=s.candidate_source, key_tiers=list(s.key_tiers),
        merit_index=s.merit_index, merit_threshold=s.merit_threshold,
        readiness=ReadinessRulesIn(
            ready_now_boxes=sorted(r.ready_now_boxes), ready_now_jpm_boxes=sorted(r.ready_now_jpm_boxes),
            ready_now_jpm=r.ready_now_jpm, one_to_two_years_jpm=r.one_to_two_years_jpm,
        ),
        fill_without_open_bidding=flag, merit_reason=why,
        created_by=row.created_by if row else None, reason=row.reason if row else None,
        created_at=row.created_at if row else None,
    )  # fmt: skip


def _position_out(p: PositionRecord) -> PositionOut:
    return PositionOut(
        code=p.code, title=p.title, tier=p.tier, eselon=p.eselon, unit_code=p.unit_code, unit_path=p.unit_path,
        holder_nip=p.holder_nip, previous_holder_nip=p.previous_holder_nip, vacant=p.vacant,
        vacant_since=p.vacant_since, standard_known=p.defined_at is not None,
    )  # fmt: skip


def _counts(counts: dict[str, int]) -> ReadinessCounts:
    return ReadinessCounts(
        ready_now=counts["ready_now"],
        one_to_two_years=counts["1_2_years"],
        future=counts["future"],
        total=sum(counts.values()),
    )


@router.get(
    f"{PREFIX}/settings",
    response_model=SettingsOut,
    responses=problem_responses(401, 403, 404, 422),
    summary="The tenant's succession settings (defaults until changed) and the merit-system flag",
)
async def get_settings(tenant_id: KnownTenantDep, session: ReadSessionDep) -> SettingsOut:
    settings, row = await service.current_settings(session, tenant_id)
    return _settings_out(settings, row)


@router.put(
    f"{PREFIX}/settings",
    response_model=SettingsOut,
    responses=problem_responses(400, 401, 403, 404, 422),
    summary="Change the succession settings (admin, officer): a new version with who, when and why",
)
async def put_settings(
    tenant_id: KnownTenantDep, body: SettingsIn, session: SessionDep, principal: PrincipalDep
) -> SettingsOut:
    settings, row = await service.change_settings(session, principal, tenant_id, body)
    return _settings_out(settings, row)


@router.get(
    f"{PREFIX}/vacancies",
    response_model=VacancyList,
    responses=problem_responses(401, 403, 404, 422),
    summary="Vacant positions with how many successors each has per readiness",
)
async def list_vacancies(
    tenant_id: KnownTenantDep,
    session: ReadSessionDep,
    unit: UnitQuery = None,
    tier: Annotated[str | None, Query(max_length=20)] = None,
) -> VacancyList:
    rows = await service.vacancies(session, tenant_id, unit, tier)
    items = [
        VacancyOut(position=_position_out(p), source_tiers=list(tiers), candidates=_counts(c))
        for p, tiers, c in rows
    ]
    return VacancyList(total=len(items), items=items)


@router.get(
    f"{PREFIX}/positions/{{code}}/candidates",
    response_model=CandidatesView,
    responses=problem_responses(401, 403, 404, 422),
    summary="Ranked successors for a position, with readiness and the reasons for each rank",
)
async def candidates(
    tenant_id: KnownTenantDep,
    code: Annotated[str, Path(max_length=50)],
    session: ReadSessionDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
) -> CandidatesView:
    position, tiers, boxes, settings, ranked = await service.ranked_candidates(session, tenant_id, code)
    await trail.record(session, principal, tenant_id, "read", SUCCESSION, [r.candidate.nip for r in ranked[:limit]],
                       route="successors", position=code)  # fmt: skip
    flag, why = domain.merit_flag(settings)
    counts = {r: 0 for r in domain.READINESS_ORDER}
    for r in ranked:
        counts[r.readiness] += 1
    return CandidatesView(
        position=_position_out(position),
        source_tiers=list(tiers),
        talent_pool_boxes=sorted(boxes),
        settings_version=settings.version,
        fill_without_open_bidding=flag,
        merit_reason=why,
        total=len(ranked),
        counts=_counts(counts),
        candidates=[
            CandidateOut(
                rank=r.rank, nip=r.candidate.nip, name=r.candidate.name, tier=r.candidate.tier,
                unit_code=r.candidate.unit_code, position_code=r.candidate.position_code, box=r.candidate.box,
                jpm=r.jpm, jpm_category=r.jpm_category, gaps=r.gaps, predikat=r.candidate.predikat,
                skp_year=r.candidate.skp_year, potential_score=r.candidate.potential_score,
                assessment_valid_until=r.candidate.valid_until, readiness=r.readiness,
                reasons=list(r.reasons), why="; ".join(r.reasons), decided_by=r.decided_by,
            )
            for r in ranked[:limit]
        ],
    )  # fmt: skip


@router.get(
    f"{PREFIX}/bench-strength",
    response_model=BenchStrengthView,
    responses=problem_responses(401, 403, 404, 422),
    summary="Successors per key position by readiness, and per unit the key positions with no ready successor",
)
async def bench_strength(
    tenant_id: KnownTenantDep, session: ReadSessionDep, unit: UnitQuery = None
) -> BenchStrengthView:
    settings, rows = await service.bench_strength(session, tenant_id, unit)
    positions = [
        BenchPosition(
            code=p.code, title=p.title, tier=p.tier, unit_code=p.unit_code, vacant=p.vacant,
            holder_nip=p.holder_nip, successors=_counts(c), has_ready_successor=c["ready_now"] > 0,
        )
        for p, _, c in rows
    ]  # fmt: skip
    units: dict[str, BenchUnit] = {}
    for bp in positions:
        u = units.setdefault(
            bp.unit_code,
            BenchUnit(unit_code=bp.unit_code, key_positions=0, without_ready_successor=0,
                      positions_without_ready_successor=[]),
        )  # fmt: skip
        u.key_positions += 1
        if not bp.has_ready_successor:
            u.without_ready_successor += 1
            u.positions_without_ready_successor.append(bp.code)
    return BenchStrengthView(
        unit=unit,
        key_tiers=list(settings.key_tiers),
        settings_version=settings.version,
        key_positions=len(positions),
        without_ready_successor=sum(u.without_ready_successor for u in units.values()),
        positions=positions,
        units=sorted(units.values(), key=lambda u: u.unit_code),
    )
