"""The column layout of a SIASN-like employee export and the conversion of its cells.

Headers follow BKN's SIASN exports ("NIP BARU", "GOL AKHIR", "JENIS JABATAN", ...). SIASN's own
downloads write them with underscores and sometimes a NAMA/ID suffix (NIP_BARU, GOL_AKHIR_NAMA), so
matching ignores case, underscores and repeated spaces, and accepts the usual aliases. Columns after
"TMT JABATAN" in COLUMNS are Bakat additions (not in SIASN) so that an export re-imports unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl.utils.datetime import from_excel

from roster.civil_service import PPPK_GOLONGAN

# Internal keys that are not EmployeeIn fields: they are combined into tier/functional_level.
JENIS_JABATAN = "jenis_jabatan"


@dataclass(frozen=True, slots=True)
class Column:
    header: str  # as SIASN names it; the export writes exactly this
    key: str  # EmployeeIn field, or JENIS_JABATAN
    meaning: str
    fmt: str
    example: str
    required: bool = False
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("NIP BARU", "nip", "NIP (PNS) or NI PPPK", "18 digits, as text", "198503152010011003", required=True,
           aliases=("NIP",)),
    Column("NAMA", "name", "name without academic titles", "text, 1-200 characters", "Siti Rahayu", required=True,
           aliases=("NAMA LENGKAP", "NAMA PEGAWAI")),
    Column("GELAR DEPAN", "front_title", "academic title before the name", "text, up to 50", "Dr."),
    Column("GELAR BELAKANG", "back_title", "academic titles after the name", "text, up to 80", "S.E., M.M."),
    Column("TANGGAL LAHIR", "birth_date", "birth date; must match digits 1-8 of the NIP",
           "DD-MM-YYYY, DD/MM/YYYY, YYYY-MM-DD or an Excel date", "15-03-1985", aliases=("TGL LAHIR",)),
    Column("JENIS KELAMIN", "gender", "gender; must match digit 15 of the NIP",
           "L/P, Laki-laki/Perempuan, M/F, 1/2", "P"),
    Column("JENIS PEGAWAI", "employment_type", "PNS or PPPK (empty: PNS)",
           "PNS, CPNS, PPPK, or SIASN names like 'PNS Daerah Kab/Kota'", "PNS", aliases=("JENIS PEGAWAI NAMA",)),
    Column("GOL AKHIR", "golongan", "current golongan/ruang", "PNS I/a .. IV/e, PPPK I .. XVII", "III/c",
           aliases=("GOL AKHIR NAMA", "GOLONGAN", "GOL RUANG")),
    Column("TINGKAT PENDIDIKAN", "education_level", "highest education level",
           "SD, SMP/SLTP, SMA/SLTA, D1-D4 (D-III), S1-S3 (S-1/Sarjana)", "S1",
           aliases=("TINGKAT PENDIDIKAN NAMA", "PENDIDIKAN TERAKHIR")),
    Column("NAMA PENDIDIKAN", "education_major", "study programme (jurusan)", "text, up to 200", "Manajemen",
           aliases=("PENDIDIKAN NAMA", "JURUSAN")),
    Column("NAMA SEKOLAH", "education_institution", "school or university", "text, up to 200",
           "Universitas Brawijaya", aliases=("NAMA INSTITUSI", "SEKOLAH", "INSTITUSI PENDIDIKAN")),
    Column("KODE UNOR", "unit_code", "code of the unit (unit organisasi); the unit must exist",
           "a unit code of the tenant", "BKPSDM", required=True),
    Column("KODE JABATAN", "position_code", "code of a position of the tenant; must exist if given",
           "a position code of the tenant", "BKPSDM-KABID-MUTASI"),
    Column("JABATAN NAMA", "position_title", "position title; for Fungsional Tertentu it carries the jenjang",
           "text, up to 200", "Analis SDM Aparatur Ahli Muda", aliases=("NAMA JABATAN", "JABATAN")),
    Column("JENIS JABATAN", JENIS_JABATAN, "kind of position; with ESELON it gives the tier",
           "Struktural, Fungsional Tertentu, Fungsional Umum/Pelaksana, or a tier name (JPT Pratama, "
           "Administrator, Pengawas, Fungsional, Pelaksana)", "Fungsional Tertentu", aliases=("JENIS JABATAN NAMA",)),
    Column("ESELON", "eselon", "eselon of a structural position (empty or 'Non Eselon' otherwise)",
           "I.a .. IV.b, V.a (III.a, III/a, IIIa)", "III.b", aliases=("ESELON NAMA",)),
    Column("TMT JABATAN", "tmt_position", "since when in this position", "a date, as TANGGAL LAHIR", "01-02-2022"),
    # ---- Bakat additions (absent from SIASN exports; all optional) ----
    Column("JENJANG JABATAN", "functional_level", "jenjang of a Fungsional position; default: read from the "
           "end of JABATAN NAMA", "Ahli Utama/Madya/Muda/Pertama, Penyelia, Mahir, Terampil, Pemula", "Ahli Muda"),
    Column("BUP", "bup", "retirement age (batas usia pensiun); default from the tier", "integer 50-70", "58"),
    Column("PREFERENSI KARIR", "career_preference", "career preference", "text, up to 1000", "Jabatan fungsional"),
    Column("PENGALAMAN KEPEMIMPINAN", "leadership_experience", "leadership experience", "text, up to 1000",
           "Ketua tim reformasi birokrasi 2021-2023"),
)  # fmt: skip

REQUIRED_KEYS = tuple(c.key for c in COLUMNS if c.required)
BY_KEY = {c.key: c for c in COLUMNS}


def normalize_header(text: str) -> str:
    """'nip_baru ', 'NIP  Baru' and 'NIP BARU' are the same header."""
    return " ".join(text.replace("_", " ").replace("\ufeff", "").upper().split())


_HEADER_INDEX: dict[str, str] = {
    normalize_header(name): column.key for column in COLUMNS for name in (column.header, *column.aliases)
}


def key_for_header(text: str) -> str | None:
    return _HEADER_INDEX.get(normalize_header(text))


# ---- cell conversions -------------------------------------------------------------------------------
# Each converter takes a non-empty cell (str from CSV; str/int/float/datetime from XLSX) and returns the
# EmployeeIn value or raises CellError. Vocabularies are small, so converters of those columns are
# memoised by the raw value: 100,000 rows hit the dictionaries, not the parsing.


class CellError(ValueError):
    def __init__(self, rule: str, reason: str, key: str | None = None) -> None:
        super().__init__(reason)
        self.rule = rule
        self.reason = reason
        self.key = key  # blame another column than the one converted (tier rules)


def to_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        raise CellError("text", "expected text, got a date")
    return str(value)


_SCIENTIFIC = re.compile(r"^\d(?:[.,]\d+)?[eE]\+?\d+$")


def to_nip(value: object) -> str:
    # Excel keeps 15 significant digits: an 18-digit NIP typed as a number is already damaged.
    if value.__class__ is str:
        if value.isdigit():
            return value  # the common case, checked by parse_nip
        scientific = bool(_SCIENTIFIC.match(value))
    else:
        scientific = isinstance(value, float)
    if scientific:
        raise CellError(
            "nip.number_format",
            "NIP was stored as a number, which keeps only 15 digits; format the column as Text and retype it",
        )
    text = to_text(value)
    return text.replace(" ", "") if " " in text else text


_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]00:00(?::00)?)?$")
EXCEL_MAX_SERIAL = 2958465  # 9999-12-31


def _parse_date_text(text: str) -> date:
    match = _YMD.match(text)
    if len(text) == 8 and text.isdigit():  # YYYYMMDD, as in the NIP
        year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
    elif match:
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    else:
        match = _DMY.match(text)
        if not match:
            raise CellError(
                "date", f"{text!r} is not a date (DD-MM-YYYY, DD/MM/YYYY, YYYY-MM-DD or YYYYMMDD)"
            )
        day, month, year = int(match[1]), int(match[2]), int(match[3])
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError("date", f"{text!r} is not a real date") from None


def to_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # A date cell that lost its date format arrives as the Excel serial number.
        if 1 <= value <= EXCEL_MAX_SERIAL:
            return from_excel(value).date()
        if float(value).is_integer() and 10000101 <= value <= 99991231:
            return _parse_date_text(str(int(value)))  # YYYYMMDD typed as a number
        raise CellError("date", f"{value!r} is not a date")
    return _parse_date_text(to_text(value))


_GENDERS = {
    "L": "male", "LAKI-LAKI": "male", "LAKI LAKI": "male", "LAKI": "male", "PRIA": "male", "M": "male",
    "MALE": "male", "1": "male",
    "P": "female", "PEREMPUAN": "female", "WANITA": "female", "F": "female", "FEMALE": "female", "2": "female",
}  # fmt: skip


def to_gender(value: object) -> str:
    gender = _GENDERS.get(to_text(value).strip().upper())
    if gender is None:
        raise CellError("gender", f"{value!r} is not a gender (L/P, Laki-laki/Perempuan)")
    return gender


def to_employment_type(value: object) -> str:
    text = to_text(value).upper()
    if "PPPK" in text:
        return "PPPK"
    if text in ("PNS", "CPNS") or text.startswith(("PNS ", "CPNS ")):
        return "PNS"
    raise CellError("employment_type", f"{value!r} is not PNS or PPPK")


_PNS_GOLONGAN = re.compile(r"^(IV|III|II|I)\s*[/\-.]?\s*([A-Ea-e])$")


def to_golongan(value: object) -> str:
    """Normalise the spelling (III/C, III-c, IIIc -> III/c); golongan_problem() judges the value."""
    text = to_text(value).strip()
    match = _PNS_GOLONGAN.match(text.upper())
    if match:
        return f"{match[1]}/{match[2].lower()}"
    return text.upper() if text.upper() in PPPK_GOLONGAN else text


_EDUCATION = {
    "SD": "SD", "SEKOLAHDASAR": "SD",
    "SMP": "SMP", "SLTP": "SMP", "SLTPKEJURUAN": "SMP", "MTS": "SMP",
    "SMA": "SMA", "SLTA": "SMA", "SMU": "SMA", "SMK": "SMA", "SLTAKEJURUAN": "SMA", "MA": "SMA",
    "D1": "D1", "DI": "D1", "DIPLOMAI": "D1", "D2": "D2", "DII": "D2", "DIPLOMAII": "D2",
    "D3": "D3", "DIII": "D3", "DIPLOMAIII": "D3", "D4": "D4", "DIV": "D4", "DIPLOMAIV": "D4",
    "S1": "S1", "SARJANA": "S1", "S2": "S2", "MAGISTER": "S2", "S3": "S3", "DOKTOR": "S3",
}  # fmt: skip


def to_education_level(value: object) -> str:
    # SIASN writes "S-1/Sarjana", "D-III", "SLTA": keep what comes before "/" and drop separators.
    text = to_text(value).upper().split("/")[0]
    level = _EDUCATION.get(re.sub(r"[\s.\-]", "", text))
    if level is None:
        raise CellError("education_level", f"{value!r} is not an education level (SD .. S3)")
    return level


_ESELON = re.compile(r"^(IV|III|II|I|V)\s*[.\-/]?\s*([AB])$")
_NO_ESELON = {"NONESELON", "NON-ESELON", "NON ESELON", "TIDAK ADA", "0"}
ESELONS = ("I.a", "I.b", "II.a", "II.b", "III.a", "III.b", "IV.a", "IV.b", "V.a")


def to_eselon(value: object) -> str | None:
    text = to_text(value).strip().upper()
    if text in _NO_ESELON:
        return None
    match = _ESELON.match(text)
    eselon = f"{match[1]}.{match[2].lower()}" if match else None
    if eselon not in ESELONS:
        raise CellError("eselon", f"{value!r} is not an eselon (I.a .. IV.b, V.a)")
    return eselon


FUNCTIONAL_LEVELS = (
    "Ahli Utama", "Ahli Madya", "Ahli Muda", "Ahli Pertama", "Penyelia", "Mahir", "Terampil", "Pemula",
)  # fmt: skip
_LEVEL_BY_UPPER = {level.upper(): level for level in FUNCTIONAL_LEVELS}
_LEVEL_IN_TITLE = re.compile(
    r"\b(Ahli\s+(?:Utama|Madya|Muda|Pertama)|Penyelia|Mahir|Terampil|Pemula)\b", re.IGNORECASE
)


def to_functional_level(value: object) -> str:
    level = _LEVEL_BY_UPPER.get(" ".join(to_text(value).upper().split()))
    if level is None:
        raise CellError("functional_level", f"{value!r} is not a jenjang ({', '.join(FUNCTIONAL_LEVELS)})")
    return level


def level_from_title(title: str | None) -> str | None:
    """'Analis SDM Aparatur Ahli Muda' -> 'Ahli Muda'; the last jenjang named wins."""
    if not title:
        return None
    found = _LEVEL_IN_TITLE.findall(title)
    return _LEVEL_BY_UPPER[" ".join(found[-1].upper().split())] if found else None


STRUCTURAL_TIERS = ("JPT Utama", "JPT Madya", "JPT Pratama", "Administrator", "Pengawas")
TIERS = (*STRUCTURAL_TIERS, "Pelaksana", "Fungsional")
_JENIS = {
    "STRUKTURAL": "struktural",
    "FUNGSIONAL TERTENTU": "Fungsional", "FUNGSIONAL": "Fungsional", "JFT": "Fungsional",
    "FUNGSIONAL UMUM": "Pelaksana", "PELAKSANA": "Pelaksana", "JFU": "Pelaksana",
    **{tier.upper(): tier for tier in TIERS},
}  # fmt: skip


def to_jenis_jabatan(value: object) -> str:
    """Returns 'struktural' (tier comes from the eselon) or a tier."""
    text = " ".join(to_text(value).upper().split())
    jenis = _JENIS.get(text.removeprefix("JABATAN "))
    if jenis is None:
        raise CellError(
            "jenis_jabatan", f"{value!r} is not Struktural, Fungsional Tertentu, Pelaksana or a tier"
        )
    return jenis


# Eselon I posts are JPT Madya in a region (sekda provinsi); JPT Utama must be named explicitly.
_TIER_BY_ESELON_ROMAN = {
    "I": "JPT Madya",
    "II": "JPT Pratama",
    "III": "Administrator",
    "IV": "Pengawas",
    "V": "Pengawas",
}
_ESELON_ROMANS_OF_TIER = {
    "JPT Utama": ("I",), "JPT Madya": ("I",), "JPT Pratama": ("II",), "Administrator": ("III",),
    "Pengawas": ("IV", "V"),
}  # fmt: skip


def tier_of(
    jenis: str | None, eselon: str | None, title: str | None, level: str | None
) -> tuple[str | None, str | None]:
    """(tier, functional_level) from JENIS JABATAN, ESELON, JABATAN NAMA and JENJANG JABATAN."""
    if jenis is None:
        jenis = "struktural" if eselon else None
    if jenis is None:
        if level is not None:
            raise CellError(
                "functional_level",
                "JENJANG JABATAN needs JENIS JABATAN Fungsional Tertentu",
                key="functional_level",
            )
        return None, None
    if jenis == "struktural":
        if eselon is None:
            raise CellError("eselon", "a Struktural position needs its eselon (e.g. III.a)", key="eselon")
        jenis = _TIER_BY_ESELON_ROMAN[eselon.split(".")[0]]
    elif eselon is not None:
        allowed = _ESELON_ROMANS_OF_TIER.get(jenis, ())
        if eselon.split(".")[0] not in allowed:
            raise CellError("eselon", f"eselon {eselon} does not fit tier {jenis}", key="eselon")
    if jenis == "Fungsional":
        level = level or level_from_title(title)
        if level is None:
            raise CellError(
                "functional_level",
                "a Fungsional position needs its jenjang: end JABATAN NAMA with it (e.g. '... Ahli Muda') "
                "or fill JENJANG JABATAN",
                key="position_title",
            )
        return jenis, level
    if level is not None:
        raise CellError(
            "functional_level", f"JENJANG JABATAN is only for Fungsional, not {jenis}", key="functional_level"
        )
    return jenis, None


def jenis_of(tier: str | None, eselon: str | None) -> str | None:
    """The JENIS JABATAN to export so that tier_of() gives the tier back."""
    if tier is None:
        return None
    if tier == "Fungsional":
        return "Fungsional Tertentu"
    if eselon and _TIER_BY_ESELON_ROMAN.get(eselon.split(".")[0]) == tier:
        return "Struktural"
    return tier


def to_bup(value: object) -> int:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        return int(value)
    text = to_text(value).strip()
    if not text.isdigit():
        raise CellError("bup", f"{value!r} is not a whole number of years")
    return int(text)


Converter = Callable[[Any], Any]
# Converters worth memoising: few distinct values across a file.
MEMOISED: dict[str, Converter] = {
    "birth_date": to_date,
    "tmt_position": to_date,
    "gender": to_gender,
    "employment_type": to_employment_type,
    "golongan": to_golongan,
    "education_level": to_education_level,
    "eselon": to_eselon,
    JENIS_JABATAN: to_jenis_jabatan,
    "functional_level": to_functional_level,
    "bup": to_bup,
}
CONVERTERS: dict[str, Converter] = {"nip": to_nip, **MEMOISED}  # everything else: to_text
