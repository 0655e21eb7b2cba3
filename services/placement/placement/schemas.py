from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from placement.domain import RECOMMENDATIONS, SUCCESSION_BOXES, explain
from placement.models import PlacementRecord


class PotentialAxis(BaseModel):
    score: float
    level: str = Field(examples=["high"])
    assessment_id: str


class PerformanceAxis(BaseModel):
    predikat: str = Field(examples=["Butuh Perbaikan"])
    skp_year: int
    level: str = Field(examples=["below"])


class PlacementOut(BaseModel):
    tenant_id: str
    nip: str
    box: int = Field(ge=1, le=9)
    potential: PotentialAxis
    performance: PerformanceAxis
    in_talent_pool: bool
    explanation: str = Field(examples=["box 6: potential 84 >= 80 -> high; SKP 2024 Butuh Perbaikan -> below"])
    reasons: list[str]
    recommendations: list[str]
    rule_version: int
    computed_at: datetime

    @classmethod
    def of(cls, row: PlacementRecord) -> PlacementOut:
        return cls(
            tenant_id=row.tenant_id,
            nip=row.nip,
            box=row.box,
            potential=PotentialAxis(score=row.potential_score, level=row.potential_level, assessment_id=row.assessment_id),
            performance=PerformanceAxis(predikat=row.predikat, skp_year=row.skp_year, level=row.performance_level),
            in_talent_pool=row.box in SUCCESSION_BOXES,
            explanation=explain(row.box, row.reasons),
            reasons=list(row.reasons),
            recommendations=list(RECOMMENDATIONS[row.box]),
            rule_version=row.rule_version,
            computed_at=row.computed_at,
        )


class PlacementPage(BaseModel):
    items: list[PlacementOut]
    total: int
    limit: int
    offset: int
