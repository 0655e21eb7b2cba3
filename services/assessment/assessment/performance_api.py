"""Routes for SKP performance ratings: one at a time, a file upload, a BKN batch, and the history."""

from __future__ import annotations

import asyncio
from typing import Annotated

from bakat_common.app import PrincipalDep, SessionDep
from bakat_common.auth import require_roles
from bakat_common.errors import Problem, problem_responses
from bakat_common.responses import ModelResponse
from bakat_common.tenancy import KnownTenantDep
from fastapi import APIRouter, Body, File, Path, Query, Response, UploadFile, status

from assessment import performance, skp_files
from assessment.deps import SettingsDep
from assessment.performance_schemas import (
    SKP_BATCH_EXAMPLE,
    SKP_CSV_EXAMPLE,
    PerformanceBatchItem,
    PerformanceHistoryOut,
    PerformanceImportOut,
    PerformanceRatingIn,
    PerformanceRatingOut,
)
from assessment.service import WRITERS

router = APIRouter()
NipPath = Annotated[str, Path(max_length=40)]
BULK = problem_responses(400, 401, 403, 404, 413, 422)
# The upload's example (media-type level: the file part is not JSON, so no model carries it).
UPLOAD_EXAMPLES = {
    "csv": {
        "summary": "A ;-delimited CSV of two ratings (the file's content shown as text)",
        "description": "Columns: NIP (18 digits, as text), TAHUN, PREDIKAT, and optionally HASIL_KERJA and "
        "PERILAKU_KERJA (docs/SKP_IMPORT.md). The same columns in an XLSX sheet work too.",
        "value": {"file": SKP_CSV_EXAMPLE},
    }
}


@router.post(
    "/tenants/{tenant_id}/performance-ratings",
    response_model=PerformanceRatingOut,
    status_code=status.HTTP_201_CREATED,
    tags=["performance"],
    responses=problem_responses(400, 401, 403, 404, 422),
    summary="Record an employee's SKP for a year: the predikat, or hasil kerja and perilaku kerja "
    "(a second call for the same year corrects it; the same rating again changes nothing)",
)
async def create_performance_rating(
    tenant_id: KnownTenantDep,
    body: PerformanceRatingIn,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> Response:
    rating = await performance.record_performance(
        session, principal, tenant_id, body, settings.replica_wait_s
    )
    return ModelResponse(PerformanceRatingOut.model_validate(rating), status.HTTP_201_CREATED)


@router.post(
    "/tenants/{tenant_id}/performance-ratings/imports",
    response_model=PerformanceImportOut,
    tags=["performance"],
    responses=BULK,
    summary="Upload SKP ratings as CSV or XLSX (NIP, TAHUN, PREDIKAT [, HASIL_KERJA, PERILAKU_KERJA]); "
    "every row is checked first, then all are recorded or none (docs/SKP_IMPORT.md)",
    openapi_extra={"requestBody": {"content": {"multipart/form-data": {"examples": UPLOAD_EXAMPLES}}}},
)
async def import_performance_ratings(
    tenant_id: KnownTenantDep,
    file: Annotated[
        UploadFile,
        File(
            description="CSV (UTF-8, ; or , delimited) or XLSX, at most 20,000 rows; see docs/SKP_IMPORT.md"
        ),
    ],
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> PerformanceImportOut:
    require_roles(principal, *WRITERS)  # before any work on the file
    data = await file.read(skp_files.MAX_UPLOAD_BYTES + 1)
    try:
        validation = await asyncio.to_thread(_read_and_check, file.filename or "upload", data)
    except skp_files.SkpFileError as exc:
        raise _file_problem(exc, "body.file") from None
    outcome = await performance.import_ratings(
        session, principal, tenant_id, validation, "import", settings.replica_wait_s
    )
    return PerformanceImportOut(
        rows=validation.rows_total,
        recorded=outcome.recorded,
        unchanged=outcome.unchanged,
        warnings=validation.warnings,
    )


def _read_and_check(filename: str, data: bytes) -> skp_files.SkpValidation:
    return skp_files.check_file(skp_files.read_file(filename, data))


@router.post(
    "/tenants/{tenant_id}/performance-ratings/batch",
    response_model=PerformanceImportOut,
    tags=["performance"],
    responses=BULK,
    summary="BKN integration: SKP ratings as a JSON list (at most 20,000), checked like file rows; "
    "all are recorded or none",
)
async def batch_performance_ratings(
    tenant_id: KnownTenantDep,
    body: Annotated[
        list[PerformanceBatchItem],
        Body(
            openapi_examples={
                "skp-2025": {"summary": "SKP 2025 of two employees", "value": SKP_BATCH_EXAMPLE}
            }
        ),
    ],
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> PerformanceImportOut:
    require_roles(principal, *WRITERS)
    if not body:
        raise Problem(
            "the batch is empty: send a list of ratings",
            status=422,
            title="Invalid input",
            errors=[{"field": "body", "rule": "empty", "message": "the batch is empty"}],
        )
    try:
        validation = skp_files.check_items([item.model_dump() for item in body])
    except skp_files.SkpFileError as exc:
        raise _file_problem(exc, "body") from None
    outcome = await performance.import_ratings(
        session, principal, tenant_id, validation, "integration", settings.replica_wait_s
    )
    return PerformanceImportOut(
        rows=validation.rows_total, recorded=outcome.recorded, unchanged=outcome.unchanged
    )


def _file_problem(exc: skp_files.SkpFileError, field: str) -> Problem:
    return Problem(
        exc.message,
        status=exc.status,
        title="Payload too large" if exc.status == 413 else "Invalid input",
        errors=[{"field": field, "rule": exc.code, "message": exc.message}],
    )


@router.get(
    "/tenants/{tenant_id}/employees/{nip}/performance-ratings",
    response_model=list[PerformanceRatingOut],
    tags=["performance"],
    responses=problem_responses(401, 403, 404, 422),  # 422: a path value too long
    summary="An employee's SKP: one rating per year, newest year first",
)
async def list_performance_ratings(
    tenant_id: KnownTenantDep, nip: NipPath, session: SessionDep
) -> list[PerformanceRatingOut]:
    return [
        PerformanceRatingOut.model_validate(r) for r in await performance.ratings_of(session, tenant_id, nip)
    ]


@router.get(
    "/tenants/{tenant_id}/employees/{nip}/performance-ratings/history",
    response_model=list[PerformanceHistoryOut],
    tags=["performance"],
    responses=problem_responses(401, 403, 404, 422),
    summary="Every accepted submission of an employee's SKP (`changed`: whether it set or changed the "
    "year's rating): newest year, then newest submission first",
)
async def performance_rating_history(
    tenant_id: KnownTenantDep,
    nip: NipPath,
    session: SessionDep,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="only this year")] = None,
) -> list[PerformanceHistoryOut]:
    return [
        PerformanceHistoryOut.of(h, changed)
        for h, changed in await performance.history_of(session, tenant_id, nip, year)
    ]
