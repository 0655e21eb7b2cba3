"""Bulk import of employees (file upload, integration push, SIASN records) as a job with progress.

Every row is validated first; then, in ONE transaction, new NIPs are inserted, changed ones updated
(version + 1, history, event) and identical ones left alone, so re-uploading a file changes nothing.
`all_or_nothing` writes nothing when any row is bad; `valid_rows` writes the good rows and reports
the bad ones. Progress (rows done, percent, errors so far) is written by a side session so pollers
see it while the main transaction is still open.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Literal

from bakat_common.contracts.roster import (
    EmployeeRegisteredV1,
    EmployeeTransferredV1,
    EmployeeUpdatedV1,
)
from bakat_common.db import copy_records, on_commit, unit_of_work, use_tenant_scope
from bakat_common.events import CloudEvent, bulk_envelope, new_event
from bakat_common.outbox import add_many_to_outbox
from pydantic_core import to_json
from sqlalchemy import String, and_, any_, func, literal, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from roster.civil_service import golongan_problem
from roster.domain import NipError, check_nip_matches_record, parse_nip
from roster.importing import ImportFileError, ValidationResult, read_rows, validate_rows
from roster.importing.validate import RowError
from roster.metrics import RosterMetrics
from roster.models import Employee, EmployeeHistory, ImportJob, Position, Unit
from roster.schemas import EmployeeIn
from roster.service import (
    SERVICE,
    TOPIC,
    employee_columns,
    position_filled,
    position_subject,
    position_vacated,
    snapshot_from,
)

Mode = Literal["all_or_nothing", "valid_rows"]
MAX_STORED_ERRORS = 1000  # a job keeps the first thousand row errors (and counts them all)
COMPARED = (
    "name", "front_title", "back_title", "employment_type", "golongan", "education_level", "education_major",
    "education_institution", "position_title", "tier", "functional_level", "eselon", "tmt_position",
    "career_preference", "leadership_experience", "bup", "retirement_date", "unit_id", "position_id",
)  # fmt: skip
# A job whose heartbeat is older than this was interrupted (its process crashed or was restarted):
# its one write transaction was rolled back, so nothing of it is in the roster.
STALE_AFTER = timedelta(minutes=2)
FINAL = ("done", "rejected", "failed")
log = logging.getLogger("bakat.roster.imports")


@dataclass
class Progress:
    """Shared between the worker (maybe a thread) and the coroutine that saves it."""

    total: int = 0
    done: int = 0
    errors: int = 0
    phase: str = "queued"


@dataclass
class WriteResult:
    imported: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


async def _save_progress(
    sessions: async_sessionmaker[AsyncSession], job_id: uuid.UUID, progress: Progress
) -> None:
    async with unit_of_work(sessions) as session:
        await session.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id)
            .values(
                status=progress.phase,
                total_rows=progress.total,
                rows_done=progress.done,
                error_count=progress.errors,
                heartbeat_at=func.now(),
            )
        )


async def _progress_saver(
    sessions: async_sessionmaker[AsyncSession], job_id: uuid.UUID, progress: Progress, stop: asyncio.Event
) -> None:
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), timeout=0.5)
        except asyncio.TimeoutError:
            pass
        try:
            await _save_progress(sessions, job_id, progress)
        except Exception:  # progress is a courtesy: a failed save must not stop the import
            log.warning("saving import progress failed", exc_info=True)


def validate_file(
    filename: str, data: bytes, units: set[str], positions: set[str], progress: Progress
) -> ValidationResult:
    """CPU-bound: runs in a worker thread so the service keeps answering."""
    parsed = read_rows(filename, data)

    def report(done: int, errors: int) -> None:
        progress.done, progress.errors = done, errors

    return validate_rows(parsed, units, positions, date.today(), progress=report)


def validate_records(
    records: Sequence[EmployeeIn | RowError], units: set[str], positions: set[str], today: date
) -> ValidationResult:
    """The checks of a file row, for employees pushed as JSON (row = position in the list, from 1).

    An entry may already be a RowError (a SIASN record the adapter could not map): it is counted and
    reported in its place.
    """
    result = ValidationResult()
    first_row: dict[str, int] = {}
    for row, data in enumerate(records, start=1):
        if isinstance(data, dict):
            result.rows_total += 1
            result.invalid_rows += 1
            result.errors.append({**data, "row": row})
            continue
        errors: list[RowError] = []
        if data.golongan is not None and (problem := golongan_problem(data.golongan, data.employment_type)):
            errors.append({"row": row, "column": "golongan", "reason": problem, "rule": "golongan"})
        try:
            nip = parse_nip(data.nip, data.employment_type, today=today)
            check_nip_matches_record(nip, data.birth_date, data.gender)
        except NipError as exc:
            errors.append({"row": row, "column": "nip", "reason": exc.message, "rule": f"nip.{exc.rule}"})
        if data.nip in first_row:
            errors.append(
                {
                    "row": row,
                    "column": "nip",
                    "reason": f"NIP also in row {first_row[data.nip]}",
                    "rule": "duplicate_nip",
                }
            )
        first_row.setdefault(data.nip, row)
        if data.unit_code is not None and data.unit_code not in units:
            errors.append(
                {
                    "row": row,
                    "column": "unit_code",
                    "reason": f"unknown unit {data.unit_code!r}",
                    "rule": "unknown_unit",
                }
            )
        if data.position_code is not None and data.position_code not in positions:
            errors.append(
                {
                    "row": row,
                    "column": "position_code",
                    "reason": f"unknown position {data.position_code!r}",
                    "rule": "unknown_position",
                }
            )
        result.rows_total += 1
        if errors:
            result.errors += errors
            result.invalid_rows += 1
        else:
            result.valid.append((row, data))
    return result


async def write_employees(
    session: AsyncSession,
    tenant_id: str,
    actor: str,
    rows: list[tuple[int, EmployeeIn]],
    units: dict[str, Unit],
    positions: dict[str, Position],
    progress: Progress,
    chunk: int = 5000,
) -> WriteResult:
    """Upsert by NIP in the caller's transaction: insert new, update changed, skip identical.

    For an existing employee only the fields the row carries are compared and changed: a source that
    lacks a column (SIASN has no career preference) never wipes it. Retired employees are left alone.
    """
    result = WriteResult()
    today = date.today()
    units_by_id = {u.id: u for u in units.values()}
    positions_by_id = {p.id: p for p in positions.values()}
    # A holder keeps their post unless this import moves them elsewhere, so posts can change hands.
    moving = {
        data.nip: (positions[data.position_code].id if data.position_code else None)
        for _, data in rows
        if "position_code" in data.model_fields_set
    }
    current = await _holders(session, tenant_id)
    held_by = {nip: pid for pid, nip in current.items()}
    holders = {pid: nip for pid, nip in current.items() if moving.get(nip, pid) == pid}
    # Posts change hands inside one import (even a swap): first release every post whose holder the
    # file moves, so the one-holder-per-post index never sees two holders mid-statement.
    released = [nip for nip, pid in held_by.items() if moving.get(nip, pid) != pid]
    if released:
        await session.execute(
            update(Employee)
            .where(Employee.tenant_id == tenant_id, Employee.nip.in_(released))
            .values(position_id=None)
        )
    events: list[CloudEvent | dict] = []
    for start in range(0, len(rows), chunk):
        batch = rows[start : start + chunk]
        existing = await _existing(session, tenant_id, [data.nip for _, data in batch])
        for nip in released:  # compare against the post they held before the release above
            if nip in existing:
                existing[nip]["position_id"] = held_by[nip]
        inserts, updates, history = [], [], []
        for row, data in batch:
            unit = units.get(data.unit_code) if data.unit_code else None
            position = positions.get(data.position_code) if data.position_code else None
            nip = parse_nip(data.nip, data.employment_type, today=today)  # valid: checked before
            values = employee_columns(data, nip, position)
            values["unit_id"] = unit.id if unit else None
            values["position_id"] = position.id if position else None
            old = existing.get(data.nip)
            if position is not None and holders.get(position.id, data.nip) != data.nip:
                result.errors.append(
                    {
                        "row": row,
                        "column": "position_code",
                        "reason": f"position {position.code!r} is held by {holders[position.id]}",
                        "rule": "position_held",
                    }
                )
                continue
            if old is None:
                if position is not None:
                    holders[position.id] = data.nip
                values.update(id=uuid.uuid4(), tenant_id=tenant_id)
                inserts.append(values)
                history.append(_history(tenant_id, values["id"], "registered", 1, actor, {}))
                events.append(_event(EmployeeRegisteredV1, values, unit, position, tenant_id))
                if position is not None:
                    events.append(_position_event(position_filled, position, data.nip, tenant_id))
                result.imported += 1
                continue
            columns = provided_columns(data)
            if old["status"] != "active":
                columns.discard("retirement_date")  # a retiree's actual date is history, not derived
            changes = {k: (old[k], values[k]) for k in columns if old[k] != values[k]}
            if not changes:
                result.unchanged += 1
                continue
            if old["status"] != "active":
                result.errors.append(
                    {
                        "row": row,
                        "column": "nip",
                        "reason": f"employee {data.nip} is retired",
                        "rule": "retired",
                    }
                )
                continue
            if position is not None:
                holders[position.id] = data.nip
            merged = {k: old[k] for k in COMPARED} | {k: values[k] for k in columns}
            merged.update(id=old["id"], nip=data.nip, version=old["version"] + 1, status=old["status"])
            updates.append(merged)
            moved = "unit_id" in changes or "position_id" in changes
            readable = _readable(changes, units_by_id, positions_by_id)
            kind = "transferred" if moved else "updated"
            history.append(_history(tenant_id, old["id"], kind, merged["version"], actor, readable))
            snapshot = {**old, **merged, "gender": nip.gender, "birth_date": nip.birth_date}
            new_unit = units_by_id.get(merged["unit_id"])
            new_position = positions_by_id.get(merged["position_id"])
            if moved:
                old_unit, old_position = (
                    units_by_id.get(old["unit_id"]),
                    positions_by_id.get(old["position_id"]),
                )
                extra = {
                    "from_unit_code": old_unit.code if old_unit else None,
                    "from_position_code": old_position.code if old_position else None,
                    "reason": "bulk import",
                }
                events.append(
                    _event(EmployeeTransferredV1, snapshot, new_unit, new_position, tenant_id, extra)
                )
                if "position_id" in changes and old_position is not None:
                    events.append(_position_event(position_vacated, old_position, data.nip, tenant_id))
                if "position_id" in changes and new_position is not None:
                    events.append(_position_event(position_filled, new_position, data.nip, tenant_id))
            else:
                events.append(_event(EmployeeUpdatedV1, snapshot, new_unit, new_position, tenant_id))
            result.imported += 1
        if inserts:
            columns = tuple(inserts[0])
            records = [tuple(values[c] for c in columns) for values in inserts]
            await copy_records(session, Employee.__tablename__, columns, records, tenant_table=True)
        if updates:
            now = datetime.now(timezone.utc)  # bulk UPDATE by primary key takes plain values only
            await session.execute(update(Employee), [{**u, "updated_at": now} for u in updates])
        if history:
            await copy_records(
                session, EmployeeHistory.__tablename__, HISTORY_COLUMNS, history, tenant_table=True
            )
        progress.done = min(progress.total, start + len(batch))
    await add_many_to_outbox(session, events, topic=TOPIC)
    return result


def provided_columns(data: EmployeeIn) -> set[str]:
    """The employee columns a row speaks for: the fields it carries (a missing cell changes nothing)."""
    given = data.model_fields_set
    columns = {f for f in given if f in COMPARED}
    if "unit_code" in given:
        columns.add("unit_id")
    if "position_code" in given:  # a post brings its title, tier, level and eselon unless the row gives them
        columns |= {"position_id", "position_title", "tier", "functional_level", "eselon"}
    if "bup" in given:
        columns.add("retirement_date")
    return columns


def _readable(changes: dict, units_by_id: dict, positions_by_id: dict) -> dict:
    """History in the users' terms: unit and position codes rather than internal ids."""
    out = {}
    for key, (before, after) in changes.items():
        if key == "unit_id":
            key, before, after = "unit_code", _code(units_by_id, before), _code(units_by_id, after)
        elif key == "position_id":
            key, before, after = (
                "position_code",
                _code(positions_by_id, before),
                _code(positions_by_id, after),
            )
        out[key] = [_json(before), _json(after)]
    return out


def _code(by_id: dict, key: Any) -> str | None:
    found = by_id.get(key)
    return found.code if found else None


def _position_event(make, position: Position, nip: str, tenant_id: str) -> CloudEvent:
    return new_event(
        make(position, nip), service=SERVICE, tenant=tenant_id, subject=position_subject(position)
    )


def _json(value: Any) -> Any:
    return (
        value.isoformat()
        if isinstance(value, date)
        else str(value)
        if isinstance(value, uuid.UUID)
        else value
    )


HISTORY_COLUMNS = ("tenant_id", "employee_id", "kind", "version", "actor", "changes", "reason")


def _history(
    tenant_id: str, employee_id: uuid.UUID, kind: str, version: int, actor: str, changes: dict
) -> tuple:
    """An employee_history row for COPY, in HISTORY_COLUMNS order (JSONB as JSON text)."""
    return (tenant_id, employee_id, kind, version, actor, to_json(changes).decode(), "bulk import")


def _event(payload_type, values, unit, position, tenant_id: str, extra: dict | None = None) -> dict:
    # The snapshot holds exactly the contract's fields (tests compare it with the pydantic path).
    data = snapshot_from(values, unit, position) | (extra or {})
    return bulk_envelope(payload_type, data, service=SERVICE, tenant=tenant_id, subject=values["nip"])


async def _existing(session: AsyncSession, tenant_id: str, nips: list[str]) -> dict[str, dict]:
    names = ("id", "nip", "version", "status", "gender", "birth_date", *COMPARED)
    columns = [Employee.__table__.c[name] for name in dict.fromkeys(names)]
    # Locked until the import commits: a PATCH or transfer meanwhile waits instead of being overwritten.
    rows = await session.execute(
        select(*columns)
        .where(Employee.tenant_id == tenant_id, Employee.nip == any_(literal(nips, ARRAY(String))))
        .with_for_update()
    )
    return {row.nip: row._asdict() for row in rows}


async def _holders(session: AsyncSession, tenant_id: str) -> dict[uuid.UUID, str]:
    rows = await session.execute(
        select(Employee.position_id, Employee.nip).where(
            and_(
                Employee.tenant_id == tenant_id,
                Employee.status == "active",
                Employee.position_id.is_not(None),
            )
        )
    )
    return {position_id: nip for position_id, nip in rows}


Source = Callable[[set[str], set[str], Progress], ValidationResult]


async def run_import(
    sessions: async_sessionmaker[AsyncSession],
    progress_sessions: async_sessionmaker[AsyncSession],
    job_id: uuid.UUID,
    tenant_id: str,
    actor: str,
    mode: Mode,
    source: Source,
    metrics: RosterMetrics,
    source_kind: str,
) -> None:
    """The job: validate (in a thread), then write in one transaction; the job row tells the outcome.
    `source_kind` (file, api, siasn) labels its metrics. Progress is saved from `progress_sessions`
    (not the main pool, where the write transaction holds a connection meanwhile)."""
    use_tenant_scope([tenant_id])  # row-level security: the job works on its tenant's rows
    progress = Progress(phase="validating")
    stop = asyncio.Event()
    saver = asyncio.create_task(_progress_saver(progress_sessions, job_id, progress, stop))
    started = time.perf_counter()
    outcome: dict[str, Any]
    try:
        async with sessions() as session:
            units = {
                u.code: u
                for u in (await session.scalars(select(Unit).where(Unit.tenant_id == tenant_id))).all()
            }
            positions = {
                p.code: p
                for p in (await session.scalars(select(Position).where(Position.tenant_id == tenant_id)))
                .unique()
                .all()
            }
        validation = await asyncio.to_thread(source, set(units), set(positions), progress)
        progress.total = validation.rows_total
        errors = list(validation.errors)
        if errors and mode == "all_or_nothing":
            outcome = {"status": "rejected", "errors": errors}
        else:
            progress.phase, progress.done = "writing", 0
            progress.total = len(validation.valid)
            async with unit_of_work(sessions) as session:
                written = await write_employees(
                    session, tenant_id, actor, validation.valid, units, positions, progress
                )
                errors += written.errors
                if written.errors and mode == "all_or_nothing":
                    raise _Rejected(errors)
            outcome = {
                "status": "done",
                "errors": errors,
                "imported": written.imported,
                "unchanged": written.unchanged,
            }
        outcome["total_rows"] = validation.rows_total
        outcome["rows_done"] = validation.rows_total
    except _Rejected as rejected:
        outcome = {"status": "rejected", "errors": rejected.errors}
    except IntegrityError:
        # Someone registered one of these NIPs (or took a post) while the import ran: nothing was written.
        reason = "the roster changed while the file was imported (a NIP or a post was taken meanwhile); upload it again"
        outcome = {
            "status": "failed",
            "errors": [{"row": 0, "column": "", "reason": reason, "rule": "conflict"}],
        }
    except ImportFileError as exc:
        outcome = {
            "status": "rejected",
            "errors": [{"row": 0, "column": "", "reason": exc.message, "rule": exc.code}],
        }
    except Exception:
        log.exception("import job failed", extra={"job_id": str(job_id)})
        outcome = {
            "status": "failed",
            "errors": [{"row": 0, "column": "", "reason": "internal error", "rule": "failed"}],
        }
    finally:
        stop.set()
        await asyncio.gather(saver, return_exceptions=True)
    outcome["error_count"] = len(outcome["errors"])
    outcome["errors"] = sorted(outcome["errors"], key=lambda e: e["row"])[:MAX_STORED_ERRORS]
    async with unit_of_work(sessions) as session:
        await session.execute(
            update(ImportJob).where(ImportJob.id == job_id).values(**outcome, finished_at=func.now())
        )
        seconds = time.perf_counter() - started
        on_commit(session, lambda: metrics.import_finished(tenant_id, source_kind, outcome, seconds))
    log.info(
        "import job finished",
        extra={
            "job_id": str(job_id),
            "status": outcome["status"],
            "seconds": round(time.perf_counter() - started, 2),
        },
    )


async def fail_if_interrupted(session: AsyncSession, job: ImportJob, metrics: RosterMetrics) -> None:
    """Report a job whose process died as failed, so pollers stop waiting (checked when it is read:
    any replica can tell, and no replica fails another's running job)."""
    if job.status in FINAL or datetime.now(timezone.utc) - job.heartbeat_at < STALE_AFTER:
        return
    # The API and SIASN pushes name their job so (roster.api); anything else came as a file.
    source = job.filename if job.filename in ("api", "siasn") else "file"
    on_commit(session, lambda: metrics.interrupted(job.tenant_id, source))
    reason = "the import was interrupted (the service restarted); nothing of it was written: upload it again"
    job.status, job.finished_at = "failed", datetime.now(timezone.utc)
    job.errors = [{"row": 0, "column": "", "reason": reason, "rule": "interrupted"}]
    job.error_count = 1
    await session.flush()


class _Rejected(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
