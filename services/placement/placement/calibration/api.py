"""Calibration: officers move employees to another box with a reason, grouped in sessions approved together."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from bakat_common.app import PrincipalDep, SessionDep
from bakat_common.errors import problem_responses
from bakat_common.tenancy import KnownTenantDep
from fastapi import APIRouter, Query, Response

from placement.audit import CALIBRATION, trail
from placement.calibration import service
from placement.calibration.models import CalibrationSession
from placement.calibration.schemas import (
    AuditEntry,
    EmployeeMove,
    MoveIn,
    MoveOut,
    SessionIn,
    SessionOut,
    SessionSummary,
)
from placement.schemas import NipPath

router = APIRouter(tags=["calibration"])
BASE = "/tenants/{tenant_id}/calibrations"
NipQuery = Annotated[str, Query(min_length=1, max_length=40, description="the employee's NIP")]
WRITE_ERRORS = problem_responses(400, 401, 403, 404, 409, 422)


def _fields(row: CalibrationSession) -> dict:
    return {
        "id": row.id, "title": row.title, "note": row.note, "status": row.status,
        "created_by": row.created_by, "created_at": row.created_at,
        "approved_by": row.approved_by, "approved_at": row.approved_at,
        "cancelled_by": row.cancelled_by, "cancelled_at": row.cancelled_at,
    }  # fmt: skip


async def _session_out(session, row: CalibrationSession) -> SessionOut:
    moves = await service.moves_of(session, row.id)
    audit = await service.audit_of(session, row)
    return SessionOut(
        **_fields(row),
        moves=[MoveOut.model_validate(m) for m in moves],
        audit=[AuditEntry.model_validate(a) for a in audit],
    )


@router.post(
    BASE,
    response_model=SessionOut,
    status_code=201,
    responses=problem_responses(400, 401, 403, 404, 422),
    summary="Open a calibration session (draft); admin or officer",
)
async def create_session(
    tenant_id: KnownTenantDep, body: SessionIn, session: SessionDep, principal: PrincipalDep
) -> SessionOut:
    row = await service.create_session(session, principal, tenant_id, body)
    return await _session_out(session, row)


@router.get(
    BASE,
    response_model=list[SessionSummary],
    responses=problem_responses(401, 403, 404, 422),
    summary="The tenant's calibration sessions, newest first",
)
async def list_sessions(
    tenant_id: KnownTenantDep,
    session: SessionDep,
    status: Annotated[Literal["draft", "approved", "cancelled"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[SessionSummary]:
    rows = await service.list_sessions(session, tenant_id, status, limit, offset)
    return [SessionSummary(**_fields(r), moves=n) for r, n in rows]


# Declared before /{session_id} so that "moves" is not read as a session id.
@router.get(
    f"{BASE}/moves",
    response_model=list[EmployeeMove],
    responses=problem_responses(401, 403, 404, 422),
    summary="An employee's calibration record: every move proposed for them, who proposed and approved it",
)
async def employee_moves(
    tenant_id: KnownTenantDep, nip: NipQuery, session: SessionDep, principal: PrincipalDep
) -> list[EmployeeMove]:
    rows = await service.employee_moves(session, tenant_id, nip)
    await trail.record(session, principal, tenant_id, "read", CALIBRATION, [nip], route="employee moves")
    return [
        EmployeeMove(
            **MoveOut.model_validate(m).model_dump(),
            session_title=s.title,
            session_status=s.status,
            approved_by=s.approved_by,
            approved_at=s.approved_at,
            in_force=in_force == m.id,
        )  # fmt: skip
        for m, s, in_force in rows
    ]


@router.get(
    f"{BASE}/{{session_id}}",
    response_model=SessionOut,
    responses=problem_responses(401, 403, 404, 422),
    summary="A calibration session with its moves and its audit trail",
)
async def read_session(
    tenant_id: KnownTenantDep, session_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> SessionOut:
    out = await _session_out(session, await service.get_session(session, tenant_id, session_id))
    await trail.record(session, principal, tenant_id, "read", CALIBRATION, [m.nip for m in out.moves],
                       route="calibration session", session_id=str(session_id))  # fmt: skip
    return out


@router.put(
    f"{BASE}/{{session_id}}/moves/{{nip}}",
    response_model=MoveOut,
    responses={**WRITE_ERRORS, 201: {"description": "Move added", "model": MoveOut}},
    summary="Propose (or replace) the employee's move to another box, with a reason; draft sessions only",
)
async def propose_move(
    tenant_id: KnownTenantDep,
    session_id: uuid.UUID,
    nip: NipPath,
    body: MoveIn,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
) -> MoveOut:
    move, created = await service.propose_move(session, principal, tenant_id, session_id, nip, body)
    await trail.record(session, principal, tenant_id, "change", CALIBRATION, [nip], route="propose move",
                       session_id=str(session_id), to_box=move.to_box)  # fmt: skip
    response.status_code = 201 if created else 200
    return MoveOut.model_validate(move)


@router.delete(
    f"{BASE}/{{session_id}}/moves/{{nip}}",
    status_code=204,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Withdraw the employee's move from a draft session (kept in the audit trail)",
)
async def remove_move(
    tenant_id: KnownTenantDep,
    session_id: uuid.UUID,
    nip: NipPath,
    session: SessionDep,
    principal: PrincipalDep,
) -> Response:
    await service.remove_move(session, principal, tenant_id, session_id, nip)
    await trail.record(session, principal, tenant_id, "change", CALIBRATION, [nip], route="withdraw move",
                       session_id=str(session_id))  # fmt: skip
    return Response(status_code=204)


@router.post(
    f"{BASE}/{{session_id}}/approve",
    response_model=SessionOut,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Approve every move at once (by someone other than the creator and the proposers)",
)
async def approve(
    tenant_id: KnownTenantDep, session_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> SessionOut:
    row = await service.approve(session, principal, tenant_id, session_id)
    out = await _session_out(session, row)
    await trail.record(session, principal, tenant_id, "change", CALIBRATION, [m.nip for m in out.moves],
                       route="approve session", session_id=str(session_id))  # fmt: skip
    return out


@router.post(
    f"{BASE}/{{session_id}}/cancel",
    response_model=SessionOut,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Cancel a draft session: none of its moves is applied",
)
async def cancel(
    tenant_id: KnownTenantDep, session_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> SessionOut:
    row = await service.cancel(session, principal, tenant_id, session_id)
    out = await _session_out(session, row)
    await trail.record(session, principal, tenant_id, "change", CALIBRATION, [m.nip for m in out.moves],
                       route="cancel session", session_id=str(session_id))  # fmt: skip
    return out
