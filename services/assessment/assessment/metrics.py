"""Assessment's own metrics (the domain dashboard's assessment panels), on the app's registry."""

from __future__ import annotations

from bakat_common.db import on_commit
from prometheus_client import CollectorRegistry, Counter
from sqlalchemy.ext.asyncio import AsyncSession


class AssessmentMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.assessments_completed = Counter(
            "bakat_assessments_completed_total",
            "Assessment results completed (published for placement), by tenant and how they came: "
            "campaign (integrated by assessors), recorded (one result scored elsewhere), batch",
            ["tenant", "source"],
            registry=registry,
        )

    def completed_on_commit(self, session: AsyncSession, tenant: str, source: str, count: int = 1) -> None:
        """Counted when the request's transaction commits: a result that was not stored is not counted."""
        on_commit(session, lambda: self.assessments_completed.labels(tenant, source).inc(count))
