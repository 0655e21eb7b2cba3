from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from bakat_common.contracts.competencies import Tier
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from placement.succession.domain import DEFAULT_KEY_TIERS, DEFAULT_MERIT_THRESHOLD


class ReadinessRulesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ready_now_boxes: list[int] = Field(
        default=[9], max_length=9, description="boxes ready now whatever the JPM"
    )
    ready_now_jpm_boxes: list[int] = Field(
        default=[8], max_length=9, description="boxes ready now when JPM >= ready_now_jpm"
    )
    ready_now_jpm: float = Field(default=80.0, ge=0, le=100)
    one_to_two_years_jpm: float = Field(
        default=68.0, ge=0, le=100, description="ready in 1-2 years at or above"
    )

    @field_validator("ready_now_boxes", "ready_now_jpm_boxes")
    @classmethod
    def _boxes(cls, boxes: list[int]) -> list[int]:
        if any(b < 1 or b > 9 for b in boxes):
            raise ValueError("boxes are numbered 1 to 9")
        if len(set(boxes)) != len(boxes):
            raise ValueError("a box is listed twice")
        return sorted(boxes)

    @model_validator(mode="after")
    def _consistent(self) -> ReadinessRulesIn:
        if set(self.ready_now_boxes) & set(self.ready_now_jpm_boxes):
            raise ValueError("a box cannot be in both ready_now_boxes and ready_now_jpm_boxes")
        if self.one_to_two_years_jpm > self.ready_now_jpm:
            raise ValueError("one_to_two_years_jpm must not exceed ready_now_jpm")
        return self


class SettingsIn(BaseModel):
    """The whole settings (PUT replaces them; a field left out takes its default)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "candidate_source": "tier_below",
                    "key_tiers": ["JPT Pratama", "Administrator", "Pengawas"],
                    "merit_index": 330,
                    "merit_threshold": 325,
                    "readiness": {
                        "ready_now_boxes": [9],
                        "ready_now_jpm_boxes": [8],
                        "ready_now_jpm": 80,
                        "one_to_two_years_jpm": 68,
                    },
                    "reason": "Indeks Sistem Merit KASN 2025: 330",
                }
            ]
        },
    )

    candidate_source: Literal["tier_below", "same_tier", "both"] = "tier_below"
    key_tiers: list[Tier] = Field(default=list(DEFAULT_KEY_TIERS), min_length=1, max_length=7)
    merit_index: float | None = Field(
        default=None, ge=0, le=400, description="the tenant's merit-system index (KASN), none if not assessed"
    )
    merit_threshold: float = Field(default=DEFAULT_MERIT_THRESHOLD, ge=0, le=400)
    readiness: ReadinessRulesIn = Field(default_factory=ReadinessRulesIn)
    reason: str = Field(default="", max_length=2000)

    @field_validator("key_tiers")
    @classmethod
    def _unique(cls, tiers: list[str]) -> list[str]:
        if len(set(tiers)) != len(tiers):
            raise ValueError("a tier is listed twice")
        return tiers


class SettingsOut(BaseModel):
    version: int
    candidate_source: str
    key_tiers: list[str]
    merit_index: float | None
    merit_threshold: float
    readiness: ReadinessRulesIn
    fill_without_open_bidding: bool
    merit_reason: str
    created_by: str | None
    reason: str | None
    created_at: datetime | None


class PositionOut(BaseModel):
    code: str
    title: str | None
    tier: str
    eselon: str | None
    unit_code: str
    unit_path: str | None
    holder_nip: str | None
    previous_holder_nip: str | None
    vacant: bool
    vacant_since: datetime | None
    standard_known: bool = Field(description="false until the position's registration event has arrived")


class ReadinessCounts(BaseModel):
    ready_now: int
    one_to_two_years: int
    future: int
    total: int


class VacancyOut(BaseModel):
    position: PositionOut
    source_tiers: list[str]
    candidates: ReadinessCounts


class VacancyList(BaseModel):
    total: int
    items: list[VacancyOut]


class CandidateOut(BaseModel):
    rank: int
    nip: str
    name: str
    tier: str | None
    unit_code: str | None
    position_code: str | None
    box: int
    jpm: float | None = Field(description="against the position's standard (requirements + technical)")
    jpm_category: str | None
    gaps: dict[str, int] = Field(description="competencies below the standard: required - actual")
    predikat: str
    skp_year: int
    potential_score: float
    assessment_valid_until: date | None
    readiness: Literal["ready_now", "1_2_years", "future"]
    reasons: list[str]
    why: str = Field(description="the reasons in one line")
    decided_by: str | None = Field(description="the ranking key that put it below the candidate just above")


class CandidatesView(BaseModel):
    position: PositionOut
    source_tiers: list[str]
    talent_pool_boxes: list[int]
    settings_version: int
    fill_without_open_bidding: bool
    merit_reason: str
    total: int
    counts: ReadinessCounts
    candidates: list[CandidateOut]


class BenchPosition(BaseModel):
    code: str
    title: str | None
    tier: str
    unit_code: str
    vacant: bool
    holder_nip: str | None
    successors: ReadinessCounts
    has_ready_successor: bool


class BenchUnit(BaseModel):
    unit_code: str
    key_positions: int
    without_ready_successor: int
    positions_without_ready_successor: list[str]


class BenchStrengthView(BaseModel):
    unit: str | None
    key_tiers: list[str]
    settings_version: int
    key_positions: int
    without_ready_successor: int
    positions: list[BenchPosition]
    units: list[BenchUnit]
