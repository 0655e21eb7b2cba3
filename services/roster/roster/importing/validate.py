"""Validate parsed rows into EmployeeIn objects, or errors naming the row, the column and the rule."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypedDict

from pydantic import ValidationError

from roster.civil_service import golongan_problem
from roster.domain import NipError, check_nip_matches_record, parse_nip
from roster.importing.columns import (
    BY_KEY,
    CONVERTERS,
    JENIS_JABATAN,
    MEMOISED,
    CellError,
    tier_of,
    to_nip,
    to_text,
)
from roster.importing.reader import ParsedFile
from roster.schemas import EmployeeIn

_MISS = object()
_EMPTY = object()  # memoised "the cell is blank"
_CACHE_LIMIT = 200_000  # memo entries per column; bounded so a hostile file cannot grow it without end
_POSITION_KEYS = (JENIS_JABATAN, "eselon", "functional_level")


class RowError(TypedDict):
    row: int
    column: str  # header as written in the file
    reason: str
    rule: str  # machine name: required, date, gender, nip.length, duplicate_nip, unknown_unit, string_too_long ...


@dataclass
class ValidationResult:
    valid: list[tuple[int, EmployeeIn]] = field(default_factory=list)  # (row number, employee)
    errors: list[RowError] = field(default_factory=list)
    rows_total: int = 0
    invalid_rows: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# Straight to pydantic-core: skips model_validate's Python wrapper, same checks.
_validate_employee: Callable[[dict[str, Any]], EmployeeIn] = EmployeeIn.__pydantic_validator__.validate_python


def _convert(raw: Any, convert: Callable[[Any], Any]) -> Any:
    """The converted cell, _EMPTY for a blank cell, or the CellError (memoised like a value)."""
    if raw is None:
        return _EMPTY
    if raw.__class__ is str:
        raw = raw.strip()
        if not raw or raw == "-":
            return _EMPTY
    try:
        value = convert(raw)
    except CellError as err:
        err.__traceback__ = None  # memoised: do not keep the frames alive
        return err
    return _EMPTY if value is None else value  # e.g. ESELON "Non Eselon"


Progress = Callable[[int, int], None]  # (rows done, errors so far)


def validate_rows(
    parsed: ParsedFile,
    known_unit_codes: set[str] | frozenset[str],
    known_position_codes: set[str] | frozenset[str],
    today: date,
    progress: Progress | None = None,
    progress_every: int = 5000,
) -> ValidationResult:
    """Check every row; nothing stops at the first error so the user can fix the whole file at once.

    A NIP seen again is an error on every later row, naming the first one. Raises ImportFileError if
    the file turns out broken while its rows are read (XLSX parts, row limit).
    """
    validator = _RowValidator(parsed, known_unit_codes, known_position_codes, today)
    result = ValidationResult(warnings=parsed.warnings)
    for number, cells in parsed.rows:
        employee, errors = validator.check(number, cells)
        result.rows_total += 1
        if errors:
            result.errors.extend(errors)
            result.invalid_rows += 1
        else:
            result.valid.append((number, employee))  # type: ignore[arg-type]
        if progress is not None and result.rows_total % progress_every == 0:
            progress(result.rows_total, len(result.errors))
    if progress is not None:
        progress(result.rows_total, len(result.errors))
    return result


class _RowValidator:
    def __init__(
        self,
        parsed: ParsedFile,
        units: set[str] | frozenset[str],
        positions: set[str] | frozenset[str],
        today: date,
    ):
        self.units, self.positions, self.today = units, positions, today
        self.headers = parsed.column_headers
        # Built once for all rows: plain text columns, and columns converted through a memo.
        self.text_plan = [(key, index) for key, index in parsed.columns.items() if key not in CONVERTERS]
        self.memo_plan: list[tuple[str, int, Callable[[Any], Any], dict[Any, Any]]] = [
            (key, index, CONVERTERS[key], {}) for key, index in parsed.columns.items() if key in MEMOISED
        ]
        self.nip_index = parsed.columns["nip"]
        self.tiers: dict[tuple[Any, ...], Any] = {}
        self.golongan: dict[tuple[str, str], str | None] = {}
        self.first_row_of_nip: dict[str, int] = {}

    def column(self, key: str) -> str:
        """The header (as written in the file) to blame for a field."""
        if key == "tier":
            key = JENIS_JABATAN
        elif key == "functional_level" and key not in self.headers:
            key = "position_title"
        if key in self.headers:
            return self.headers[key]
        return BY_KEY[key].header if key in BY_KEY else key

    def check(self, number: int, cells: Any) -> tuple[EmployeeIn | None, list[RowError]]:
        errors: list[RowError] = []
        values: dict[str, Any] = {}
        failed: set[str] = set()

        def fail(key: str, rule: str, reason: str) -> None:
            failed.add(key)
            errors.append({"row": number, "column": self.column(key), "reason": reason, "rule": rule})

        for key, index in self.text_plan:
            raw = cells[index]
            if raw.__class__ is str:
                raw = raw.strip()
                if raw and raw != "-":
                    values[key] = raw
            elif raw is not None:
                try:
                    values[key] = to_text(raw)
                except CellError as err:
                    fail(key, err.rule, err.reason)
        for key, index, convert, memo in self.memo_plan:
            raw = cells[index]
            value = memo.get(raw, _MISS)  # keyed by the raw cell: no strip or parse for values seen before
            if value is _MISS:
                value = _convert(raw, convert)
                if len(memo) < _CACHE_LIMIT:
                    memo[raw] = value
            if value is _EMPTY:
                continue
            if value.__class__ is CellError:
                fail(key, value.rule, value.reason)
            else:
                values[key] = value
        raw_nip = cells[self.nip_index]
        if raw_nip is not None:
            try:
                nip = to_nip(raw_nip.strip() if raw_nip.__class__ is str else raw_nip)
                if nip and nip != "-":
                    values["nip"] = nip
            except CellError as err:
                fail("nip", err.rule, err.reason)

        for key in ("nip", "name", "unit_code"):
            if key not in values and key not in failed:
                fail(key, "required", f"{BY_KEY[key].header} is required")

        self._position(values, failed, fail)
        nip = values.get("nip")
        if nip is not None:
            self._nip(nip, number, values, failed, fail)
        golongan = values.get("golongan")
        if golongan is not None and "employment_type" not in failed:
            pair = (golongan, values.get("employment_type", "PNS"))
            problem = self.golongan.get(pair, _MISS)
            if problem is _MISS:
                problem = self.golongan[pair] = golongan_problem(*pair)
            if problem:
                fail("golongan", "golongan", problem)  # type: ignore[arg-type]
        unit = values.get("unit_code")
        if unit is not None and unit not in self.units:
            fail(
                "unit_code", "unknown_unit", f"unit {unit!r} does not exist: create it first or fix the code"
            )
        position = values.get("position_code")
        if position is not None and position not in self.positions:
            fail("position_code", "unknown_position", f"position {position!r} does not exist")

        try:
            employee = _validate_employee(values)
        except ValidationError as err:
            for item in err.errors(include_url=False, include_input=False):
                key = str(item["loc"][0]) if item["loc"] else ""
                errors.append(
                    {
                        "row": number,
                        "column": self.column(key) if key else "",
                        "reason": item["msg"],
                        "rule": item["type"],
                    }
                )
            return None, errors
        return (None, errors) if errors else (employee, errors)

    def _position(
        self, values: dict[str, Any], failed: set[str], fail: Callable[[str, str, str], None]
    ) -> None:
        """JENIS JABATAN + ESELON + JENJANG (or the title) -> tier, functional_level, eselon."""
        jenis = values.pop(JENIS_JABATAN, None)
        eselon = values.get("eselon")
        level = values.get("functional_level")
        if failed.intersection(_POSITION_KEYS) or (jenis is None and eselon is None and level is None):
            return
        title = values.get("position_title") if jenis == "Fungsional" and level is None else None
        memo_key = (jenis, eselon, level, title)
        found = self.tiers.get(memo_key, _MISS)
        if found is _MISS:
            try:
                found = tier_of(jenis, eselon, title, level)
            except CellError as err:
                err.__traceback__ = None
                found = err
            if len(self.tiers) < _CACHE_LIMIT:
                self.tiers[memo_key] = found
        if found.__class__ is CellError:
            fail(found.key or JENIS_JABATAN, found.rule, found.reason)
            values.pop("eselon", None)
            values.pop("functional_level", None)
            return
        values["tier"], values["functional_level"] = found

    def _nip(
        self,
        nip: str,
        number: int,
        values: dict[str, Any],
        failed: set[str],
        fail: Callable[[str, str, str], None],
    ) -> None:
        first = self.first_row_of_nip.setdefault(nip, number)
        if first != number:
            fail("nip", "duplicate_nip", f"NIP {nip} is already on row {first}")
        if "employment_type" in failed:
            return  # PNS and PPPK numbers differ: no reliable check without the type
        try:
            parsed = parse_nip(nip, values.get("employment_type", "PNS"), self.today)
        except NipError as err:
            fail("nip", f"nip.{err.rule}", err.message)
            return
        try:
            check_nip_matches_record(
                parsed,
                None if "birth_date" in failed else values.get("birth_date"),
                None if "gender" in failed else values.get("gender"),
            )
        except NipError as err:
            fail(
                "birth_date" if err.rule == "birth_date_mismatch" else "gender",
                f"nip.{err.rule}",
                err.message,
            )
