"""Bulk import and export of employees laid out like a SIASN (BKN) export: pure parsing, no I/O.

read_rows() turns an uploaded CSV/XLSX into rows, validate_rows() turns rows into EmployeeIn objects
or per-cell errors, employees_to_xlsx()/employees_to_csv() write the same layout back.
"""

from roster.importing.columns import COLUMNS, Column
from roster.importing.export import employees_to_csv, employees_to_xlsx
from roster.importing.reader import (
    MAX_COMPRESSION_RATIO,
    MAX_ROWS,
    MAX_UNCOMPRESSED_BYTES,
    MAX_UPLOAD_BYTES,
    ImportFileError,
    ParsedFile,
    read_rows,
)
from roster.importing.validate import RowError, ValidationResult, validate_rows

__all__ = [
    "COLUMNS",
    "MAX_COMPRESSION_RATIO",
    "MAX_ROWS",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_UPLOAD_BYTES",
    "Column",
    "ImportFileError",
    "ParsedFile",
    "RowError",
    "ValidationResult",
    "employees_to_csv",
    "employees_to_xlsx",
    "read_rows",
    "validate_rows",
]
