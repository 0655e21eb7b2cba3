from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3)]


class SessionIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "Kalibrasi talenta Pengawas 2026",
                    "note": "Rapat tim penilai kinerja, 14 Desember 2026",
                }
            ]
        }
    )

    title: Annotated[Text, StringConstraints(max_length=200)] = Field(
        examples=["Kalibrasi talenta Eselon IV 2026"]
    )
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)] | None = Field(
        None, examples=["Rapat tim penilai kinerja, 12 Mei 2026"]
    )


class MoveIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "to_box": 7,
                    "reason": "memimpin transformasi digital layanan; "
                    "nilai potensi belum mencerminkan rekam jejak",
                }
            ]
        }
    )

    to_box: int = Field(ge=1, le=9, description="the box the employee should be in (nine-box numbering)")
    reason: Annotated[Text, StringConstraints(max_length=2000)] = Field(
        examples=["memimpin transformasi digital layanan; nilai potensi belum mencerminkan rekam jejak"]
    )


class MoveOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    session_id: uuid.UUID
    nip: str
    from_box: int = Field(description="the box in force when the move was proposed")
    to_box: int
    computed_box: int = Field(description="the rules' box when the move was proposed")
    reason: str
    assessment_id: str
    assessment_version: int
    skp_year: int
    predikat: str
    rule_version: int
    proposed_by: str
    proposed_at: datetime


class AuditEntry(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    action: str = Field(examples=["created", "move_proposed", "move_replaced", "move_removed", "approved"])
    nip: str | None
    actor: str
    at: datetime
    detail: dict


class SessionBase(BaseModel):
    id: uuid.UUID
    title: str
    note: str | None
    status: str = Field(description="draft | approved | cancelled")
    created_by: str
    created_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    cancelled_by: str | None
    cancelled_at: datetime | None


class SessionSummary(SessionBase):
    moves: int = Field(description="how many moves the session holds")


class SessionOut(SessionBase):
    moves: list[MoveOut]
    audit: list[AuditEntry] = Field(description="every action on the session, oldest first")


class EmployeeMove(MoveOut):
    """A move of one employee, with its session's state: the employee's calibration record."""

    session_title: str
    session_status: str
    approved_by: str | None
    approved_at: datetime | None
    in_force: bool = Field(description="this approved move sets the employee's current box")
