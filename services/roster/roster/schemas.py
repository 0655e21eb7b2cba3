from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

TENANT_ID_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$"


class TenantIn(BaseModel):
    id: str = Field(pattern=TENANT_ID_PATTERN, examples=["kota-batu"], description="URL-safe slug")
    name: str = Field(min_length=1, max_length=200, examples=["Pemerintah Kota Batu"])
    kind: Literal["provinsi", "kabupaten", "kota"]
    parent_id: str | None = Field(default=None, examples=["prov-jawa-timur"])


class TenantOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    name: str
    kind: str
    parent_id: str | None
    created_at: datetime


class EmployeeIn(BaseModel):
    nip: str = Field(examples=["198503152010011003"], description="18 digits: birth date, TMT CPNS, gender, sequence")
    name: str = Field(min_length=1, max_length=200, examples=["Dr. Siti Rahayu, S.E., M.M."])
    employment_type: Literal["PNS", "PPPK"] = "PNS"
    birth_date: date | None = Field(default=None, description="if given, must match the NIP")
    gender: Literal["male", "female"] | None = Field(default=None, description="if given, must match the NIP")
    unit: str | None = Field(default=None, max_length=200, examples=["Badan Kepegawaian dan Pengembangan SDM"])
    position_title: str | None = Field(default=None, max_length=200, examples=["Kepala Sub Bagian Umum"])
    tier: str | None = Field(default=None, max_length=40, examples=["Pengawas"])


class EmployeeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    nip: str
    tenant_id: str
    name: str
    gender: str
    birth_date: date
    tmt: date = Field(description="appointment start from the NIP: TMT CPNS month (PNS) or TMT year (PPPK)")
    employment_type: str
    unit: str | None
    position_title: str | None
    tier: str | None
    created_at: datetime


class EmployeePage(BaseModel):
    items: list[EmployeeOut]
    total: int
    limit: int
    offset: int
