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
    is_blank,
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
    candidates = [(n, row) for n, row in enumerate(head, start=1) if not is_blank(row)]
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
