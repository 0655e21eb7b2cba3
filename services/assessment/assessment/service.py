"""Assessment use cases: SKP predikat and completed assessment results, each published via the outbox.

The route has already checked the tenant (known here, covered by the token)."""

from __future__ import annotations

from datetime import datetime, timezone

from bakat_common.auth import Principal, require_roles
from bakat_common.contracts.assessment import AssessmentCompletedV1
from bakat_common.contracts.roster import EmployeeSnapshot
from bakat_common.errors import NotFound
from bakat_common.events import CloudEvent, new_event
from bakat_common.outbox import add_to_outbox
from bakat_common.replicas import await_replica
from bakat_common.topics import service_topic
from sqlalchemy.ext.asyncio import AsyncSession

from assessment.domain import mapping_category, valid_until
from assessment.models import Assessment, AssessmentVersion
from assessment.repository import AssessmentRepository
from assessment.schemas import AssessmentResultIn

SERVICE = "assessment"
TOPIC = service_topic(SERVICE)
WRITERS = ("admin", "officer", "integration")


async def on_employee_changed(session: AsyncSession, event: CloudEvent) -> None:
    """Any of roster's employee events: each carries the whole snapshot."""
    p = EmployeeSnapshot.model_validate(event.data)
    await AssessmentRepository(session).upsert_employee(event.tenant, p.nip, p.name, p.status, p.version)


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
    require_roles(principal, *WRITERS)
    repo = AssessmentRepository(session)
    await require_employee(repo, tenant_id, data.nip, replica_wait_s)
    completed_at = data.completed_at or datetime.now(timezone.utc)
    result = Assessment(
        tenant_id=tenant_id,
        nip=data.nip,
        status="completed",
        version=1,
        potential_score=data.potential_score,
        jpm=data.jpm,
        jpm_category=mapping_category(data.jpm) if data.jpm is not None else None,
        scores={},
        gaps={},
        recommendations=[],
        completed_at=completed_at,
        valid_until=valid_until(completed_at.date(), validity_years),
    )
    repo.add(result)
    await session.flush()
    repo.add(
        AssessmentVersion(
            tenant_id=tenant_id,
            assessment_id=result.id,
            version=1,
            result={"potential_score": data.potential_score, "jpm": data.jpm, "valid_until": result.valid_until.isoformat()},
            changed_by=principal.subject,
            reason="recorded",
        )
    )
    payload = AssessmentCompletedV1(
        assessment_id=str(result.id),
        nip=result.nip,
        version=result.version,
        potential_score=result.potential_score,
        jpm=result.jpm,
        completed_at=result.completed_at,
        valid_until=result.valid_until,
    )
    await add_to_outbox(session, new_event(payload, service=SERVICE, tenant=tenant_id, subject=data.nip), topic=TOPIC)
    return result
