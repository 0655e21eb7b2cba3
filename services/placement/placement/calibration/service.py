"""Calibration use cases: sessions of proposed moves, approved together by a second officer."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from bakat_common.auth import Principal, require_roles
from bakat_common.contracts.placement import CalibratedMove, CalibrationApprovedV1
from bakat_common.errors import Conflict, Forbidden, InvalidInput, NotFound
from bakat_common.events import new_event
from bakat_common.outbox import add_many_to_outbox
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from placement import service as placements
from placement.calibration.domain import (
    APPROVED,
    CANCELLED,
    DRAFT,
    Snapshot,
    calibration_reason,
    four_eyes_violation,
    staleness,
)
from placement.calibration.models import CalibrationAudit, CalibrationMove, CalibrationSession
from placement.calibration.schemas import MoveIn, SessionIn
from placement.models import PlacementHistory, PlacementRecord, RecomputeJob

WRITERS = ("admin", "officer")
RECOMPUTE_GRACE = timedelta(minutes=30)  # far beyond a tenant's recompute (100,000 placements: ~6 s)


def _audit(
    session: AsyncSession, row: CalibrationSession, action: str, actor: str, nip: str | None = None, **detail
) -> None:
    session.add(
        CalibrationAudit(
            tenant_id=row.tenant_id, session_id=row.id, action=action, nip=nip, actor=actor, detail=detail
        )
    )


def _snapshot(p: PlacementRecord | CalibrationMove, box: int) -> Snapshot:
    return Snapshot(box, p.assessment_id, p.assessment_version, p.skp_year, p.predikat)


async def create_session(
    session: AsyncSession, principal: Principal, tenant_id: str, data: SessionIn
) -> CalibrationSession:
    require_roles(principal, *WRITERS)
    row = CalibrationSession(
        id=uuid.uuid4(), tenant_id=tenant_id, title=data.title, note=data.note, status=DRAFT,
        created_by=principal.subject,
    )  # fmt: skip
    session.add(row)
    await session.flush()  # the session row first: the audit row refers to it
    _audit(session, row, "created", principal.subject, title=data.title)
    await session.flush()
    await session.refresh(row)
    return row


async def list_sessions(
    session: AsyncSession, tenant_id: str, status: str | None, limit: int, offset: int
) -> list[tuple[CalibrationSession, int]]:
    moves = (
        select(func.count())
        .where(CalibrationMove.session_id == CalibrationSession.id)
        .correlate(CalibrationSession)
        .scalar_subquery()
    )
    stmt = select(CalibrationSession, moves).where(CalibrationSession.tenant_id == tenant_id)
    if status is not None:
        stmt = stmt.where(CalibrationSession.status == status)
    stmt = (
        stmt.order_by(CalibrationSession.created_at.desc(), CalibrationSession.id).limit(limit).offset(offset)
    )
    return [(r, n) for r, n in (await session.execute(stmt)).all()]


async def get_session(
    session: AsyncSession, tenant_id: str, session_id: uuid.UUID, *, lock: bool = False
) -> CalibrationSession:
    stmt = select(CalibrationSession).where(
        CalibrationSession.tenant_id == tenant_id, CalibrationSession.id == session_id
    )
    if lock:  # changes to one session are serialised: a proposal cannot slip in beside an approval
        stmt = stmt.with_for_update()
    row = await session.scalar(stmt)
    if row is None:
        raise NotFound(f"calibration session {session_id} not found in {tenant_id}")
    return row


async def moves_of(session: AsyncSession, session_id: uuid.UUID) -> list[CalibrationMove]:
    rows = await session.scalars(
        select(CalibrationMove).where(CalibrationMove.session_id == session_id).order_by(CalibrationMove.nip)
    )
    return list(rows.all())


async def audit_of(session: AsyncSession, row: CalibrationSession) -> list[CalibrationAudit]:
    rows = await session.scalars(
        select(CalibrationAudit)
        .where(CalibrationAudit.tenant_id == row.tenant_id, CalibrationAudit.session_id == row.id)
        .order_by(CalibrationAudit.id)
    )
    return list(rows.all())


def _must_be_draft(row: CalibrationSession, doing: str) -> None:
    if row.status != DRAFT:
        by = row.approved_by if row.status == APPROVED else row.cancelled_by
        raise Conflict(f"calibration session {row.id} is already {row.status} (by {by}): cannot {doing}")


async def propose_move(
    session: AsyncSession, principal: Principal, tenant_id: str, session_id: uuid.UUID, nip: str, data: MoveIn
) -> tuple[CalibrationMove, bool]:
    """Add or replace the employee's move in a draft session; the placement it is judged against is
    recorded with it. Returns the move and whether it is new."""
    require_roles(principal, *WRITERS)
    row = await get_session(session, tenant_id, session_id, lock=True)
    _must_be_draft(row, "change its moves")
    placement = await placements.placement_of(session, tenant_id, nip)  # 404 that says what is missing
    if data.to_box == placement.box:
        raise InvalidInput(
            "to_box",
            "same_box",
            f"employee {nip} is already in box {placement.box}: a move must change the box",
        )
    move = await session.scalar(
        select(CalibrationMove).where(CalibrationMove.session_id == row.id, CalibrationMove.nip == nip)
    )
    created = move is None
    if move is None:
        move = CalibrationMove(id=uuid.uuid4(), tenant_id=tenant_id, session_id=row.id, nip=nip)
        session.add(move)
    else:
        _audit(session, row, "move_replaced", principal.subject, nip,
               to_box=move.to_box, reason=move.reason, proposed_by=move.proposed_by)  # fmt: skip
    move.from_box, move.to_box, move.computed_box = placement.box, data.to_box, placement.computed_box
    move.reason = data.reason
    move.assessment_id, move.assessment_version = placement.assessment_id, placement.assessment_version
    move.skp_year, move.predikat, move.rule_version = (
        placement.skp_year,
        placement.predikat,
        placement.rule_version,
    )
    move.proposed_by, move.proposed_at = principal.subject, datetime.now(timezone.utc)
    _audit(session, row, "move_proposed", principal.subject, nip,
           from_box=placement.box, to_box=data.to_box, reason=data.reason)  # fmt: skip
    await session.flush()
    return move, created


async def remove_move(
    session: AsyncSession, principal: Principal, tenant_id: str, session_id: uuid.UUID, nip: str
) -> None:
    require_roles(principal, *WRITERS)
    row = await get_session(session, tenant_id, session_id, lock=True)
    _must_be_draft(row, "change its moves")
    move = await session.scalar(
        select(CalibrationMove).where(CalibrationMove.session_id == row.id, CalibrationMove.nip == nip)
    )
    if move is None:
        raise NotFound(f"calibration session {session_id} has no move for employee {nip}")
    _audit(session, row, "move_removed", principal.subject, nip,
           to_box=move.to_box, reason=move.reason, proposed_by=move.proposed_by)  # fmt: skip
    await session.delete(move)
    await session.flush()


async def cancel(
    session: AsyncSession, principal: Principal, tenant_id: str, session_id: uuid.UUID
) -> CalibrationSession:
    require_roles(principal, *WRITERS)
    row = await get_session(session, tenant_id, session_id, lock=True)
    _must_be_draft(row, "cancel it")
    row.status, row.cancelled_by, row.cancelled_at = CANCELLED, principal.subject, datetime.now(timezone.utc)
    _audit(session, row, "cancelled", principal.subject)
    await session.flush()
    return row


async def _no_recompute_running(session: AsyncSession, tenant_id: str) -> None:
    """A rule-change job reads placements without locking them and writes them back later: a
    calibration applied in between would be overwritten. So approvals wait for it; the rule-change
    lock (taken by `change_rules` too) keeps a new job from starting until this approval commits."""
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"rules:{tenant_id}"))))
    since = datetime.now(timezone.utc) - RECOMPUTE_GRACE  # a job left running by a crashed worker
    running = await session.scalar(
        select(RecomputeJob.id)
        .where(RecomputeJob.tenant_id == tenant_id, RecomputeJob.status == "running")
        .where(RecomputeJob.started_at > since)
        .limit(1)
    )
    if running is not None:
        raise Conflict(
            f"the placements of {tenant_id} are being recomputed after a rule change (job {running}):"
            " approve when it is done",
            headers={"Retry-After": "5"},
        )


async def approve(
    session: AsyncSession, principal: Principal, tenant_id: str, session_id: uuid.UUID
) -> CalibrationSession:
    """Apply every move of the session in the caller's transaction (all or nothing): the box in force,
    a history row per move, and the events. A stale move refuses the whole approval."""
    require_roles(principal, *WRITERS)
    row = await get_session(session, tenant_id, session_id, lock=True)
    _must_be_draft(row, "approve it")
    moves = await moves_of(session, row.id)
    if not moves:
        raise InvalidInput("moves", "empty", f"calibration session {row.id} has no moves to approve")
    refusal = four_eyes_violation(principal.subject, row.created_by, (m.proposed_by for m in moves))
    if refusal:
        raise Forbidden(refusal)

    await _no_recompute_running(session, tenant_id)
    # Locked in NIP order (as the moves are), so two approvals touching the same people cannot deadlock.
    found = await session.scalars(
        select(PlacementRecord)
        .where(PlacementRecord.tenant_id == tenant_id, PlacementRecord.nip.in_([m.nip for m in moves]))
        .order_by(PlacementRecord.nip)
        .with_for_update()
    )
    current = {p.nip: p for p in found.all()}
    stale = []
    for m in moves:
        p = current.get(m.nip)
        why = staleness(_snapshot(m, m.from_box), _snapshot(p, p.box) if p else None)
        if why:
            stale.append((m.nip, why))
    if stale:
        raise Conflict(
            f"calibration session {row.id} not approved: the placement of {', '.join(n for n, _ in stale)}"
            " changed since the move was proposed; propose those moves again (nothing was applied)",
            errors=[{"field": nip, "rule": "stale_move", "message": why} for nip, why in stale],
        )

    rules = await placements.current_rules(session, tenant_id)
    now = datetime.now(timezone.utc)
    envelopes: list[dict] = []
    for m in moves:
        p = current[m.nip]
        p.box, p.calibration_id, p.computed_at = m.to_box, m.id, now
        session.add(
            PlacementHistory(
                tenant_id=tenant_id, nip=m.nip, box=m.to_box, computed_box=p.computed_box, calibration_id=m.id,
                potential_score=p.potential_score, predikat=p.predikat, skp_year=p.skp_year,
                assessment_id=p.assessment_id, rule_version=p.rule_version,
                reasons=[*p.reasons, calibration_reason(m.from_box, m.to_box, m.reason)], computed_at=now,
            )
        )  # fmt: skip
        member = m.to_box in rules.talent_pool_boxes
        # The events carry the placement's rule version (a recompute may still be under way).
        change = placements.PlacementChangeSet(
            m.nip,
            m.to_box,
            m.from_box,
            member,
            p.in_talent_pool,
            p.potential_level,
            p.performance_level,
            p.rule_version,
        )
        p.in_talent_pool = member
        envelopes.extend(change.envelopes(tenant_id))
    row.status, row.approved_by, row.approved_at = APPROVED, principal.subject, now
    _audit(session, row, "approved", principal.subject, moves=len(moves))
    approved = CalibrationApprovedV1(
        session_id=str(row.id),
        moves=[
            CalibratedMove(nip=m.nip, from_box=m.from_box, to_box=m.to_box, reason=m.reason) for m in moves
        ],
        approved_by=principal.subject,
    )
    event = new_event(approved, service=placements.SERVICE, tenant=tenant_id, subject=str(row.id))
    envelopes.append(event.model_dump(mode="json"))
    await session.flush()
    await add_many_to_outbox(session, envelopes, topic=placements.TOPIC)
    return row


async def employee_moves(session: AsyncSession, tenant_id: str, nip: str) -> list[tuple]:
    """Every move proposed for the employee (newest first), with its session, and whether it is the
    approved move that sets the current box."""
    stmt = (
        select(CalibrationMove, CalibrationSession, PlacementRecord.calibration_id)
        .join(CalibrationSession, CalibrationSession.id == CalibrationMove.session_id)
        .outerjoin(
            PlacementRecord,
            (PlacementRecord.tenant_id == CalibrationMove.tenant_id)
            & (PlacementRecord.nip == CalibrationMove.nip),
        )
        .where(CalibrationMove.tenant_id == tenant_id, CalibrationMove.nip == nip)
        .order_by(CalibrationMove.proposed_at.desc(), CalibrationMove.id)
    )
    return [tuple(r) for r in (await session.execute(stmt)).all()]
