"""Reconciliation use cases (docs/RESILIENCE.md): the results and SKP ratings assessment holds, and
their current state published again for a copy that missed or mangled an event."""

from __future__ import annotations

from collections.abc import Sequence

from bakat_common.auth import Principal, require_roles
from bakat_common.contracts.assessment import AssessmentCompletedV1, PerformanceRecordedV1
from bakat_common.contracts.reconcile import AssessmentVersions, RatingVersion, ResultVersion, ResyncOutcome
from bakat_common.db import any_of
from bakat_common.events import bulk_envelope
from bakat_common.outbox import add_many_to_outbox
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from assessment.models import Assessment, PerformanceRating
from assessment.service import SERVICE, TOPIC, event_payload

RECONCILERS = ("admin", "integration")


async def versions(session: AsyncSession, principal: Principal, tenant_id: str) -> AssessmentVersions:
    require_roles(principal, *RECONCILERS)
    results = await session.execute(
        select(Assessment.nip, Assessment.id, Assessment.version, Assessment.completed_at)
        .where(Assessment.tenant_id == tenant_id, Assessment.status == "completed")
        .order_by(Assessment.nip, Assessment.completed_at)
    )
    ratings = await session.execute(
        select(PerformanceRating.nip, PerformanceRating.year, PerformanceRating.predikat)
        .where(PerformanceRating.tenant_id == tenant_id)
        .order_by(PerformanceRating.nip, PerformanceRating.year)
    )
    return AssessmentVersions(
        results=[ResultVersion(nip=n, assessment_id=str(i), version=v, completed_at=c) for n, i, v, c in results],
        ratings=[RatingVersion(nip=n, year=y, predikat=p) for n, y, p in ratings],
    )


async def resync(session: AsyncSession, principal: Principal, tenant_id: str, nips: Sequence[str]) -> ResyncOutcome:
    """Every completed result (at its current version) and every SKP rating of these employees as
    new events: consumers keep the newest, so a copy that has them is unchanged."""
    require_roles(principal, *RECONCILERS)
    wanted = list(dict.fromkeys(nips))
    results = (
        await session.scalars(
            select(Assessment)
            .where(Assessment.tenant_id == tenant_id, Assessment.status == "completed", any_of(Assessment.nip, wanted))
            .order_by(Assessment.nip, Assessment.completed_at)
        )
    ).all()
    ratings = (
        await session.scalars(
            select(PerformanceRating)
            .where(PerformanceRating.tenant_id == tenant_id, any_of(PerformanceRating.nip, wanted))
            .order_by(PerformanceRating.nip, PerformanceRating.year)
        )
    ).all()
    envelopes = [
        *(bulk_envelope(AssessmentCompletedV1, event_payload(a), service=SERVICE, tenant=tenant_id, subject=a.nip)
          for a in results),
        *(bulk_envelope(PerformanceRecordedV1, {"nip": r.nip, "year": r.year, "predikat": r.predikat,
                                               "recorded_at": r.recorded_at},
                        service=SERVICE, tenant=tenant_id, subject=r.nip) for r in ratings),
    ]  # fmt: skip
    await add_many_to_outbox(session, envelopes, topic=TOPIC)
    held = {a.nip for a in results} | {r.nip for r in ratings}
    return ResyncOutcome(published=len(envelopes), unknown=sorted(set(wanted) - held))
