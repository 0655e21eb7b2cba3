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

# ---- examples ------------------------------------------------------------------------------------
# One Kota Batu story runs through the examples of every body: the BKPSDM's Bidang Mutasi dan Promosi,
# its head's post, and two employees (NIP = birth date + TMT CPNS + gender digit + sequence):
# Budi Santoso 198503152010011003 (born 1985-03-15, CPNS 2010-01, male, 003) and
# Siti Rahayu 199001012015012001 (born 1990-01-01, CPNS 2015-01, female, 001).
EXAMPLE_NIP = "198503152010011003"
EXAMPLE_NIP_2 = "199001012015012001"
_SIASN_UNOR_MUTASI = "8ae4828a6f2b1c0d016f2b4e2a1d0431"

# A SIASN `GET /pns/data-utama/{nip}` response (the fields the adapter reads, and a few it ignores).
SIASN_DATA_UTAMA_EXAMPLE: dict = {
    "code": 1,
    "data": {
        "id": "A8ACA7C1F5B23A4FE040640A040269CC",
        "nipBaru": EXAMPLE_NIP,
        "nipLama": "",
        "nama": "BUDI SANTOSO",
        "gelarDepan": "Dr.",
        "gelarBelakang": "S.Sos., M.Si.",
        "tempatLahir": "MALANG",
        "tglLahir": "15-03-1985",
        "jenisKelamin": "M",
        "jenisPegawaiNama": "PNS",
        "statusPegawai": "PNS",
        "kedudukanPnsNama": "Aktif",
        "tkPendidikanTerakhirId": "50",
        "tkPendidikanTerakhir": "S-3",
        "pendidikanTerakhirNama": "S-3 ILMU ADMINISTRASI PUBLIK",
        "tmtCpns": "01-01-2010",
        "tmtPns": "01-01-2011",
        "instansiKerjaNama": "Pemerintah Kota Batu",
        "unorId": _SIASN_UNOR_MUTASI,
        "unorNama": "BIDANG MUTASI DAN PROMOSI",
        "unorIndukNama": "BADAN KEPEGAWAIAN DAN PENGEMBANGAN SUMBER DAYA MANUSIA",
        "jenisJabatanId": "1",
        "jenisJabatan": "Struktural",
        "jabatanNama": "KEPALA BIDANG MUTASI DAN PROMOSI",
        "jabatanStrukturalNama": "KEPALA BIDANG MUTASI DAN PROMOSI",
        "jabatanFungsionalNama": "",
        "jabatanFungsionalUmumNama": "",
        "tmtJabatan": "06-01-2025",
        "golRuangAkhirId": "34",
        "golRuangAkhir": "III/d",
        "tmtGolAkhir": "01-04-2022",
        "eselon": "III.b",
        "eselonId": "32",
        "bupPensiun": 58,
    },
}

# A SIASN `GET /pns/rw-jabatan/{nip}` response for the same employee: newest first, dd-mm-yyyy dates.
SIASN_RW_JABATAN_EXAMPLE: dict = {
    "code": 1,
    "data": [
        {
            "id": "3f6c2d4e-8a51-4b0e-9d7a-2c41f0b9e872",
            "nipBaru": EXAMPLE_NIP,
            "jenisJabatan": "1",
            "unorId": _SIASN_UNOR_MUTASI,
            "unorNama": "BIDANG MUTASI DAN PROMOSI",
            "unorIndukNama": "BADAN KEPEGAWAIAN DAN PENGEMBANGAN SUMBER DAYA MANUSIA",
            "eselon": "III.b",
            "eselonId": "32",
            "jabatanFungsionalNama": "",
            "jabatanFungsionalUmumNama": "",
            "namaJabatan": "KEPALA BIDANG MUTASI DAN PROMOSI",
            "tmtJabatan": "06-01-2025",
            "nomorSk": "821.2/7/KEP/422.012/2025",
            "tanggalSk": "30-12-2024",
            "tmtPelantikan": "06-01-2025",
        },
        {
            "id": "8ae483a56d1c2f0a016d2b9e4c7f11b3",
            "nipBaru": EXAMPLE_NIP,
            "jenisJabatan": "1",
            "unorId": "8ae4828a6f2b1c0d016f2b4e6b3a0448",
            "unorNama": "SUBBIDANG MUTASI",
            "unorIndukNama": "BADAN KEPEGAWAIAN DAN PENGEMBANGAN SUMBER DAYA MANUSIA",
            "eselon": "IV.a",
            "eselonId": "41",
            "jabatanFungsionalNama": "",
            "jabatanFungsionalUmumNama": "",
            "namaJabatan": "KEPALA SUBBIDANG MUTASI",
            "tmtJabatan": "02-01-2020",
            "nomorSk": "821.2/12/KEP/422.012/2020",
            "tanggalSk": "30-12-2019",
            "tmtPelantikan": "02-01-2020",
        },
        {
            "id": "8ae483a55a0e6c41015a0f2d77c905cf",
            "nipBaru": EXAMPLE_NIP,
            "jenisJabatan": "4",
            "unorId": "8ae4828a6f2b1c0d016f2b4c0a1e03f9",
            "unorNama": "SEKRETARIAT",
            "unorIndukNama": "BADAN KEPEGAWAIAN DAN PENGEMBANGAN SUMBER DAYA MANUSIA",
            "eselon": None,
            "eselonId": None,
            "jabatanFungsionalNama": "",
            "jabatanFungsionalUmumNama": "PENGADMINISTRASI UMUM",
            "namaJabatan": "PENGADMINISTRASI UMUM",
            "tmtJabatan": "01-01-2010",
            "nomorSk": "813.3/021/422.012/2010",
            "tanggalSk": "28-12-2009",
            "tmtPelantikan": "",
        },
    ],
}

# An employee file as the upload route takes it (docs/ROSTER_IMPORT.md): ";"-delimited, as Indonesian
# Excel saves CSV; NIP as text; dates dd-mm-yyyy. A real upload is this file's bytes (or an XLSX).
EMPLOYEE_CSV_EXAMPLE = (
    "NIP BARU;NAMA;GELAR DEPAN;GELAR BELAKANG;TANGGAL LAHIR;JENIS KELAMIN;GOL AKHIR;TINGKAT PENDIDIKAN;"
    "NAMA PENDIDIKAN;KODE UNOR;KODE JABATAN;JABATAN NAMA;JENIS JABATAN;ESELON;JENJANG JABATAN;TMT JABATAN\r\n"
    f"{EXAMPLE_NIP};Budi Santoso;Dr.;S.Sos., M.Si.;15-03-1985;L;III/d;S3;Administrasi Publik;BKPSDM-MUTASI;"
    "BKPSDM-KABID-MUTASI;Kepala Bidang Mutasi dan Promosi;Struktural;III.b;;06-01-2025\r\n"
    f"{EXAMPLE_NIP_2};Siti Rahayu;;S.E., M.M.;01-01-1990;P;III/c;S2;Manajemen;BKPSDM-MUTASI;;"
    "Analis SDM Aparatur Ahli Muda;Fungsional Tertentu;;Ahli Muda;01-02-2022\r\n"
)


class TenantIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "kota-batu",
                    "name": "Pemerintah Kota Batu",
                    "kind": "kota",
                    "parent_id": "prov-jawa-timur",
                },
                {"id": "prov-jawa-timur", "name": "Pemerintah Provinsi Jawa Timur", "kind": "provinsi"},
            ]
        }
    )

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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "BKPSDM",
                    "name": "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
                    "kind": "badan",
                },
                {
                    "code": "BKPSDM-MUTASI",
                    "name": "Bidang Mutasi dan Promosi",
                    "kind": "bidang",
                    "parent_code": "BKPSDM",
                },
            ]
        }
    )

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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "BKPSDM-KABID-MUTASI",
                    "title": "Kepala Bidang Mutasi dan Promosi",
                    "tier": "Administrator",
                    "eselon": "III.b",
                    "job_family": "Manajemen SDM Aparatur",
                    "unit_code": "BKPSDM-MUTASI",
                    "requirements": {
                        "Integritas": 4,
                        "Kerjasama": 3,
                        "Komunikasi": 3,
                        "Orientasi pada Hasil": 4,
                        "Pelayanan Publik": 3,
                        "Pengembangan Diri dan Orang Lain": 3,
                        "Mengelola Perubahan": 3,
                        "Pengambilan Keputusan": 3,
                        "Perekat Bangsa": 3,
                    },
                    "technical_requirements": {"Manajemen ASN": 4},
                }
            ]
        }
    )

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


_EMPLOYEE_EXAMPLES = [
    {
        "nip": EXAMPLE_NIP,
        "name": "Budi Santoso",
        "front_title": "Dr.",
        "back_title": "S.Sos., M.Si.",
        "employment_type": "PNS",
        "birth_date": "1985-03-15",
        "gender": "male",
        "golongan": "III/d",
        "education_level": "S3",
        "education_major": "Administrasi Publik",
        "education_institution": "Universitas Brawijaya",
        "unit_code": "BKPSDM-MUTASI",
        "position_code": "BKPSDM-KABID-MUTASI",
        "tmt_position": "2025-01-06",
        "career_preference": "Jabatan Pimpinan Tinggi Pratama bidang kepegawaian",
        "leadership_experience": "Ketua tim reformasi birokrasi Kota Batu 2021-2023",
    },
    {
        "nip": EXAMPLE_NIP_2,
        "name": "Siti Rahayu",
        "back_title": "S.E., M.M.",
        "employment_type": "PNS",
        "gender": "female",
        "golongan": "III/c",
        "education_level": "S2",
        "education_major": "Manajemen",
        "unit_code": "BKPSDM-MUTASI",
        "position_title": "Analis SDM Aparatur Ahli Muda",
        "tier": "Fungsional",
        "functional_level": "Ahli Muda",
        "tmt_position": "2022-02-01",
    },
]


class EmployeeIn(EmployeeFields):
    model_config = ConfigDict(json_schema_extra={"examples": _EMPLOYEE_EXAMPLES})

    nip: str = Field(max_length=40, examples=["198503152010011003"], description="18 digits (NIP or NI PPPK)")


class EmployeePatch(BaseModel):
    """Corrections to an employee's record (not a transfer): only the fields sent change."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "golongan": "IV/a",
                    "education_institution": "Universitas Brawijaya",
                    "career_preference": "Jabatan Pimpinan Tinggi Pratama bidang kepegawaian",
                }
            ]
        }
    )

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

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "unit_code": "BKPSDM-MUTASI",
                    "position_code": "BKPSDM-KABID-MUTASI",
                    "tmt_position": "2025-01-06",
                    "reason": "SK Wali Kota Batu Nomor 821.2/7/KEP/422.012/2025",
                }
            ]
        }
    )

    unit_code: str = Field(max_length=50)
    position_code: str | None = Field(default=None, max_length=50)
    position_title: Text | None = Field(default=None, max_length=200)
    tier: Tier | None = None
    functional_level: FunctionalLevel | None = None
    eselon: Eselon | None = None
    tmt_position: date
    reason: Text | None = Field(default=None, max_length=1000, examples=["SK Bupati No. 821/123/2025"])


class RetireIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"reason": "BUP"},
                {"retirement_date": "2027-02-01", "reason": "atas permintaan sendiri"},
            ]
        }
    )

    retirement_date: date | None = Field(default=None, description="defaults to the BUP date")
    reason: Text | None = Field(default=None, max_length=1000, examples=["BUP", "atas permintaan sendiri"])


class TrackRecordIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "training",
                    "title": "Pelatihan Kepemimpinan Administrator",
                    "organisation": "BPSDM Provinsi Jawa Timur",
                    "start_date": "2023-05-08",
                    "end_date": "2023-09-29",
                }
            ]
        }
    )

    kind: Literal["position", "training", "award", "discipline"]
    title: Name = Field(examples=["Pelatihan Kepemimpinan Pengawas"])
    organisation: Text | None = Field(default=None, max_length=200)
    start_date: date | None = None
    end_date: date | None = None


class TrackRecordOut(TrackRecordIn):
    # Its own example: the one inherited from TrackRecordIn has no id.
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "0b9d6c1e-5f3a-4d2b-9a8e-7c6f5e4d3c2b",
                    "kind": "position",
                    "title": "KEPALA SUBBIDANG MUTASI",
                    "organisation": "SUBBIDANG MUTASI",
                    "start_date": "2020-01-02",
                    "end_date": "2025-01-06",
                }
            ]
        },
    )
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

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"mode": "valid_rows", "employees": _EMPLOYEE_EXAMPLES}]}
    )

    mode: ImportMode = "all_or_nothing"
    employees: list[EmployeeIn] = Field(min_length=1, max_length=10_000)


class SiasnPush(BaseModel):
    """SIASN `data-utama` documents, mapped by the SIASN adapter, then imported."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "mode": "all_or_nothing",
                    "unit_codes": {_SIASN_UNOR_MUTASI: "BKPSDM-MUTASI"},
                    "records": [SIASN_DATA_UTAMA_EXAMPLE],
                }
            ]
        }
    )

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
