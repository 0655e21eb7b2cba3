from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any, Literal

from bakat_common.contracts.competencies import Tier
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

# A result cannot be completed in the future (a little clock skew allowed), nor before this platform's era.
EARLIEST_COMPLETION = datetime(2000, 1, 1, tzinfo=timezone.utc)
CLOCK_SKEW = timedelta(minutes=5)


# Examples of the bodies: Kota Batu's Pengawas mapping. The NIPs are the roster examples' employees
# (198503152010011003: born 1985-03-15, CPNS 2010-01, male; 199001012015012001: born 1990-01-01, female).
EXAMPLE_NIP = "198503152010011003"
EXAMPLE_NIP_2 = "199001012015012001"
_STANDARD_LEVELS = {
    "Integritas": 4,
    "Kerjasama": 3,
    "Komunikasi": 2,
    "Orientasi pada Hasil": 4,
    "Pelayanan Publik": 3,
    "Pengembangan Diri dan Orang Lain": 3,
    "Mengelola Perubahan": 3,
    "Pengambilan Keputusan": 3,
    "Perekat Bangsa": 3,
}


def _check_completed_at(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    if value < EARLIEST_COMPLETION:
        raise ValueError("must be in the year 2000 or later")
    if value > datetime.now(timezone.utc) + CLOCK_SKEW:
        raise ValueError("must not be in the future")
    return value


class AssessmentResultIn(BaseModel):
    """A completed assessment's integrated result (the campaign workflow that produces it comes later)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "nip": EXAMPLE_NIP,
                    "potential_score": 84,
                    "jpm": 86.67,
                    "completed_at": "2026-11-20T15:30:00+07:00",
                }
            ]
        }
    )

    nip: str = Field(max_length=18, examples=["198503152010011003"])
    potential_score: float = Field(ge=0, le=100, examples=[84])
    jpm: float | None = Field(default=None, ge=0, le=100, description="Job Person Match, %")
    completed_at: datetime | None = Field(
        default=None, description="defaults to now; UTC when no offset is given"
    )

    @field_validator("completed_at")
    @classmethod
    def _completed_in_the_past(cls, value: datetime | None) -> datetime | None:
        return _check_completed_at(value)


class AssessmentResultOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    tenant_id: str
    nip: str
    status: str
    version: int
    potential_score: float
    jpm: float | None
    completed_at: datetime
    valid_until: date


# ---- instruments --------------------------------------------------------------------------------------

Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Level = Annotated[int, Field(ge=1, le=5, description="level 1-5")]


class InstrumentIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "Manajemen ASN",
                    "name": "Manajemen ASN",
                    "kind": "technical",
                    "description": "kompetensi teknis kepegawaian: mutasi, promosi, pengembangan karier",
                },
                {"code": "Pemahaman Budaya Jawa", "name": "Pemahaman Budaya Jawa", "kind": "material"},
            ]
        }
    )

    code: Code = Field(examples=["Manajemen Kepegawaian"])
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    kind: Literal["technical", "potential", "material"] = Field(
        description="the 8 managerial competencies and Perekat Bangsa are built in and fixed"
    )
    description: str | None = Field(default=None, max_length=2000)


class InstrumentOut(BaseModel):
    code: str
    name: str
    kind: str
    description: str | None
    builtin: bool


# ---- campaigns ----------------------------------------------------------------------------------------


class Selection(BaseModel):
    """Who takes part: active employees of these tiers AND units (with sub-units), plus the listed NIPs."""

    tiers: list[Tier] = Field(default_factory=list, max_length=10)
    unit_codes: list[Annotated[str, StringConstraints(min_length=1, max_length=50)]] = Field(
        default_factory=list, max_length=500
    )
    nips: list[Annotated[str, StringConstraints(min_length=1, max_length=18)]] = Field(
        default_factory=list, max_length=20_000
    )


class PotentialWeights(BaseModel):
    jpm: int = Field(default=50, ge=0, le=100)
    aspects: int = Field(default=50, ge=0, le=100)

    @model_validator(mode="after")
    def _some_weight(self) -> PotentialWeights:
        if self.jpm + self.aspects == 0:
            raise ValueError("at least one weight must be above 0")
        return self


class CampaignIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Pemetaan Pengawas Kota Batu 2027",
                    "method": "assessment_center",
                    "instruments": [*_STANDARD_LEVELS, "Kecerdasan Emosional", "Motivasi dan Komitmen"],
                    "exercises": ["In-tray", "LGD", "Role play"],
                    "include_technical": True,
                    "validity_years": 2,
                    "selection": {"tiers": ["Pengawas"], "unit_codes": ["BKPSDM"]},
                    "potential_weights": {"jpm": 50, "aspects": 50},
                    "ratio_assessors": 7,
                    "ratio_participants": 25,
                    "group_min": 4,
                    "group_max": 8,
                    "observers_per_participant": 2,
                },
                {
                    "name": "Tes literasi digital Pelaksana 2027",
                    "method": "cat",
                    "instruments": ["Literasi Digital", "Berpikir Numerik dan Kritis"],
                    "include_technical": False,
                    "selection": {"tiers": ["Pelaksana"]},
                },
            ]
        }
    )

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = Field(
        examples=["Pemetaan Eselon IV 2021"]
    )
    method: Literal["assessment_center", "cat", "interview"] = Field(
        description="full assessment center, computer-assisted test, or job-fit interview"
    )
    instruments: list[Code] = Field(
        min_length=1, max_length=100, description="instrument codes rated for everyone"
    )
    exercises: list[Code] = Field(
        default_factory=list,
        max_length=20,
        description="assessment-center exercises, e.g. In-tray, LGD, Role play",
    )
    include_technical: bool = Field(default=True, description="also rate each post's technical competencies")
    validity_years: int = Field(default=3, ge=1, le=3, description="Perban BKN 26/2019: at most 3 years")
    selection: Selection = Field(default_factory=Selection)
    potential_weights: PotentialWeights = Field(default_factory=PotentialWeights)
    ratio_assessors: int = Field(default=7, ge=1, le=1000, description="assessors needed per ...")
    ratio_participants: int = Field(default=25, ge=1, le=10_000, description="... this many participants")
    group_min: int = Field(default=4, ge=1, le=100)
    group_max: int = Field(default=8, ge=1, le=100)
    observers_per_participant: int = Field(default=2, ge=1, le=20)

    @model_validator(mode="after")
    def _consistent(self) -> CampaignIn:
        for name, values in (("instruments", self.instruments), ("exercises", self.exercises)):
            if len(set(values)) != len(values):
                raise ValueError(f"{name} must not repeat")
        if self.group_min > self.group_max:
            raise ValueError("group_min must not exceed group_max")
        if self.exercises and self.method != "assessment_center":
            raise ValueError("only an assessment_center campaign has exercises")
        return self


class CampaignOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    method: str
    instruments: list[str]
    exercises: list[str]
    include_technical: bool
    validity_years: int
    selection: Selection
    potential_weights: PotentialWeights
    ratio_assessors: int
    ratio_participants: int
    group_min: int
    group_max: int
    observers_per_participant: int
    status: str
    created_at: datetime
    participants: int = 0
    by_status: dict[str, int] = Field(default_factory=dict)


class ParticipantsIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"nips": [EXAMPLE_NIP, EXAMPLE_NIP_2]}]})

    nips: list[Annotated[str, StringConstraints(min_length=1, max_length=18)]] = Field(
        min_length=1, max_length=20_000
    )


class ParticipantsAdded(BaseModel):
    added: int
    already_participating: int


# ---- the assessment workflow ------------------------------------------------------------------------


class AssessorsIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"assessors": ["asesor-rina", "asesor-agus"], "lead": "asesor-rina"}]}
    )

    assessors: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=20, description="identity subjects (the `sub` of each assessor's token)"
    )
    lead: Annotated[str, StringConstraints(min_length=1, max_length=200)]

    @model_validator(mode="after")
    def _lead_assigned(self) -> AssessorsIn:
        if self.lead not in self.assessors:
            raise ValueError("the lead assessor must be one of the assessors")
        if len(set(self.assessors)) != len(self.assessors):
            raise ValueError("assessors must not repeat")
        return self


class RatingIn(BaseModel):
    instrument: Code
    exercise: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    level: Level
    evidence: str | None = Field(default=None, max_length=5000, description="what the assessor observed")


class RatingsIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "ratings": [
                        {
                            "instrument": "Integritas",
                            "exercise": "In-tray",
                            "level": 4,
                            "evidence": "menolak disposisi yang melanggar aturan dan mencatat alasannya",
                        },
                        {
                            "instrument": "Komunikasi",
                            "exercise": "LGD",
                            "level": 2,
                            "evidence": "jarang menyampaikan pendapat; argumen tidak runtut",
                        },
                    ]
                }
            ]
        }
    )

    ratings: list[RatingIn] = Field(min_length=1, max_length=500)


class IntegratedRatingIn(BaseModel):
    instrument: Code
    level: Level
    note: str | None = Field(default=None, max_length=5000)


class IntegratedRatingsIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "ratings": [
                        {"instrument": code, "level": level}
                        for code, level in {**_STANDARD_LEVELS, "Manajemen ASN": 3}.items()
                    ]
                    + [
                        {"instrument": "Kecerdasan Emosional", "level": 4},
                        {
                            "instrument": "Motivasi dan Komitmen",
                            "level": 4,
                            "note": "disepakati dalam diskusi integrasi: 3 dan 5 dari dua asesor",
                        },
                    ]
                }
            ]
        }
    )

    ratings: list[IntegratedRatingIn] = Field(min_length=1, max_length=200)


class CorrectionIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "ratings": [{"instrument": "Komunikasi", "level": 3}],
                    "reason": "salah input nilai Komunikasi; berita acara integrasi 21 November 2026",
                }
            ]
        }
    )

    ratings: list[IntegratedRatingIn] = Field(min_length=1, max_length=200)
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]


class RatingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    assessor: str
    instrument_code: str
    exercise: str
    level: int
    evidence: str | None
    rated_at: datetime


class IntegrationLine(BaseModel):
    instrument: str
    required_level: int | None
    ratings: list[RatingOut]
    spread: int = Field(description="highest minus lowest level given")
    disagreement: bool = Field(
        description="assessors differ by more than one level: settle it in the discussion"
    )
    suggested_level: int | None = Field(description="rounded mean of the assessors' levels")
    integrated_level: int | None


class IntegrationView(BaseModel):
    assessment_id: uuid.UUID
    nip: str
    status: str
    assessors: list[str]
    lead: str | None
    lines: list[IntegrationLine]
    missing_ratings: dict[str, list[str]] = Field(
        description="assessor -> instruments they have not rated yet"
    )


class Recommendation(BaseModel):
    instrument: str
    level: int
    target: int
    recommendation: str
    kind: str


class AssessmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    tenant_id: str
    campaign_id: uuid.UUID | None
    nip: str
    status: str
    version: int
    position_code: str | None
    lead_assessor: str | None
    assessors: list[str] = Field(default_factory=list)
    scheduled_day: date | None
    potential_score: float | None
    jpm: float | None
    jpm_category: str | None
    scores: dict[str, int]
    gaps: dict[str, int]
    recommendations: list[Recommendation]
    completed_at: datetime | None
    valid_until: date | None


class AssessmentVersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    version: int
    result: dict[str, Any]
    changed_by: str
    reason: str | None
    changed_at: datetime


class BatchResultIn(BaseModel):
    nip: Annotated[str, StringConstraints(min_length=1, max_length=18)]
    scores: dict[Code, Level] = Field(
        min_length=1, max_length=100, description="integrated level per instrument"
    )
    completed_at: datetime | None = None

    @field_validator("completed_at")
    @classmethod
    def _completed_in_the_past(cls, value: datetime | None) -> datetime | None:
        return _check_completed_at(value)


class BatchResultsIn(BaseModel):
    """Completed results from an external assessment centre (BKN integration), all or nothing."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "results": [
                        {
                            "nip": EXAMPLE_NIP,
                            "scores": {**_STANDARD_LEVELS, "Kecerdasan Emosional": 4},
                            "completed_at": "2026-11-20T15:30:00+07:00",
                        },
                        {
                            "nip": EXAMPLE_NIP_2,
                            "scores": {**_STANDARD_LEVELS, "Komunikasi": 4, "Kecerdasan Emosional": 3},
                            "completed_at": "2026-11-20T15:30:00+07:00",
                        },
                    ],
                    "validity_years": 3,
                    "potential_weights": {"jpm": 50, "aspects": 50},
                }
            ]
        }
    )

    results: list[BatchResultIn] = Field(min_length=1, max_length=10_000)
    validity_years: int = Field(default=3, ge=1, le=3)
    potential_weights: PotentialWeights = Field(default_factory=PotentialWeights)


class BatchResultsOut(BaseModel):
    recorded: int
    assessment_ids: list[uuid.UUID]


class DevelopmentRuleIn(BaseModel):
    instrument: Code
    below_level: Level = Field(
        description="applies when the level is below this (or below the post's requirement)"
    )
    recommendation: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    kind: Literal["training", "coaching", "counselling", "assignment"]


class DevelopmentRulesIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "rules": [
                        {
                            "instrument": "Komunikasi",
                            "below_level": 3,
                            "recommendation": "Pelatihan public speaking dan komunikasi efektif",
                            "kind": "training",
                        },
                        {
                            "instrument": "Literasi Digital",
                            "below_level": 3,
                            "recommendation": "Pelatihan literasi digital",
                            "kind": "training",
                        },
                        {
                            "instrument": "Perekat Bangsa",
                            "below_level": 3,
                            "recommendation": "Pelatihan wawasan sosial kultural",
                            "kind": "training",
                        },
                        {
                            "instrument": "Orientasi pada Hasil",
                            "below_level": 3,
                            "recommendation": "Coaching manajemen kinerja dua kali seminggu",
                            "kind": "coaching",
                        },
                    ]
                }
            ]
        }
    )

    rules: list[DevelopmentRuleIn] = Field(max_length=500)


class ReassessmentEntry(BaseModel):
    nip: str
    name: str
    unit_code: str | None
    tier: str | None
    reason: Literal["never_assessed", "expired"]
    last_valid_until: date | None


class ReassessmentPage(BaseModel):
    items: list[ReassessmentEntry]
    next_cursor: str | None
