"""Events produced by the assessment service (topic bakat.assessment)."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from bakat_common.contracts import EventPayload, register

SkpPredikat = Literal["Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang"]


@register
class PerformanceRecordedV1(EventPayload):
    """An SKP predikat for one employee and year (PermenPANRB 6/2022)."""

    event_type: ClassVar[str] = "bakat.assessment.performance.recorded.v1"
    nip: str
    year: int
    predikat: SkpPredikat
    recorded_at: datetime


@register
class AssessmentCompletedV1(EventPayload):
    event_type: ClassVar[str] = "bakat.assessment.completed.v1"
    assessment_id: str
    nip: str
    version: int
    potential_score: float
    jpm: float | None = None
    completed_at: datetime
    valid_until: date
