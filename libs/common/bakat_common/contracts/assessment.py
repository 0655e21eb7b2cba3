"""Events produced by the assessment service (topic bakat.assessment)."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import BaseModel

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


JpmCategory = Literal["Optimal", "Cukup Optimal", "Kurang Optimal"]


class DevelopmentNeed(BaseModel):
    """A development item the tenant's rules draw from a weak instrument (Serang: weak communication
    -> public speaking)."""

    instrument: str
    level: int
    target: int
    recommendation: str
    kind: str  # training | coaching | counselling | ...


@register
class AssessmentCompletedV1(EventPayload):
    """An assessment's result: a first completion (version 1) or, as AssessmentCorrectedV1, a later
    version. Consumers keep the highest version of each assessment."""

    event_type: ClassVar[str] = "bakat.assessment.completed.v1"
    assessment_id: str
    nip: str
    version: int
    potential_score: float
    jpm: float | None = None
    completed_at: datetime
    valid_until: date
    campaign_id: str | None = None
    jpm_category: JpmCategory | None = None
    # integrated level (1-5) per instrument, e.g. {"Integritas": 3, "Kecerdasan Emosional": 4}
    scores: dict[str, int] = {}
    # required minus actual level, for the competencies of the position's standard that fall short
    gaps: dict[str, int] = {}
    # what the weak instruments call for, under the tenant's development rules
    development: list[DevelopmentNeed] = []


@register
class AssessmentCorrectedV1(AssessmentCompletedV1):
    """A completed assessment corrected afterwards: a new version, with the reason (audited)."""

    event_type: ClassVar[str] = "bakat.assessment.corrected.v1"
    reason: str
