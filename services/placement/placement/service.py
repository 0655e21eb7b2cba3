"""Placement use cases: keep inputs from events and (re)compute the employee's nine-box placement."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime, timezone
from typing import NamedTuple

from bakat_common.auth import Principal, require_roles
from bakat_common.consumer import batched
from bakat_common.contracts.assessment import AssessmentCompletedV1, PerformanceRecordedV1
from bakat_common.contracts.competencies import POTENTIAL_CODES, TRACK_RECORD
from bakat_common.contracts.placement import EmployeePlacedV1, TalentPoolChangedV1
from bakat_common.db import use_tenant_scope
from bakat_common.errors import NotFound
from bakat_common.events import CloudEvent, bulk_envelope
from bakat_common.outbox import add_many_to_outbox
from bakat_common.replicas import employee_rows, upsert_newest
from bakat_common.topics import service_topic
from pydantic_core import to_json
from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from placement.domain import (
    DEFAULT_RULES,
    PotentialParts,
    RuleSet,
    level_percent,
    place,
    valid_until,
    waiting_for,
)
from placement.models import EmployeeRecord, RecomputeJob, RuleSetVersion
from placement.repository import PlacementRepository
from placement.schemas import RuleSetIn

SERVICE = "placement"
log = logging.getLogger("bakat.placement")
TOPIC = service_topic(SERVICE)


async def _on_employees_changed(session: AsyncSession, events: list[CloudEvent]) -> None:
    """Roster's employee events (each carries the whole snapshot): the newest version of each wins,
    a run of them in one statement."""
    rows = employee_rows(events)
    await upsert_newest(session, EmployeeRecord.__table__, rows, keys=("tenant_id", "nip"))
    left_or_back = await PlacementRepository(session).sync_employee_fields(
        sorted({(r["tenant_id"], r["nip"]) for r in rows})
    )
    # The pool is its active members: a member who retires or leaves has left it (and one who comes
    # back has rejoined), though the box stays.
    envelopes = [
        bulk_envelope(
            TalentPoolChangedV1,
            {"nip": c.nip, "member": c.member, "box": c.box, "previous_box": c.box, "rule_version": c.rule_version},
            service=SERVICE, tenant=c.tenant_id, subject=c.nip,
        )  # fmt: skip
        for c in left_or_back
    ]
    if envelopes:
        await add_many_to_outbox(session, envelopes, topic=TOPIC)


on_employee_changed = batched(_on_employees_changed)


def _potential_row(tenant_id: str, a: AssessmentCompletedV1) -> dict:
    aspects = [level for code, level in a.scores.items() if code in POTENTIAL_CODES]
    track = a.scores.get(TRACK_RECORD)
    return {
        "tenant_id": tenant_id, "nip": a.nip, "assessment_id": a.assessment_id, "version": a.version,
        "potential_score": a.potential_score, "jpm": a.jpm, "completed_at": a.completed_at,
        "valid_until": a.valid_until, "aspects_score": level_percent(aspects),
        "track_record_score": level_percent([track]) if track is not None else None,
        "campaign_id": a.campaign_id, "scores": dict(a.scores), "gaps": dict(a.gaps),
        "development": [d.model_dump() for d in a.development],
    }  # fmt: skip


async def _on_inputs(session: AsyncSession, events: list[CloudEvent]) -> None:
    """SKP predikat and assessment results (completed or corrected), a run of them at once: the
    inputs are upserted (newest wins, so the order within the run does not matter) and the placements
    of the employees concerned recomputed together."""
    performance, potential = [], []
    for event in events:
        if event.type == PerformanceRecordedV1.event_type:
            p = PerformanceRecordedV1.model_validate(event.data)
            performance.append(
                {"tenant_id": event.tenant, "nip": p.nip, "year": p.year, "predikat": p.predikat,
                 "recorded_at": p.recorded_at}
            )  # fmt: skip
        else:
            potential.append(_potential_row(event.tenant, AssessmentCompletedV1.model_validate(event.data)))
    repo = PlacementRepository(session)
    await repo.upsert_performance(performance)
    await repo.upsert_potential(potential)
    by_tenant: dict[str, set[str]] = {}
    for row in (*performance, *potential):
        by_tenant.setdefault(row["tenant_id"], set()).add(row["nip"])
    for tenant_id in sorted(by_tenant):  # one order for every writer: see recompute_many
        await recompute_many(session, tenant_id, sorted(by_tenant[tenant_id]))


on_inputs = batched(_on_inputs)


async def recompute_many(
    session: AsyncSession, tenant_id: str, nips: list[str] | None, rules: RuleSet | None = None
) -> int:
    """Place every given employee (None: the whole tenant) who has both inputs, under `rules` (None:
    the tenant's current rules); store the placements that changed and announce box and pool changes.
    A calibrated box holds while the inputs stay the same (a rule change keeps it); new inputs end it.
    Returns how many changed.

    The employees' rows are locked first (employees FOR SHARE, then placements FOR UPDATE, each in NIP
    order, as every writer of placements does), so that an employee event, a calibration approval or
    a rule-change job that commits meanwhile is read rather than overwritten."""
    repo = PlacementRepository(session)
    await repo.lock_for_placement(tenant_id, nips)
    rules = rules or await current_rules(session, tenant_id)
    inputs = await repo.inputs_for_placement(tenant_id, nips)
    now = datetime.now(timezone.utc)
    if len(inputs) <= OVERLAP_CHUNK:  # a consumer's batch: no thread needed
        rows, envelopes = _placements_of(tenant_id, inputs, rules, now)
        await _save(session, rows, envelopes)
        return len(rows)
    # A whole tenant: place the next chunk on a worker thread while PostgreSQL stores the last one,
    # so the two cores work at once (the rule-change job's figure).
    changed = 0
    chunks = [inputs[start : start + OVERLAP_CHUNK] for start in range(0, len(inputs), OVERLAP_CHUNK)]
    ready = await asyncio.to_thread(_placements_of, tenant_id, chunks[0], rules, now)
    for following in [*chunks[1:], None]:
        placing = asyncio.ensure_future(
            asyncio.to_thread(_placements_of, tenant_id, following, rules, now) if following else _nothing()
        )
        try:
            await _save(session, *ready)
        except BaseException:
            placing.cancel()
            raise
        changed += len(ready[0])
        ready = await placing
    return changed


OVERLAP_CHUNK = 5000


async def _nothing() -> tuple[list, list]:
    return [], []


async def _save(session: AsyncSession, rows: list[tuple], envelopes: list[dict]) -> None:
    await PlacementRepository(session).save_placements(rows)
    await add_many_to_outbox(session, envelopes, topic=TOPIC)


def _placements_of(
    tenant_id: str, inputs: list, rules: RuleSet, now: datetime
) -> tuple[list[tuple], list[dict]]:
    """Pure (no I/O, safe on a worker thread): the placement rows that changed and their events."""
    rows, envelopes = [], []
    for r in inputs:
        parts = PotentialParts(r.potential_score, r.jpm, r.aspects_score, r.track_record_score)
        result = place(parts, r.predikat, r.year, rules)
        same_inputs = (r.placed_assessment, r.placed_version, r.placed_year, r.placed_predikat) == (
            r.assessment_id, r.version, r.year, r.predikat,
        )  # fmt: skip
        calibration_id = r.calibration_id if same_inputs else None
        box = r.box if calibration_id is not None else result.box
        member = box in rules.talent_pool_boxes
        if same_inputs and (r.computed_box, r.rule_version, r.in_talent_pool) == (
            result.box,
            rules.version,
            member,
        ):
            continue  # a duplicate or an unrelated change: nothing to store, nothing to publish
        rows.append((
            tenant_id, r.nip, box, result.potential_level, result.performance_level,
            result.potential_score, r.predikat, r.year, r.assessment_id, rules.version,
            to_json(result.reasons).decode(), now, result.box, calibration_id, r.version, r.jpm,
            valid_until(r.completed_at.date(), r.valid_until, rules), r.name, r.unit_code, r.unit_path, r.tier,
            r.employee_status, member,
        ))  # fmt: skip
        if box != r.box or member != bool(r.in_talent_pool):  # a new version that moves nothing says nothing
            change = PlacementChangeSet(
                r.nip,
                box,
                r.box,
                member,
                r.in_talent_pool,
                result.potential_level,
                result.performance_level,
                rules.version,
            )
            envelopes.extend(change.envelopes(tenant_id))
    return rows, envelopes


class PlacementChangeSet(NamedTuple):
    """What a stored placement change announces: employee.placed when the box moved, and
    talent_pool.changed when membership of the pool changed (by a new box or by new pool rules; a
    first placement outside the pool is no change)."""

    nip: str
    box: int
    previous_box: int | None
    member: bool
    previous_member: bool | None  # None: no placement before
    potential_level: str
    performance_level: str
    rule_version: int

    def envelopes(self, tenant_id: str) -> list[dict]:
        out = []
        if self.box != self.previous_box:
            data = {"nip": self.nip, "box": self.box, "potential_level": self.potential_level,
                    "performance_level": self.performance_level, "rule_version": self.rule_version}  # fmt: skip
            out.append(
                bulk_envelope(EmployeePlacedV1, data, service=SERVICE, tenant=tenant_id, subject=self.nip)
            )
        if self.member != bool(self.previous_member) and (self.member or self.previous_member is not None):
            change = {"nip": self.nip, "member": self.member, "box": self.box, "previous_box": self.previous_box,
                      "rule_version": self.rule_version}  # fmt: skip
            out.append(
                bulk_envelope(
                    TalentPoolChangedV1, change, service=SERVICE, tenant=tenant_id, subject=self.nip
                )
            )
        return out


async def placement_of(session: AsyncSession, tenant_id: str, nip: str) -> Row:
    """The employee's placement row (PlacementRecord's columns), else a 404 that says what is missing."""
    repo = PlacementRepository(session)
    placement = await repo.placement(tenant_id, nip)
    if placement is not None:
        return placement
    perf, pot = await repo.inputs(tenant_id, nip)
    if perf is None and pot is None and await repo.employee(tenant_id, nip) is None:
        raise NotFound(f"employee {nip} not known in {tenant_id}")
    raise NotFound(f"employee {nip} has no placement yet: {waiting_for(perf is not None, pot is not None)}")


# ---- rule sets --------------------------------------------------------------------------------------


def rules_of(row: RuleSetVersion | None) -> RuleSet:
    if row is None:
        return DEFAULT_RULES
    return RuleSet(
        version=row.version,
        potential_high=row.potential_high,
        potential_middle=row.potential_middle,
        predikat_levels=dict(row.predikat_levels),
        potential_weights=dict(row.potential_weights),
        validity_years=row.validity_years,
        talent_pool_boxes=frozenset(row.talent_pool_boxes),
    )


async def current_rules(session: AsyncSession, tenant_id: str) -> RuleSet:
    row = await session.scalar(
        select(RuleSetVersion)
        .where(RuleSetVersion.tenant_id == tenant_id)
        .order_by(RuleSetVersion.version.desc())
        .limit(1)
    )
    return rules_of(row)


async def change_rules(
    session: AsyncSession, principal: Principal, tenant_id: str, data: RuleSetIn
) -> tuple[RuleSetVersion, RecomputeJob]:
    """A new rule-set version (who, when, why) and the job that recomputes every placement with it."""
    require_roles(principal, "admin", "officer")
    # One rule change at a time per tenant: the version number is taken under this lock.
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"rules:{tenant_id}"))))
    current = await current_rules(session, tenant_id)
    row = RuleSetVersion(
        tenant_id=tenant_id,
        version=current.version + 1,
        potential_high=data.potential_high,
        potential_middle=data.potential_middle,
        predikat_levels=dict(data.predikat_levels),
        potential_weights=data.potential_weights.model_dump(),
        validity_years=data.validity_years,
        talent_pool_boxes=sorted(data.talent_pool_boxes),
        created_by=principal.subject,
        reason=data.reason,
    )
    job = RecomputeJob(id=uuid.uuid4(), tenant_id=tenant_id, rule_version=row.version, status="running")
    session.add_all([row, job])
    await session.flush()
    await session.refresh(row)
    await session.refresh(job)
    return row, job


class Superseded(Exception):
    """A newer rule version exists: the job stops and leaves the placements to the newer job."""


async def run_recompute(
    sessions: async_sessionmaker[AsyncSession],
    progress_sessions: async_sessionmaker[AsyncSession],
    tenant_id: str,
    job_id: uuid.UUID,
    chunk: int = 5000,
) -> None:
    """Recompute the tenant's placements with the job's rule version, in one transaction (all or
    nothing), chunk by chunk, saving progress from `progress_sessions` (not the main pool: the job's
    transaction holds a connection of it meanwhile) so pollers see it. A job whose version is no
    longer the newest stops (superseded): jobs may run out of order on several workers."""
    use_tenant_scope([tenant_id])  # row-level security: the job works on its tenant's rows
    async with sessions() as s:
        job = await s.get(RecomputeJob, job_id)
        assert job is not None
        tenant_id, version = job.tenant_id, job.rule_version

    async def progress(**values) -> None:
        async with progress_sessions() as s, s.begin():
            await s.execute(update(RecomputeJob).where(RecomputeJob.id == job_id).values(**values))

    try:
        async with sessions() as session, session.begin():
            rules = rules_of(await session.get(RuleSetVersion, (tenant_id, version)))
            nips = await PlacementRepository(session).placeable(tenant_id)
            await progress(total=len(nips))
            changed = 0
            for start in range(0, len(nips), chunk):
                if (await current_rules(session, tenant_id)).version != version:
                    raise Superseded  # a newer rule change has its own job: this one's work is moot
                changed += await recompute_many(session, tenant_id, nips[start : start + chunk], rules)
                await progress(done=min(len(nips), start + chunk))
        await progress(status="done", changed=changed, finished_at=func.now())
    except Superseded:
        await progress(status="superseded", finished_at=func.now())
    except Exception as exc:  # the job row tells the officer; the log tells the SRE
        log.exception("recompute job failed", extra={"job_id": str(job_id)})
        await progress(status="failed", error=type(exc).__name__, finished_at=func.now())
