"""Read an uploaded CSV or XLSX into a header map and numbered rows, refusing hostile or broken files."""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from roster.importing.columns import BY_KEY, REQUIRED_KEYS, key_for_header

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024  # a 50 MB xlsx expands to about 300-400 MB of XML
MAX_COMPRESSION_RATIO = 100  # real sheets compress 5-30:1; bombs compress 1000:1
RATIO_CHECK_MIN_BYTES = 1024 * 1024  # a small part cannot bomb, and tiny XML parts compress well
MAX_SHARED_STRINGS_BYTES = 200 * 1024 * 1024  # loaded whole into memory by both readers (~3-4x in objects)
MAX_ZIP_MEMBERS = 10_000  # a workbook has tens of parts
MAX_ROWS = 200_000  # beyond this, split the file (one import is one job)
XLSX_HEADER_SEARCH_ROWS = 10  # SIASN/Excel reports often put a title above the header

Cell = object  # str (CSV); str, int, float, bool, datetime or None (XLSX)
Row = tuple[int, Sequence[Cell]]  # (1-based spreadsheet row number, cells in header order)

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and password-protected workbooks


class ImportFileError(ValueError):
    """The whole file is refused; `code` is stable for clients, `message` tells the user what to fix."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass
class ParsedFile:
    format: Literal["csv", "xlsx"]
    header_row: int
    headers: list[str]  # as written in the file
    columns: dict[str, int]  # column key (EmployeeIn field or JENIS_JABATAN) -> 0-based cell index
    column_headers: dict[str, str]  # column key -> header text as written in the file (for errors)
    rows: Iterator[Row]  # lazily read, single pass; blank rows skipped; may raise ImportFileError
    ignored_columns: list[str] = field(default_factory=list)
    delimiter: str | None = None

    @property
    def warnings(self) -> list[str]:
        return [
            f"column {name!r} is not part of the import layout and was ignored"
            for name in self.ignored_columns
        ]


def read_rows(filename: str, data: bytes, *, xlsx_backend: str | None = None) -> ParsedFile:
    """Parse the header now (so a bad layout fails at once) and the data rows lazily.

    `xlsx_backend` ("calamine" or "openpyxl") overrides the automatic choice, for tests.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFileError(
            "too_large", f"the file is {len(data):,} bytes; the limit is {MAX_UPLOAD_BYTES:,}"
        )
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix == "csv":
        rows, delimiter = _csv_rows(data)
        return _parse(rows, "csv", header_search=1, delimiter=delimiter)
    if suffix in ("xlsx", "xlsm"):
        return _parse(_xlsx_rows(data, xlsx_backend), "xlsx", header_search=XLSX_HEADER_SEARCH_ROWS)
    if suffix == "xls":
        raise ImportFileError(
            "unsupported_type", "Excel 97-2003 .xls is not supported: save it as .xlsx or CSV UTF-8"
        )
    raise ImportFileError("unsupported_type", f"expected a .csv or .xlsx file, got {filename!r}")


# ---- CSV ---------------------------------------------------------------------------------------------


def _csv_rows(data: bytes) -> tuple[Iterator[Sequence[Cell]], str]:
    if data.startswith((_ZIP_MAGIC, _OLE_MAGIC)):
        raise ImportFileError(
            "malformed", "this is an Excel workbook, not a CSV: upload it with the .xlsx extension"
        )
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")  # not utf-8-sig: its offsets skip the BOM
    except UnicodeDecodeError as err:
        # Refuse rather than guess latin-1/cp1252: a wrong guess silently garbles names.
        line = data.count(b"\n", 0, err.start) + 1
        raise ImportFileError(
            "encoding",
            f"the file is not valid UTF-8: byte 0x{data[err.start]:02x} at offset {err.start} (line {line}); "
            "save it as 'CSV UTF-8 (Comma delimited)'",
        ) from None
    if "\x00" in text:
        raise ImportFileError(
            "malformed", "the file contains NUL bytes: it is binary or UTF-16, not a CSV UTF-8 text"
        )
    if not text.strip():
        raise ImportFileError("empty", "the file is empty")
    first_break = text.find("\n")
    header_line = text if first_break < 0 else text[:first_break]
    if header_line.strip().lower() in ("sep=,", "sep=;"):
        # Excel's delimiter hint line: Excel hides it, so the header is row 1 for the user too.
        delimiter = header_line.strip()[4]
        text = text[first_break + 1 :] if first_break >= 0 else ""
        if not text.strip():
            raise ImportFileError("empty", "the file has no header row")
        return _csv_records(text, delimiter), delimiter
    counts = {d: header_line.count(d) for d in (",", ";", "\t", "|")}
    delimiter = max(counts, key=counts.__getitem__)
    if delimiter in ("\t", "|") and counts[delimiter] > 0:
        name = "tab" if delimiter == "\t" else "'|'"
        raise ImportFileError(
            "delimiter", f"the header line is separated by {name}: expected , or ; as delimiter"
        )
    if counts[delimiter] == 0:
        delimiter = ","  # a single column; the missing-columns check explains what is wrong
    return _csv_records(text, delimiter), delimiter


def _csv_records(text: str, delimiter: str) -> Iterator[Sequence[Cell]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as err:
        raise ImportFileError("malformed", f"CSV error on line {reader.line_num}: {err}") from None


# ---- XLSX --------------------------------------------------------------------------------------------


def check_xlsx_archive(data: bytes) -> None:
    """Look at the zip central directory before any decompression: openpyxl would inflate whatever is there.

    Declared sizes can be trusted for the limit: zipfile stops at the declared size and fails the CRC
    when a member inflates to more than it declares.
    """
    if data.startswith(_OLE_MAGIC):
        raise ImportFileError(
            "not_xlsx", "this is an Excel 97-2003 .xls or a password-protected workbook: save it as .xlsx"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise ImportFileError("not_xlsx", "the file is not an .xlsx workbook (not a zip archive)") from None
    except NotImplementedError as err:  # zipfile: a part needs a newer zip version ("zip file version 63.0")
        raise ImportFileError("not_xlsx", f"the file is not an .xlsx workbook Excel writes ({err})") from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise ImportFileError("zip_bomb", f"the archive has {len(members):,} parts; a workbook has tens")
    for member in members:
        if member.file_size > RATIO_CHECK_MIN_BYTES and member.file_size > MAX_COMPRESSION_RATIO * max(
            member.compress_size, 1
        ):
            raise ImportFileError(
                "zip_bomb",
                f"part {member.filename!r} expands {member.file_size // max(member.compress_size, 1):,}:1 "
                f"(limit {MAX_COMPRESSION_RATIO}:1): refused as a zip bomb",
            )
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise ImportFileError(
            "too_large", f"the workbook expands to {total:,} bytes; the limit is {MAX_UNCOMPRESSED_BYTES:,}"
        )
    strings = sum(m.file_size for m in members if m.filename.lower() == "xl/sharedstrings.xml")
    if strings > MAX_SHARED_STRINGS_BYTES:
        raise ImportFileError(
            "too_large",
            f"the shared strings part is {strings:,} bytes; the limit is {MAX_SHARED_STRINGS_BYTES:,}",
        )
    if not any(m.filename == "xl/workbook.xml" for m in members):
        raise ImportFileError("not_xlsx", "the zip archive is not an .xlsx workbook (no xl/workbook.xml)")
    if any(m.flag_bits & 0x1 for m in members):
        raise ImportFileError("not_xlsx", "the workbook contains encrypted parts")


def default_xlsx_backend() -> str:
    """python-calamine (Rust) when installed: about 15x faster than openpyxl on large sheets."""
    try:
        import python_calamine  # noqa: F401
    except ImportError:
        return "openpyxl"
    return "calamine"


def _xlsx_rows(data: bytes, backend: str | None) -> Iterator[Sequence[Cell]]:
    check_xlsx_archive(data)
    rows = _calamine_rows(data) if (backend or default_xlsx_backend()) == "calamine" else _openpyxl_rows(data)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except ImportFileError:
            raise
        # Both libraries raise assorted types for broken parts (KeyError, ParseError, CalamineError ...).
        except Exception as err:  # noqa: BLE001
            raise ImportFileError(
                "malformed", f"the workbook cannot be read: {type(err).__name__}: {err}"
            ) from None
        yield row


def _openpyxl_rows(data: bytes) -> Iterator[Sequence[Cell]]:
    from openpyxl import load_workbook  # imported here: CSV-only callers do not pay for it

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        if not workbook.worksheets:
            return
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers record a wrong <dimension>, which would cut rows or columns
        yield from sheet.iter_rows(values_only=True)
    finally:
        workbook.close()


def _calamine_rows(data: bytes) -> Iterator[Sequence[Cell]]:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    if not workbook.sheet_names:
        return
    # iter_rows() starts at row 1 (leading empty rows padded) and at the first used column: indices stay
    # consistent between the header and the data, which is all the column map needs. Blank cells are "".
    yield from workbook.get_sheet_by_index(0).iter_rows()


# ---- header and rows ---------------------------------------------------------------------------------


def _is_blank(row: Sequence[Cell]) -> bool:
    return all(c is None or (c.__class__ is str and not c.strip()) for c in row)


def _parse(
    records: Iterator[Sequence[Cell]],
    fmt: Literal["csv", "xlsx"],
    header_search: int,
    delimiter: str | None = None,
) -> ParsedFile:
    head = list(itertools.islice(records, header_search))
    candidates = [(n, row) for n, row in enumerate(head, start=1) if not _is_blank(row)]
    if not candidates:
        raise ImportFileError("empty", "the file has no header row")
    # The header is the first row naming the NIP column, else the first non-blank row.
    header_row, header = next(
        ((n, r) for n, r in candidates if any(isinstance(c, str) and key_for_header(c) == "nip" for c in r)),
        candidates[0],
    )
    headers = ["" if c is None else str(c).strip() for c in header]
    columns: dict[str, int] = {}
    column_headers: dict[str, str] = {}
    ignored: list[str] = []
    for index, text in enumerate(headers):
        if not text:
            continue
        key = key_for_header(text)
        if key is None:
            ignored.append(text)
        elif key in columns:
            raise ImportFileError(
                "duplicate_columns",
                f"columns {column_headers[key]!r} and {text!r} both mean {BY_KEY[key].header}",
            )
        else:
            columns[key] = index
            column_headers[key] = text
    missing = [BY_KEY[k].header for k in REQUIRED_KEYS if k not in columns]
    if missing:
        found = ", ".join(repr(h) for h in headers[:12] if h) or "none"
        raise ImportFileError(
            "missing_columns", f"required columns missing: {', '.join(missing)} (found {found})"
        )

    body = itertools.chain(head[header_row:], records)
    numbered = _numbered(body, first=header_row + 1, width=max(columns.values()) + 1)
    try:
        first = next(numbered)
    except StopIteration:
        raise ImportFileError("empty", "the file has a header but no data rows") from None
    return ParsedFile(
        format=fmt,
        header_row=header_row,
        headers=headers,
        columns=columns,
        column_headers=column_headers,
        rows=itertools.chain((first,), numbered),
        ignored_columns=ignored,
        delimiter=delimiter,
    )


def _numbered(body: Iterable[Sequence[Cell]], first: int, width: int) -> Iterator[Row]:
    count = 0
    for number, row in enumerate(body, start=first):
        if _is_blank(row):
            continue
        count += 1
        if count > MAX_ROWS:
            raise ImportFileError("too_many_rows", f"more than {MAX_ROWS:,} data rows: split the file")
        if len(row) < width:  # short CSV lines and XLSX rows that end early
            row = (*row, *((None,) * (width - len(row))))
        yield number, row
