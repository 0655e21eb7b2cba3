from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

from bakat_common.contracts.assessment import SkpPredikat
from pydantic import BaseModel, ConfigDict, Field, field_validator

# A result cannot be completed in the future (a little clock skew allowed), nor before this platform's era.
EARLIEST_COMPLETION = datetime(2000, 1, 1, tzinfo=timezone.utc)
CLOCK_SKEW = timedelta(minutes=5)


class PerformanceRatingIn(BaseModel):
    nip: str = Field(max_length=18, examples=["198503152010011003"])
    year: int = Field(ge=2000, le=2100, examples=[2024])
    predikat: SkpPredikat = Field(description="SKP predikat (PermenPANRB 6/2022)")


class PerformanceRatingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    tenant_id: str
    nip: str
    year: int
    predikat: str
    recorded_at: datetime


class AssessmentResultIn(BaseModel):
    """A completed assessment's integrated result (the campaign workflow that produces it comes later)."""

    nip: str = Field(max_length=18, examples=["198503152010011003"])
    potential_score: float = Field(ge=0, le=100, examples=[84])
    jpm: float | None = Field(default=None, ge=0, le=100, description="Job Person Match, %")
    completed_at: datetime | None = Field(default=None, description="defaults to now; UTC when no offset is given")

    @field_validator("completed_at")
    @classmethod
    def _completed_in_the_past(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        if value < EARLIEST_COMPLETION:
            raise ValueError("must be in the year 2000 or later")
        if value > datetime.now(timezone.utc) + CLOCK_SKEW:
            raise ValueError("must not be in the future")
        return value


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
