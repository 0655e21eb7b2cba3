from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Predikat = Literal["Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang"]


class PerformanceRatingIn(BaseModel):
    nip: str = Field(max_length=18, examples=["198503152010011003"])
    year: int = Field(ge=2000, le=2100, examples=[2024])
    predikat: Predikat = Field(description="SKP predikat (PermenPANRB 6/2022)")


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
    completed_at: datetime | None = Field(default=None, description="defaults to now")


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
