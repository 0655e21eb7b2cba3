"""Read an uploaded CSV or XLSX into a header map and numbered rows, refusing hostile or broken files."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from bakat_common.tabular import (
    Cell,
    TabularFileError,
    XlsxLimits,
    csv_rows,
    find_header,
    numbered_rows,
    xlsx_rows,
)

from roster.importing.columns import BY_KEY, REQUIRED_KEYS, key_for_header

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024  # a 50 MB xlsx expands to about 300-400 MB of XML
MAX_COMPRESSION_RATIO = 100  # real sheets compress 5-30:1; bombs compress 1000:1
RATIO_CHECK_MIN_BYTES = 1024 * 1024  # a small part cannot bomb, and tiny XML parts compress well
MAX_SHARED_STRINGS_BYTES = 200 * 1024 * 1024  # loaded whole into memory by both readers (~3-4x in objects)
MAX_ZIP_MEMBERS = 10_000  # a workbook has tens of parts
MAX_ROWS = 200_000  # beyond this, split the file (one import is one job)
XLSX_HEADER_SEARCH_ROWS = 10  # SIASN/Excel reports often put a title above the header


Row = tuple[int, Sequence[Cell]]  # (1-based spreadsheet row number, cells in header order)


ImportFileError = TabularFileError  # the whole file is refused: .code for clients, .message for users


def _xlsx_limits() -> XlsxLimits:
    # Read at call time: tests lower these module limits.
    return XlsxLimits(
        MAX_UNCOMPRESSED_BYTES,
        MAX_SHARED_STRINGS_BYTES,
        MAX_ZIP_MEMBERS,
        MAX_COMPRESSION_RATIO,
        RATIO_CHECK_MIN_BYTES,
    )


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
        rows, delimiter = csv_rows(data)
        return _parse(rows, "csv", header_search=1, delimiter=delimiter)
    if suffix in ("xlsx", "xlsm"):
        return _parse(
            xlsx_rows(data, xlsx_backend, _xlsx_limits()), "xlsx", header_search=XLSX_HEADER_SEARCH_ROWS
        )
    if suffix == "xls":
        raise ImportFileError(
            "unsupported_type", "Excel 97-2003 .xls is not supported: save it as .xlsx or CSV UTF-8"
        )
    raise ImportFileError("unsupported_type", f"expected a .csv or .xlsx file, got {filename!r}")


# ---- header and rows ---------------------------------------------------------------------------------


def _parse(
    records: Iterator[Sequence[Cell]],
    fmt: Literal["csv", "xlsx"],
    header_search: int,
    delimiter: str | None = None,
) -> ParsedFile:
    head = list(itertools.islice(records, header_search))
    found_header = find_header(head, key_for_header, lambda key: BY_KEY[key].header)
    header_row, headers, columns = found_header.row, found_header.headers, found_header.columns
    column_headers, ignored = found_header.column_headers, found_header.ignored
    missing = [BY_KEY[k].header for k in REQUIRED_KEYS if k not in columns]
    if missing:
        found = ", ".join(repr(h) for h in headers[:12] if h) or "none"
        raise ImportFileError(
            "missing_columns", f"required columns missing: {', '.join(missing)} (found {found})"
        )

    body = itertools.chain(head[header_row:], records)
    numbered = numbered_rows(body, first=header_row + 1, width=max(columns.values()) + 1, max_rows=MAX_ROWS)
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
