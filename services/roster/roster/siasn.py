"""SIASN adapter: map BKN SIASN web-service JSON to roster bodies. Pure: no network, no database.

Two documents are mapped:

- ``GET /pns/data-utama/{nip}`` -> :func:`employee_from_data_utama` -> ``EmployeeIn``
- ``GET /pns/rw-jabatan/{nip}`` -> :func:`track_records_from_rw_jabatan` -> ``list[TrackRecordIn]``

Anything that cannot be mapped raises :class:`SiasnMappingError` naming the SIASN field, never a bare
``KeyError``/``ValueError``/pydantic ``ValidationError``.

Where the field names and value shapes come from (public code that calls the SIASN WS; read, not copied):

- kanekescom/laravel-siasn-simpeg,
  ``database/migrations/2024_01_02_000006_create_siasn_simpeg_pns_data_utama_table.php``: the full data-utama
  field list (id, nipBaru, nipLama, nama, gelarDepan, gelarBelakang, tglLahir, jenisKelamin as one character,
  jenisPegawaiNama, statusPegawai, kedudukanPnsNama, tkPendidikanTerakhir(Id), pendidikanTerakhirNama,
  tmtCpns, tmtPns, unorId, unorNama, unorIndukNama, jenisJabatanId, jenisJabatan, jabatanNama,
  jabatanStrukturalNama, jabatanFungsionalNama, jabatanFungsionalUmumNama, tmtJabatan, golRuangAkhirId,
  golRuangAkhir, tmtGolAkhir, eselon, eselonId, eselonLevel, mkTahun, mkBulan, bupPensiun, jenjang ...);
  dates are kept as strings there.
- kanekescom/laravel-siasn-simpeg, ``src/Filament/Resources/PnsRwJabatanResource.php``: the rw-jabatan
  entry fields (jenisJabatan, unorId, unorNama, unorIndukNama, eselon, eselonId, jabatanFungsionalNama,
  jabatanFungsionalUmumNama, tmtJabatan, nomorSk, tanggalSk, namaUnor, namaJabatan, tmtPelantikan, path).
- A public Node/Prisma sync script for rw-jabatan (found by content search; the index does not name its
  repository) holding a recorded response for a Kab. Lampung Barat employee: ``{"code": 1, "data": [...]}``,
  entries newest first, ``jenisJabatan`` as codes "1" (struktural) / "2" (fungsional tertentu) / "4"
  (fungsional umum = pelaksana), ``eselon: "IV.a"`` with ``eselonId: "41"``, ``""`` and ``null`` for absent
  values, ``"01-01-0001"`` as an empty date, dd-mm-yyyy dates; it skips entries with no jabatan/unor at all.
- A public Yii SIASN sync controller (``app\\modules\\siasn``, repository not named in the index): the
  ``{"code": 1, "data": {...}}`` envelope (``code != 1`` = not found), the literal string ``"null"`` turned
  into NULL, ``jenisKelamin == 'M'`` -> male else female, tglLahir reversed from dd-mm-yyyy.
- A public Django view calling ``apimws.bkn.go.id:8243/apisiasn/1.0/pns/data-utama/{nip}`` and reading
  ``x.get('data')`` with the same data-utama keys; black-coffee04/ws-siasn-php and
  kanekescom/laravel-siasn-api (``/pns/rw-jabatan/{nipBaru}``) for the endpoint paths.

Assumptions (no public source found): the ``{"success": ..., "mapData": ...}`` envelope; ISO yyyy-mm-dd
dates beside dd-mm-yyyy; "Pria"/"Wanita" beside "M"/"F"; SIASN's reference codes for golongan
(11..45 = I/a..IV/e), eselon (11 I.a .. 51 V.a, 99 non-eselon) and tingkat pendidikan (05 SD .. 50 S-3),
which follow BKN's SAPK coding; eselon I maps to JPT Madya (JPT Utama is never derived from an eselon) and
II to JPT Pratama; eselon V.a (abolished) to Pengawas.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, ValidationError

from roster.civil_service import PANGKAT, PPPK_GOLONGAN, EducationLevel, Eselon, FunctionalLevel
from roster.domain import NIP_LENGTH, PPPK_CODE
from roster.schemas import EmployeeIn, TrackRecordIn

__all__ = ["SiasnMappingError", "employee_from_data_utama", "track_records_from_rw_jabatan"]


class SiasnMappingError(ValueError):
    """A SIASN document that cannot be mapped; `field` is the SIASN field name (e.g. "tglLahir"), `index` the
    position of the entry in a rw-jabatan list when the problem is in one entry."""

    def __init__(self, field: str, reason: str, *, index: int | None = None) -> None:
        self.field = field
        self.reason = reason
        self.index = index
        where = field if index is None else f"data[{index}].{field}"
        super().__init__(f"{where}: {reason}")


# ---- values --------------------------------------------------------------------------------------

# Values SIASN uses for "nothing": JSON null, "", the string "null" (seen in the wild), a dash.
_NULL_STRINGS = {"", "null", "none", "-", "--"}
# SIASN writes an empty date as 01-01-0001 (e.g. tmtPelantikan, tmtMutasi).
_EMPTY_DATE_YEAR = 1


def _clean(value: Any) -> str | None:
    """A SIASN scalar as a trimmed string, or None for every spelling of "nothing"."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip() if isinstance(value, str | int | float) else None
    if text is None:
        return None
    return None if text.lower() in _NULL_STRINGS else text


def _val(data: Mapping[str, Any], field: str, index: int | None = None) -> str | None:
    """`field` of a SIASN object as a clean string; an object or list where a value belongs is refused."""
    value = data.get(field)
    if isinstance(value, Mapping | list | tuple):
        raise SiasnMappingError(field, f"expected a value, got {type(value).__name__}", index=index)
    return _clean(value)


def _first(data: Mapping[str, Any], *fields: str, index: int | None = None) -> tuple[str | None, str | None]:
    """The first present value among `fields`, with the field it came from."""
    for field in fields:
        value = _val(data, field, index)
        if value is not None:
            return value, field
    return None, None


_DMY = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")
_YMD = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)


def _parse_date(raw: str) -> date | None:
    """dd-mm-yyyy (SIASN WS) or yyyy-mm-dd (optionally with a time). None for the 01-01-0001 sentinel.
    Raises ValueError for anything else."""
    if match := _DMY.match(raw):
        day, month, year = (int(g) for g in match.groups())
    elif match := _YMD.match(raw):
        year, month, day = (int(g) for g in match.groups())
    else:
        raise ValueError(f"{raw!r} is not a date (expected dd-mm-yyyy or yyyy-mm-dd)")
    if year == _EMPTY_DATE_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{raw!r} is not a real calendar date") from None


def _date(data: Mapping[str, Any], field: str, index: int | None = None) -> date | None:
    raw = _val(data, field, index)
    if raw is None:
        return None
    try:
        return _parse_date(raw)
    except ValueError as exc:
        raise SiasnMappingError(field, str(exc), index=index) from None


# ---- envelope ------------------------------------------------------------------------------------


def _unwrap(doc: Any) -> Any:
    """The payload of ``{"code": 1, "data": ...}`` or ``{"success": true, "mapData": ...}``; a bare payload
    is returned as is."""
    if not isinstance(doc, Mapping):
        return doc
    message = _clean(doc.get("message")) or (
        _clean(doc["data"]) if isinstance(doc.get("data"), str) else None
    )
    if "success" in doc and doc["success"] is not True and _clean(doc["success"]) != "true":
        raise SiasnMappingError(
            "success", f"SIASN answered success={doc['success']!r}: {message or 'no message'}"
        )
    if "mapData" in doc:
        return doc["mapData"]
    if "code" in doc:
        if _clean(doc["code"]) != "1":
            raise SiasnMappingError(
                "code", f"SIASN answered code {doc['code']!r} (1 = found): {message or 'no message'}"
            )
        if "data" not in doc:
            raise SiasnMappingError("data", "the SIASN envelope has no data")
        return doc["data"]
    if "success" in doc:
        if "data" not in doc:
            raise SiasnMappingError("mapData", "the SIASN envelope has neither mapData nor data")
        return doc["data"]
    return doc


# ---- NIP, employment type, gender ----------------------------------------------------------------


def _nip(data: Mapping[str, Any], index: int | None = None) -> str:
    raw = data.get("nipBaru")
    if isinstance(raw, float):
        raise SiasnMappingError(
            "nipBaru", "must be a string: as a JSON number an 18-digit NIP loses digits", index=index
        )
    nip = _val(data, "nipBaru", index)
    if nip is None:
        raise SiasnMappingError(
            "nipBaru", "missing: a SIASN record without nipBaru cannot be matched to an employee", index=index
        )
    return nip


def _explicit_employment_type(text: str) -> str | None:
    upper = text.upper()
    if "PPPK" in upper or "P3K" in upper or "PERJANJIAN KERJA" in upper:
        return "PPPK"
    if "PNS" in upper or "NEGERI SIPIL" in upper:  # CPNS is a PNS for the NIP's structure
        return "PNS"
    return None


def _employment_type(data: Mapping[str, Any], nip: str) -> str:
    """From jenisPegawaiNama / statusPegawai; when they are silent or disagree, from the NIP itself (a NI PPPK
    carries "21" where a PNS NIP carries the TMT month, which is never 21)."""
    said = {
        t
        for f in ("jenisPegawaiNama", "statusPegawai")
        if (v := _val(data, f)) and (t := _explicit_employment_type(v))
    }
    if len(said) == 1:
        return said.pop()
    looks_pppk = len(nip) == NIP_LENGTH and nip.isdigit() and nip[12:14] == PPPK_CODE
    return "PPPK" if looks_pppk else "PNS"


_GENDERS = {
    "M": "male", "L": "male", "PRIA": "male", "LAKI-LAKI": "male", "LAKI LAKI": "male", "1": "male",
    "F": "female", "P": "female", "WANITA": "female", "PEREMPUAN": "female", "2": "female",
}  # fmt: skip


def _gender(data: Mapping[str, Any]) -> str | None:
    raw = _val(data, "jenisKelamin")
    if raw is None:
        return None
    gender = _GENDERS.get(raw.upper())
    if gender is None:
        raise SiasnMappingError("jenisKelamin", f"{raw!r} is not a known gender (M/F, Pria/Wanita, L/P)")
    return gender


# ---- name and titles -----------------------------------------------------------------------------

_FRONT_TITLES = {"dr.", "drg.", "drh.", "drs.", "dra.", "ir.", "prof.", "h.", "hj.", "apt.", "ns.", "kh."}
_TITLE_PIECE = re.compile(r"^[A-Za-z]{1,8}(?:[.\-][A-Za-z]{0,8})*\.?$")


def _looks_like_back_titles(text: str) -> bool:
    pieces = [p.strip() for p in text.split(",")]
    return all(p and "." in p and _TITLE_PIECE.match(p) for p in pieces)


def _name_and_titles(data: Mapping[str, Any]) -> tuple[str, str | None, str | None]:
    """nama without titles, and gelarDepan/gelarBelakang; titles written into nama itself ("H. AHMAD FAUZI,
    A.Md.") are split off when the gelar fields are empty, and dropped when they repeat the gelar fields."""
    name = _val(data, "nama")
    if name is None:
        raise SiasnMappingError("nama", "missing")
    front = _val(data, "gelarDepan")
    back = _val(data, "gelarBelakang")
    if "," in name:
        head, tail = name.split(",", 1)
        if head.strip() and _looks_like_back_titles(tail):
            name, back = head.strip(), back or tail.strip()
    tokens = name.split()
    lead: list[str] = []
    while len(tokens) > 1 and tokens[0].lower() in _FRONT_TITLES:
        lead.append(tokens.pop(0))
    if lead:
        name, front = " ".join(tokens), front or " ".join(lead)
    return " ".join(name.split()), front, back


# ---- golongan ------------------------------------------------------------------------------------

_GOLONGAN_TEXT = re.compile(r"^(IV|III|II|I)\s*[/.\- ]?\s*([A-E])$")
_GOLONGAN_IDS = {
    f"{group}{n}": f"{roman}/{letter}"
    for group, roman, letters in ((1, "I", "abcd"), (2, "II", "abcd"), (3, "III", "abcd"), (4, "IV", "abcde"))
    for n, letter in enumerate(letters, start=1)
}
_ROMAN = {str(i): roman for i, roman in enumerate(PPPK_GOLONGAN, start=1)}


def _golongan(data: Mapping[str, Any], employment_type: str) -> str | None:
    raw = _val(data, "golRuangAkhir")
    if raw is None:
        code = _val(data, "golRuangAkhirId")
        if code is None:
            return None
        golongan = _GOLONGAN_IDS.get(code.zfill(2)) if employment_type == "PNS" else None
        if golongan is None and employment_type == "PPPK" and code.upper() in PPPK_GOLONGAN:
            golongan = code.upper()
        if golongan is None:
            raise SiasnMappingError("golRuangAkhirId", f"unknown {employment_type} golongan id {code!r}")
        return golongan
    upper = raw.upper()
    if employment_type == "PPPK":
        golongan = _ROMAN.get(upper, upper)
        if golongan not in PPPK_GOLONGAN:
            raise SiasnMappingError("golRuangAkhir", f"{raw!r} is not a PPPK golongan (I..XVII)")
        return golongan
    match = _GOLONGAN_TEXT.match(upper)
    golongan = f"{match[1]}/{match[2].lower()}" if match else None
    if golongan not in PANGKAT:
        raise SiasnMappingError("golRuangAkhir", f"{raw!r} is not a PNS golongan (I/a .. IV/e)")
    return golongan


# ---- education -----------------------------------------------------------------------------------

# SIASN/SAPK tingkat pendidikan ids.
_EDUCATION_IDS: dict[str, EducationLevel] = {
    "05": "SD", "10": "SMP", "12": "SMP", "15": "SMA", "17": "SMA", "18": "SMA", "20": "D1", "25": "D2",
    "30": "D3", "35": "D4", "40": "S1", "45": "S2", "50": "S3",
}  # fmt: skip
# Checked in order on the upper-cased text; longer roman numerals before shorter ones.
_EDUCATION_PATTERNS: tuple[tuple[re.Pattern[str], EducationLevel], ...] = tuple(
    (re.compile(pattern), level)
    for pattern, level in (
        (r"^(S\s*-?\s*3|STRATA\s*(III|3)\b|DOKTOR)", "S3"),
        (r"^(S\s*-?\s*2|STRATA\s*(II|2)\b|MAGISTER|PASCA\s*SARJANA)", "S2"),
        (r"^(D\s*-?\s*IV\b|D\s*-?\s*4\b|DIPLOMA\s*(IV|4)\b)", "D4"),
        (r"^(S\s*-?\s*1|STRATA\s*(I|1)\b|SARJANA(?!\s*MUDA))", "S1"),
        (r"^(D\s*-?\s*III\b|D\s*-?\s*3\b|DIPLOMA\s*(III|3)\b|SARJANA\s*MUDA|AKADEMI)", "D3"),
        (r"^(D\s*-?\s*II\b|D\s*-?\s*2\b|DIPLOMA\s*(II|2)\b)", "D2"),
        (r"^(D\s*-?\s*I\b|D\s*-?\s*1\b|DIPLOMA\s*(I|1)\b)", "D1"),
        (r"^(SLTA|SMA|SMU|SMK|SMEA|STM|SPK|SPG|MA\b|PAKET\s*C)", "SMA"),
        (r"^(SLTP|SMP|MTS|PAKET\s*B)", "SMP"),
        (r"^(SD\b|MI\b|SEKOLAH\s*DASAR|PAKET\s*A)", "SD"),
    )
)
_LEVEL_PREFIX = re.compile(
    r"^(S\s*-?\s*[123]|D\s*-?\s*(IV|III|II|I|[1-4])|SLTA|SLTP|SMA|SMK|SMP|SD)\b[\s.:/-]*"
)


def _education_from_text(text: str) -> EducationLevel | None:
    upper = " ".join(text.upper().split())
    for pattern, level in _EDUCATION_PATTERNS:
        if pattern.match(upper):
            return level
    return None


def _education_level(data: Mapping[str, Any]) -> EducationLevel | None:
    """tkPendidikanTerakhir, else its id, else the level prefix of pendidikanTerakhirNama
    ("S-1 MANAJEMEN")."""
    text = _val(data, "tkPendidikanTerakhir")
    code = _val(data, "tkPendidikanTerakhirId")
    program = _val(data, "pendidikanTerakhirNama")
    level = (
        (_education_from_text(text) if text else None)
        or (_EDUCATION_IDS.get(code.zfill(2)) if code else None)
        or (_education_from_text(program) if program else None)
    )
    if level is None and (text or code):
        field, value = ("tkPendidikanTerakhir", text) if text else ("tkPendidikanTerakhirId", code)
        raise SiasnMappingError(field, f"unknown education level {value!r}")
    return level


def _education_major(data: Mapping[str, Any]) -> str | None:
    """pendidikanTerakhirNama without its level prefix: "S-1 MANAJEMEN" -> "MANAJEMEN"."""
    program = _val(data, "pendidikanTerakhirNama")
    if program is None:
        return None
    major = _LEVEL_PREFIX.sub("", program).strip()
    return major or None


# ---- position: tier, functional level, eselon ----------------------------------------------------

_ESELONS: tuple[str, ...] = get_args(Eselon)
_ESELON_IDS = {
    "11": "I.a",
    "12": "I.b",
    "21": "II.a",
    "22": "II.b",
    "31": "III.a",
    "32": "III.b",
    "41": "IV.a",
    "42": "IV.b",
    "51": "V.a",
}
_NON_ESELON = {"0", "00", "99", "NON ESELON", "NON-ESELON", "NONESELON"}
_ESELON_TEXT = re.compile(r"^(IV|V|III|II|I)\s*[.\-/ ]?\s*([AB])$")
_TIER_OF_ESELON_GROUP = {
    "I": "JPT Madya",
    "II": "JPT Pratama",
    "III": "Administrator",
    "IV": "Pengawas",
    "V": "Pengawas",
}

_LEVELS_BY_UPPER: dict[str, FunctionalLevel] = {level.upper(): level for level in get_args(FunctionalLevel)}
_LEVEL_IN_NAME = re.compile(
    r"\b(AHLI\s+UTAMA|AHLI\s+MADYA|AHLI\s+MUDA|AHLI\s+PERTAMA|PENYELIA|MAHIR|TERAMPIL|PEMULA)\b"
)
# Older jenjang naming of some functional posts: "GURU MADYA", "PENGAWAS SEKOLAH MUDA" -> Ahli ...
_OLD_EXPERT_LEVEL = re.compile(r"\b(UTAMA|MADYA|MUDA|PERTAMA)\s*$")

_STRUKTURAL, _FUNGSIONAL, _PELAKSANA = "struktural", "fungsional", "pelaksana"
_JENIS_JABATAN_IDS = {"1": _STRUKTURAL, "2": _FUNGSIONAL, "4": _PELAKSANA}


def _classify_jenis_jabatan(raw: str) -> str | None:
    upper = raw.upper()
    if upper.isdigit():
        return _JENIS_JABATAN_IDS.get(upper.lstrip("0"))
    if "STRUKTURAL" in upper or "PIMPINAN TINGGI" in upper or "ADMINISTRATOR" in upper or "PENGAWAS" in upper:
        return _STRUKTURAL
    if "UMUM" in upper or "PELAKSANA" in upper:  # "Fungsional Umum" is the old name of Pelaksana
        return _PELAKSANA
    if "FUNGSIONAL" in upper:
        return _FUNGSIONAL
    return None


def _jenis_jabatan(data: Mapping[str, Any]) -> str | None:
    for field in ("jenisJabatanId", "jenisJabatan", "jenisJabatanNama"):
        raw = _val(data, field)
        if raw is None:
            continue
        kind = _classify_jenis_jabatan(raw)
        if kind is None:
            raise SiasnMappingError(
                field,
                f"unknown jenis jabatan {raw!r} (1/Struktural, 2/Fungsional Tertentu, 4/Fungsional Umum)",
            )
        return kind
    return None


def _eselon(data: Mapping[str, Any]) -> str | None:
    for field in ("eselon", "eselonId"):
        raw = _val(data, field)
        if raw is None:
            continue
        upper = raw.upper()
        if upper in _NON_ESELON:
            return None
        if upper.isdigit():
            eselon = _ESELON_IDS.get(upper)
        else:
            match = _ESELON_TEXT.match(upper)
            eselon = f"{match[1]}.{match[2].lower()}" if match else None
        if eselon not in _ESELONS:
            raise SiasnMappingError(field, f"{raw!r} is not an eselon (I.a .. V.a or SIASN id 11 .. 51)")
        return eselon
    return None


def _functional_level(names: list[str]) -> FunctionalLevel | None:
    for name in names:
        if match := _LEVEL_IN_NAME.search(name.upper()):
            return _LEVELS_BY_UPPER[" ".join(match[1].split())]
    for name in names:
        if match := _OLD_EXPERT_LEVEL.search(name.upper()):
            return _LEVELS_BY_UPPER[f"AHLI {match[1]}"]
    return None


def _position_class(data: Mapping[str, Any], title: str | None) -> tuple[str | None, str | None, str | None]:
    """(tier, functional_level, eselon) from jenis jabatan, eselon and the position's name."""
    kind = _jenis_jabatan(data)
    eselon = _eselon(data)
    names = [
        n
        for f in ("jabatanNama", "jabatanFungsionalNama", "jenjang", "asnJenjangJabatan")
        if (n := _val(data, f))
    ]
    # Nothing said: an eselon means a structural post, a jenjang in the name a functional one.
    if kind is None:
        if eselon:
            kind = _STRUKTURAL
        elif title and _LEVEL_IN_NAME.search(title.upper()):
            kind = _FUNGSIONAL
    if kind == _STRUKTURAL:
        tier = _TIER_OF_ESELON_GROUP[eselon.split(".")[0]] if eselon else None
        return tier, None, eselon
    if kind == _FUNGSIONAL:
        return "Fungsional", _functional_level(names), None
    if kind == _PELAKSANA:
        return "Pelaksana", None, None
    return None, None, None


# ---- building the pydantic bodies ----------------------------------------------------------------

_EMPLOYEE_SOURCES = {
    "nip": "nipBaru", "name": "nama", "front_title": "gelarDepan", "back_title": "gelarBelakang",
    "employment_type": "jenisPegawaiNama", "birth_date": "tglLahir", "gender": "jenisKelamin",
    "golongan": "golRuangAkhir", "education_level": "tkPendidikanTerakhir",
    "education_major": "pendidikanTerakhirNama", "unit_code": "unorId", "position_title": "jabatanNama",
    "tier": "jenisJabatan", "functional_level": "jabatanNama", "eselon": "eselon", "tmt_position": "tmtJabatan",
}  # fmt: skip
_TRACK_SOURCES = {
    "title": "namaJabatan",
    "organisation": "unorNama",
    "start_date": "tmtJabatan",
    "end_date": "tmtJabatan",
}

ModelT = TypeVar("ModelT", bound=BaseModel)


def _build(
    model: type[ModelT], values: dict[str, Any], sources: Mapping[str, str], index: int | None = None
) -> ModelT:
    try:
        return model(**values)
    except ValidationError as exc:
        error = exc.errors()[0]
        ours = str(error["loc"][0]) if error["loc"] else ""
        raise SiasnMappingError(
            sources.get(ours, ours or "data"), f"{ours}: {error['msg']}", index=index
        ) from None


# ---- public API ----------------------------------------------------------------------------------


def employee_from_data_utama(
    doc: Mapping[str, Any], unit_codes: Mapping[str, str] | None = None
) -> EmployeeIn:
    """Map a SIASN ``/pns/data-utama/{nip}`` response (enveloped or bare) to an ``EmployeeIn``.

    `unit_codes` maps SIASN ``unorId`` to the tenant's unit code; without it, or for an unor it does not list,
    ``unit_code`` is None. NIP rules (birth date, TMT, gender digit, PPPK code) are left to the roster's
    registration, which checks the NIP against the mapped birth date and gender.
    """
    data = _unwrap(doc)
    if not isinstance(data, Mapping):
        raise SiasnMappingError("data", f"expected a data-utama object, got {type(data).__name__}")
    nip = _nip(data)
    employment_type = _employment_type(data, nip)
    name, front_title, back_title = _name_and_titles(data)
    title, _ = _first(
        data, "jabatanNama", "jabatanStrukturalNama", "jabatanFungsionalNama", "jabatanFungsionalUmumNama"
    )
    tier, functional_level, eselon = _position_class(data, title)
    unor_id = _val(data, "unorId")
    return _build(
        EmployeeIn,
        {
            "nip": nip,
            "name": name,
            "front_title": front_title,
            "back_title": back_title,
            "employment_type": employment_type,
            "birth_date": _date(data, "tglLahir"),
            "gender": _gender(data),
            "golongan": _golongan(data, employment_type),
            "education_level": _education_level(data),
            "education_major": _education_major(data),
            "unit_code": _unit_code(unor_id, unit_codes),
            "position_title": title,
            "tier": tier,
            "functional_level": functional_level,
            "eselon": eselon,
            "tmt_position": _date(data, "tmtJabatan"),
        },
        _EMPLOYEE_SOURCES,
    )


def _unit_code(unor_id: str | None, unit_codes: Mapping[str, str] | None) -> str | None:
    if unor_id is None or not unit_codes:
        return None
    if unor_id in unit_codes:
        return unit_codes[unor_id]
    lowered = unor_id.lower()  # SIASN ids are hex: accept either case
    return next((code for key, code in unit_codes.items() if key.lower() == lowered), None)


def _rw_title(entry: Mapping[str, Any], index: int) -> str | None:
    raw_kind = _val(entry, "jenisJabatan", index)
    kind = _classify_jenis_jabatan(raw_kind) if raw_kind else None
    preferred = {
        _STRUKTURAL: ("namaJabatan", "jabatanStrukturalNama"),
        _FUNGSIONAL: ("jabatanFungsionalNama", "namaJabatan"),
        _PELAKSANA: ("jabatanFungsionalUmumNama", "namaJabatan"),
    }.get(kind or "", ())
    title, _ = _first(
        entry,
        *preferred,
        "namaJabatan",
        "jabatanFungsionalNama",
        "jabatanFungsionalUmumNama",
        "jabatanNama",
        index=index,
    )
    return title


def _lenient_date(entry: Mapping[str, Any], field: str) -> date | None:
    raw = _clean(entry.get(field)) if not isinstance(entry.get(field), Mapping | list) else None
    try:
        return _parse_date(raw) if raw else None
    except ValueError:
        return None


def track_records_from_rw_jabatan(doc: Any, nip: str | None = None) -> list[TrackRecordIn]:
    """Map a SIASN ``/pns/rw-jabatan/{nip}`` response (enveloped or a bare list) to position history, oldest
    first: kind "position", title, organisation = unor name, start = TMT jabatan, end = the next entry's start
    (None for the current position).

    Entries naming neither a position nor a unit are skipped; exact repeats (same title, unit and TMT) are
    kept once; entries with the same TMT are ordered by SK date, then by their order in the response. With `nip`,
    an entry belonging to another NIP is refused.
    """
    payload = _unwrap(doc)
    if payload is None:
        return []
    if not isinstance(payload, list | tuple):
        raise SiasnMappingError(
            "data", f"expected a list of rw-jabatan entries, got {type(payload).__name__}"
        )
    rows: list[tuple[date, date, int, str, str | None]] = []
    seen: set[tuple[str, str, date]] = set()
    for index, entry in enumerate(payload):
        if not isinstance(entry, Mapping):
            raise SiasnMappingError("data", f"entry is {type(entry).__name__}, not an object", index=index)
        if nip is not None and (entry_nip := _val(entry, "nipBaru", index)) is not None and entry_nip != nip:
            raise SiasnMappingError("nipBaru", f"entry belongs to {entry_nip}, not {nip}", index=index)
        title = _rw_title(entry, index)
        organisation, _ = _first(entry, "unorNama", "namaUnor", "unorIndukNama", index=index)
        if title is None and organisation is None:
            continue  # an empty record: nothing to show
        if title is None:
            raise SiasnMappingError("namaJabatan", "the entry names no position", index=index)
        start = _date(entry, "tmtJabatan", index=index)
        if start is None:
            raise SiasnMappingError(
                "tmtJabatan", "missing: the entry cannot be placed in the history", index=index
            )
        key = (title.casefold(), (organisation or "").casefold(), start)
        if key in seen:
            continue
        seen.add(key)
        rows.append((start, _lenient_date(entry, "tanggalSk") or date.min, index, title, organisation))
    rows.sort(key=lambda row: row[:3])
    records = []
    for position, (start, _sk, index, title, organisation) in enumerate(rows):
        end = rows[position + 1][0] if position + 1 < len(rows) else None
        values = {
            "kind": "position",
            "title": title,
            "organisation": organisation,
            "start_date": start,
            "end_date": end,
        }
        records.append(_build(TrackRecordIn, values, _TRACK_SOURCES, index=index))
    return records
