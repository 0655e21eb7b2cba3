from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

RoomType = Literal["computer_lab", "language_lab", "classroom", "interview_room"]

# Examples of the bodies: Kota Batu assesses its Pengawas in March 2027 at a vocational school's rooms,
# with its own assessors and the province's pool. NIPs: birth date + TMT CPNS + gender digit + sequence.
_LAB_KOMPUTER = {"name": "Lab Komputer 1", "room_type": "computer_lab", "capacity": 36}
_LAB_BAHASA = {
    "name": "Lab Bahasa",
    "room_type": "language_lab",
    "capacity": 24,
    "available_dates": ["2027-03-01", "2027-03-02", "2027-03-03", "2027-03-04", "2027-03-05"],
}
_WINDOW = {"start": "2027-03-01", "end": "2027-03-12", "working_days": [1, 2, 3, 4, 5]}


class RoomIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_LAB_BAHASA]})

    name: str = Field(min_length=1, max_length=200, examples=["Lab Komputer 1"])
    room_type: RoomType
    capacity: int = Field(ge=1, le=1000, examples=[36])
    available_dates: list[date] = Field(
        default_factory=list, max_length=400, description="the dates the room is lent to us; empty: any day"
    )


class RoomOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    room_type: str
    capacity: int
    available_dates: list[date]


class VenueIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "SMK Negeri 1 Batu",
                    "address": "Kota Batu, Jawa Timur",
                    "rooms": [
                        _LAB_KOMPUTER,
                        _LAB_BAHASA,
                        {"name": "Ruang Kelas X-1", "room_type": "classroom", "capacity": 32},
                        {"name": "Ruang Wawancara", "room_type": "interview_room", "capacity": 4},
                    ],
                }
            ]
        }
    )

    name: str = Field(min_length=1, max_length=200, examples=["SMK Negeri 1 Batu"])
    address: str | None = Field(default=None, max_length=500)
    rooms: list[RoomIn] = Field(default_factory=list, max_length=200)


class VenueOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    tenant_id: str
    name: str
    address: str | None
    rooms: list[RoomOut]


# ---- room availability ---------------------------------------------------------------------------


class RoomPatch(BaseModel):
    """Change a room: its capacity or the dates it is lent to us (an empty list: any working day)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"capacity": 30, "available_dates": ["2027-03-08", "2027-03-09", "2027-03-10"]},
                {"available_dates": []},
            ]
        }
    )

    capacity: int | None = Field(default=None, ge=1, le=1000)
    available_dates: list[date] | None = Field(default=None, max_length=400)


# ---- assessors -------------------------------------------------------------------------------------

Nip = Annotated[str, StringConstraints(pattern=r"^\d{18}$")]


class AssessorIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "subject": "asesor-rina",
                    "name": "Dra. Rina Wulandari, M.Psi.",
                    "email": "rina.wulandari@example.com",
                    "nip": "197204121998032004",
                    "unit_path": "/BKPSDM/BKPSDM-PENGEMBANGAN/",
                    "certification": "Asesor SDM Aparatur",
                    "certified_until": "2028-06-30",
                    "max_participants_per_day": 8,
                    "unavailable_dates": ["2027-03-05"],
                    "conflicting_nips": ["199001012015012001"],
                }
            ]
        }
    )

    subject: str = Field(
        min_length=1,
        max_length=200,
        description="the `sub` of the assessor's token",
        examples=["asesor-rina"],
    )
    name: str = Field(min_length=1, max_length=200, examples=["Dra. Rina Wulandari, M.Psi."])
    email: str | None = Field(default=None, max_length=200)
    nip: Nip | None = Field(default=None, description="for assessors who are employees of the tenant")
    unit_path: str | None = Field(
        default=None,
        max_length=500,
        pattern=r"^/([A-Za-z0-9._-]+/)+$",
        description="their unit, for conflicts of interest; taken from the roster when the NIP is known",
        examples=["/BKPSDM/"],
    )
    certification: str | None = Field(
        default=None,
        max_length=200,
        description="none: not certified, never booked",
        examples=["Asesor SDM Aparatur"],
    )
    certified_until: date | None = None
    max_participants_per_day: int = Field(default=8, ge=1, le=100)
    unavailable_dates: list[date] = Field(default_factory=list, max_length=400)
    conflicting_nips: list[Nip] = Field(
        default_factory=list,
        max_length=1000,
        description="declared conflicts (family, a report in another unit)",
    )


class AssessorPatch(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "certified_until": "2029-06-30",
                    "max_participants_per_day": 6,
                    "unavailable_dates": ["2027-03-05", "2027-03-11"],
                },
                {"active": False},
            ]
        }
    )

    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=200)
    unit_path: str | None = Field(default=None, max_length=500, pattern=r"^/([A-Za-z0-9._-]+/)+$")
    certification: str | None = Field(default=None, max_length=200)
    certified_until: date | None = None
    max_participants_per_day: int | None = Field(default=None, ge=1, le=100)
    unavailable_dates: list[date] | None = Field(default=None, max_length=400)
    conflicting_nips: list[Nip] | None = Field(default=None, max_length=1000)
    active: bool | None = None


class AssessorOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    tenant_id: str
    subject: str
    name: str
    email: str | None
    nip: str | None
    unit_path: str | None
    certification: str | None
    certified_until: date | None
    max_participants_per_day: int
    unavailable_dates: list[date]
    conflicting_nips: list[str]
    active: bool
    pool: bool = Field(default=False, description="from the province's pool")


# ---- schedule requests -----------------------------------------------------------------------------


class Window(BaseModel):
    start: date = Field(examples=["2026-12-01"])
    end: date = Field(examples=["2026-12-31"])
    working_days: list[Annotated[int, Field(ge=1, le=7)]] = Field(
        default=[1, 2, 3, 4, 5], min_length=1, max_length=7, description="ISO weekdays: 1 Monday .. 7 Sunday"
    )
    holidays: list[date] = Field(
        default_factory=list, max_length=366, description="days off inside the window"
    )

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end < self.start:
            raise ValueError("the window ends before it starts")
        if (self.end - self.start).days > 366:
            raise ValueError("the window is longer than a year")
        return self


class RatioIn(BaseModel):
    assessors: int = Field(ge=1, le=100, examples=[7])
    participants: int = Field(ge=1, le=1000, examples=[25])


class ParticipantIn(BaseModel):
    nip: Nip
    preferred_dates: list[date] = Field(default_factory=list, max_length=60)


class ParticipantFilter(BaseModel):
    """Everyone active in the roster copy who matches (a unit includes its sub-units)."""

    unit: str | None = Field(default=None, max_length=50, examples=["DINKES"])
    tiers: list[str] | None = Field(default=None, max_length=20, examples=[["Pengawas"]])


class ScheduleRequestIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "campaign_id": "3b1f7c2e-9d4a-4e8b-a6c5-0f2d1e3c4b5a",
                    "name": "Asesmen Pengawas Kota Batu 2027",
                    "window": _WINDOW,
                    "participant_filter": {"tiers": ["Pengawas"]},
                    "daily_cap": 25,
                    "ratio": {"assessors": 7, "participants": 25},
                    "group_min": 4,
                    "group_max": 8,
                    "assessors_per_group": 2,
                    "max_unit_share": 0.5,
                    "use_province_pool": True,
                    "time_limit_s": 30,
                },
                {
                    "campaign_id": "3b1f7c2e-9d4a-4e8b-a6c5-0f2d1e3c4b5a",
                    "name": "Asesmen susulan BKPSDM",
                    "window": {**_WINDOW, "holidays": ["2027-03-10"]},
                    "participants": [
                        {"nip": "198503152010011003", "preferred_dates": ["2027-03-02", "2027-03-03"]},
                        {"nip": "199001012015012001"},
                    ],
                    "daily_cap": 48,
                    "ratio": {"assessors": 6, "participants": 48},
                    "venue_ids": ["9c2e4f6a-1b3d-4a5c-8e7f-2d4b6a8c0e1f"],
                    "use_province_pool": False,
                },
            ]
        }
    )

    campaign_id: str = Field(min_length=1, max_length=100, description="the assessment campaign")
    name: str = Field(min_length=1, max_length=200, examples=["Asesmen Pengawas 2026"])
    window: Window
    participants: list[ParticipantIn] | None = Field(default=None, max_length=20_000)
    participant_filter: ParticipantFilter | None = None
    daily_cap: int = Field(ge=1, le=10_000, examples=[48], description="most participants on one day")
    ratio: RatioIn
    group_min: int = Field(default=4, ge=1, le=100)
    group_max: int = Field(default=8, ge=1, le=100)
    assessors_per_group: int = Field(default=2, ge=1, le=20)
    max_unit_share: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="no unit sends more than this share of its staff on one day (soft)",
    )
    venue_ids: list[uuid.UUID] | None = Field(
        default=None, max_length=50, description="default: the tenant's own venues; a province's may be named"
    )
    use_province_pool: bool = Field(default=True, description="may book the province's pool of assessors")
    time_limit_s: float = Field(default=30, ge=1, le=300)

    @model_validator(mode="after")
    def _one_source(self) -> ScheduleRequestIn:
        if (self.participants is None) == (self.participant_filter is None):
            raise ValueError("give either participants or participant_filter")
        if self.group_min > self.group_max:
            raise ValueError("group_min is larger than group_max")
        return self


class ScheduleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    tenant_id: str
    campaign_id: str
    name: str
    status: str = Field(description="queued | solving | optimal | feasible | infeasible | unknown | failed")
    progress: float
    progress_note: str | None
    participants: int
    lower_bound_days: int | None
    days_used: int | None
    greedy_days: int | None = Field(description="days a first-fit fill (by hand, in a spreadsheet) takes")
    reasons: list[str]
    solve_seconds: float | None
    created_by: str
    created_at: datetime
    finished_at: datetime | None
    published_at: datetime | None


class PersonOut(BaseModel):
    id: str
    name: str


class SessionOut(BaseModel):
    id: uuid.UUID
    day: date
    venue: str
    room: str
    room_type: str
    participants: list[PersonOut]
    assessors: list[PersonOut] = Field(description="the lead assessor first")


class DayOut(BaseModel):
    day: date
    participants: int
    assessors: int
    sessions: list[SessionOut]


class AbsenceIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"nip": "198503152010011003", "not_before": "2027-03-08"}]}
    )

    nip: Nip
    not_before: date | None = Field(default=None, description="the earliest day for the new session")


class AbsenceOut(BaseModel):
    status: str
    reasons: list[str]
    moved_to: SessionOut | None
