"""Request and response bodies of the SKP performance routes (performance_api.py)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from bakat_common.contracts.assessment import SkpPredikat
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from assessment import skp_files
from assessment.domain import predikat_from

Expectation = Literal["di_bawah", "sesuai", "di_atas"]

# Examples of the list and file bodies (they have no model of their own to carry one): SKP 2025 of the
# roster examples' two employees, one by predikat, one by the two ratings it follows from.
SKP_BATCH_EXAMPLE = [
    {"nip": "198503152010011003", "year": 2025, "predikat": "Baik"},
    {"nip": "199001012015012001", "year": 2025, "hasil_kerja": "di_atas", "perilaku_kerja": "di_atas"},
]
# The layout of docs/SKP_IMPORT.md, ";"-delimited as Indonesian Excel saves CSV.
SKP_CSV_EXAMPLE = (
    "NIP;TAHUN;PREDIKAT;HASIL_KERJA;PERILAKU_KERJA\r\n"
    "198503152010011003;2025;Baik;;\r\n"
    "199001012015012001;2025;Sangat Baik;Di Atas Ekspektasi;Di Atas Ekspektasi\r\n"
)


def _predikat(value: Any) -> Any:
    if value is None or not isinstance(value, str):
        return value  # None, or a non-string the Literal refuses
    canonical = skp_files.canonical_predikat(value)
    if canonical is None:
        raise PydanticCustomError("predikat", skp_files.predikat_problem(value))
    return canonical


def _expectation(value: Any) -> Any:
    if value is None or not isinstance(value, str):
        return value
    canonical = skp_files.canonical_expectation(value)
    if canonical is None:
        raise PydanticCustomError("expectation", skp_files.expectation_problem(value))
    return canonical


PredikatIn = Annotated[
    SkpPredikat | None,
    BeforeValidator(_predikat),
    Field(
        description="SKP predikat (PermenPANRB 6/2022); any case or spacing of these five ('sangat baik'). "
        "May be left out when hasil_kerja and perilaku_kerja are given."
    ),
]
ExpectationIn = Annotated[
    Expectation | None,
    BeforeValidator(_expectation),
    Field(
        description="rating against expectation (di_bawah / sesuai / di_atas; 'Di Atas Ekspektasi' accepted)"
    ),
]


class PerformanceRatingIn(BaseModel):
    """One employee's SKP for a year: the predikat, or the two ratings it follows from (or both, agreeing)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"nip": "198503152010011003", "year": 2024, "predikat": "Baik"},
                {
                    "nip": "198503152010011003",
                    "year": 2024,
                    "hasil_kerja": "di_atas",
                    "perilaku_kerja": "sesuai",
                },
            ]
        },
    )

    nip: str = Field(pattern=r"^[0-9]{18}$", examples=["198503152010011003"], description="NIP, 18 digits")
    year: int = Field(ge=2000, le=2100, examples=[2024])
    predikat: PredikatIn = None
    hasil_kerja: ExpectationIn = None
    perilaku_kerja: ExpectationIn = None

    @model_validator(mode="after")
    def _derive_predikat(self) -> PerformanceRatingIn:
        hasil, perilaku = self.hasil_kerja, self.perilaku_kerja
        if (hasil is None) != (perilaku is None):
            raise PydanticCustomError(
                "ratings_incomplete",
                "hasil_kerja and perilaku_kerja go together: give both (the predikat follows from them) or neither",
            )
        if hasil is not None and perilaku is not None:
            derived = predikat_from(hasil, perilaku)
            if self.predikat is not None and self.predikat != derived:
                raise PydanticCustomError(
                    "predikat_mismatch", skp_files.mismatch_problem(self.predikat, hasil, perilaku)
                )
            self.predikat = derived  # type: ignore[assignment]
        elif self.predikat is None:
            raise PydanticCustomError(
                "predikat_required", "give the predikat, or both hasil_kerja and perilaku_kerja"
            )
        return self


class PerformanceBatchItem(BaseModel):
    """A row of a batch: checked like a file row, so every problem of every row is answered at once."""

    model_config = ConfigDict(extra="forbid")

    nip: str = Field(max_length=100, examples=["198503152010011003"])
    year: int = Field(examples=[2024])
    predikat: str | None = Field(default=None, max_length=100, examples=["Sangat Baik"])
    hasil_kerja: str | None = Field(default=None, max_length=100, examples=["di_atas"])
    perilaku_kerja: str | None = Field(default=None, max_length=100, examples=["di_atas"])


class PerformanceRatingOut(BaseModel):
    """The rating of a year as it stands (the latest submission that changed it)."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    tenant_id: str
    nip: str
    year: int
    predikat: str
    hasil_kerja: str | None = None
    perilaku_kerja: str | None = None
    source: str = Field(description="api | import | integration")
    recorded_by: str = Field(description="subject of the token that recorded it")
    recorded_at: datetime


class PerformanceHistoryOut(BaseModel):
    """One accepted submission of a year's rating (an identical re-send is listed too, `changed` false)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    nip: str
    year: int
    predikat: str
    hasil_kerja: str | None = None
    perilaku_kerja: str | None = None
    source: str = Field(description="api | import | integration")
    recorded_by: str = Field(description="subject of the token that sent it")
    recorded_at: datetime
    changed: bool = Field(
        description="true when it set or changed the year's rating (and was published); false when it "
        "repeated the rating already stored"
    )

    @classmethod
    def of(cls, entry: Any, changed: bool) -> PerformanceHistoryOut:
        fields = {name: getattr(entry, name) for name in cls.model_fields if name != "changed"}
        return cls(**fields, changed=changed)


class PerformanceImportOut(BaseModel):
    """Every row was valid and is now recorded: `recorded` rows created or changed a rating (one event
    each), `unchanged` rows repeated the rating already stored."""

    rows: int
    recorded: int
    unchanged: int
    warnings: list[str] = Field(default_factory=list)
