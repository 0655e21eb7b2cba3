"""Thin routes: parse, call a use case, shape the answer."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from typing import Annotated

from bakat_common.app import PrincipalDep, ReadSessionDep, RuntimeDep, ServiceRuntime, SessionDep
from bakat_common.auth import ALL_TENANTS, require_roles
from bakat_common.errors import InvalidInput, NotFound, Problem, problem_responses
from bakat_common.pagination import decode_nip_cursor, encode_nip_cursor
from bakat_common.responses import ModelResponse
from fastapi import (
    APIRouter,
    BackgroundTasks,
    Body,
    Depends,
    File,
    Form,
    Path,
    Query,
    Request,
    Response,
    UploadFile,
    status,
)
from pydantic_core import to_json

from roster import imports, service, siasn
from roster.importing import (
    MAX_UPLOAD_BYTES,
    ImportFileError,
    ValidationResult,
    employees_to_xlsx,
    read_rows,
    validate_rows,
)
from roster.models import ImportJob
from roster.repository import RosterRepository
from roster.schemas import (
    EMPLOYEE_CSV_EXAMPLE,
    SIASN_RW_JABATAN_EXAMPLE,
    EmployeeIn,
    EmployeeOut,
    EmployeePage,
    EmployeePatch,
    EmployeesPush,
    HistoryEntryOut,
    ImportJobOut,
    ImportMode,
    PositionIn,
    PositionOut,
    RetireIn,
    SiasnPush,
    TenantIn,
    TenantOut,
    TrackRecordIn,
    TrackRecordOut,
    TransferIn,
    UnitIn,
    UnitOut,
)


async def tenant_covered(request: Request, principal: PrincipalDep, runtime: RuntimeDep) -> None:
    """The tenant in the path exists and the token covers it, checked before the body is read: a
    token of another tenant learns nothing (not even what a valid body looks like) and gets 403/404."""
    tenant_id = request.path_params.get("tenant_id")
    if tenant_id is not None:
        await service.authorize_known_tenant(
            runtime.read_sessions, principal, tenant_id, runtime.tenant_parents
        )


router = APIRouter(dependencies=[Depends(tenant_covered)])
TenantId = Annotated[str, Path(max_length=100, description="tenant slug, e.g. kota-batu")]
NipPath = Annotated[str, Path(max_length=40, description="18-digit NIP")]
Code = Annotated[str, Path(max_length=50)]
WRITE = problem_responses(400, 401, 403, 404, 409, 422)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
READ = problem_responses(401, 403, 404, 422)  # 422: a path value too long or malformed


@router.post(
    "/tenants",
    status_code=status.HTTP_201_CREATED,
    response_model=TenantOut,
    tags=["tenants"],
    responses=WRITE,
)
async def create_tenant(body: TenantIn, session: SessionDep, principal: PrincipalDep) -> TenantOut:
    return TenantOut.model_validate(await service.register_tenant(session, principal, body))


@router.get(
    "/tenants", response_model=list[TenantOut], tags=["tenants"], responses=problem_responses(401, 403)
)
async def list_tenants(session: SessionDep, principal: PrincipalDep) -> list[TenantOut]:
    """The caller's tenant and, for a province, its kabupaten/kota."""
    scope = None if principal.tenant == ALL_TENANTS else principal.tenant
    return [TenantOut.model_validate(t) for t in await RosterRepository(session).tenants_visible_to(scope)]


@router.get("/tenants/{tenant_id}", response_model=TenantOut, tags=["tenants"], responses=READ)
async def get_tenant(tenant_id: TenantId, session: SessionDep, principal: PrincipalDep) -> TenantOut:
    tenant = await service.authorize_tenant(RosterRepository(session), principal, tenant_id)
    return TenantOut.model_validate(tenant)


# ---- organisation --------------------------------------------------------------------------------


@router.post(
    "/tenants/{tenant_id}/units", status_code=201, response_model=UnitOut, tags=["units"], responses=WRITE
)
async def create_unit(
    tenant_id: TenantId, body: UnitIn, session: SessionDep, principal: PrincipalDep
) -> UnitOut:
    return UnitOut.model_validate(await service.register_unit(session, principal, tenant_id, body))


@router.get("/tenants/{tenant_id}/units", response_model=list[UnitOut], tags=["units"], responses=READ)
async def list_units(tenant_id: TenantId, session: SessionDep, principal: PrincipalDep) -> list[UnitOut]:
    """The OPD tree, parents before their children (ordered by path)."""
    repo = RosterRepository(session)
    await service.ensure_tenant_access(repo, principal, tenant_id)
    return [UnitOut.model_validate(u) for u in await repo.units(tenant_id)]


@router.post(
    "/tenants/{tenant_id}/positions",
    status_code=201,
    response_model=PositionOut,
    tags=["positions"],
    responses=WRITE,
)
async def create_position(
    tenant_id: TenantId, body: PositionIn, session: SessionDep, principal: PrincipalDep
) -> PositionOut:
    return await service.register_position(session, principal, tenant_id, body)


@router.get(
    "/tenants/{tenant_id}/positions", response_model=list[PositionOut], tags=["positions"], responses=READ
)
async def list_positions(
    tenant_id: TenantId,
    session: SessionDep,
    principal: PrincipalDep,
    vacant: Annotated[bool | None, Query(description="only vacant (true) or only filled (false)")] = None,
) -> list[PositionOut]:
    repo = RosterRepository(session)
    await service.ensure_tenant_access(repo, principal, tenant_id)
    return [service.position_out(p, nip) for p, nip in await repo.positions(tenant_id, vacant)]


@router.get(
    "/tenants/{tenant_id}/positions/{code}", response_model=PositionOut, tags=["positions"], responses=READ
)
async def get_position(
    tenant_id: TenantId, code: Code, session: SessionDep, principal: PrincipalDep
) -> PositionOut:
    repo = RosterRepository(session)
    await service.ensure_tenant_access(repo, principal, tenant_id)
    position = await repo.position(tenant_id, code)
    if position is None:
        raise NotFound(f"position {code} not found in {tenant_id}")
    holder = await repo.holder(position)
    return service.position_out(position, holder.nip if holder else None)


# ---- employees -----------------------------------------------------------------------------------


@router.post(
    "/tenants/{tenant_id}/employees",
    status_code=201,
    response_model=EmployeeOut,
    tags=["employees"],
    responses=WRITE,
)
async def create_employee(
    tenant_id: TenantId, body: EmployeeIn, session: SessionDep, principal: PrincipalDep
) -> EmployeeOut:
    return service.employee_out(await service.register_employee(session, principal, tenant_id, body))


async def _check_unit(repo: RosterRepository, tenant_id: str, code: str) -> None:
    if await repo.unit(tenant_id, code) is None:
        raise InvalidInput("query.unit", "exists", f"unit {code!r} does not exist in {tenant_id}")


# response_model documents the page; the route answers with the JSON built from plain dicts (one model
# per row cost more than the query): service.employee_item is EmployeeOut's JSON, checked by a test.
@router.get("/tenants/{tenant_id}/employees", response_model=EmployeePage, tags=["employees"], responses=READ)
async def list_employees(
    tenant_id: TenantId,
    session: ReadSessionDep,
    unit: Annotated[str | None, Query(max_length=50, description="unit code; includes its sub-units")] = None,
    tier: Annotated[str | None, Query(max_length=20)] = None,
    golongan: Annotated[str | None, Query(max_length=6)] = None,
    status: Annotated[str | None, Query(pattern="^(active|retired)$")] = None,
    q: Annotated[str | None, Query(max_length=100, description="name contains, or NIP starts with")] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    """Paginated by NIP with a stable cursor: pass `next_cursor` back to get the next page."""
    repo = RosterRepository(session)  # the tenant is checked: tenant_covered
    try:
        after_nip = decode_nip_cursor(cursor)
    except InvalidInput:
        if unit is not None:  # an unknown unit is the first thing wrong with the query
            await _check_unit(repo, tenant_id, unit)
        raise
    rows = await repo.search_employees(
        tenant_id,
        unit_code=unit,
        tier=tier,
        golongan=golongan,
        status=status,
        query=q,
        after_nip=after_nip,
        limit=limit + 1,
    )
    if not rows and unit is not None:  # no employees there, or no such unit?
        await _check_unit(repo, tenant_id, unit)
    more = len(rows) > limit
    del rows[limit:]
    page = {
        "items": [service.employee_item(row) for row in rows],
        "next_cursor": encode_nip_cursor(rows[-1].nip) if more else None,
    }
    return Response(content=to_json(page), media_type="application/json")


async def _employee(repo: RosterRepository, principal, tenant_id: str, nip: str):
    await service.ensure_tenant_access(repo, principal, tenant_id)
    employee = await repo.employee(tenant_id, nip)
    if employee is None:
        raise NotFound(f"employee {nip} not found in {tenant_id}")
    return employee


# As the list page: one row read outside a transaction, answered as the JSON of service.employee_item
# (EmployeeOut's, checked by a test) without an entity or a model.
@router.get(
    "/tenants/{tenant_id}/employees/{nip}", response_model=EmployeeOut, tags=["employees"], responses=READ
)
async def get_employee(tenant_id: TenantId, nip: NipPath, session: ReadSessionDep) -> Response:
    repo = RosterRepository(session)  # the tenant is checked: tenant_covered
    row = await repo.employee_row(tenant_id, nip)
    if row is None:
        raise NotFound(f"employee {nip} not found in {tenant_id}")
    return Response(content=to_json(service.employee_item(row)), media_type="application/json")


@router.patch(
    "/tenants/{tenant_id}/employees/{nip}", response_model=EmployeeOut, tags=["employees"], responses=WRITE
)
async def update_employee(
    tenant_id: TenantId, nip: NipPath, body: EmployeePatch, session: SessionDep, principal: PrincipalDep
) -> Response:
    """Correct an employee's record; every change is kept in the history."""
    employee = await service.update_employee(session, principal, tenant_id, nip, body)
    return ModelResponse(service.employee_out(employee))


@router.post(
    "/tenants/{tenant_id}/employees/{nip}/transfers",
    response_model=EmployeeOut,
    tags=["employees"],
    responses=WRITE,
)
async def transfer_employee(
    tenant_id: TenantId, nip: NipPath, body: TransferIn, session: SessionDep, principal: PrincipalDep
) -> EmployeeOut:
    """Move to another unit and/or position (mutasi, promosi); the previous post joins the track record."""
    return service.employee_out(await service.transfer_employee(session, principal, tenant_id, nip, body))


@router.post(
    "/tenants/{tenant_id}/employees/{nip}/retirement",
    response_model=EmployeeOut,
    tags=["employees"],
    responses=WRITE,
)
async def retire_employee(
    tenant_id: TenantId, nip: NipPath, body: RetireIn, session: SessionDep, principal: PrincipalDep
) -> EmployeeOut:
    return service.employee_out(await service.retire_employee(session, principal, tenant_id, nip, body))


@router.get(
    "/tenants/{tenant_id}/employees/{nip}/history",
    response_model=list[HistoryEntryOut],
    tags=["employees"],
    responses=READ,
)
async def employee_history(
    tenant_id: TenantId, nip: NipPath, session: SessionDep, principal: PrincipalDep
) -> list[HistoryEntryOut]:
    repo = RosterRepository(session)
    employee = await _employee(repo, principal, tenant_id, nip)
    return [HistoryEntryOut.model_validate(h) for h in await repo.history(employee.id)]


@router.get(
    "/tenants/{tenant_id}/employees/{nip}/track-records",
    response_model=list[TrackRecordOut],
    tags=["employees"],
    responses=READ,
)
async def list_track_records(
    tenant_id: TenantId, nip: NipPath, session: SessionDep, principal: PrincipalDep
) -> list[TrackRecordOut]:
    repo = RosterRepository(session)
    employee = await _employee(repo, principal, tenant_id, nip)
    return [TrackRecordOut.model_validate(r) for r in await repo.track_records(employee.id)]


@router.post(
    "/tenants/{tenant_id}/employees/{nip}/track-records",
    status_code=201,
    response_model=TrackRecordOut,
    tags=["employees"],
    responses=WRITE,
)
async def create_track_record(
    tenant_id: TenantId, nip: NipPath, body: TrackRecordIn, session: SessionDep, principal: PrincipalDep
) -> TrackRecordOut:
    return TrackRecordOut.model_validate(
        await service.add_track_record(session, principal, tenant_id, nip, body)
    )


@router.post(
    "/tenants/{tenant_id}/employees/{nip}/track-records/siasn",
    response_model=list[TrackRecordOut],
    tags=["employees"],
    responses=WRITE,
    summary="BKN integration: a SIASN rw-jabatan response becomes position history (entries already there are kept once)",
)
async def import_siasn_position_history(
    tenant_id: TenantId,
    nip: NipPath,
    body: Annotated[
        dict | list,
        Body(
            description="the rw-jabatan response, enveloped or a bare list",
            openapi_examples={
                "rw-jabatan": {
                    "summary": "SIASN rw-jabatan response ({code: 1, data: [...]}, newest first)",
                    "value": SIASN_RW_JABATAN_EXAMPLE,
                }
            },
        ),
    ],
    session: SessionDep,
    principal: PrincipalDep,
) -> list[TrackRecordOut]:
    try:
        records = siasn.track_records_from_rw_jabatan(body, nip=nip)
    except siasn.SiasnMappingError as exc:
        raise InvalidInput(f"body.{exc.field}", "siasn", str(exc)) from None
    added = await service.import_position_history(session, principal, tenant_id, nip, records)
    return [TrackRecordOut.model_validate(r) for r in added]


# ---- bulk import, BKN integration, export --------------------------------------------------------


def _job_out(job: ImportJob) -> ImportJobOut:
    if job.status in imports.FINAL:
        percent: float | None = 100.0
    elif job.total_rows:
        percent = round(min(100.0, 100 * job.rows_done / job.total_rows), 1)
    else:
        percent = None  # still counting the file's rows
    fields = {c: getattr(job, c) for c in ImportJobOut.model_fields if c != "percent"}
    return ImportJobOut.model_validate({**fields, "percent": percent})


def _start_job(
    background: BackgroundTasks,
    runtime: ServiceRuntime,
    job: ImportJob,
    mode: str,
    source: imports.Source,
    kind: str,
) -> None:
    """Run the import after the response (the job row is committed by then); `kind` labels its metrics."""
    background.add_task(
        imports.run_import,
        runtime.sessions,
        runtime.side_sessions,
        job.id,
        job.tenant_id,
        job.actor,
        mode,
        source,
        runtime.domain_metrics,
        kind,
    )


async def _new_job(session, principal, tenant_id: str, filename: str, mode: str) -> ImportJob:
    require_roles(principal, *service.WRITERS)
    repo = RosterRepository(session)
    await service.ensure_tenant_access(repo, principal, tenant_id)
    job = ImportJob(
        tenant_id=tenant_id, filename=filename, mode=mode, status="queued", actor=principal.subject, errors=[]
    )
    repo.add(job)
    await session.flush()
    await session.refresh(job)
    return job


# The upload's example (media-type level: the file part is not JSON, so no model carries it).
UPLOAD_EXAMPLES = {
    "csv": {
        "summary": "A ;-delimited CSV of two employees (the file's content shown as text)",
        "description": "Columns and formats: docs/ROSTER_IMPORT.md. Required: NIP BARU (18 digits, as text), "
        "NAMA, KODE UNOR. The same columns in an XLSX sheet work too.",
        "value": {"file": EMPLOYEE_CSV_EXAMPLE, "mode": "valid_rows"},
    }
}


@router.post(
    "/tenants/{tenant_id}/imports",
    status_code=202,
    response_model=ImportJobOut,
    tags=["imports"],
    responses=problem_responses(400, 401, 403, 404, 413, 422),
    summary="Upload a SIASN-like CSV or XLSX of employees; poll the job for progress and row errors",
    openapi_extra={"requestBody": {"content": {"multipart/form-data": {"examples": UPLOAD_EXAMPLES}}}},
)
async def upload_import(
    tenant_id: TenantId,
    file: Annotated[
        UploadFile, File(description="CSV (UTF-8, ; or , delimited) or XLSX; see docs/ROSTER_IMPORT.md")
    ],
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    background: BackgroundTasks,
    mode: Annotated[ImportMode, Form()] = "all_or_nothing",
) -> ImportJobOut:
    require_roles(principal, *service.WRITERS)  # before any work on the file
    await service.ensure_tenant_access(RosterRepository(session), principal, tenant_id)
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise Problem(
            f"the file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB",
            status=413,
            title="Payload too large",
        )
    filename = file.filename or "upload"
    try:  # the layout is checked now, so a broken file is answered at once; rows are read by the job
        parsed = await asyncio.to_thread(read_rows, filename, data)
    except ImportFileError as exc:
        raise InvalidInput("body.file", exc.code, exc.message) from None
    job = await _new_job(session, principal, tenant_id, filename, mode)

    def source(units: set[str], positions: set[str], progress: imports.Progress) -> ValidationResult:
        def report(done: int, errors: int) -> None:
            progress.done, progress.errors = done, errors

        return validate_rows(parsed, units, positions, date.today(), progress=report)

    _start_job(background, runtime, job, mode, source, "file")
    return _job_out(job)


@router.post(
    "/tenants/{tenant_id}/imports/employees",
    status_code=202,
    response_model=ImportJobOut,
    tags=["imports"],
    responses=WRITE,
    summary="BKN integration: push employees in bulk (upsert by NIP), as an import job",
)
async def push_employees(
    tenant_id: TenantId,
    body: EmployeesPush,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    background: BackgroundTasks,
) -> ImportJobOut:
    job = await _new_job(session, principal, tenant_id, "api", body.mode)
    records = body.employees

    def source(units: set[str], positions: set[str], progress: imports.Progress) -> ValidationResult:
        return imports.validate_records(records, units, positions, date.today())

    _start_job(background, runtime, job, body.mode, source, "api")
    return _job_out(job)


@router.post(
    "/tenants/{tenant_id}/imports/siasn",
    status_code=202,
    response_model=ImportJobOut,
    tags=["imports"],
    responses=WRITE,
    summary="BKN integration: SIASN data-utama records, mapped and imported (upsert by NIP)",
)
async def push_siasn(
    tenant_id: TenantId,
    body: SiasnPush,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    background: BackgroundTasks,
) -> ImportJobOut:
    employees: list = []  # EmployeeIn, or the row error of a record the adapter cannot map
    errors = []
    for index, record in enumerate(body.records):
        try:
            employees.append(siasn.employee_from_data_utama(record, body.unit_codes))
        except siasn.SiasnMappingError as exc:
            errors.append(
                {"field": f"body.records.{index}.{exc.field}", "rule": "siasn", "message": str(exc)}
            )
            # valid_rows: the record is reported as a bad row of the job, in its place
            employees.append({"row": index + 1, "column": exc.field, "reason": str(exc), "rule": "siasn"})
    if errors and body.mode == "all_or_nothing":
        raise Problem("some SIASN records cannot be mapped", status=422, title="Invalid input", errors=errors)
    job = await _new_job(session, principal, tenant_id, "siasn", body.mode)

    def source(units: set[str], positions: set[str], progress: imports.Progress) -> ValidationResult:
        return imports.validate_records(employees, units, positions, date.today())

    _start_job(background, runtime, job, body.mode, source, "siasn")
    return _job_out(job)


@router.get(
    "/tenants/{tenant_id}/imports/{job_id}", response_model=ImportJobOut, tags=["imports"], responses=READ
)
async def get_import(
    tenant_id: TenantId, job_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, runtime: RuntimeDep
) -> ImportJobOut:
    repo = RosterRepository(session)
    await service.ensure_tenant_access(repo, principal, tenant_id)
    job = await session.get(ImportJob, job_id)
    if job is None or job.tenant_id != tenant_id:
        raise NotFound(f"import {job_id} not found in {tenant_id}")
    await imports.fail_if_interrupted(session, job, runtime.domain_metrics)
    return _job_out(job)


@router.get(
    "/tenants/{tenant_id}/exports/employees.xlsx",
    tags=["imports"],
    responses={**READ, 200: {"content": {XLSX: {}}, "description": "the roster in the import layout"}},
    response_class=Response,
)
async def export_employees(tenant_id: TenantId, session: SessionDep, principal: PrincipalDep) -> Response:
    """Every employee of the tenant in the import layout (re-importing it changes nothing)."""
    require_roles(principal, "admin", "officer", "integration")  # the whole roster is personal data
    repo = RosterRepository(session)
    await service.ensure_tenant_access(repo, principal, tenant_id)
    rows = [service.employee_out(e).model_dump() for e in await repo.all_employees(tenant_id)]
    content = await asyncio.to_thread(employees_to_xlsx, rows)
    headers = {"content-disposition": f'attachment; filename="pegawai-{tenant_id}.xlsx"'}
    return Response(content, media_type=XLSX, headers=headers)
