"""Reading uploaded spreadsheets (CSV UTF-8 and XLSX) safely, for every service that imports files.

The roster's employee import and assessment's SKP import share this: refusing wrong encodings and
delimiters, Excel files under the wrong name, zip bombs and encrypted or broken workbooks, each with a
stable error code. What the columns mean stays with each importer.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

Cell = object  # str (CSV); str, int, float, bool, datetime or None (XLSX)

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and password-protected workbooks


class TabularFileError(ValueError):
    """The whole file is refused; `code` is stable for clients, `message` tells the user what to fix."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    @property
    def status(self) -> int:
        return 413 if self.code in ("too_large", "too_many_rows") else 422


@dataclass(frozen=True)
class XlsxLimits:
    max_uncompressed_bytes: int
    max_shared_strings_bytes: int  # loaded whole into memory by both readers
    max_zip_members: int = 10_000  # a workbook has tens of parts
    max_compression_ratio: int = 100  # real sheets compress 5-30:1; bombs compress 1000:1
    ratio_check_min_bytes: int = 1024 * 1024  # a small part cannot bomb, and tiny XML parts compress well


# ---- CSV ---------------------------------------------------------------------------------------------


def csv_rows(data: bytes) -> tuple[Iterator[Sequence[Cell]], str]:
    if data.startswith((ZIP_MAGIC, OLE_MAGIC)):
        raise TabularFileError(
            "malformed", "this is an Excel workbook, not a CSV: upload it with the .xlsx extension"
        )
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")  # not utf-8-sig: its offsets skip the BOM
    except UnicodeDecodeError as err:
        # Refuse rather than guess latin-1/cp1252: a wrong guess silently garbles names.
        line = data.count(b"\n", 0, err.start) + 1
        raise TabularFileError(
            "encoding",
            f"the file is not valid UTF-8: byte 0x{data[err.start]:02x} at offset {err.start} (line {line}); "
            "save it as 'CSV UTF-8 (Comma delimited)'",
        ) from None
    if "\x00" in text:
        raise TabularFileError(
            "malformed", "the file contains NUL bytes: it is binary or UTF-16, not a CSV UTF-8 text"
        )
    if not text.strip():
        raise TabularFileError("empty", "the file is empty")
    first_break = text.find("\n")
    header_line = text if first_break < 0 else text[:first_break]
    if header_line.strip().lower() in ("sep=,", "sep=;"):
        # Excel's delimiter hint line: Excel hides it, so the header is row 1 for the user too.
        delimiter = header_line.strip()[4]
        text = text[first_break + 1 :] if first_break >= 0 else ""
        if not text.strip():
            raise TabularFileError("empty", "the file has no header row")
        return _csv_records(text, delimiter), delimiter
    counts = {d: header_line.count(d) for d in (",", ";", "\t", "|")}
    delimiter = max(counts, key=counts.__getitem__)
    if delimiter in ("\t", "|") and counts[delimiter] > 0:
        name = "tab" if delimiter == "\t" else "'|'"
        raise TabularFileError(
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
        raise TabularFileError("malformed", f"CSV error on line {reader.line_num}: {err}") from None


# ---- XLSX --------------------------------------------------------------------------------------------


def check_xlsx_archive(data: bytes, limits: XlsxLimits) -> None:
    """Look at the zip central directory before any decompression: openpyxl would inflate whatever is there.

    Declared sizes can be trusted for the limit: zipfile stops at the declared size and fails the CRC
    when a member inflates to more than it declares.
    """
    if data.startswith(OLE_MAGIC):
        raise TabularFileError(
            "not_xlsx", "this is an Excel 97-2003 .xls or a password-protected workbook: save it as .xlsx"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise TabularFileError("not_xlsx", "the file is not an .xlsx workbook (not a zip archive)") from None
    except NotImplementedError as err:  # zipfile: a part needs a newer zip version ("zip file version 63.0")
        raise TabularFileError(
            "not_xlsx", f"the file is not an .xlsx workbook Excel writes ({err})"
        ) from None
    if len(members) > limits.max_zip_members:
        raise TabularFileError("zip_bomb", f"the archive has {len(members):,} parts; a workbook has tens")
    for member in members:
        if (
            member.file_size > limits.ratio_check_min_bytes
            and member.file_size > limits.max_compression_ratio * max(member.compress_size, 1)
        ):
            raise TabularFileError(
                "zip_bomb",
                f"part {member.filename!r} expands {member.file_size // max(member.compress_size, 1):,}:1 "
                f"(limit {limits.max_compression_ratio}:1): refused as a zip bomb",
            )
    total = sum(m.file_size for m in members)
    if total > limits.max_uncompressed_bytes:
        raise TabularFileError(
            "too_large",
            f"the workbook expands to {total:,} bytes; the limit is {limits.max_uncompressed_bytes:,}",
        )
    strings = sum(m.file_size for m in members if m.filename.lower() == "xl/sharedstrings.xml")
    if strings > limits.max_shared_strings_bytes:
        raise TabularFileError(
            "too_large",
            f"the shared strings part is {strings:,} bytes; the limit is {limits.max_shared_strings_bytes:,}",
        )
    if not any(m.filename == "xl/workbook.xml" for m in members):
        raise TabularFileError("not_xlsx", "the zip archive is not an .xlsx workbook (no xl/workbook.xml)")
    if any(m.flag_bits & 0x1 for m in members):
        raise TabularFileError("not_xlsx", "the workbook contains encrypted parts")


def default_xlsx_backend() -> str:
    """python-calamine (Rust) when installed: about 15x faster than openpyxl on large sheets."""
    try:
        import python_calamine  # noqa: F401
    except ImportError:
        return "openpyxl"
    return "calamine"


def xlsx_rows(data: bytes, backend: str | None, limits: XlsxLimits) -> Iterator[Sequence[Cell]]:
    check_xlsx_archive(data, limits)
    rows = _calamine_rows(data) if (backend or default_xlsx_backend()) == "calamine" else _openpyxl_rows(data)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except TabularFileError:
            raise
        # Both libraries raise assorted types for broken parts (KeyError, ParseError, CalamineError ...).
        except Exception as err:  # noqa: BLE001
            raise TabularFileError(
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


def is_blank(row: Sequence[Cell]) -> bool:
    return all(c is None or (c.__class__ is str and not c.strip()) for c in row)


def numbered_rows(
    body: Iterable[Sequence[Cell]], first: int, width: int, max_rows: int
) -> Iterator[tuple[int, Sequence[Cell]]]:
    """(spreadsheet row number, cells padded to `width`) for each non-blank data row, refusing more
    than `max_rows` of them."""
    count = 0
    for number, row in enumerate(body, start=first):
        if is_blank(row):
            continue
        count += 1
        if count > max_rows:
            raise TabularFileError("too_many_rows", f"more than {max_rows:,} data rows: split the file")
        if len(row) < width:  # short CSV lines and XLSX rows that end early
            row = (*row, *((None,) * (width - len(row))))
        yield number, row


@dataclass(frozen=True)
class Header:
    row: int  # spreadsheet row number of the header
    headers: list[str]  # its cells as text
    columns: dict[str, int]  # field key -> column index
    column_headers: dict[str, str]  # field key -> the header text that named it
    ignored: list[str]  # headers that name no field


def find_header(
    head: Sequence[Sequence[Cell]], key_for_header: Callable[[str], str | None], meaning: Callable[[str], str]
) -> Header:
    """The header among the first rows: the first naming the NIP column, else the first non-blank row;
    each header mapped to its field key (`key_for_header`), a field named twice refused."""
    candidates = [(n, row) for n, row in enumerate(head, start=1) if not is_blank(row)]
    if not candidates:
        raise TabularFileError("empty", "the file has no header row")
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
            raise TabularFileError(
                "duplicate_columns", f"columns {column_headers[key]!r} and {text!r} both mean {meaning(key)}"
            )
        else:
            columns[key] = index
            column_headers[key] = text
    return Header(header_row, headers, columns, column_headers, ignored)
