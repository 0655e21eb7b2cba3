"""Write employees in the import layout, so an export re-imports unchanged."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from roster.importing.columns import COLUMNS, JENIS_JABATAN, jenis_of

HEADERS = [c.header for c in COLUMNS]
_KEYS = [c.key for c in COLUMNS]
_NIP = _KEYS.index("nip")
_GENDER = {"male": "L", "female": "P"}
_FORMULA_START = ("=", "+", "@")  # '-' cells import as empty anyway


def _cells(employee: Mapping[str, Any]) -> list[Any]:
    """One row of cells from an EmployeeIn/EmployeeOut-shaped mapping (extra keys are ignored)."""
    cells: list[Any] = []
    for key in _KEYS:
        if key == JENIS_JABATAN:
            value: Any = jenis_of(employee.get("tier"), employee.get("eselon"))
        elif key == "gender":
            value = _GENDER.get(employee.get("gender") or "")
        elif key == "functional_level":
            value = employee.get("functional_level") if employee.get("tier") == "Fungsional" else None
        else:
            value = employee.get(key)
        if isinstance(value, datetime):
            value = value.date()
        cells.append(value)
    nip = cells[_NIP]
    cells[_NIP] = None if nip is None else str(nip)  # NIP as text: a number keeps only 15 digits
    return cells


def employees_to_xlsx(rows: Iterable[Mapping[str, Any]], sheet_title: str = "Pegawai") -> bytes:
    """XLSX bytes: one header row (COLUMNS headers), one row per employee, dates as real Excel dates."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    sheet.append(HEADERS)
    for employee in rows:
        cells = _cells(employee)
        for i, value in enumerate(cells):
            if value.__class__ is str:
                if not value.isprintable():
                    value = cells[i] = ILLEGAL_CHARACTERS_RE.sub("", value)  # XML cannot carry control chars
                if value.startswith("="):
                    # openpyxl would write it as a formula; keep it a string so nothing runs when opened.
                    cell = WriteOnlyCell(sheet, value)
                    cell.data_type = "s"
                    cells[i] = cell
            elif value.__class__ is date:
                cell = WriteOnlyCell(sheet, value)
                cell.number_format = "DD-MM-YYYY"
                cells[i] = cell
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def employees_to_csv(rows: Iterable[Mapping[str, Any]], delimiter: str = ",") -> bytes:
    """CSV UTF-8 (with BOM, so Excel opens it as UTF-8); dates as DD-MM-YYYY."""
    if delimiter not in (",", ";"):
        raise ValueError("delimiter must be , or ;")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for employee in rows:
        cells = _cells(employee)
        for i, value in enumerate(cells):
            if value.__class__ is date:
                cells[i] = f"{value.day:02d}-{value.month:02d}-{value.year:04d}"
            elif value.__class__ is str and value.startswith(_FORMULA_START):
                cells[i] = "'" + value  # a spreadsheet would run it as a formula (CSV injection)
        writer.writerow(cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
