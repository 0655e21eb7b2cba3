"""Determinism and replay (issue 5), on a real broker and real PostgreSQL through placement's own consumer:
replaying every event from the start, in another order and other batch sizes, into an empty database
gives exactly the same placements; reading every event a second time changes nothing."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from aiokafka import AIOKafkaProducer
from bakat_common.consumer import EventConsumer
from bakat_common.contracts.assessment import (
    AssessmentCompletedV1,
    AssessmentCorrectedV1,
    PerformanceRecordedV1,
)
from bakat_common.contracts.competencies import POTENTIAL_CODES, STANDARD_COMPETENCIES, TRACK_RECORD
from bakat_common.contracts.roster import EmployeeRegisteredV1, EmployeeTransferredV1, TenantRegisteredV1
from bakat_common.events import CloudEvent, new_event
from bakat_common.infrastructure import inbox, outbox
from bakat_common.metrics import Metrics
from bakat_common.settings import KafkaSettings
from bakat_devstack.migrations import migrate
from bakat_devstack.postgres import ensure_database
from placement.consumers import consumer_specs
from placement.models import EmployeeRecord, PlacementHistory, PlacementRecord, RuleSetVersion
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

pytestmark = pytest.mark.integration
TENANT = "kota-mojokerto"
T0 = datetime(2024, 3, 1, tzinfo=timezone.utc)
PLACEMENT_FIELDS = (
    PlacementRecord.nip, PlacementRecord.box, PlacementRecord.computed_box, PlacementRecord.potential_level,
    PlacementRecord.performance_level, PlacementRecord.potential_score, PlacementRecord.predikat,
    PlacementRecord.skp_year, PlacementRecord.assessment_id, PlacementRecord.assessment_version,
    PlacementRecord.rule_version, PlacementRecord.reasons, PlacementRecord.jpm, PlacementRecord.valid_until,
)  # fmt: skip


def history_of_a_tenant(employees: int = 120, seed: int = 5) -> list[CloudEvent]:
    """A tenant's life in events: employees registered and transferred, SKP years with late same-year
    corrections, assessments with scores, corrections and an older result that arrives late."""
    rng = random.Random(seed)
    events = [new_event(TenantRegisteredV1(tenant_id=TENANT, name="Kota Mojokerto", kind="kota", parent_id=None),
                        service="roster", tenant=TENANT, subject=TENANT)]  # fmt: skip
    aspects = sorted(POTENTIAL_CODES)
    for n in range(employees):
        nip = f"1985{1 + n % 12:02d}{1 + n % 28:02d}2010{1 + n % 12:02d}1{n:03d}"
        person = dict(nip=nip, name=f"Pegawai {n}", gender="male", birth_date=date(1985, 1, 1), employment_type="PNS",
                      unit_code="DINKES", unit_path="/DINKES/", tier="Pengawas")  # fmt: skip

        def emit(payload, service: str) -> None:
            events.append(new_event(payload, service=service, tenant=TENANT, subject=nip))  # noqa: B023

        emit(EmployeeRegisteredV1(**person), "roster")
        if n % 4 == 0:
            emit(EmployeeTransferredV1(**{**person, "unit_code": "RSUD", "unit_path": "/RSUD/", "version": 2},
                                       from_unit_code="DINKES", from_position_code=None), "roster")  # fmt: skip
        for year in (2023, 2024, 2025):
            predikat = rng.choice(["Sangat Baik", "Baik", "Baik", "Butuh Perbaikan", "Kurang"])
            recorded = datetime(year + 1, 1, 15, tzinfo=timezone.utc)
            emit(
                PerformanceRecordedV1(nip=nip, year=year, predikat=predikat, recorded_at=recorded),
                "assessment",
            )
            if rng.random() < 0.2:  # corrected later the same year
                emit(PerformanceRecordedV1(nip=nip, year=year, predikat="Baik", recorded_at=recorded + timedelta(days=9)),
                     "assessment")  # fmt: skip
        scores = {c: rng.randint(2, 5) for c in (*STANDARD_COMPETENCIES, *aspects[:4], TRACK_RECORD)}
        result = dict(assessment_id=f"a-{n}", nip=nip, version=1, potential_score=rng.uniform(40, 95),
                      jpm=rng.uniform(55, 100), completed_at=T0 + timedelta(days=n), valid_until=date(2027, 3, 1),
                      scores=scores)  # fmt: skip
        emit(AssessmentCompletedV1(**result), "assessment")
        if n % 3 == 0:
            emit(AssessmentCorrectedV1(**{**result, "version": 2, "jpm": rng.uniform(55, 100)}, reason="salah input"),
                 "assessment")  # fmt: skip
        if n % 5 == 0:
            older = {**result, "assessment_id": f"old-{n}", "completed_at": T0 - timedelta(days=900)}
            emit(AssessmentCompletedV1(**older), "assessment")
    return events


async def consume_into(
    database_url: str,
    events: list[CloudEvent],
    kafka: KafkaSettings,
    *,
    batch_size: int,
    group: str,
    topic: str | None = None,
    records: int | None = None,
) -> str:
    """Publish the events to the topic and let placement's consumer group read the topic up to its
    end (`records` in all) and apply them to the database; returns the topic."""
    topic = topic or f"replay.{uuid.uuid4().hex[:10]}"
    records = records or len(events)
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka.bootstrap_servers, acks="all", enable_idempotence=False
    )
    await producer.start()
    try:
        for event in events:
            await producer.send(topic, value=event.to_bytes(), key=event.key.encode())
        await producer.flush()
    finally:
        await producer.stop()
    engine = create_async_engine(database_url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka.bootstrap_servers, acks="all", enable_idempotence=False
    )
    await producer.start()
    consumer = EventConsumer(
        group_id=group, topics=[topic], handlers=consumer_specs()[0].handlers,
        sessions=sessions, producer=producer, kafka=kafka, metrics=Metrics("replay-test"), batch_size=batch_size,
    )  # fmt: skip
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        deadline = time.monotonic() + 120
        ids = {e.id for e in events}
        while True:
            async with sessions() as s:
                seen = await s.scalar(
                    select(func.count())
                    .select_from(inbox)
                    .where(inbox.c.consumer == group, inbox.c.event_id.in_(ids))
                )
            read = sum(consumer._positions.values())  # the next offset of each partition: records read
            if seen == len(ids) and read >= records:
                break
            assert time.monotonic() < deadline, f"{seen} of {len(ids)} events applied"
            await asyncio.sleep(0.2)
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
        await producer.stop()
        await engine.dispose()
    return topic


async def snapshot(database_url: str) -> dict:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            placements = (await conn.execute(select(*PLACEMENT_FIELDS).order_by(PlacementRecord.nip))).all()
            employees = (await conn.execute(select(EmployeeRecord).order_by(EmployeeRecord.nip))).all()
            counts = {
                table: await conn.scalar(select(func.count()).select_from(table))
                for table in (outbox, PlacementHistory.__table__)
            }
        return {"placements": [tuple(p) for p in placements], "employees": [tuple(e) for e in employees],
                "outbox": counts[outbox], "history": counts[PlacementHistory.__table__]}  # fmt: skip
    finally:
        await engine.dispose()


async def fresh_database(embedded_postgres, label: str) -> str:
    name = f"placement_{label}_{uuid.uuid4().hex[:6]}"
    await ensure_database(embedded_postgres.server_url, name)
    url = embedded_postgres.database_url(name)
    await asyncio.to_thread(migrate, "placement", url)
    engine = create_async_engine(url)
    async with engine.begin() as conn:  # the tenant's own rules live in placement's database, not in events
        await conn.execute(
            RuleSetVersion.__table__.insert().values(
                tenant_id=TENANT, version=2, potential_high=85, potential_middle=65,
                predikat_levels={"Sangat Baik": "above", "Baik": "meets", "Butuh Perbaikan": "below",
                                 "Kurang": "below", "Sangat Kurang": "below"},
                potential_weights={"jpm": 40, "aspects": 40, "track_record": 20}, validity_years=2,
                created_by="admin", reason="Perwali 2024",
            )
        )  # fmt: skip
    await engine.dispose()
    return url


async def test_replaying_every_event_gives_the_same_placements_and_duplicates_change_nothing(
    embedded_postgres, embedded_broker
):
    kafka = KafkaSettings(bootstrap_servers=embedded_broker.bootstrap_servers, fetch_max_wait_ms=10,
                          session_timeout_ms=2000, heartbeat_interval_ms=400)  # fmt: skip
    events = history_of_a_tenant()
    first_url = await fresh_database(embedded_postgres, "first")
    topic = await consume_into(first_url, events, kafka, batch_size=500, group="placement")
    first = await snapshot(first_url)
    assert len(first["placements"]) == 120 and len(first["employees"]) == 120
    assert {p[1] for p in first["placements"]} >= {1, 5, 8}  # a spread of boxes, not one
    assert {row[-4] for row in first["placements"]} == {2}  # placed with the tenant's rules

    # Replay from the start into an empty database, in another order altogether (placement keeps the
    # newest of everything whatever order it comes in, so even one employee's own events may swap) and
    # in batches of 7 instead of 500.
    reordered = random.Random(11).sample(events, len(events))
    replay_url = await fresh_database(embedded_postgres, "replay")
    await consume_into(replay_url, reordered, kafka, batch_size=7, group="placement")
    replayed = await snapshot(replay_url)
    assert replayed["placements"] == first["placements"]
    assert replayed["employees"] == first["employees"]

    # Every event delivered a second time (the same events sent again to the topic, as a relay that
    # lost its acknowledgement would): nothing changes, nothing is published, no history is written.
    await consume_into(
        first_url, events, kafka, batch_size=50, group="placement", topic=topic, records=2 * len(events)
    )
    assert await snapshot(first_url) == first
