"""Request and response bodies of the roster API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from bakat_common.contracts.competencies import STANDARD_COMPETENCIES, Tier
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from roster.civil_service import EducationLevel, Eselon, FunctionalLevel

TENANT_ID_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$"
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$"


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_no_nul)]


class TenantIn(BaseModel):
    id: str = Field(pattern=TENANT_ID_PATTERN, examples=["kota-batu"], description="URL-safe slug")
    name: Name = Field(examples=["Pemerintah Kota Batu"])
    kind: Literal["provinsi", "kabupaten", "kota"]
    parent_id: str | None = Field(default=None, examples=["prov-jawa-timur"])


class TenantOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    name: str
    kind: str
    parent_id: str | None
    created_at: datetime


# ---- units ---------------------------------------------------------------------------------------

UnitKind = Literal[
    "sekretariat", "dinas", "badan", "inspektorat", "kecamatan", "kelurahan", "bagian", "bidang", "seksi",
    "subbagian", "uptd", "rsud", "lainnya",
]  # fmt: skip


class UnitIn(BaseModel):
    code: str = Field(pattern=CODE_PATTERN, examples=["BKPSDM"], description="unique in the tenant")
    name: Name = Field(examples=["Badan Kepegawaian dan Pengembangan Sumber Daya Manusia"])
    kind: UnitKind
    parent_code: str | None = Field(default=None, examples=["SETDA"], description="code of the parent unit")


class UnitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    code: str
    name: str
    kind: str
    parent_id: uuid.UUID | None
    path: str = Field(description="codes from the root, e.g. /SETDA/BAG-ORG/")


# ---- positions -----------------------------------------------------------------------------------

Level = Annotated[int, Field(ge=1, le=5)]


class PositionIn(BaseModel):
    code: str = Field(pattern=CODE_PATTERN, examples=["BKPSDM-KABID-MUTASI"])
    title: Name = Field(examples=["Kepala Bidang Mutasi dan Promosi"])
    tier: Tier
    functional_level: FunctionalLevel | None = Field(default=None, description="only for tier Fungsional")
    eselon: Eselon | None = None
    job_family: Text | None = Field(default=None, max_length=200, examples=["Manajemen SDM Aparatur"])
    unit_code: str = Field(examples=["BKPSDM"])
    requirements: dict[str, Level] = Field(
        description="required level (1-5) of each of the 8 managerial competencies and Perekat Bangsa",
        examples=[{c: 3 for c in STANDARD_COMPETENCIES}],
    )
    technical_requirements: dict[Annotated[str, Field(min_length=1, max_length=200)], Level] = Field(
        default_factory=dict, examples=[{"Manajemen Kinerja": 3}], max_length=50
    )

    @model_validator(mode="after")
    def _complete_standard(self) -> PositionIn:
        missing = [c for c in STANDARD_COMPETENCIES if c not in self.requirements]
        unknown = [c for c in self.requirements if c not in STANDARD_COMPETENCIES]
        if missing or unknown:
            raise ValueError(
                f"requirements must name exactly the 9 standard competencies; missing {missing}, unknown {unknown}"
            )
        if (self.tier == "Fungsional") != (self.functional_level is not None):
            raise ValueError("functional_level is required for tier Fungsional and only for it")
        return self


class PositionOut(BaseModel):
    id: uuid.UUID
    code: str
    title: str
    tier: str
    functional_level: str | None
    eselon: str | None
    job_family: str | None
    unit_code: str
    requirements: dict[str, int]
    technical_requirements: dict[str, int]
    vacant: bool
    holder_nip: str | None


# ---- employees -----------------------------------------------------------------------------------


class EmployeeFields(BaseModel):
    """Everything about an employee that a client may set (registration, update, import, SIASN)."""

    name: Name = Field(examples=["Siti Rahayu"], description="name without academic titles")
    front_title: Text | None = Field(default=None, max_length=50, examples=["Dr."])
    back_title: Text | None = Field(default=None, max_length=80, examples=["S.E., M.M."])
    employment_type: Literal["PNS", "PPPK"] = "PNS"
    birth_date: date | None = Field(default=None, description="if given, must match the NIP")
    gender: Literal["male", "female"] | None = Field(default=None, description="if given, must match the NIP")
    golongan: str | None = Field(
        default=None, max_length=6, examples=["III/c"], description="PNS I/a..IV/e, PPPK I..XVII"
    )
    education_level: EducationLevel | None = None
    education_major: Text | None = Field(default=None, max_length=200, examples=["Manajemen"])
    education_institution: Text | None = Field(
        default=None, max_length=200, examples=["Universitas Brawijaya"]
    )
    unit_code: str | None = Field(default=None, max_length=50, examples=["BKPSDM"], description="must exist")
    position_code: str | None = Field(
        default=None, max_length=50, description="a position of the tenant, if any"
    )
    position_title: Text | None = Field(
        default=None, max_length=200, examples=["Analis SDM Aparatur Ahli Muda"]
    )
    tier: Tier | None = None
    functional_level: FunctionalLevel | None = None
    eselon: Eselon | None = None
    tmt_position: date | None = Field(default=None, description="TMT jabatan: since when in this position")
    career_preference: Text | None = Field(default=None, max_length=1000)
    leadership_experience: Text | None = Field(default=None, max_length=1000)
    bup: int | None = Field(default=None, ge=50, le=70, description="retirement age; default from the tier")


class EmployeeIn(EmployeeFields):
    nip: str = Field(max_length=40, examples=["198503152010011003"], description="18 digits (NIP or NI PPPK)")


class EmployeePatch(BaseModel):
    """Corrections to an employee's record (not a transfer): only the fields sent change."""

    name: Name | None = None
    front_title: Text | None = Field(default=None, max_length=50)
    back_title: Text | None = Field(default=None, max_length=80)
    golongan: str | None = Field(default=None, max_length=6)
    education_level: EducationLevel | None = None
    education_major: Text | None = Field(default=None, max_length=200)
    education_institution: Text | None = Field(default=None, max_length=200)
    career_preference: Text | None = Field(default=None, max_length=1000)
    leadership_experience: Text | None = Field(default=None, max_length=1000)
    bup: int | None = Field(default=None, ge=50, le=70)


class TransferIn(BaseModel):
    """A move to another unit and/or position (mutasi/promosi), kept in the history."""

    unit_code: str = Field(max_length=50)
    position_code: str | None = Field(default=None, max_length=50)
    position_title: Text | None = Field(default=None, max_length=200)
    tier: Tier | None = None
    functional_level: FunctionalLevel | None = None
    eselon: Eselon | None = None
    tmt_position: date
    reason: Text | None = Field(default=None, max_length=1000, examples=["SK Bupati No. 821/123/2025"])


class RetireIn(BaseModel):
    retirement_date: date | None = Field(default=None, description="defaults to the BUP date")
    reason: Text | None = Field(default=None, max_length=1000, examples=["BUP", "atas permintaan sendiri"])


class TrackRecordIn(BaseModel):
    kind: Literal["position", "training", "award", "discipline"]
    title: Name = Field(examples=["Pelatihan Kepemimpinan Pengawas"])
    organisation: Text | None = Field(default=None, max_length=200)
    start_date: date | None = None
    end_date: date | None = None


class TrackRecordOut(TrackRecordIn):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID


class EmployeeOut(BaseModel):
    nip: str
    tenant_id: str
    name: str
    full_name: str = Field(description="with academic titles, e.g. Dr. Siti Rahayu, S.E., M.M.")
    front_title: str | None
    back_title: str | None
    gender: str
    birth_date: date
    tmt: date = Field(description="appointment start from the NIP: TMT CPNS month (PNS) or TMT year (PPPK)")
    employment_type: str
    golongan: str | None
    pangkat: str | None
    education_level: str | None
    education_major: str | None
    education_institution: str | None
    unit_code: str | None
    unit_name: str | None
    position_code: str | None
    position_title: str | None
    tier: str | None
    functional_level: str | None
    eselon: str | None
    tmt_position: date | None
    career_preference: str | None
    leadership_experience: str | None
    bup: int
    retirement_date: date
    status: str
    version: int
    created_at: datetime
    updated_at: datetime


class EmployeePage(BaseModel):
    items: list[EmployeeOut]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last page")


class ImportRowError(BaseModel):
    row: int = Field(
        description="row number in the file (header = 1) or position in the list (from 1); 0: the whole file"
    )
    column: str
    reason: str
    rule: str


class ImportJobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    filename: str
    mode: str
    status: str = Field(description="queued | validating | writing | done | rejected | failed")
    total_rows: int
    rows_done: int
    percent: float | None = Field(
        description="of the current phase; null while the rows are still being counted"
    )
    imported: int = Field(description="rows that created or changed an employee")
    unchanged: int = Field(description="rows identical to what the roster already has")
    error_count: int
    errors: list[ImportRowError] = Field(description="the first 1,000 row errors, by row")
    created_at: datetime
    finished_at: datetime | None


ImportMode = Literal["all_or_nothing", "valid_rows"]


class EmployeesPush(BaseModel):
    """BKN integration: employees pushed in bulk, upserted by NIP like a file import."""

    mode: ImportMode = "all_or_nothing"
    employees: list[EmployeeIn] = Field(min_length=1, max_length=10_000)


class SiasnPush(BaseModel):
    """SIASN `data-utama` documents, mapped by the SIASN adapter, then imported."""

    mode: ImportMode = "all_or_nothing"
    unit_codes: dict[str, str] = Field(default_factory=dict, description="SIASN unorId -> roster unit code")
    records: list[dict] = Field(min_length=1, max_length=10_000)


class HistoryEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    kind: str
    version: int
    actor: str
    changes: dict
    reason: str | None
    occurred_at: datetime
