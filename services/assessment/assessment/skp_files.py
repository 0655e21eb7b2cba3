"""SKP ratings in bulk, pure code (no database, no HTTP): read an uploaded CSV or XLSX, refusing hostile or
broken files, and check every row (spellings, years, the PermenPANRB 6/2022 matrix, duplicates).

The file reading is bakat_common.tabular (shared with the roster's import), with limits sized for SKP
files. Whether a NIP belongs to
the tenant needs the database: performance.py adds those errors. See docs/SKP_IMPORT.md.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypedDict

from bakat_common.contracts.assessment import SkpPredikat
from bakat_common.tabular import (
    Cell,
    TabularFileError,
    XlsxLimits,
    csv_rows,
    find_header,
    numbered_rows,
    xlsx_rows,
)

from assessment.domain import predikat_from

MAX_ROWS = 20_000  # rows per request (file or batch): one request, one transaction
MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # 20,000 rows of SKP are well under 2 MB, even with extra columns
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100  # real sheets compress 5-30:1; bombs compress 1000:1
RATIO_CHECK_MIN_BYTES = 1024 * 1024  # a small part cannot bomb, and tiny XML parts compress well
MAX_SHARED_STRINGS_BYTES = 50 * 1024 * 1024  # loaded whole into memory by both readers
MAX_ZIP_MEMBERS = 10_000  # a workbook has tens of parts
XLSX_HEADER_SEARCH_ROWS = 10  # e-Kinerja/Excel reports often put a title above the header
MIN_YEAR, MAX_YEAR = 2000, 2100


Row = tuple[int, Sequence[Cell]]  # (1-based spreadsheet row number, cells in header order)


# ---- spellings ---------------------------------------------------------------------------------------

PREDIKATS: tuple[SkpPredikat, ...] = ("Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang")
_PREDIKAT_BY_KEY = {p.casefold(): p for p in PREDIKATS}
ACCEPTED_PREDIKATS = ", ".join(PREDIKATS)

EXPECTATIONS = ("di_bawah", "sesuai", "di_atas")
_EXPECTATION_BY_KEY = {"di bawah": "di_bawah", "sesuai": "sesuai", "di atas": "di_atas"}
ACCEPTED_EXPECTATIONS = "di_bawah, sesuai, di_atas (also written Di Bawah / Sesuai / Di Atas Ekspektasi)"


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()  # str.split also splits on NBSP and tabs


def canonical_predikat(value: object) -> SkpPredikat | None:
    """The official spelling of a predikat written in any case with any spacing, else None."""
    return _PREDIKAT_BY_KEY.get(_squash(value)) if isinstance(value, str) else None


def canonical_expectation(value: object) -> str | None:
    """'di_atas', 'Di Atas', 'DI ATAS EKSPEKTASI', 'di-atas' -> 'di_atas'; else None."""
    if not isinstance(value, str):
        return None
    key = _squash(value.replace("_", " ").replace("-", " "))
    key = key.removesuffix(" ekspektasi") if key != "ekspektasi" else key
    return _EXPECTATION_BY_KEY.get(key)


def predikat_problem(value: object) -> str:
    return f"{_show(value)} is not an SKP predikat; accepted (any case or spacing): {ACCEPTED_PREDIKATS}"


def expectation_problem(value: object) -> str:
    return f"{_show(value)} is not a rating; accepted: {ACCEPTED_EXPECTATIONS}"


def mismatch_problem(predikat: str, hasil_kerja: str, perilaku_kerja: str) -> str:
    derived = predikat_from(hasil_kerja, perilaku_kerja)
    return (
        f"predikat {predikat!r} disagrees with hasil_kerja {hasil_kerja} and perilaku_kerja {perilaku_kerja}, "
        f"which give {derived!r} (PermenPANRB 6/2022); send the two ratings alone, or a matching predikat"
    )


def _show(value: object) -> str:
    text = value if isinstance(value, str) else str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


# ---- rows ----------------------------------------------------------------------------------------------


class RowError(TypedDict):
    row: int  # spreadsheet row number (file) or position in the list from 1 (batch)
    column: str  # header as written in the file, or the JSON field name
    reason: str
    rule: str  # machine name: required, nip.format, year, predikat, expectation, predikat_mismatch ...


@dataclass(frozen=True, slots=True)
class SkpRow:
    row: int
    nip: str
    year: int
    predikat: str
    hasil_kerja: str | None = None
    perilaku_kerja: str | None = None


@dataclass
class SkpValidation:
    valid: list[SkpRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows_total: int = 0
    warnings: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # field -> column name to blame in errors


FIELDS = ("nip", "year", "predikat", "hasil_kerja", "perilaku_kerja")
_NIP = re.compile(r"[0-9]{18}")  # ASCII digits only: \d also matches other scripts' digits
_NUMBER_LIKE = re.compile(r"[0-9.,]+[eE][+]?\d+|\d+[.,]\d+")  # 1.98503E+17, 198503152010011000.0


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and (not value.strip() or value.strip() == "-"))


def check_row(
    row: int, cells: Mapping[str, object], columns: Mapping[str, str]
) -> tuple[SkpRow | None, list[RowError]]:
    """One row's own checks. `cells` maps field names (FIELDS) to raw values; `columns` maps field
    names to the column name to blame (the file's header, or the JSON field)."""
    errors: list[RowError] = []

    def fail(key: str, rule: str, reason: str) -> None:
        errors.append({"row": row, "column": columns.get(key, key), "reason": reason, "rule": rule})

    raw_nip, raw_year = cells.get("nip"), cells.get("year")
    nip = None
    if _blank(raw_nip):
        fail("nip", "required", "NIP is empty")
    elif (isinstance(raw_nip, (int, float)) and not isinstance(raw_nip, bool)) or (
        isinstance(raw_nip, str) and _NUMBER_LIKE.fullmatch(raw_nip.strip())
    ):
        fail(
            "nip",
            "nip.number_format",
            f"NIP {_show(raw_nip)} was stored as a number and has lost digits: format the column as text",
        )
    elif not isinstance(raw_nip, str) or not _NIP.fullmatch(raw_nip.strip()):
        fail("nip", "nip.format", f"NIP {_show(raw_nip)} is not 18 digits")
    else:
        nip = raw_nip.strip()

    year = None
    if _blank(raw_year):
        fail("year", "required", "the year is empty")
    else:
        year = _year(raw_year)
        if year is None:
            fail("year", "year", f"{_show(raw_year)} is not a year ({MIN_YEAR}-{MAX_YEAR})")
        elif not MIN_YEAR <= year <= MAX_YEAR:
            fail("year", "year", f"year {year} is outside {MIN_YEAR}-{MAX_YEAR}")
            year = None

    ratings: dict[str, str | None] = {}
    for key in ("hasil_kerja", "perilaku_kerja"):
        raw = cells.get(key)
        ratings[key] = None
        if not _blank(raw):
            ratings[key] = canonical_expectation(raw)
            if ratings[key] is None:
                fail(key, "expectation", expectation_problem(raw))
    hasil, perilaku = ratings["hasil_kerja"], ratings["perilaku_kerja"]
    one_rating_missing = [k for k in ("hasil_kerja", "perilaku_kerja") if _blank(cells.get(k))]
    if len(one_rating_missing) == 1:
        given = "perilaku_kerja" if one_rating_missing[0] == "hasil_kerja" else "hasil_kerja"
        fail(
            one_rating_missing[0],
            "required",
            f"{columns.get(given, given)} is given, so {columns.get(one_rating_missing[0], one_rating_missing[0])} "
            "is needed too (the predikat follows from both)",
        )

    raw_predikat = cells.get("predikat")
    predikat: str | None = None
    if _blank(raw_predikat):
        if not one_rating_missing:  # both ratings present (perhaps misspelt): they give the predikat
            predikat = predikat_from(hasil, perilaku) if hasil and perilaku else None
        elif len(one_rating_missing) == 2:
            fail(
                "predikat",
                "required",
                "the predikat is empty (give it, or both hasil_kerja and perilaku_kerja ratings)",
            )
    else:
        predikat = canonical_predikat(raw_predikat)
        if predikat is None:
            fail("predikat", "predikat", predikat_problem(raw_predikat))
        elif hasil and perilaku and predikat_from(hasil, perilaku) != predikat:
            fail("predikat", "predikat_mismatch", mismatch_problem(predikat, hasil, perilaku))
    if errors or nip is None or year is None or predikat is None:
        return None, errors
    return SkpRow(row, nip, year, predikat, hasil, perilaku), errors


def _year(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) <= 6:
            return int(text)
        if re.fullmatch(r"\d{4}\.0+", text):  # a number cell saved as text by some tools
            return int(text.split(".")[0])
    return None


def check_rows(rows: Iterable[tuple[int, Mapping[str, object]]], columns: Mapping[str, str]) -> SkpValidation:
    """Every row's own checks, and NIP+year repeated within the request (every later occurrence is an
    error naming the first row)."""
    result = SkpValidation(columns=dict(columns))
    first: dict[tuple[str, int], int] = {}
    for number, cells in rows:
        result.rows_total += 1
        valid, errors = check_row(number, cells, columns)
        if valid is not None:
            key = (valid.nip, valid.year)
            if key in first:
                errors.append(
                    {
                        "row": number,
                        "column": columns.get("nip", "nip"),
                        "reason": f"NIP {valid.nip} and year {valid.year} are also on row {first[key]}",
                        "rule": "duplicate",
                    }
                )
                valid = None
            else:
                first[key] = number
        result.errors.extend(errors)
        if valid is not None:
            result.valid.append(valid)
    return result


def check_items(items: Sequence[Mapping[str, object]]) -> SkpValidation:
    """A JSON batch: row = position in the list from 1, column = the field name."""
    if len(items) > MAX_ROWS:
        raise SkpFileError("too_many_rows", f"{len(items):,} ratings in one request; at most {MAX_ROWS:,}")
    return check_rows(enumerate(items, start=1), {k: k for k in FIELDS})


# ---- files: errors and layout ---------------------------------------------------------------------------


SkpFileError = TabularFileError  # the whole file is refused: .code for clients, .message for users


def _xlsx_limits() -> XlsxLimits:
    # Read at call time: tests lower these module limits.
    return XlsxLimits(
        MAX_UNCOMPRESSED_BYTES,
        MAX_SHARED_STRINGS_BYTES,
        MAX_ZIP_MEMBERS,
        MAX_COMPRESSION_RATIO,
        RATIO_CHECK_MIN_BYTES,
    )


# header (normalised: upper case, "_" as space, single spaces) -> field
HEADERS: dict[str, str] = {
    "NIP": "nip",
    "NIP BARU": "nip",
    "TAHUN": "year",
    "TAHUN SKP": "year",
    "TAHUN PENILAIAN": "year",
    "PREDIKAT": "predikat",
    "PREDIKAT KINERJA": "predikat",
    "PREDIKAT SKP": "predikat",
    "HASIL KERJA": "hasil_kerja",
    "RATING HASIL KERJA": "hasil_kerja",
    "PERILAKU KERJA": "perilaku_kerja",
    "RATING PERILAKU KERJA": "perilaku_kerja",
}
LAYOUT_HEADERS = {"nip": "NIP", "year": "TAHUN", "predikat": "PREDIKAT", "hasil_kerja": "HASIL_KERJA",
                  "perilaku_kerja": "PERILAKU_KERJA"}  # fmt: skip


def normalize_header(text: str) -> str:
    """'nip_baru ', 'Nip  Baru' and 'NIP BARU' are the same header."""
    return " ".join(text.replace("_", " ").replace("\ufeff", "").upper().split())


def field_for_header(text: str) -> str | None:
    return HEADERS.get(normalize_header(text))


@dataclass
class ParsedFile:
    format: Literal["csv", "xlsx"]
    header_row: int
    columns: dict[str, int]  # field -> 0-based cell index
    column_headers: dict[str, str]  # field -> header as written in the file (for errors)
    rows: Iterator[Row]  # lazily read, single pass; blank rows skipped; may raise SkpFileError
    ignored_columns: list[str] = field(default_factory=list)
    delimiter: str | None = None

    @property
    def warnings(self) -> list[str]:
        return [
            f"column {name!r} is not part of the SKP layout and was ignored" for name in self.ignored_columns
        ]


def read_file(filename: str, data: bytes, *, xlsx_backend: str | None = None) -> ParsedFile:
    """Parse the header now (so a bad layout fails at once) and the data rows lazily."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise SkpFileError("too_large", f"the file is {len(data):,} bytes; the limit is {MAX_UPLOAD_BYTES:,}")
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix == "csv":
        rows, delimiter = csv_rows(data)
        return _parse(rows, "csv", header_search=1, delimiter=delimiter)
    if suffix in ("xlsx", "xlsm"):
        return _parse(
            xlsx_rows(data, xlsx_backend, _xlsx_limits()), "xlsx", header_search=XLSX_HEADER_SEARCH_ROWS
        )
    if suffix == "xls":
        raise SkpFileError(
            "unsupported_type", "Excel 97-2003 .xls is not supported: save it as .xlsx or CSV UTF-8"
        )
    raise SkpFileError("unsupported_type", f"expected a .csv or .xlsx file, got {_show(filename)}")


def check_file(parsed: ParsedFile) -> SkpValidation:
    """Read every row of the file and check it (raises SkpFileError past MAX_ROWS or on a broken file)."""
    keys = list(parsed.columns.items())

    def cells() -> Iterator[tuple[int, dict[str, object]]]:
        for number, row in parsed.rows:
            yield number, {key: row[index] for key, index in keys}

    result = check_rows(cells(), parsed.column_headers)
    result.warnings = parsed.warnings
    return result


# ---- header and rows -----------------------------------------------------------------------------------


def _parse(
    records: Iterator[Sequence[Cell]],
    fmt: Literal["csv", "xlsx"],
    header_search: int,
    delimiter: str | None = None,
) -> ParsedFile:
    head = list(itertools.islice(records, header_search))
    found_header = find_header(head, field_for_header, LAYOUT_HEADERS.__getitem__)
    header_row, headers, columns = found_header.row, found_header.headers, found_header.columns
    column_headers, ignored = found_header.column_headers, found_header.ignored
    missing = [LAYOUT_HEADERS[k] for k in ("nip", "year") if k not in columns]
    if "predikat" not in columns and not ("hasil_kerja" in columns and "perilaku_kerja" in columns):
        missing.append("PREDIKAT (or both HASIL_KERJA and PERILAKU_KERJA)")
    if missing:
        found = ", ".join(repr(h) for h in headers[:12] if h) or "none"
        raise SkpFileError(
            "missing_columns", f"required columns missing: {', '.join(missing)} (found {found})"
        )
    # Fields without a column read as empty cells.
    width = max(columns.values()) + 1
    body = itertools.chain(head[header_row:], records)
    numbered = numbered_rows(body, first=header_row + 1, width=width, max_rows=MAX_ROWS)
    try:
        first = next(numbered)
    except StopIteration:
        raise SkpFileError("empty", "the file has a header but no data rows") from None
    return ParsedFile(
        format=fmt,
        header_row=header_row,
        columns=columns,
        column_headers=column_headers,
        rows=itertools.chain((first,), numbered),
        ignored_columns=ignored,
        delimiter=delimiter,
    )
