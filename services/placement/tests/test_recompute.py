"""Placement keeps the newest inputs whatever order their events arrive in (real PostgreSQL)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta, timezone

import pytest
from bakat_common.contracts.assessment import AssessmentCompletedV1, PerformanceRecordedV1
from bakat_common.contracts.roster import EmployeeRetiredV1, EmployeeUpdatedV1
from bakat_common.events import CloudEvent, new_event
from bakat_common.infrastructure import outbox
from bakat_devstack.migrations import migrate
from bakat_devstack.postgres import ensure_database
from placement import service
from placement.models import PlacementRecord
from placement.repository import PlacementRepository
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

pytestmark = pytest.mark.integration
TENANT, NIP = "kota-batu", "198503152010011003"
T0 = datetime(2025, 6, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
async def engine(embedded_postgres) -> AsyncIterator[AsyncEngine]:
    name = f"placement_it_{uuid.uuid4().hex[:6]}"
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
            "TRUNCATE placements, performance_inputs, potential_inputs, outbox, employees, rule_sets, recompute_jobs"
        )
    return async_sessionmaker(engine, expire_on_commit=False)


def skp(year: int, predikat: str, recorded_at: datetime) -> CloudEvent:
    payload = PerformanceRecordedV1(nip=NIP, year=year, predikat=predikat, recorded_at=recorded_at)
    return new_event(payload, service="assessment", tenant=TENANT, subject=NIP)


def result(score: float, completed_at: datetime, version: int = 1, assessment_id: str = "a-1") -> CloudEvent:
    payload = AssessmentCompletedV1(
        assessment_id=assessment_id,
        nip=NIP,
        version=version,
        potential_score=score,
        completed_at=completed_at,
        valid_until=date(2028, 6, 1),
    )
    return new_event(payload, service="assessment", tenant=TENANT, subject=NIP)


async def deliver(sessions, *events: CloudEvent) -> None:
    """One event per transaction, as the consumer's one-by-one path hands them over."""
    for event in events:
        async with sessions() as s, s.begin():
            await service.on_inputs(s, event)


async def deliver_as_one_batch(sessions, *events: CloudEvent) -> None:
    async with sessions() as s, s.begin():
        await service.on_inputs.handle(s, list(events))


async def placement(sessions):
    async with sessions() as s:
        return await PlacementRepository(s).placement(TENANT, NIP)


async def placed_events(sessions) -> int:
    async with sessions() as s:
        query = (
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.event_type == "bakat.placement.employee.placed.v1")
        )
        return (await s.execute(query)).scalar_one()


async def test_an_older_skp_year_arriving_late_does_not_replace_the_newer(sessions):
    await deliver(
        sessions,
        result(85, T0),
        skp(2025, "Sangat Baik", T0),
        skp(2024, "Butuh Perbaikan", T0 + timedelta(days=1)),
    )
    p = await placement(sessions)
    assert (p.skp_year, p.predikat, p.box) == (2025, "Sangat Baik", 9)


async def test_a_same_year_correction_recorded_later_wins_in_either_order(sessions):
    original, correction = skp(2025, "Baik", T0), skp(2025, "Kurang", T0 + timedelta(hours=1))
    await deliver(sessions, result(70, T0), correction, original)
    assert (await placement(sessions)).predikat == "Kurang"


async def test_an_older_assessment_arriving_late_does_not_replace_the_newer(sessions):
    newer, older = (
        result(90, T0, assessment_id="new"),
        result(50, T0 - timedelta(days=400), assessment_id="old"),
    )
    await deliver(sessions, skp(2025, "Baik", T0), newer, older)
    p = await placement(sessions)
    assert (p.assessment_id, p.potential_score, p.box) == ("new", 90, 8)


async def test_a_corrected_assessment_version_replaces_the_first(sessions):
    await deliver(sessions, skp(2025, "Baik", T0), result(90, T0, version=2), result(50, T0, version=1))
    assert (await placement(sessions)).potential_score == 90


async def test_placement_waits_for_both_axes_and_publishes_only_changes(sessions):
    await deliver(sessions, result(65, T0))
    assert await placement(sessions) is None
    await deliver(sessions, skp(2025, "Baik", T0))
    assert (await placement(sessions)).box == 5
    assert await placed_events(sessions) == 1
    await deliver(sessions, skp(2025, "Baik", T0 + timedelta(hours=1)))  # same box: nothing new to say
    assert await placed_events(sessions) == 1
    await deliver(sessions, skp(2025, "Sangat Baik", T0 + timedelta(hours=2)))
    assert (await placement(sessions)).box == 7
    assert await placed_events(sessions) == 2


async def test_a_batch_places_exactly_as_one_event_at_a_time(sessions):
    events = [
        result(85, T0), skp(2024, "Butuh Perbaikan", T0), skp(2025, "Baik", T0 + timedelta(days=1)),
        result(50, T0 - timedelta(days=400), assessment_id="old"), result(92, T0, version=2),
        skp(2025, "Sangat Baik", T0 + timedelta(days=2)), skp(2025, "Baik", T0 + timedelta(days=1)),
    ]  # fmt: skip
    await deliver(sessions, *events)
    one_by_one = await placement(sessions)
    async with sessions() as s, s.begin():
        await s.execute(text("TRUNCATE placements, performance_inputs, potential_inputs, outbox"))
    await deliver_as_one_batch(sessions, *events)
    batched = await placement(sessions)
    fields = ("box", "potential_score", "predikat", "skp_year", "assessment_id", "reasons")
    assert [getattr(batched, f) for f in fields] == [getattr(one_by_one, f) for f in fields]
    assert (batched.box, batched.potential_score, batched.predikat) == (9, 92, "Sangat Baik")
    assert await placed_events(sessions) == 1  # one placement published for the whole batch
    await deliver_as_one_batch(sessions, *events)  # the same events again: nothing changes
    assert await placed_events(sessions) == 1


async def test_a_rule_change_recomputes_the_whole_tenant_in_one_call(sessions):
    nips = [f"19850315201001{1 + i % 2}{i:03d}" for i in range(1, 51)]
    events = []
    for i, nip in enumerate(nips):
        events.append(new_event(PerformanceRecordedV1(nip=nip, year=2025, predikat="Baik", recorded_at=T0),
                                service="assessment", tenant=TENANT, subject=nip))  # fmt: skip
        events.append(new_event(AssessmentCompletedV1(assessment_id=f"a{i}", nip=nip, version=1, potential_score=60 + i % 40,
                                                      completed_at=T0, valid_until=date(2028, 6, 1)),
                                service="assessment", tenant=TENANT, subject=nip))  # fmt: skip
    await deliver_as_one_batch(sessions, *events)
    assert await placed_events(sessions) == 50
    stricter = service.RuleSet(version=2, potential_high=90, potential_middle=70)
    async with sessions() as s, s.begin():
        changed = await service.recompute_many(s, TENANT, None, stricter)
    assert changed == 50  # every placement now carries rule version 2
    async with sessions() as s:
        rows = (
            await s.execute(select(PlacementRecord.nip, PlacementRecord.box, PlacementRecord.potential_score))
        ).all()
    expected = {nip: 8 if 60 + i % 40 >= 90 else 5 if 60 + i % 40 >= 70 else 2 for i, nip in enumerate(nips)}
    assert {nip: box for nip, box, _ in rows} == expected


async def test_joining_and_leaving_the_talent_pool_are_published(sessions):
    await deliver(sessions, result(85, T0), skp(2025, "Baik", T0))  # box 8: joins
    await deliver(sessions, skp(2025, "Butuh Perbaikan", T0 + timedelta(hours=1)))  # box 6: leaves
    await deliver(sessions, result(85, T0, version=2))  # same box 6: nothing about the pool
    async with sessions() as s:
        rows = (await s.execute(select(outbox.c.event_type, outbox.c.envelope).order_by(outbox.c.id))).all()
    pool = [r.envelope["data"] for r in rows if r.event_type == "bakat.placement.talent_pool.changed.v1"]
    assert [(p["member"], p["box"], p["previous_box"]) for p in pool] == [(True, 8, None), (False, 6, 8)]


def employee(version: int, status: str = "active") -> CloudEvent:
    snapshot = dict(nip=NIP, name="Budi Santoso", gender="male", birth_date=date(1985, 3, 15), employment_type="PNS",
                    unit_code="DINKES", unit_path="/DINKES/", tier="Pengawas", status=status, version=version)  # fmt: skip
    if status == "retired":
        payload = EmployeeRetiredV1(**snapshot, retirement_date=date(2026, 1, 1))
    else:
        payload = EmployeeUpdatedV1(**snapshot)
    return new_event(payload, service="roster", tenant=TENANT, subject=NIP)


async def test_a_pool_member_who_retires_leaves_the_pool_and_it_is_published(sessions):
    async with sessions() as s, s.begin():
        await service.on_employee_changed.handle(s, [employee(1)])
    await deliver(sessions, result(85, T0), skp(2025, "Sangat Baik", T0))  # box 9: joins
    for event in (employee(2, "retired"), employee(2, "retired"), employee(3), employee(4)):  # a duplicate, back, a rename
        async with sessions() as s, s.begin():
            await service.on_employee_changed.handle(s, [event])
    async with sessions() as s:
        rows = (await s.execute(select(outbox.c.event_type, outbox.c.envelope).order_by(outbox.c.id))).all()
    pool = [r.envelope["data"] for r in rows if r.event_type == "bakat.placement.talent_pool.changed.v1"]
    # Joined by the placement, left by retiring, back when active again; the box never moved.
    assert [(p["member"], p["box"], p["previous_box"]) for p in pool] == [(True, 9, None), (False, 9, 9), (True, 9, 9)]
    assert (await placement(sessions)).box == 9


def scored(
    jpm: float | None, levels: dict[str, int], completed_at: datetime = T0, version: int = 1
) -> CloudEvent:
    payload = AssessmentCompletedV1(
        assessment_id="a-scored", nip=NIP, version=version, potential_score=10, jpm=jpm, completed_at=completed_at,
        valid_until=date(2028, 6, 1), scores=levels,
    )  # fmt: skip
    return new_event(payload, service="assessment", tenant=TENANT, subject=NIP)


async def test_the_potential_axis_uses_the_tenants_weights_over_the_results_parts(sessions):
    levels = {"Kecerdasan Emosional": 5, "Motivasi dan Komitmen": 4, "Rekam Jejak": 2, "Integritas": 3}
    await deliver(sessions, scored(70, levels), skp(2025, "Baik", T0))
    p = await placement(sessions)
    # default weights: JPM 70 x 50% + aspects (5+4)/2/5 = 90 x 50% = 80 -> high; the track record is not weighed
    assert (p.potential_score, p.potential_level, p.box, p.computed_box) == (80, "high", 8, 8)
    assert p.reasons[0] == "potential 80 (JPM 70 x 50% + potential aspects 90 x 50%) >= 80 -> high"
    with_track = service.RuleSet(version=2, potential_weights={"jpm": 40, "aspects": 40, "track_record": 20})
    async with sessions() as s, s.begin():
        assert await service.recompute_many(s, TENANT, None, with_track) == 1
    p = await placement(sessions)  # 70 x .4 + 90 x .4 + 40 x .2 = 72 -> middle
    assert (p.potential_score, p.box, p.rule_version) == (72, 5, 2)


async def test_validity_follows_the_tenants_years_and_a_change_is_stored(sessions):
    await deliver(sessions, result(85, T0), skp(2025, "Baik", T0))
    assert (await placement(sessions)).valid_until == date(2028, 6, 1)
    async with sessions() as s, s.begin():
        await service.recompute_many(s, TENANT, None, service.RuleSet(version=2, validity_years=2))
    assert (await placement(sessions)).valid_until == date(2027, 6, 1)


async def test_a_calibrated_box_holds_through_a_rule_change_and_ends_with_new_inputs(sessions):
    await deliver(sessions, result(75, T0), skp(2025, "Baik", T0))  # box 5
    move = uuid.uuid4()
    async with sessions() as s, s.begin():  # what an approved calibration leaves behind
        await s.execute(text("UPDATE placements SET box = 8, calibration_id = :m"), {"m": move})
    async with sessions() as s, s.begin():
        await service.recompute_many(
            s, TENANT, None, service.RuleSet(version=2, potential_middle=80, potential_high=90)
        )
    p = await placement(sessions)
    assert (p.box, p.computed_box, p.calibration_id, p.rule_version) == (8, 2, move, 2)
    await deliver(sessions, skp(2026, "Sangat Baik", T0 + timedelta(days=300)))  # a new cycle
    p = await placement(sessions)
    assert (p.box, p.computed_box, p.calibration_id) == (7, 7, None)


def pool_events(rows) -> list[tuple]:
    return [
        (r.envelope["data"]["member"], r.envelope["data"]["box"])
        for r in rows
        if r.event_type == "bakat.placement.talent_pool.changed.v1"
    ]


async def test_a_change_of_the_pools_boxes_announces_who_left_though_no_box_moved(sessions):
    await deliver(sessions, result(75, T0), skp(2025, "Sangat Baik", T0))  # box 7: in the default pool
    narrow = service.RuleSet(version=2, talent_pool_boxes=frozenset({8, 9}))
    async with sessions() as s, s.begin():
        await service.recompute_many(s, TENANT, None, narrow)
    async with sessions() as s:
        rows = (await s.execute(select(outbox.c.event_type, outbox.c.envelope).order_by(outbox.c.id))).all()
    assert pool_events(rows) == [(True, 7), (False, 7)]
    assert [r.event_type for r in rows].count(
        "bakat.placement.employee.placed.v1"
    ) == 1  # the box never moved
    assert (await placement(sessions)).in_talent_pool is False


async def test_an_employee_event_waits_for_a_placement_being_written_and_is_not_lost(sessions, monkeypatch):
    from bakat_common.contracts.roster import EmployeeTransferredV1

    await deliver(sessions, result(85, T0), skp(2025, "Baik", T0))
    first = new_event(
        EmployeeTransferredV1(nip=NIP, name="Budi", gender="male", birth_date=date(1985, 3, 15), employment_type="PNS",
                              unit_code="DINKES", unit_path="/DINKES/", tier="Pengawas", version=2,
                              from_unit_code=None, from_position_code=None),
        service="roster", tenant=TENANT, subject=NIP,
    )  # fmt: skip
    async with sessions() as s, s.begin():
        await service.on_employee_changed.handle(s, [first])
    moved = new_event(
        EmployeeTransferredV1(**{**first.data, "unit_code": "RSUD", "unit_path": "/RSUD/", "version": 3}),
        service="roster",
        tenant=TENANT,
        subject=NIP,
    )
    # A rule-change job has read the employee's fields and not yet written the placement: a transfer
    # that arrives now must wait for it, not commit in between and be overwritten with the old unit.
    read_inputs = PlacementRepository.inputs_for_placement
    transfer_started = asyncio.Event()

    async def slow_read(self, tenant_id, nips):
        rows = await read_inputs(self, tenant_id, nips)
        transfer_started.set()
        await asyncio.sleep(0.5)  # the transfer tries to commit here
        return rows

    async def transfer():
        await transfer_started.wait()
        async with sessions() as s, s.begin():
            await service.on_employee_changed.handle(s, [moved])

    waiting = asyncio.create_task(transfer())
    monkeypatch.setattr(PlacementRepository, "inputs_for_placement", slow_read)
    async with sessions() as job, job.begin():
        await service.recompute_many(job, TENANT, [NIP], service.RuleSet(version=2, potential_high=90))
        monkeypatch.setattr(PlacementRepository, "inputs_for_placement", read_inputs)
        assert not waiting.done()
    await asyncio.wait_for(waiting, 10)
    p = await placement(sessions)
    assert (p.unit_code, p.unit_path, p.rule_version, p.box) == ("RSUD", "/RSUD/", 2, 5)


async def test_a_job_for_an_older_rule_version_stops_as_superseded(sessions):
    from placement.models import RecomputeJob, RuleSetVersion

    await deliver(sessions, result(85, T0), skp(2025, "Baik", T0))
    job_id = uuid.uuid4()
    async with sessions() as s, s.begin():
        for version, high in ((2, 90), (3, 70)):
            s.add(RuleSetVersion(tenant_id=TENANT, version=version, potential_high=high, potential_middle=60,
                                 predikat_levels=dict(service.DEFAULT_RULES.predikat_levels),
                                 potential_weights={"jpm": 50, "aspects": 50, "track_record": 0}, validity_years=3,
                                 talent_pool_boxes=[7, 8, 9], created_by="t", reason="test"))  # fmt: skip
        s.add(RecomputeJob(id=job_id, tenant_id=TENANT, rule_version=2, status="running"))
    job_sessions = async_sessionmaker(sessions.kw["bind"], expire_on_commit=False)
    await service.run_recompute(job_sessions, job_sessions, TENANT, job_id)
    async with sessions() as s:
        job = await s.get(RecomputeJob, job_id)
        assert job.status == "superseded"
    assert (await placement(sessions)).rule_version == 1  # left to version 3's own job
