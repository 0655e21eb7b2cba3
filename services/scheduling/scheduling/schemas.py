from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

RoomType = Literal["computer_lab", "language_lab", "classroom", "interview_room"]


class RoomIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["Lab Komputer 1"])
    room_type: RoomType
    capacity: int = Field(ge=1, le=1000, examples=[36])


class RoomOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    room_type: str
    capacity: int


class VenueIn(BaseModel):
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
