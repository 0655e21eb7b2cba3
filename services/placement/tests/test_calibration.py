"""Calibration on real PostgreSQL: sessions of moves approved together by a second officer, the
original and calibrated boxes both kept, history and events, staleness, and what rule changes and
new inputs do to a calibrated box."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta, timezone

import pytest
from bakat_common.auth import Principal
from bakat_common.contracts.assessment import AssessmentCompletedV1, PerformanceRecordedV1
from bakat_common.errors import Conflict, Forbidden, InvalidInput, NotFound
from bakat_common.events import CloudEvent, new_event
from bakat_common.infrastructure import outbox
from bakat_devstack.migrations import migrate
from bakat_devstack.postgres import ensure_database
from placement import service
from placement.calibration import service as calibration
from placement.calibration.schemas import MoveIn, SessionIn
from placement.domain import RuleSet
from placement.models import RecomputeJob
from placement.repository import PlacementRepository
from placement.schemas import PlacementOut
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

pytestmark = pytest.mark.integration
TENANT = "kota-batu"
A, B, C = "198503152010011003", "199001012015012001", "198807092012122002"
T0 = datetime(2025, 6, 1, tzinfo=timezone.utc)
SITI = Principal(subject="siti", tenant=TENANT, roles=frozenset({"officer"}))
BUDI = Principal(subject="budi", tenant=TENANT, roles=frozenset({"officer"}))
ADMIN = Principal(subject="admin-1", tenant=TENANT, roles=frozenset({"admin"}))
VIEWER = Principal(subject="vera", tenant=TENANT, roles=frozenset({"viewer"}))
ASSESSOR = Principal(subject="asesor-1", tenant=TENANT, roles=frozenset({"assessor"}))


@pytest.fixture(scope="module")
async def engine(embedded_postgres) -> AsyncIterator[AsyncEngine]:
    name = f"placement_cal_{uuid.uuid4().hex[:6]}"
    await ensure_database(embedded_postgres.server_url, name)
    url = embedded_postgres.database_url(name)
    await asyncio.to_thread(migrate, "placement", url)
    engine = create_async_engine(url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def sessions(engine) -> async_sessionmaker[AsyncSession]:
    async with engine.begin() as conn:
        await conn.exec_driver_sql(
            "TRUNCATE placements, placement_history, performance_inputs, potential_inputs, outbox, recompute_jobs,"
            " calibration_sessions CASCADE"
        )
    return async_sessionmaker(engine, expire_on_commit=False)


def skp(nip: str, year: int, predikat: str, recorded_at: datetime = T0) -> CloudEvent:
    payload = PerformanceRecordedV1(nip=nip, year=year, predikat=predikat, recorded_at=recorded_at)
    return new_event(payload, service="assessment", tenant=TENANT, subject=nip)


def result(nip: str, score: float, version: int = 1) -> CloudEvent:
    payload = AssessmentCompletedV1(
        assessment_id=f"a-{nip[-4:]}", nip=nip, version=version, potential_score=score, completed_at=T0,
        valid_until=date(2028, 6, 1),
    )  # fmt: skip
    return new_event(payload, service="assessment", tenant=TENANT, subject=nip)


async def deliver(sessions, *events: CloudEvent) -> None:
    for event in events:
        async with sessions() as s, s.begin():
            await service.on_inputs(s, event)


@pytest.fixture
async def placed(sessions):
    """A in box 5 (75, Baik), B in box 8 (85, Baik), C in box 2 (50, Baik)."""
    await deliver(
        sessions,
        *(
            e
            for nip, score in ((A, 75), (B, 85), (C, 50))
            for e in (result(nip, score), skp(nip, 2025, "Baik"))
        ),
    )
    assert [p.box for p in await placements(sessions)] == [5, 2, 8]  # ordered by NIP: A, C, B
    return sessions


async def placements(sessions):
    async with sessions() as s:
        return [await PlacementRepository(s).placement(TENANT, nip) for nip in sorted((A, B, C))]


async def placement(sessions, nip):
    async with sessions() as s:
        return await PlacementRepository(s).placement(TENANT, nip)


async def run(sessions, use_case, *args):
    """One use case in one transaction, as a request's unit of work runs it."""
    async with sessions() as s, s.begin():
        return await use_case(s, *args)


async def open_session(sessions, moves: dict[str, int], by: Principal = SITI) -> uuid.UUID:
    row = await run(
        sessions, calibration.create_session, by, TENANT, SessionIn(title="Kalibrasi 2025", note="rapat TPK")
    )
    for nip, box in moves.items():
        await run(
            sessions,
            calibration.propose_move,
            by,
            TENANT,
            row.id,
            nip,
            MoveIn(to_box=box, reason=f"alasan untuk {nip}"),
        )
    return row.id


async def events(sessions, kind: str) -> list[dict]:
    async with sessions() as s:
        rows = await s.execute(
            select(outbox.c.envelope)
            .where(outbox.c.event_type == f"bakat.placement.{kind}")
            .order_by(outbox.c.id)
        )
        return [r.envelope["data"] for r in rows]


async def test_approval_applies_every_move_keeps_both_boxes_and_publishes(placed):
    sessions = placed
    sid = await open_session(sessions, {A: 8, B: 5, C: 4})  # A joins the pool, B leaves it, C stays out
    before = {"placed": len(await events(sessions, "employee.placed.v1"))}
    approved = await run(sessions, calibration.approve, BUDI, TENANT, sid)
    assert (approved.status, approved.approved_by, approved.created_by) == ("approved", "budi", "siti")

    async with sessions() as s:
        moves = {m.nip: m for m in await calibration.moves_of(s, sid)}
        audit = await calibration.audit_of(s, approved)
    a, c, b = await placements(sessions)
    assert (a.box, a.computed_box, a.calibration_id) == (8, 5, moves[A].id)
    assert (b.box, b.computed_box, b.calibration_id) == (5, 8, moves[B].id)
    assert (c.box, c.computed_box, c.calibration_id) == (4, 2, moves[C].id)
    assert (moves[A].from_box, moves[A].computed_box, moves[A].skp_year, moves[A].proposed_by) == (
        5,
        5,
        2025,
        "siti",
    )
    out = PlacementOut.of(a)
    assert out.in_talent_pool and "calibrated from box 5 to box 8" in out.reasons

    async with sessions() as s:
        history = await PlacementRepository(s).history(TENANT, A)
    assert [(h.box, h.computed_box, h.calibration_id) for h in history] == [(5, 5, None), (8, 5, moves[A].id)]
    assert history[-1].reasons[-1] == f"calibrated from box 5 to box 8: alasan untuk {A}"

    placed_events = (await events(sessions, "employee.placed.v1"))[before["placed"] :]
    assert sorted((e["nip"], e["box"]) for e in placed_events) == sorted([(A, 8), (B, 5), (C, 4)])
    pool = [
        (e["nip"], e["member"], e["previous_box"]) for e in await events(sessions, "talent_pool.changed.v1")
    ]
    assert pool[-2:] == [(A, True, 5), (B, False, 8)]  # C stayed outside the pool: nothing to say
    [event] = await events(sessions, "calibration.approved.v1")
    assert event["session_id"] == str(sid) and event["approved_by"] == "budi"
    assert [(m["nip"], m["from_box"], m["to_box"]) for m in event["moves"]] == [
        (A, 5, 8),
        (C, 2, 4),
        (B, 8, 5),
    ]

    assert [(e.action, e.actor) for e in audit] == [
        ("created", "siti"), *[("move_proposed", "siti")] * 3, ("approved", "budi"),
    ]  # fmt: skip
    async with sessions() as s:
        [(move, session_row, in_force)] = await calibration.employee_moves(s, TENANT, A)
    assert (move.to_box, session_row.approved_by, in_force) == (8, "budi", move.id)

    with pytest.raises(Conflict, match="already approved"):
        await run(sessions, calibration.approve, ADMIN, TENANT, sid)
    with pytest.raises(Conflict):
        await run(sessions, calibration.propose_move, SITI, TENANT, sid, A, MoveIn(to_box=9, reason="lagi"))
    assert len(await events(sessions, "calibration.approved.v1")) == 1


async def test_four_eyes_and_roles(placed):
    sessions = placed
    with pytest.raises(Forbidden):
        await open_session(sessions, {}, by=VIEWER)
    sid = await open_session(sessions, {A: 8})
    with pytest.raises(Forbidden):
        await run(
            sessions,
            calibration.propose_move,
            ASSESSOR,
            TENANT,
            sid,
            B,
            MoveIn(to_box=9, reason="bagus sekali"),
        )
    with pytest.raises(Forbidden, match="created this calibration session"):
        await run(sessions, calibration.approve, SITI, TENANT, sid)
    with pytest.raises(Forbidden):
        await run(sessions, calibration.approve, VIEWER, TENANT, sid)
    # Whoever proposed a move in the session is no second pair of eyes either.
    await run(
        sessions, calibration.propose_move, BUDI, TENANT, sid, C, MoveIn(to_box=3, reason="kinerja membaik")
    )
    with pytest.raises(Forbidden, match="proposed moves"):
        await run(sessions, calibration.approve, BUDI, TENANT, sid)
    assert [p.box for p in await placements(sessions)] == [5, 2, 8]  # nothing applied
    approved = await run(sessions, calibration.approve, ADMIN, TENANT, sid)
    assert approved.approved_by == "admin-1"
    assert [p.box for p in await placements(sessions)] == [8, 3, 8]


async def test_a_stale_move_refuses_the_whole_approval_and_nothing_is_applied(placed):
    sessions = placed
    sid = await open_session(sessions, {A: 8, C: 4})
    await deliver(
        sessions, skp(C, 2025, "Sangat Baik", T0 + timedelta(hours=1))
    )  # a same-year correction: box 4
    other = await open_session(sessions, {B: 9}, by=BUDI)
    await run(sessions, calibration.approve, SITI, TENANT, other)
    stale = await open_session(sessions, {})
    await run(sessions, calibration.propose_move, SITI, TENANT, stale, A, MoveIn(to_box=7, reason="x y z"))
    await run(sessions, calibration.approve, BUDI, TENANT, stale)  # A moved by another session first

    with pytest.raises(Conflict) as refused:
        await run(sessions, calibration.approve, BUDI, TENANT, sid)
    assert A in refused.value.detail and C in refused.value.detail and B not in refused.value.detail
    by_nip = {e["field"]: e["message"] for e in refused.value.errors}
    assert (
        by_nip[C] == "box in force is now 4, was 2; SKP is now 2025 Sangat Baik, was 2025 Baik"
        and "box in force is now 7" in by_nip[A]
    )
    a, c, _ = await placements(sessions)
    assert (a.box, c.box, c.calibration_id) == (7, 4, None)
    async with sessions() as s:
        assert (await calibration.get_session(s, TENANT, sid)).status == "draft"
    assert len(await events(sessions, "calibration.approved.v1")) == 2  # the two others only

    # Proposed again against the placements as they are now, the session goes through.
    await run(sessions, calibration.remove_move, SITI, TENANT, sid, C)
    await run(
        sessions, calibration.propose_move, SITI, TENANT, sid, A, MoveIn(to_box=8, reason="dinilai ulang")
    )
    assert (await run(sessions, calibration.approve, BUDI, TENANT, sid)).status == "approved"
    assert (await placement(sessions, A)).box == 8
    async with sessions() as s:
        actions = [
            (e.action, e.nip)
            for e in await calibration.audit_of(s, await calibration.get_session(s, TENANT, sid))
        ]
        history = [(m.to_box, sess.status) for m, sess, _ in await calibration.employee_moves(s, TENANT, A)]
    assert ("move_removed", C) in actions and ("move_replaced", A) in actions
    assert sorted(history) == [(7, "approved"), (8, "approved")]


async def test_bad_input_is_refused_with_a_reason(placed):
    sessions = placed
    sid = await open_session(sessions, {})
    with pytest.raises(NotFound, match="not known"):
        await run(
            sessions,
            calibration.propose_move,
            SITI,
            TENANT,
            sid,
            "196001011990031001",
            MoveIn(to_box=5, reason="x y z"),
        )
    await deliver(sessions, skp("196001011990031001", 2025, "Baik"))
    with pytest.raises(NotFound, match="completed assessment"):
        await run(
            sessions,
            calibration.propose_move,
            SITI,
            TENANT,
            sid,
            "196001011990031001",
            MoveIn(to_box=5, reason="x y z"),
        )
    with pytest.raises(InvalidInput, match="already in box 5"):
        await run(sessions, calibration.propose_move, SITI, TENANT, sid, A, MoveIn(to_box=5, reason="x y z"))
    with pytest.raises(NotFound):
        await run(sessions, calibration.remove_move, SITI, TENANT, sid, A)
    with pytest.raises(InvalidInput, match="no moves"):
        await run(sessions, calibration.approve, BUDI, TENANT, sid)
    with pytest.raises(NotFound):
        await run(sessions, calibration.approve, BUDI, "kota-lain", sid)
    await run(sessions, calibration.propose_move, SITI, TENANT, sid, A, MoveIn(to_box=6, reason="x y z"))
    await run(sessions, calibration.cancel, SITI, TENANT, sid)
    with pytest.raises(Conflict, match="already cancelled"):
        await run(sessions, calibration.approve, BUDI, TENANT, sid)
    assert (await placement(sessions, A)).box == 5
    async with sessions() as s:
        rows = await calibration.list_sessions(s, TENANT, "cancelled", 50, 0)
    assert [(r.id, n, r.cancelled_by) for r, n in rows] == [(sid, 1, "siti")]


async def test_a_rule_change_keeps_the_calibrated_box(placed):
    sessions = placed
    sid = await open_session(sessions, {A: 8})
    await run(sessions, calibration.approve, BUDI, TENANT, sid)
    move = (await placement(sessions, A)).calibration_id
    stricter = RuleSet(version=2, potential_high=90, potential_middle=80)  # A's 75 is now low: box 2
    async with sessions() as s, s.begin():
        await service.recompute_many(s, TENANT, None, stricter)
    a = await placement(sessions, A)
    assert (a.box, a.computed_box, a.calibration_id, a.rule_version) == (8, 2, move, 2)
    assert "calibrated from box 2 to box 8" in PlacementOut.of(a).reasons


async def test_a_new_skp_year_ends_the_calibration(placed):
    sessions = placed
    sid = await open_session(sessions, {A: 8})
    await run(sessions, calibration.approve, BUDI, TENANT, sid)
    await deliver(sessions, skp(A, 2026, "Sangat Baik", T0 + timedelta(days=300)))  # a new cycle
    a = await placement(sessions, A)
    assert (a.box, a.computed_box, a.calibration_id, a.skp_year) == (7, 7, None, 2026)
    last = (await events(sessions, "employee.placed.v1"))[-1]
    assert (last["nip"], last["box"]) == (A, 7)
    async with sessions() as s:
        [(_, _, in_force)] = await calibration.employee_moves(s, TENANT, A)
    assert in_force is None  # the record stays, no longer in force


async def test_an_approval_waits_for_a_running_recomputation(placed):
    sessions = placed
    sid = await open_session(sessions, {A: 8})
    job = RecomputeJob(id=uuid.uuid4(), tenant_id=TENANT, rule_version=2, status="running")
    async with sessions() as s, s.begin():
        s.add(job)
    with pytest.raises(Conflict, match="being recomputed") as refused:
        await run(sessions, calibration.approve, BUDI, TENANT, sid)
    assert refused.value.headers == {"Retry-After": "5"}
    assert (await placement(sessions, A)).box == 5
    async with sessions() as s, s.begin():
        await s.execute(update(RecomputeJob).where(RecomputeJob.id == job.id).values(status="done"))
    assert (await run(sessions, calibration.approve, BUDI, TENANT, sid)).status == "approved"
