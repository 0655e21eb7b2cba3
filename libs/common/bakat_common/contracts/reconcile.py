"""Reconciliation (docs/RESILIENCE.md): what the owners of data that other services copy from their
events answer when asked what they hold, and how they are asked to publish it again. Placement's
`python -m placement.reconcile` compares these with its own copy; these models are the contract.

Owners answer versions, not whole records: a copy that has an owner's version of a thing has all of
it (every event carries the whole state of its subject)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

EXAMPLE_NIPS = ["198503152010011003", "199001012015012004"]
MAX_RESYNC = 10_000


class EmployeeVersion(BaseModel):
    nip: str
    version: int = Field(description="grows with every change; every employee event carries it")
    status: str


class ResultVersion(BaseModel):
    """A completed assessment result at its current version."""

    nip: str
    assessment_id: str
    version: int
    completed_at: datetime


class RatingVersion(BaseModel):
    """An SKP rating of a year, as it stands."""

    nip: str
    year: int
    predikat: str


class AssessmentVersions(BaseModel):
    results: list[ResultVersion]
    ratings: list[RatingVersion]


class ResyncRequest(BaseModel):
    """Publish the current state of these employees again, as new events (a copy that missed or
    mangled an earlier event takes them like any other)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"nips": EXAMPLE_NIPS}]})

    nips: list[str] = Field(min_length=1, max_length=MAX_RESYNC)


class ResyncOutcome(BaseModel):
    published: int = Field(description="events published")
    unknown: list[str] = Field(description="NIPs this service does not hold (nothing to publish)")
