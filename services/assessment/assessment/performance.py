"""SKP performance use cases: the yearly predikat of each employee, published for placement."""

from __future__ import annotations

from bakat_common.auth import Principal, require_roles
from bakat_common.contracts.assessment import PerformanceRecordedV1
from bakat_common.events import new_event
from bakat_common.outbox import add_to_outbox
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession

from assessment.models import PerformanceRating
from assessment.repository import AssessmentRepository
from assessment.schemas import PerformanceRatingIn
from assessment.service import SERVICE, TOPIC, WRITERS, require_employee


async def record_performance(
    session: AsyncSession,
    principal: Principal,
    tenant_id: str,
    data: PerformanceRatingIn,
    replica_wait_s: float = 0.0,
) -> PerformanceRating:
    require_roles(principal, *WRITERS)
    repo = AssessmentRepository(session)
    await require_employee(repo, tenant_id, data.nip, replica_wait_s)
    rating = await repo.rating(tenant_id, data.nip, data.year)
    if rating is not None and rating.predikat == data.predikat:
        return rating  # the same rating sent again changes nothing and publishes nothing
    if rating is None:
        rating = PerformanceRating(tenant_id=tenant_id, nip=data.nip, year=data.year, predikat=data.predikat)
        repo.add(rating)
    else:
        rating.predikat = data.predikat
        rating.recorded_at = func.now()
    await session.flush()
    await session.refresh(rating)
    payload = PerformanceRecordedV1(
        nip=data.nip, year=data.year, predikat=data.predikat, recorded_at=rating.recorded_at
    )
    await add_to_outbox(
        session, new_event(payload, service=SERVICE, tenant=tenant_id, subject=data.nip), topic=TOPIC
    )
    return rating
