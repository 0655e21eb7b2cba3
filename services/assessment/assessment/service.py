"""Assessment use cases: instruments, campaigns and their participants, assessor scoring, integration,
completion and correction of results, results recorded from outside, the re-assessment list, and
the replicas kept from roster and scheduling events. Every published change goes through the outbox.

Routes have already checked the tenant (known here, covered by the token)."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timezone
from typing import Any

from bakat_common.auth import Principal, require_roles
from bakat_common.consumer import batched
from bakat_common.contracts.assessment import AssessmentCompletedV1, AssessmentCorrectedV1
from bakat_common.contracts.roster import PositionRegisteredV1, UnitRegisteredV1
from bakat_common.contracts.scheduling import SessionScheduledV1
from bakat_common.db import copy_records
from bakat_common.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from bakat_common.events import CloudEvent, bulk_envelope, new_event
from bakat_common.infrastructure import known_tenants
from bakat_common.outbox import add_many_to_outbox, add_to_outbox
from bakat_common.replicas import await_replica, employee_rows, upsert_newest
from bakat_common.topics import service_topic
from pydantic_core import to_json
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from assessment import domain
from assessment.models import (
    Assessment,
    AssessmentVersion,
    AssessorAssignment,
    Campaign,
    DevelopmentRule,
    EmployeeRecord,
    Instrument,
    IntegratedRating,
    PositionRecord,
    Rating,
    UnitRecord,
)
from assessment.report import RecommendationLine, ReportData, ScoreLine
from assessment.repository import AssessmentRepository
from assessment.schemas import (
    AssessmentResultIn,
    AssessorsIn,
    BatchResultsIn,
    CampaignIn,
    CorrectionIn,
    DevelopmentRulesIn,
    InstrumentIn,
    IntegratedRatingsIn,
    RatingsIn,
)

SERVICE = "assessment"
TOPIC = service_topic(SERVICE)
WRITERS = ("admin", "officer", "integration")
MANAGERS = ("admin", "officer")
log = logging.getLogger("bakat.assessment")


# ---- replicas (consumer handlers) ---------------------------------------------------------------------


async def _on_employees_changed(session: AsyncSession, events: list[CloudEvent]) -> None:
    """Roster's employee events (each carries the whole snapshot): the newest version of each wins,
    a run of them in one statement."""
    await upsert_newest(session, EmployeeRecord.__table__, employee_rows(events), keys=("tenant_id", "nip"))


on_employee_changed = batched(_on_employees_changed)


async def on_unit_registered(session: AsyncSession, event: CloudEvent) -> None:
    p = UnitRegisteredV1.model_validate(event.data)
    await AssessmentRepository(session).upsert_unit(
        {"tenant_id": event.tenant, "code": p.code, "name": p.name, "path": p.path}
    )


async def on_position_registered(session: AsyncSession, event: CloudEvent) -> None:
    p = PositionRegisteredV1.model_validate(event.data)
    await AssessmentRepository(session).upsert_position(
        {
            "tenant_id": event.tenant,
            "code": p.code,
            "title": p.title,
            "tier": p.tier,
            "unit_code": p.unit_code,
            "requirements": p.requirements,
            "technical_requirements": p.technical_requirements,
        }
    )


async def on_session_scheduled(session: AsyncSession, event: CloudEvent) -> None:
    """A scheduled session makes (or updates) the pending assessment of each of its participants, with
    the session's assessors assigned; completed assessments are left as they are."""
    p = SessionScheduledV1.model_validate(event.data)
    repo = AssessmentRepository(session)
    try:
        campaign = await repo.campaign(event.tenant, uuid.UUID(p.campaign_id))
    except ValueError:
        campaign = None
    if campaign is None:
        log.warning("session for an unknown campaign ignored", extra={"campaign_id": p.campaign_id})
        return
    employees = await repo.employees_by_nip(event.tenant, p.participants)
    participating = await repo.assessments(
        event.tenant, campaign_id=campaign.id, nips=p.participants, limit=max(1, len(p.participants))
    )
    existing = {a.nip: a for a in participating}
    for nip in p.participants:
        assessment = existing.get(nip)
        if assessment is None:
            employee = employees.get(nip)
            assessment = _new_assessment(
                event.tenant, campaign.id, nip, employee.position_code if employee else None
            )
            repo.add(assessment)
            await session.flush()
        elif assessment.status == "completed":
            continue
        assessment.session_id, assessment.scheduled_day = p.session_id, p.day
        await _assign(session, assessment, p.assessors, p.lead_assessor)


# ---- instruments --------------------------------------------------------------------------------------


async def instrument_catalogue(
    session: AsyncSession, tenant_id: str
) -> dict[str, tuple[str, str, str | None, bool]]:
    """code -> (name, kind, description, built in): the framework and materials plus the tenant's own."""
    out = {code: (i.name, i.kind, i.description, True) for code, i in domain.BUILTIN_INSTRUMENTS.items()}
    for own in await AssessmentRepository(session).instruments(tenant_id):
        out[own.code] = (own.name, own.kind, own.description, False)
    return out


async def create_instrument(
    session: AsyncSession, principal: Principal, tenant_id: str, data: InstrumentIn
) -> Instrument:
    require_roles(principal, *MANAGERS)
    if data.code in await instrument_catalogue(session, tenant_id):
        raise Conflict(f"instrument {data.code!r} already exists")
    instrument = Instrument(
        tenant_id=tenant_id, code=data.code, name=data.name, kind=data.kind, description=data.description
    )
    AssessmentRepository(session).add(instrument)
    await session.flush()
    return instrument


# ---- campaigns ----------------------------------------------------------------------------------------


def _new_assessment(
    tenant_id: str, campaign_id: uuid.UUID, nip: str, position_code: str | None
) -> Assessment:
    return Assessment(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        campaign_id=campaign_id,
        nip=nip,
        status="scheduled",
        version=0,
        position_code=position_code,
        scores={},
        gaps={},
        recommendations=[],
    )


async def create_campaign(
    session: AsyncSession, principal: Principal, tenant_id: str, data: CampaignIn, replica_wait_s: float
) -> Campaign:
    require_roles(principal, *MANAGERS)
    catalogue = await instrument_catalogue(session, tenant_id)
    unknown = [code for code in data.instruments if code not in catalogue]
    if unknown:
        raise InvalidInput(
            "body.instruments", "unknown_instrument", f"unknown instruments: {', '.join(unknown)}"
        )
    repo = AssessmentRepository(session)
    paths = await repo.unit_paths(tenant_id, data.selection.unit_codes)
    missing_units = [code for code in data.selection.unit_codes if code not in paths]
    if missing_units:
        raise InvalidInput(
            "body.selection.unit_codes",
            "unknown_unit",
            f"no employees known in units: {', '.join(missing_units)}",
        )
    campaign = Campaign(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        name=data.name,
        method=data.method,
        instruments=list(data.instruments),
        exercises=list(data.exercises),
        include_technical=data.include_technical,
        validity_years=data.validity_years,
        selection=data.selection.model_dump(),
        potential_weights=data.potential_weights.model_dump(),
        ratio_assessors=data.ratio_assessors,
        ratio_participants=data.ratio_participants,
        group_min=data.group_min,
        group_max=data.group_max,
        observers_per_participant=data.observers_per_participant,
        status="open",
        created_by=principal.subject,
    )
    repo.add(campaign)
    await session.flush()
    selected: dict[str, EmployeeRecord] = {}
    if data.selection.tiers or data.selection.unit_codes:
        for employee in await repo.select_employees(tenant_id, data.selection.tiers, list(paths.values())):
            selected[employee.nip] = employee
    if data.selection.nips:
        await _add_listed(
            session, repo, campaign, data.selection.nips, selected, "body.selection.nips", replica_wait_s
        )
    _add_participants(repo, campaign, selected.values())
    await session.flush()
    return campaign


async def _add_listed(
    session: AsyncSession,
    repo: AssessmentRepository,
    campaign: Campaign,
    nips: Sequence[str],
    into: dict[str, EmployeeRecord],
    field: str,
    replica_wait_s: float,
) -> None:
    found = await known_employees(repo, campaign.tenant_id, nips, replica_wait_s)
    unknown = [nip for nip in dict.fromkeys(nips) if nip not in found]
    if unknown:
        shown = ", ".join(unknown[:50]) + (f" and {len(unknown) - 50} more" if len(unknown) > 50 else "")
        raise InvalidInput(field, "unknown_employee", f"not registered in {campaign.tenant_id}: {shown}")
    retired = [nip for nip, e in found.items() if e.status != "active"]
    if retired:
        raise InvalidInput(field, "retired", f"retired employees cannot take part: {', '.join(retired[:50])}")
    into.update(found)


async def known_employees(
    repo: AssessmentRepository, tenant_id: str, nips: Sequence[str], wait_s: float, poll_s: float = 0.05
) -> dict[str, EmployeeRecord]:
    """The employees of `nips` in the replica. Registered a moment ago? Roster's events may still be on
    their way: the missing ones (only those) are looked up again for up to `wait_s`; those still
    unknown afterwards are absent from the answer."""
    found: dict[str, EmployeeRecord] = {}
    missing = set(nips)
    deadline = time.monotonic() + wait_s
    while missing:
        got = await repo.employees_by_nip(tenant_id, sorted(missing))
        found.update(got)
        missing -= got.keys()
        if not missing or time.monotonic() >= deadline:
            break
        await asyncio.sleep(poll_s)
    return found


def _add_participants(
    repo: AssessmentRepository, campaign: Campaign, employees: Iterable[EmployeeRecord]
) -> int:
    added = 0
    for employee in employees:
        repo.add(_new_assessment(campaign.tenant_id, campaign.id, employee.nip, employee.position_code))
        added += 1
    return added


async def add_participants(
    session: AsyncSession,
    principal: Principal,
    tenant_id: str,
    campaign_id: uuid.UUID,
    nips: Sequence[str],
    replica_wait_s: float,
) -> tuple[int, int]:
    require_roles(principal, *MANAGERS)
    repo = AssessmentRepository(session)
    campaign = await _campaign(repo, tenant_id, campaign_id, for_update=True)
    if campaign.status != "open":
        raise Conflict(f"campaign {campaign.name!r} is closed")
    found: dict[str, EmployeeRecord] = {}
    await _add_listed(session, repo, campaign, nips, found, "body.nips", replica_wait_s)
    already = await repo.participants(campaign.id)
    added = _add_participants(repo, campaign, (e for nip, e in found.items() if nip not in already))
    await session.flush()
    return added, len(found) - added


async def _campaign(
    repo: AssessmentRepository, tenant_id: str, campaign_id: uuid.UUID, *, for_update: bool = False
) -> Campaign:
    campaign = await repo.campaign(tenant_id, campaign_id)
    if campaign is None:
        raise NotFound(f"campaign {campaign_id} not found in {tenant_id}")
    if for_update:  # serialise participant changes of one campaign
        await repo.session.refresh(campaign, with_for_update=True)
    return campaign


async def set_campaign_status(
    session: AsyncSession, principal: Principal, tenant_id: str, campaign_id: uuid.UUID, status: str
) -> Campaign:
    require_roles(principal, *MANAGERS)
    campaign = await _campaign(AssessmentRepository(session), tenant_id, campaign_id, for_update=True)
    campaign.status = status
    await session.flush()
    return campaign


# ---- the workflow: assessors, ratings, integration ----------------------------------------------------


async def _assessment(
    repo: AssessmentRepository, tenant_id: str, assessment_id: uuid.UUID, *, for_update: bool = False
) -> Assessment:
    assessment = await repo.assessment(tenant_id, assessment_id, for_update=for_update)
    if assessment is None:
        raise NotFound(f"assessment {assessment_id} not found in {tenant_id}")
    return assessment


async def _assign(session: AsyncSession, assessment: Assessment, assessors: Sequence[str], lead: str) -> None:
    await session.execute(delete(AssessorAssignment).where(AssessorAssignment.assessment_id == assessment.id))
    session.add_all(
        AssessorAssignment(assessment_id=assessment.id, assessor=a, is_lead=(a == lead))
        for a in dict.fromkeys(assessors)
    )
    assessment.lead_assessor = lead
    assessment.updated_at = func.now()
    await session.flush()


async def assign_assessors(
    session: AsyncSession, principal: Principal, tenant_id: str, assessment_id: uuid.UUID, data: AssessorsIn
) -> Assessment:
    require_roles(principal, *MANAGERS)
    repo = AssessmentRepository(session)
    assessment = await _assessment(repo, tenant_id, assessment_id, for_update=True)
    if assessment.status in ("integrated", "completed"):
        raise Conflict(f"assessment is {assessment.status}: its assessors can no longer change")
    rated_by = {r.assessor for r in await repo.assessor_ratings(assessment.id)}
    dropped = sorted(rated_by - set(data.assessors))
    if dropped:
        raise Conflict(f"assessors who have already rated cannot be removed: {', '.join(dropped)}")
    await _assign(session, assessment, data.assessors, data.lead)
    return assessment


async def required_instruments(
    repo: AssessmentRepository, assessment: Assessment
) -> tuple[list[str], PositionRecord | None, Campaign | None]:
    """What must be rated: the campaign's instruments plus, if it says so, the post's technical ones."""
    position = await repo.position(assessment.tenant_id, assessment.position_code)
    if assessment.campaign_id is None:
        return sorted(assessment.scores), position, None
    campaign = await repo.campaign(assessment.tenant_id, assessment.campaign_id)
    assert campaign is not None  # a foreign key
    codes = list(campaign.instruments)
    if campaign.include_technical and position is not None:
        codes += [c for c in position.technical_requirements if c not in codes]
    return codes, position, campaign


async def _assessors_of(repo: AssessmentRepository, assessment: Assessment) -> list[AssessorAssignment]:
    return (await repo.assignments([assessment.id])).get(assessment.id, [])


async def rate(
    session: AsyncSession, principal: Principal, tenant_id: str, assessment_id: uuid.UUID, data: RatingsIn
) -> Assessment:
    """An assigned assessor's ratings (a repeated instrument/exercise replaces the earlier level)."""
    require_roles(principal, "assessor")
    repo = AssessmentRepository(session)
    assessment = await _assessment(repo, tenant_id, assessment_id, for_update=True)
    assigned = await _assessors_of(repo, assessment)
    if principal.subject not in {a.assessor for a in assigned}:
        raise Forbidden(
            f"{principal.subject!r} is not assigned to assess {assessment.nip} in this assessment"
        )
    if assessment.status in ("integrated", "completed"):
        raise Conflict(f"assessment is {assessment.status}: ratings are closed")
    codes, _, campaign = await required_instruments(repo, assessment)
    exercises = set(campaign.exercises) if campaign else set()
    errors = []
    for index, r in enumerate(data.ratings):
        if r.instrument not in codes:
            errors.append(
                _error(
                    f"body.ratings.{index}.instrument",
                    "not_in_campaign",
                    f"{r.instrument!r} is not rated in this assessment",
                )
            )
        if exercises and r.exercise not in exercises:
            errors.append(
                _error(
                    f"body.ratings.{index}.exercise",
                    "unknown_exercise",
                    f"exercise must be one of: {', '.join(sorted(exercises))}",
                )
            )
        if not exercises and r.exercise:
            errors.append(
                _error(
                    f"body.ratings.{index}.exercise",
                    "no_exercises",
                    "this campaign's method has no exercises",
                )
            )
    if errors:
        raise Problem("some ratings cannot be accepted", status=422, title="Invalid input", errors=errors)
    for r in data.ratings:
        stmt = pg_insert(Rating).values(
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            assessment_id=assessment.id,
            assessor=principal.subject,
            instrument_code=r.instrument,
            exercise=r.exercise,
            level=r.level,
            evidence=r.evidence,
        )
        await session.execute(
            stmt.on_conflict_do_update(
                constraint="uq_ratings_assessor_instrument",
                set_={"level": r.level, "evidence": r.evidence, "rated_at": func.now()},
            )
        )
    missing = _missing_ratings(
        await repo.assessor_ratings(assessment.id), [a.assessor for a in assigned], codes
    )
    assessment.status = domain.status_after_ratings(assessment.status, complete=not any(missing.values()))
    assessment.updated_at = func.now()
    await session.flush()
    return assessment


def _error(field: str, rule: str, message: str) -> dict[str, str]:
    return {"field": field, "rule": rule, "message": message}


def _missing_ratings(
    ratings: Iterable[Rating], assessors: Sequence[str], codes: Sequence[str]
) -> dict[str, list[str]]:
    rated: dict[str, set[str]] = {}
    for r in ratings:
        rated.setdefault(r.assessor, set()).add(r.instrument_code)
    return {a: [c for c in codes if c not in rated.get(a, set())] for a in assessors}


def _is_lead(principal: Principal, assessment: Assessment) -> bool:
    return principal.has_any("assessor") and assessment.lead_assessor == principal.subject


async def integration_view(
    session: AsyncSession, principal: Principal, tenant_id: str, assessment_id: uuid.UUID
) -> dict[str, Any]:
    """All ratings side by side, disagreements of more than one level flagged (lead assessor, officers)."""
    repo = AssessmentRepository(session)
    assessment = await _assessment(repo, tenant_id, assessment_id)
    if not (_is_lead(principal, assessment) or principal.has_any(*MANAGERS)):
        raise Forbidden("only the lead assessor (or an officer) sees the integration")
    codes, position, campaign = await required_instruments(repo, assessment)
    ratings = await repo.assessor_ratings(assessment.id)
    integrated = await repo.integrated(assessment.id)
    assigned = [a.assessor for a in await _assessors_of(repo, assessment)]
    required = _standard(position, campaign)
    by_instrument: dict[str, list[Rating]] = {}
    for r in ratings:
        by_instrument.setdefault(r.instrument_code, []).append(r)
    lines = []
    for code in codes:
        given = by_instrument.get(code, [])
        levels = [r.level for r in given]
        spread = domain.spread(levels)
        lines.append(
            {
                "instrument": code,
                "required_level": required.get(code),
                "ratings": given,
                "spread": spread,
                "disagreement": spread > 1,
                "suggested_level": domain.suggested_level(levels) if levels else None,
                "integrated_level": integrated[code].level if code in integrated else None,
            }
        )
    return {
        "assessment_id": assessment.id,
        "nip": assessment.nip,
        "status": assessment.status,
        "assessors": assigned,
        "lead": assessment.lead_assessor,
        "lines": lines,
        "missing_ratings": {a: m for a, m in _missing_ratings(ratings, assigned, codes).items() if m},
    }


async def integrate(
    session: AsyncSession,
    principal: Principal,
    tenant_id: str,
    assessment_id: uuid.UUID,
    data: IntegratedRatingsIn,
) -> Assessment:
    """The lead assessor sets the consensus level per instrument, once every assessor has rated."""
    repo = AssessmentRepository(session)
    assessment = await _assessment(repo, tenant_id, assessment_id, for_update=True)
    if not _is_lead(principal, assessment):
        raise Forbidden("only the lead assessor sets integrated ratings")
    if assessment.status not in ("scored", "integrated"):
        raise Conflict(f"assessment is {assessment.status}: integration starts when every assessor has rated")
    codes, _, _ = await required_instruments(repo, assessment)
    errors = [
        _error(
            f"body.ratings.{i}.instrument",
            "not_in_campaign",
            f"{r.instrument!r} is not rated in this assessment",
        )
        for i, r in enumerate(data.ratings)
        if r.instrument not in codes
    ]
    if errors:
        raise Problem(
            "some integrated ratings cannot be accepted", status=422, title="Invalid input", errors=errors
        )
    await _set_integrated(session, tenant_id, assessment, data.ratings, principal.subject)
    integrated = await repo.integrated(assessment.id)
    assessment.status = "integrated" if all(c in integrated for c in codes) else "scored"
    assessment.updated_at = func.now()
    await session.flush()
    return assessment


async def _set_integrated(
    session: AsyncSession, tenant_id: str, assessment: Assessment, ratings, actor: str
) -> None:
    for r in ratings:
        stmt = pg_insert(IntegratedRating).values(
            assessment_id=assessment.id,
            instrument_code=r.instrument,
            tenant_id=tenant_id,
            level=r.level,
            note=r.note,
            set_by=actor,
        )
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["assessment_id", "instrument_code"],
                set_={"level": r.level, "note": r.note, "set_by": actor, "set_at": func.now()},
            )
        )


# ---- results ------------------------------------------------------------------------------------------


def _standard(position: PositionRecord | None, campaign: Campaign | None) -> dict[str, int]:
    """The required levels JPM is measured against: the post's standard (+ its technical competencies)."""
    if position is None:
        return {}
    required = dict(position.requirements)
    if campaign is None or campaign.include_technical:
        required.update(position.technical_requirements)
    return required


def compute_result(
    scores: Mapping[str, int],
    required: Mapping[str, int],
    weights: Mapping[str, int],
    rules: Iterable[tuple[str, int, str, str]],
) -> dict[str, Any]:
    """Pure: JPM and its category, gaps, potential score and development recommendations."""
    jpm = domain.job_person_match(scores, required) if required else None
    try:
        potential = domain.potential_score(jpm, scores, weights)
    except ValueError:
        raise InvalidInput(
            "scores",
            "no_potential",
            "no potential score can be computed: the participant holds no post with a competency standard "
            "and no potential aspect was rated",
        ) from None
    return {
        "jpm": jpm,
        "jpm_category": domain.mapping_category(jpm) if jpm is not None else None,
        "gaps": domain.gaps(scores, required),
        "potential_score": potential,
        "recommendations": domain.recommendations(scores, required, rules),
    }


async def rules_of(session: AsyncSession, tenant_id: str) -> list[tuple[str, int, str, str]]:
    """The tenant's development rules; the defaults are copied in the first time they are needed."""
    repo = AssessmentRepository(session)
    rules = await repo.development_rules(tenant_id)
    if not rules:
        await session.execute(
            pg_insert(DevelopmentRule)
            .values(
                [
                    {
                        "id": uuid.uuid4(),
                        "tenant_id": tenant_id,
                        "instrument_code": code,
                        "below_level": below,
                        "recommendation": text,
                        "kind": kind,
                    }
                    for code, below, text, kind in domain.DEFAULT_DEVELOPMENT_RULES
                ]
            )  # fmt: skip
            .on_conflict_do_nothing()
        )
        rules = await repo.development_rules(tenant_id)
    return [(r.instrument_code, r.below_level, r.recommendation, r.kind) for r in rules]


async def replace_rules(
    session: AsyncSession, principal: Principal, tenant_id: str, data: DevelopmentRulesIn
) -> None:
    require_roles(principal, *MANAGERS)
    codes = [r.instrument for r in data.rules]
    if len(set(codes)) != len(codes):
        raise InvalidInput("body.rules", "duplicate", "one rule per instrument")
    catalogue = await instrument_catalogue(session, tenant_id)
    unknown = [c for c in codes if c not in catalogue]
    if unknown:
        raise InvalidInput("body.rules", "unknown_instrument", f"unknown instruments: {', '.join(unknown)}")
    await session.execute(delete(DevelopmentRule).where(DevelopmentRule.tenant_id == tenant_id))
    session.add_all(
        DevelopmentRule(
            tenant_id=tenant_id, instrument_code=r.instrument, below_level=r.below_level,
            recommendation=r.recommendation, kind=r.kind,
        )
        for r in data.rules
    )  # fmt: skip
    await session.flush()


def _result_snapshot(assessment: Assessment) -> dict[str, Any]:
    return {
        "scores": assessment.scores,
        "jpm": assessment.jpm,
        "jpm_category": assessment.jpm_category,
        "gaps": assessment.gaps,
        "potential_score": assessment.potential_score,
        "recommendations": assessment.recommendations,
        "position_code": assessment.position_code,
        "valid_until": assessment.valid_until.isoformat() if assessment.valid_until else None,
    }


def event_payload(assessment: Assessment) -> dict[str, Any]:
    return {
        "assessment_id": str(assessment.id),
        "nip": assessment.nip,
        "version": assessment.version,
        "potential_score": assessment.potential_score,
        "jpm": assessment.jpm,
        "completed_at": assessment.completed_at,
        "valid_until": assessment.valid_until,
        "campaign_id": str(assessment.campaign_id) if assessment.campaign_id else None,
        "jpm_category": assessment.jpm_category,
        "scores": dict(assessment.scores),
        "gaps": dict(assessment.gaps),
        "development": list(assessment.recommendations),
    }


async def complete(
    session: AsyncSession, principal: Principal, tenant_id: str, assessment_id: uuid.UUID
) -> Assessment:
    """Compute and publish the result; 422 names every instrument still without an integrated level."""
    repo = AssessmentRepository(session)
    assessment = await _assessment(repo, tenant_id, assessment_id, for_update=True)
    if not (_is_lead(principal, assessment) or principal.has_any(*MANAGERS)):
        raise Forbidden("only the lead assessor or an officer completes an assessment")
    if assessment.status == "completed":
        raise Conflict("assessment is already completed: send a correction to change it")
    codes, position, campaign = await required_instruments(repo, assessment)
    integrated = await repo.integrated(assessment.id)
    missing = [c for c in codes if c not in integrated]
    if missing:
        raise Problem(
            f"{len(missing)} instruments have no integrated level yet: {', '.join(missing)}",
            status=422,
            title="Invalid input",
            errors=[
                _error("integrated_ratings", "missing", f"no integrated level for {c!r}") for c in missing
            ],
        )
    assert campaign is not None  # a campaign-less result is completed when recorded
    scores = {c: integrated[c].level for c in codes}
    now = datetime.now(timezone.utc)
    await _apply_result(
        session, assessment, scores, _standard(position, campaign), campaign.potential_weights
    )
    assessment.status, assessment.version, assessment.completed_at = "completed", 1, now
    assessment.valid_until = domain.valid_until(now.date(), campaign.validity_years)
    await _record_version(session, assessment, principal.subject, "completed")
    payload = AssessmentCompletedV1(**event_payload(assessment))
    await add_to_outbox(
        session, new_event(payload, service=SERVICE, tenant=tenant_id, subject=assessment.nip), topic=TOPIC
    )
    return assessment


async def _apply_result(
    session: AsyncSession, assessment: Assessment, scores: dict[str, int], required: dict[str, int], weights
) -> None:
    result = compute_result(scores, required, weights, await rules_of(session, assessment.tenant_id))
    assessment.scores = scores
    assessment.jpm, assessment.jpm_category = result["jpm"], result["jpm_category"]
    assessment.gaps, assessment.potential_score = result["gaps"], result["potential_score"]
    assessment.recommendations = result["recommendations"]
    assessment.updated_at = func.now()


async def _record_version(session: AsyncSession, assessment: Assessment, actor: str, reason: str) -> None:
    session.add(
        AssessmentVersion(
            tenant_id=assessment.tenant_id,
            assessment_id=assessment.id,
            version=assessment.version,
            result=_result_snapshot(assessment),
            changed_by=actor,
            reason=reason,
        )
    )
    await session.flush()
    await session.refresh(assessment)


async def correct(
    session: AsyncSession, principal: Principal, tenant_id: str, assessment_id: uuid.UUID, data: CorrectionIn
) -> Assessment:
    """A completed result changed afterwards: a new version with its reason, audited and published."""
    repo = AssessmentRepository(session)
    assessment = await _assessment(repo, tenant_id, assessment_id, for_update=True)
    if not (_is_lead(principal, assessment) or principal.has_any(*MANAGERS)):
        raise Forbidden("only the lead assessor or an officer corrects a result")
    if assessment.status != "completed":
        raise Conflict(f"assessment is {assessment.status}: only a completed result is corrected")
    codes, position, campaign = await required_instruments(repo, assessment)
    scores = dict(assessment.scores)
    errors = [
        _error(
            f"body.ratings.{i}.instrument", "not_in_result", f"{r.instrument!r} is not part of this result"
        )
        for i, r in enumerate(data.ratings)
        if r.instrument not in scores and r.instrument not in codes
    ]
    if errors:
        raise Problem("some corrections cannot be accepted", status=422, title="Invalid input", errors=errors)
    changed = {r.instrument: r.level for r in data.ratings if scores.get(r.instrument) != r.level}
    if not changed:
        return assessment  # nothing differs: no new version, nothing published
    if campaign is not None:
        await _set_integrated(session, tenant_id, assessment, data.ratings, principal.subject)
    weights = campaign.potential_weights if campaign else {"jpm": 50, "aspects": 50}
    await _apply_result(session, assessment, scores | changed, _standard(position, campaign), weights)
    assessment.version += 1
    await _record_version(session, assessment, principal.subject, data.reason)
    payload = AssessmentCorrectedV1(**event_payload(assessment), reason=data.reason)
    await add_to_outbox(
        session, new_event(payload, service=SERVICE, tenant=tenant_id, subject=assessment.nip), topic=TOPIC
    )
    return assessment


# ---- results recorded from outside ------------------------------------------------------------------------


async def require_employee(repo: AssessmentRepository, tenant_id: str, nip: str, wait_s: float) -> None:
    # Registered a moment ago? Roster's event may still be on its way: wait for it before saying no.
    if await await_replica(lambda: repo.employee(tenant_id, nip), wait_s) is None:
        raise NotFound(f"employee {nip} is not registered in {tenant_id} (register it in the roster first)")


async def record_assessment_result(
    session: AsyncSession,
    principal: Principal,
    tenant_id: str,
    data: AssessmentResultIn,
    validity_years: int,
    replica_wait_s: float = 0.0,
) -> Assessment:
    """A single result scored elsewhere (potential score and JPM given as they are)."""
    require_roles(principal, *WRITERS)
    repo = AssessmentRepository(session)
    await require_employee(repo, tenant_id, data.nip, replica_wait_s)
    completed_at = data.completed_at or datetime.now(timezone.utc)
    assessment = Assessment(
        tenant_id=tenant_id,
        nip=data.nip,
        status="completed",
        version=1,
        potential_score=data.potential_score,
        jpm=data.jpm,
        jpm_category=domain.mapping_category(data.jpm) if data.jpm is not None else None,
        scores={},
        gaps={},
        recommendations=[],
        completed_at=completed_at,
        valid_until=domain.valid_until(completed_at.date(), validity_years),
    )
    repo.add(assessment)
    await session.flush()
    await _record_version(session, assessment, principal.subject, "recorded")
    payload = AssessmentCompletedV1(**event_payload(assessment))
    await add_to_outbox(
        session, new_event(payload, service=SERVICE, tenant=tenant_id, subject=data.nip), topic=TOPIC
    )
    return assessment


BATCH_COLUMNS = (
    "id", "tenant_id", "nip", "status", "version", "position_code", "potential_score", "jpm", "jpm_category",
    "scores", "gaps", "recommendations", "completed_at", "valid_until",
)  # fmt: skip
VERSION_COLUMNS = ("tenant_id", "assessment_id", "version", "result", "changed_by", "reason")


async def record_batch(
    session: AsyncSession, principal: Principal, tenant_id: str, data: BatchResultsIn, replica_wait_s: float
) -> list[uuid.UUID]:
    """Integrated scores from an external assessment centre, many at once: every row is checked first
    (unknown NIPs and instruments listed with their index) and then all are written, or none."""
    require_roles(principal, *WRITERS)
    repo = AssessmentRepository(session)
    catalogue = await instrument_catalogue(session, tenant_id)
    found = await known_employees(repo, tenant_id, [r.nip for r in data.results], replica_wait_s)
    errors = []
    seen: dict[str, int] = {}
    for i, r in enumerate(data.results):
        if r.nip not in found:
            errors.append(
                _error(
                    f"body.results.{i}.nip", "unknown_employee", f"{r.nip} is not registered in {tenant_id}"
                )
            )
        elif r.nip in seen:
            errors.append(
                _error(f"body.results.{i}.nip", "duplicate", f"{r.nip} is also at index {seen[r.nip]}")
            )
        seen.setdefault(r.nip, i)
        unknown = [c for c in r.scores if c not in catalogue]
        if unknown:
            errors.append(
                _error(
                    f"body.results.{i}.scores",
                    "unknown_instrument",
                    f"unknown instruments: {', '.join(unknown)}",
                )
            )
    if errors:
        raise Problem(
            f"{len(errors)} problems in the results; nothing was recorded",
            status=422,
            title="Invalid input",
            errors=errors[:1000],
        )
    positions = await repo.positions(tenant_id, [e.position_code for e in found.values() if e.position_code])
    rules = await rules_of(session, tenant_id)
    weights = data.potential_weights.model_dump()
    now = datetime.now(timezone.utc)
    rows, versions, envelopes, ids = [], [], [], []
    for i, r in enumerate(data.results):
        employee = found[r.nip]
        position = positions.get(employee.position_code) if employee.position_code else None
        try:
            result = compute_result(r.scores, _standard(position, None), weights, rules)
        except InvalidInput as exc:
            raise InvalidInput(f"body.results.{i}.scores", "no_potential", exc.detail) from None
        completed_at = r.completed_at or now
        assessment_id = uuid.uuid4()
        valid = domain.valid_until(completed_at.date(), data.validity_years)
        rows.append((
            assessment_id, tenant_id, r.nip, "completed", 1, employee.position_code, result["potential_score"],
            result["jpm"], result["jpm_category"], _json(r.scores), _json(result["gaps"]),
            _json(result["recommendations"]), completed_at, valid,
        ))  # fmt: skip
        snapshot = {
            **result,
            "scores": r.scores,
            "position_code": employee.position_code,
            "valid_until": valid.isoformat(),
        }
        versions.append(
            (tenant_id, assessment_id, 1, _json(snapshot), principal.subject, "recorded in a batch")
        )
        envelopes.append(
            bulk_envelope(
                AssessmentCompletedV1,
                {
                    "assessment_id": str(assessment_id),
                    "nip": r.nip,
                    "version": 1,
                    "potential_score": result["potential_score"],
                    "jpm": result["jpm"],
                    "completed_at": completed_at,
                    "valid_until": valid,
                    "campaign_id": None,
                    "jpm_category": result["jpm_category"],
                    "scores": dict(r.scores),
                    "gaps": result["gaps"],
                    "development": result["recommendations"],
                },  # fmt: skip
                service=SERVICE,
                tenant=tenant_id,
                subject=r.nip,
            )
        )
        ids.append(assessment_id)
    await copy_records(session, Assessment.__tablename__, BATCH_COLUMNS, rows, tenant_table=True)
    await copy_records(session, AssessmentVersion.__tablename__, VERSION_COLUMNS, versions, tenant_table=True)
    await add_many_to_outbox(session, envelopes, topic=TOPIC)
    return ids


def _json(value: Any) -> str:
    return to_json(value).decode()


# ---- reading ------------------------------------------------------------------------------------------


async def can_read(repo: AssessmentRepository, principal: Principal, assessment: Assessment) -> bool:
    """Officers, admins, viewers and integration clients read every result of their tenants; an
    assessor reads the assessments they are assigned to."""
    if principal.has_any("admin", "officer", "viewer", "integration"):
        return True
    return principal.subject in {a.assessor for a in await _assessors_of(repo, assessment)}


async def readable_assessment(
    session: AsyncSession, principal: Principal, tenant_id: str, assessment_id: uuid.UUID
) -> Assessment:
    repo = AssessmentRepository(session)
    assessment = await _assessment(repo, tenant_id, assessment_id)
    if not await can_read(repo, principal, assessment):
        raise Forbidden("this assessment is not assigned to you")
    return assessment


async def assessors_by_assessment(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    found = await AssessmentRepository(session).assignments(ids)
    return {k: [a.assessor for a in v] for k, v in found.items()}


def reassessment_reason(valid_until: date | None) -> str:
    return "never_assessed" if valid_until is None else "expired"


# ---- the individual report ------------------------------------------------------------------------


async def report_data(
    session: AsyncSession, principal: Principal, tenant_id: str, assessment_id: uuid.UUID
) -> ReportData:
    """What the participant's PDF report shows, from the completed result and the replicas."""
    assessment = await readable_assessment(session, principal, tenant_id, assessment_id)
    if assessment.status != "completed":
        raise Conflict(f"assessment is {assessment.status}: the report comes with the completed result")
    repo = AssessmentRepository(session)
    employee = await repo.employee(tenant_id, assessment.nip)
    position = await repo.position(tenant_id, assessment.position_code)
    campaign = await repo.campaign(tenant_id, assessment.campaign_id) if assessment.campaign_id else None
    unit = (
        await session.get(UnitRecord, (tenant_id, employee.unit_code))
        if employee and employee.unit_code
        else None
    )
    tenant_name = await session.scalar(
        select(known_tenants.c.name).where(known_tenants.c.tenant_id == tenant_id)
    )
    required = _standard(position, campaign)
    catalogue = await instrument_catalogue(session, tenant_id)
    scores = tuple(
        ScoreLine(
            instrument=code,
            kind=catalogue[code][1] if code in catalogue else "technical",
            actual=level,
            required=required.get(code),
        )
        for code, level in assessment.scores.items()
    )
    missing = tuple(
        ScoreLine(code, "technical", 0, level)
        for code, level in required.items()
        if code not in assessment.scores
    )
    assert assessment.completed_at is not None and assessment.valid_until is not None
    return ReportData(
        tenant_name=tenant_name or tenant_id,
        participant_name=employee.name if employee else assessment.nip,
        nip=assessment.nip,
        unit_name=unit.name if unit else (employee.unit_code if employee else None),
        position_title=position.title if position else (employee.position_title if employee else None),
        position_code=assessment.position_code,
        campaign_name=campaign.name if campaign else None,
        method=campaign.method if campaign else None,
        completed_at=assessment.completed_at.date(),
        valid_until=assessment.valid_until,
        version=assessment.version,
        scores=scores + missing,
        jpm=assessment.jpm,
        jpm_category=assessment.jpm_category,
        potential_score=assessment.potential_score or 0.0,
        gaps=dict(assessment.gaps),
        recommendations=tuple(RecommendationLine(**r) for r in assessment.recommendations),
    )
