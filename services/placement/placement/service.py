"""Placement use cases: keep inputs from events and (re)compute the employee's nine-box placement."""

from __future__ import annotations

from bakat_common.consumer import batched
from bakat_common.contracts.assessment import AssessmentCompletedV1, PerformanceRecordedV1
from bakat_common.contracts.placement import EmployeePlacedV1
from bakat_common.contracts.roster import EmployeeSnapshot
from bakat_common.errors import NotFound
from bakat_common.events import CloudEvent, new_event
from bakat_common.outbox import add_to_outbox
from bakat_common.replicas import upsert_newest
from bakat_common.topics import service_topic
from sqlalchemy.ext.asyncio import AsyncSession

from placement.domain import DEFAULT_RULES, RuleSet, place
from placement.models import EmployeeRecord, PlacementRecord
from placement.repository import PlacementRepository

SERVICE = "placement"
TOPIC = service_topic(SERVICE)


async def _on_employees_changed(session: AsyncSession, events: list[CloudEvent]) -> None:
    """Roster's employee events (each carries the whole snapshot): the newest version of each wins,
    a run of them in one statement."""
    rows = []
    for event in events:
        p = EmployeeSnapshot.model_validate(event.data)
        rows.append(
            {
                "tenant_id": event.tenant,
                "nip": p.nip,
                "name": p.name,
                "unit_code": p.unit_code,
                "unit_path": p.unit_path,
                "position_code": p.position_code,
                "position_title": p.position_title,
                "tier": p.tier,
                "status": p.status,
                "version": p.version,
            }
        )
    await upsert_newest(session, EmployeeRecord.__table__, rows, keys=("tenant_id", "nip"))


on_employee_changed = batched(_on_employees_changed)


async def on_performance_recorded(session: AsyncSession, event: CloudEvent) -> None:
    p = PerformanceRecordedV1.model_validate(event.data)
    repo = PlacementRepository(session)
    await repo.upsert_performance(
        {
            "tenant_id": event.tenant,
            "nip": p.nip,
            "year": p.year,
            "predikat": p.predikat,
            "recorded_at": p.recorded_at,
        }
    )
    await recompute(session, event.tenant, p.nip)


async def on_assessment_completed(session: AsyncSession, event: CloudEvent) -> None:
    p = AssessmentCompletedV1.model_validate(event.data)
    repo = PlacementRepository(session)
    await repo.upsert_potential(
        {
            "tenant_id": event.tenant,
            "nip": p.nip,
            "assessment_id": p.assessment_id,
            "version": p.version,
            "potential_score": p.potential_score,
            "jpm": p.jpm,
            "completed_at": p.completed_at,
            "valid_until": p.valid_until,
        }
    )
    await recompute(session, event.tenant, p.nip)


async def recompute(session: AsyncSession, tenant_id: str, nip: str, rules: RuleSet = DEFAULT_RULES) -> None:
    repo = PlacementRepository(session)
    inputs = await repo.complete_inputs(tenant_id, nip)
    if inputs is None:
        return  # placed once both axes are known
    perf, pot = inputs.performance, inputs.potential
    result = place(pot.potential_score, perf.predikat, perf.year, rules)
    await repo.save_placement(
        {
            "tenant_id": tenant_id,
            "nip": nip,
            "box": result.box,
            "potential_level": result.potential_level,
            "performance_level": result.performance_level,
            "potential_score": pot.potential_score,
            "predikat": perf.predikat,
            "skp_year": perf.year,
            "assessment_id": pot.assessment_id,
            "rule_version": rules.version,
            "reasons": list(result.reasons),
        }
    )
    if (inputs.previous_box, inputs.previous_rule_version) != (result.box, rules.version):
        payload = EmployeePlacedV1(
            nip=nip,
            box=result.box,
            potential_level=result.potential_level,
            performance_level=result.performance_level,
            rule_version=rules.version,
        )
        await add_to_outbox(
            session, new_event(payload, service=SERVICE, tenant=tenant_id, subject=nip), topic=TOPIC
        )


async def placement_of(session: AsyncSession, tenant_id: str, nip: str) -> PlacementRecord:
    repo = PlacementRepository(session)
    placement = await repo.placement(tenant_id, nip)
    if placement is not None:
        return placement
    perf, pot = await repo.inputs(tenant_id, nip)
    missing = [
        name for name, value in (("an SKP predikat", perf), ("a completed assessment", pot)) if value is None
    ]
    if len(missing) == 2 and await repo.employee(tenant_id, nip) is None:
        raise NotFound(f"employee {nip} not known in {tenant_id}")
    raise NotFound(f"employee {nip} has no placement yet: waiting for {' and '.join(missing)}")
