from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated

from bakat_common.contracts.assessment import SkpPredikat
from bakat_common.contracts.placement import PerformanceLevel
from fastapi import Path, Query
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import Row

from placement.domain import (
    DEFAULT_POTENTIAL_WEIGHTS,
    DEFAULT_PREDIKAT_LEVELS,
    MAX_VALIDITY_YEARS,
    RECOMMENDATIONS,
    SUCCESSION_BOXES,
    explain,
)
from placement.models import PlacementRecord

# An employee's NIP in a path; a malformed one gets the 404 that says the employee is unknown.
NipPath = Annotated[str, Path(max_length=40)]
UnitQuery = Annotated[str | None, Query(max_length=50, description="unit code; includes its sub-units")]


class PotentialAxis(BaseModel):
    score: float = Field(description="weighted by the tenant's rules (see the reasons)")
    level: str = Field(examples=["high"])
    assessment_id: str
    jpm: float | None
    valid_until: date | None = Field(description="the result's validity under the tenant's rules")
    expired: bool = Field(description="past valid_until: the employee is due for re-assessment")


class PerformanceAxis(BaseModel):
    predikat: str = Field(examples=["Butuh Perbaikan"])
    skp_year: int
    level: str = Field(examples=["below"])


class PlacementOut(BaseModel):
    tenant_id: str
    nip: str
    name: str | None = Field(default=None, description="placement's copy of the employee's name (roster events)")
    unit_code: str | None = None
    tier: str | None = None
    box: int = Field(ge=1, le=9, description="the box in force: the rules' box or a calibrated one")
    computed_box: int = Field(ge=1, le=9, description="the box the rules give")
    calibration_id: uuid.UUID | None = Field(description="the approved calibration move that set `box`")
    potential: PotentialAxis
    performance: PerformanceAxis
    in_talent_pool: bool
    explanation: str = Field(
        examples=["box 6: potential 84 >= 80 -> high; SKP 2024 Butuh Perbaikan -> below"]
    )
    reasons: list[str]
    recommendations: list[str]
    rule_version: int
    computed_at: datetime

    @classmethod
    def of(cls, row: PlacementRecord | Row, today: date | None = None) -> PlacementOut:
        """From a placement entity or its row (placement_of)."""
        today = today or date.today()
        reasons = list(row.reasons)
        if row.calibration_id is not None and row.box != row.computed_box:
            reasons.append(f"calibrated from box {row.computed_box} to box {row.box}")
        return cls(
            tenant_id=row.tenant_id,
            nip=row.nip,
            name=row.name,
            unit_code=row.unit_code,
            tier=row.tier,
            box=row.box,
            computed_box=row.computed_box,
            calibration_id=row.calibration_id,
            potential=PotentialAxis(
                score=row.potential_score,
                level=row.potential_level,
                assessment_id=row.assessment_id,
                jpm=row.jpm,
                valid_until=row.valid_until,
                expired=row.valid_until is not None and row.valid_until < today,
            ),  # fmt: skip
            performance=PerformanceAxis(
                predikat=row.predikat, skp_year=row.skp_year, level=row.performance_level
            ),
            in_talent_pool=row.in_talent_pool,
            explanation=explain(row.box, reasons),
            reasons=reasons,
            recommendations=list(RECOMMENDATIONS[row.box]),
            rule_version=row.rule_version,
            computed_at=row.computed_at,
        )


class PlacementPage(BaseModel):
    items: list[PlacementOut]
    total: int
    limit: int
    offset: int


class PotentialWeights(BaseModel):
    """Relative weights of the potential score's parts (any scale; a part not assessed for an
    employee leaves its weight to the others)."""

    jpm: float = Field(DEFAULT_POTENTIAL_WEIGHTS["jpm"], ge=0, le=100, description="competency JPM")
    aspects: float = Field(
        DEFAULT_POTENTIAL_WEIGHTS["aspects"], ge=0, le=100, description="potential aspects"
    )
    track_record: float = Field(
        DEFAULT_POTENTIAL_WEIGHTS["track_record"], ge=0, le=100, description="the panel's Rekam Jejak rating"
    )

    @model_validator(mode="after")
    def _some_weight(self) -> PotentialWeights:
        if self.jpm + self.aspects + self.track_record <= 0:
            raise ValueError("at least one potential weight must be above 0")
        return self


class RuleSetIn(BaseModel):
    """New nine-box rules for the tenant: a new version, and every placement recomputed with it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "potential_high": 90,
                    "potential_middle": 70,
                    "predikat_levels": {
                        "Sangat Baik": "above",
                        "Baik": "meets",
                        "Butuh Perbaikan": "below",
                        "Kurang": "below",
                        "Sangat Kurang": "below",
                    },
                    "potential_weights": {"jpm": 40, "aspects": 40, "track_record": 20},
                    "validity_years": 2,
                    "talent_pool_boxes": [7, 8, 9],
                    "reason": "Perwali 12/2026: ambang potensi 90/70, hasil asesmen berlaku 2 tahun",
                }
            ]
        }
    )

    potential_high: float = Field(ge=0, le=100, examples=[90], description="potential >= this is high")
    potential_middle: float = Field(ge=0, le=100, examples=[70], description="potential >= this is middle")
    predikat_levels: dict[SkpPredikat, PerformanceLevel] = Field(
        default_factory=lambda: dict(DEFAULT_PREDIKAT_LEVELS),
        description="SKP predikat -> performance level; all five predikat",
    )
    potential_weights: PotentialWeights = Field(default_factory=PotentialWeights)
    validity_years: int = Field(
        MAX_VALIDITY_YEARS, ge=1, le=MAX_VALIDITY_YEARS, description="years an assessment result stays valid"
    )
    talent_pool_boxes: set[int] = Field(
        default_factory=lambda: set(SUCCESSION_BOXES),
        min_length=1,
        description="the boxes of the talent pool",
    )
    reason: str = Field(min_length=3, max_length=2000, examples=["Perbup 12/2026: ambang 90/70"])

    @model_validator(mode="after")
    def _consistent(self) -> RuleSetIn:
        if not self.talent_pool_boxes <= set(range(1, 10)):
            raise ValueError("talent_pool_boxes must be boxes 1-9")
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
    potential_weights: dict[str, float]
    validity_years: int
    talent_pool_boxes: list[int]
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
    box: int = Field(description="the box in force after this change")
    computed_box: int | None = Field(description="the rules' box (differs from `box` after a calibration)")
    calibration_id: uuid.UUID | None = Field(
        description="the approved calibration move, if this change is one"
    )
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

    @staticmethod
    def json_of(counts: dict[int, int], members: Sequence[Row]) -> str:
        """This view as JSON, straight from PlacementRepository.nine_box's counts and member rows (box,
        then BoxMember's fields, already of its types). A view lists up to 9 x per_box members, and
        building a validated BoxMember for each cost as much CPU as the queries."""
        listed: dict[int, list[dict]] = {box: [] for box in range(1, 10)}
        for box, *fields in members:
            listed[box].append(dict(zip(_MEMBER_FIELDS, fields, strict=True)))
        boxes = [{"box": box, "count": counts.get(box, 0), "members": listed[box]} for box in range(1, 10)]
        return json.dumps({"total": sum(counts.values()), "boxes": boxes}, separators=(",", ":"))


_MEMBER_FIELDS = tuple(BoxMember.model_fields)


class UnitDistribution(BaseModel):
    unit_code: str = Field(
        description="a unit directly under the one asked for (its sub-units counted in it)"
    )
    total: int
    boxes: dict[int, int] = Field(description="box -> employees; boxes with none left out")
    talent_pool_share: float = Field(ge=0, le=1)
    low_boxes_share: float = Field(ge=0, le=1, description="share in boxes 1-3")
    outlier: bool
    outlier_reasons: list[str] = Field(
        examples=[["talent pool 88% vs 20% in the other units (above, z +9.5, 40 employees)"]]
    )


class DistributionView(BaseModel):
    parent_unit: str | None = Field(description="the unit whose sub-units are compared; null: the top level")
    total: int
    boxes: dict[int, int]
    units: list[UnitDistribution]


class ReassessmentDue(BaseModel):
    nip: str
    name: str
    unit_code: str | None
    tier: str | None
    assessment_id: str | None
    completed_at: datetime | None
    valid_until: date | None
    reason: str = Field(
        examples=["never assessed", "result expired on 2026-05-02", "result expires on 2026-12-01"]
    )


class ReassessmentDuePage(BaseModel):
    items: list[ReassessmentDue]
    total: int
    due_by: date = Field(description="results valid only until before this day are due (today + within_days)")
    next_cursor: str | None
