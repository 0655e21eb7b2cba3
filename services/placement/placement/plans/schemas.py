"""Request and response bodies of development plans, programmes and the rapor."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from placement.plans.domain import check_dates
from placement.schemas import PlacementOut, YearBox

Kind = Literal["training", "coaching", "counselling", "rotation", "promotion", "placement", "award", "other"]
Status = Literal["planned", "in_progress", "done", "cancelled"]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Owner = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
# Plans are for this decade or so: a year like 0026 or 20260 is a typing slip, not a plan.
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def _in_range(value: date | None) -> date | None:
    if value is not None and not EARLIEST <= value <= LATEST:
        raise ValueError(f"must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}")
    return value


class _Dated(BaseModel):
    start_date: date | None = None
    due_date: date | None = None

    @field_validator("start_date", "due_date")
    @classmethod
    def _sane_year(cls, value: date | None) -> date | None:
        return _in_range(value)

    @model_validator(mode="after")
    def _ordered(self):
        problem = check_dates(self.start_date, self.due_date)
        if problem:
            raise ValueError(problem)
        return self


class PlanItemIn(_Dated):
    """An item added by hand (not one of the suggestions)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Pelatihan public speaking",
                    "kind": "training",
                    "owner": "Kepala Bidang Pengembangan SDM, BKPSDM",
                    "start_date": "2027-02-01",
                    "due_date": "2027-03-31",
                    "schedule_note": "Selasa dan Kamis, 08.00-10.00",
                }
            ]
        },
    )
    title: Title = Field(examples=["Pelatihan public speaking"])
    kind: Kind
    owner: Owner | None = Field(None, examples=["Kepala Bidang Pengembangan SDM, BKPSDM"])
    schedule_note: Note | None = Field(None, examples=["Selasa dan Kamis, 08.00-10.00"])


class AdoptIn(_Dated):
    """Adopt suggestions into the plan: the chosen keys, or all not adopted yet when `keys` is left out.
    Owner, dates and schedule note apply to every adopted item (change each later)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "keys": [
                        "training:pelatihan-public-speaking-dan-komunikasi-efektif",
                        "coaching:performance-guidance",
                    ],
                    "owner": "BPSDM Provinsi Jawa Timur",
                    "start_date": "2027-02-01",
                    "due_date": "2027-09-30",
                    "schedule_note": "Selasa dan Kamis, 08.00-10.00",
                },
                {"owner": "Kepala Bidang Pengembangan SDM, BKPSDM", "due_date": "2027-12-31"},
            ]
        },
    )
    keys: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] | None = Field(
        None, max_length=100, examples=[["coaching:guidance", "training:pelatihan-public-speaking"]]
    )
    owner: Owner | None = None
    schedule_note: Note | None = None


class PlanItemPatch(BaseModel):
    """Change an item: only the fields sent change; null clears owner, dates or schedule note.
    Reopening a done or cancelled item needs a `reason`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"status": "in_progress", "start_date": "2027-02-02"},
                {"status": "planned", "reason": "dibuka kembali: peserta sakit, pelatihan dijadwalkan ulang"},
            ]
        },
    )
    title: Title | None = None
    owner: Owner | None = None
    start_date: date | None = None
    due_date: date | None = None
    status: Status | None = None
    schedule_note: Note | None = None
    reason: Note | None = Field(None, description="why the status changes; required to reopen")

    @field_validator("start_date", "due_date")
    @classmethod
    def _sane_year(cls, value: date | None) -> date | None:
        return _in_range(value)

    @model_validator(mode="after")
    def _something(self) -> PlanItemPatch:
        if not self.model_fields_set - {"reason"}:
            raise ValueError(
                "nothing to change: send at least one of title, owner, dates, status, schedule_note"
            )
        if "title" in self.model_fields_set and self.title is None:
            raise ValueError("title cannot be cleared")
        if "status" in self.model_fields_set and self.status is None:
            raise ValueError("status cannot be cleared")
        return self


class PlanItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    nip: str
    title: str
    kind: str
    source: str = Field(examples=["box 3", "gap: Komunikasi 2 < 3", "programme COACHING-1-3", "custom"])
    suggestion_key: str | None
    cycle: str | None = Field(description="the inputs an adopted suggestion came from")
    owner: str | None
    start_date: date | None
    due_date: date | None
    status: str = Field(examples=["planned"], description="planned | in_progress | done | cancelled")
    status_reason: str | None
    schedule_note: str | None
    programme_id: uuid.UUID | None
    completed_at: datetime | None
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime


class SuggestionOut(BaseModel):
    key: str = Field(examples=["counselling:counselling"], description="send it to adopt the suggestion")
    title: str
    kind: str
    source: str = Field(examples=["box 3", "gap: Komunikasi 2 < 3"])


class DevelopmentPlanOut(BaseModel):
    tenant_id: str
    nip: str
    box: int | None = Field(description="the box in force; null while not placed")
    cycle: str = Field(description="the inputs the suggestions come from")
    items: list[PlanItemOut] = Field(description="the stored plan, oldest first")
    suggestions: list[SuggestionOut] = Field(description="suggested and not adopted yet in this cycle")
    progress: dict[str, int] = Field(description="items per status")


class AdoptedOut(BaseModel):
    adopted: list[PlanItemOut]
    plan: DevelopmentPlanOut


class ProgrammeIn(_Dated):
    """A programme for many employees: one plan item for each active employee matching the filters."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "code": "COACHING-KOTAK-1-3-2027",
                    "title": "Coaching kinerja kotak 1-3",
                    "kind": "coaching",
                    "boxes": [1, 2, 3],
                    "owner": "Bidang Pengembangan SDM, BKPSDM",
                    "start_date": "2027-02-01",
                    "due_date": "2027-07-30",
                    "schedule_note": "Selasa dan Kamis",
                },
                {
                    "code": "LITERASI-DIGITAL-DINKES-2027",
                    "title": "Pelatihan literasi digital",
                    "kind": "training",
                    "unit_code": "DINKES",
                    "tier": "Pelaksana",
                },
            ]
        },
    )
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = Field(
        examples=["COACHING-KOTAK-1-3-2026"],
        description="unique in the tenant; posting the same programme again returns it (idempotent)",
    )
    title: Title = Field(examples=["Coaching kinerja kotak 1-3"])
    kind: Kind
    boxes: list[Annotated[int, Field(ge=1, le=9)]] = Field(
        default_factory=list,
        max_length=9,
        examples=[[1, 2, 3]],
        description="employees placed in these boxes",
    )
    unit_code: Annotated[str, StringConstraints(min_length=1, max_length=50)] | None = Field(
        None, description="employees of this unit and its sub-units"
    )
    tier: Annotated[str, StringConstraints(min_length=1, max_length=20)] | None = None
    owner: Owner | None = None
    schedule_note: Note | None = Field(None, examples=["Selasa dan Kamis"])

    @model_validator(mode="after")
    def _targeted(self) -> ProgrammeIn:
        if not self.boxes and self.unit_code is None and self.tier is None:
            raise ValueError("a programme needs boxes and/or a unit_code or tier to choose its employees")
        if len(set(self.boxes)) != len(self.boxes):
            raise ValueError("boxes must not repeat")
        self.boxes = sorted(self.boxes)
        return self


class ProgrammeOut(BaseModel):
    id: uuid.UUID
    code: str
    title: str
    kind: str
    boxes: list[int]
    unit_code: str | None
    tier: str | None
    owner: str | None
    start_date: date | None
    due_date: date | None
    schedule_note: str | None
    created_by: str
    created_at: datetime
    enrolled: int = Field(description="plan items (employees) in the programme")
    progress: dict[str, int] = Field(description="items per status: planned, in_progress, done, cancelled")
    completion: float = Field(ge=0, le=1, description="done / (items not cancelled)")


class EnrolmentOut(BaseModel):
    added: int = Field(description="employees newly enrolled by this request")
    programme: ProgrammeOut


class PlanItemPage(BaseModel):
    items: list[PlanItemOut]
    total: int
    next_cursor: str | None


class RaporEmployee(BaseModel):
    nip: str
    name: str | None
    unit_code: str | None
    unit_path: str | None
    position_code: str | None
    position_title: str | None
    tier: str | None
    status: str | None


class RaporPlacement(PlacementOut):
    box_name: str = Field(examples=["9 — high potential, above expectation"])
    computed_box_name: str
    calibrated: bool = Field(description="an approved calibration set the box in force")


class DevelopmentNeedOut(BaseModel):
    instrument: str
    level: int
    target: int
    recommendation: str
    kind: str


class RaporAssessment(BaseModel):
    assessment_id: str
    version: int
    completed_at: datetime
    valid_until: date
    jpm: float | None
    scores: dict[str, int]
    gaps: dict[str, int] = Field(description="required minus actual level, shortfalls only")
    development: list[DevelopmentNeedOut]


class Rapor(BaseModel):
    """The employee's report card: who, the box and why, the trend, the development needs and the plan."""

    tenant_id: str
    nip: str
    employee: RaporEmployee | None = Field(description="null when roster has not told placement yet")
    placement: RaporPlacement | None
    placement_status: str = Field(examples=["placed", "waiting for an SKP predikat"])
    trend: list[YearBox]
    assessment: RaporAssessment | None
    plan: DevelopmentPlanOut
