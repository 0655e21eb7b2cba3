from __future__ import annotations

import uuid
from datetime import datetime

from bakat_common.contracts.assessment import SkpPredikat
from bakat_common.contracts.placement import PerformanceLevel
from pydantic import BaseModel, ConfigDict, Field, model_validator

from placement.domain import DEFAULT_PREDIKAT_LEVELS, RECOMMENDATIONS, SUCCESSION_BOXES, explain
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
            potential=PotentialAxis(
                score=row.potential_score, level=row.potential_level, assessment_id=row.assessment_id
            ),
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


class RuleSetIn(BaseModel):
    """New nine-box rules for the tenant: a new version, and every placement recomputed with it."""

    potential_high: float = Field(ge=0, le=100, examples=[90], description="potential >= this is high")
    potential_middle: float = Field(ge=0, le=100, examples=[70], description="potential >= this is middle")
    predikat_levels: dict[SkpPredikat, PerformanceLevel] = Field(
        default_factory=lambda: dict(DEFAULT_PREDIKAT_LEVELS),
        description="SKP predikat -> performance level; all five predikat",
    )
    reason: str = Field(min_length=3, max_length=2000, examples=["Perbup 12/2026: ambang 90/70"])

    @model_validator(mode="after")
    def _consistent(self) -> RuleSetIn:
        if self.potential_middle >= self.potential_high:
            raise ValueError("potential_middle must be below potential_high")
        missing = [p for p in DEFAULT_PREDIKAT_LEVELS if p not in self.predikat_levels]
        if missing:
            raise ValueError(f"predikat_levels must map every predikat; missing {missing}")
        return self


class RuleSetOut(BaseModel):
    version: int
    potential_high: float
    potential_middle: float
    predikat_levels: dict[str, str]
    created_by: str | None
    reason: str | None
    created_at: datetime | None


class RecomputeJobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    rule_version: int
    status: str = Field(description="running | done | failed")
    total: int
    done: int
    changed: int
    error: str | None
    started_at: datetime
    finished_at: datetime | None


class RuleChangeOut(BaseModel):
    rule_set: RuleSetOut
    job: RecomputeJobOut


class PlacementChange(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    box: int
    potential_score: float
    predikat: str
    skp_year: int
    assessment_id: str
    rule_version: int
    reasons: list[str]
    computed_at: datetime


class YearBox(BaseModel):
    skp_year: int
    box: int = Field(description="the last placement computed with that year's SKP")


class PlacementHistoryOut(BaseModel):
    changes: list[PlacementChange] = Field(description="every placement the employee has had, oldest first")
    trend: list[YearBox] = Field(description="per SKP year (cycle), the box the employee ended it in")


class BoxMember(BaseModel):
    nip: str
    name: str
    unit_code: str | None
    tier: str | None
    potential_score: float
    predikat: str


class BoxView(BaseModel):
    box: int
    count: int
    members: list[BoxMember] = Field(description="the first members by name (see per_box)")


class NineBoxView(BaseModel):
    total: int
    boxes: list[BoxView] = Field(description="boxes 1-9, each with its count, empty ones included")
