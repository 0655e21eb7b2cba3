"""Scale-out (issue 9), on a real broker and real PostgreSQL: two placement consumers in one group (two
worker replicas) split the topic's partitions between them, and every event's effect happens once:
the placements, employees, history and published events are exactly those of one consumer alone."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import date

import pytest
from aiokafka import AIOKafkaProducer
from bakat_common.consumer import EventConsumer
from bakat_common.contracts.assessment import AssessmentCompletedV1, PerformanceRecordedV1
from bakat_common.contracts.roster import EmployeeRegisteredV1, TenantRegisteredV1
from bakat_common.events import CloudEvent, new_event
from bakat_common.infrastructure import inbox
from bakat_common.metrics import Metrics
from bakat_common.settings import KafkaSettings
from bakat_devstack.topics import ensure_topics
from placement.consumers import consumer_specs
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from services.placement.tests.test_replay import TENANT, T0, consume_into, fresh_database, snapshot

pytestmark = pytest.mark.integration
PARTITIONS = 6


def events_of(employees: int) -> list[CloudEvent]:
    """Each employee registered, rated and assessed once: one placement each, whichever batches and
    replicas the events fall into (an employee's events share a key, so one partition, in order), so
    the history and the published events must be the same too, not only the placements."""
    events = [new_event(TenantRegisteredV1(tenant_id=TENANT, name="Kota Mojokerto", kind="kota", parent_id=None),
                        service="roster", tenant=TENANT, subject=TENANT)]  # fmt: skip
    for n in range(employees):
        nip = f"1985{1 + n % 12:02d}{1 + n % 28:02d}2010{1 + n % 12:02d}1{n:03d}"
        for payload, service in (
            (EmployeeRegisteredV1(nip=nip, name=f"Pegawai {n}", gender="male", birth_date=date(1985, 1, 1),
                                  employment_type="PNS", unit_code="DINKES", unit_path="/DINKES/", tier="Pengawas"),
             "roster"),
            (PerformanceRecordedV1(nip=nip, year=2025, predikat=("Sangat Baik", "Baik", "Kurang")[n % 3],
                                   recorded_at=T0), "assessment"),
            (AssessmentCompletedV1(assessment_id=f"a-{n}", nip=nip, version=1, potential_score=40.0 + n % 60,
                                   completed_at=T0, valid_until=date(2027, 3, 1)), "assessment"),
        ):  # fmt: skip
            events.append(new_event(payload, service=service, tenant=TENANT, subject=nip))
    return events


async def test_two_replicas_split_the_partitions_and_apply_each_event_once(embedded_postgres, embedded_broker):
    kafka = KafkaSettings(bootstrap_servers=embedded_broker.bootstrap_servers, fetch_max_wait_ms=10,
                          session_timeout_ms=2000, heartbeat_interval_ms=400)  # fmt: skip
    events = events_of(300)
    topic = f"scale.{uuid.uuid4().hex[:10]}"
    await ensure_topics(kafka.bootstrap_servers, [topic], PARTITIONS)

    # The reference: one consumer alone, from its own copy of the events.
    alone_url = await fresh_database(embedded_postgres, "alone")
    await consume_into(alone_url, events, kafka, batch_size=100, group="placement")
    alone = await snapshot(alone_url)

    url = await fresh_database(embedded_postgres, "two")
    engine = create_async_engine(url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers, acks="all", enable_idempotence=False)
    await producer.start()
    replicas = [
        EventConsumer(group_id="placement", topics=[topic], handlers=consumer_specs()[0].handlers, sessions=sessions,
                      producer=producer, kafka=kafka, metrics=Metrics(f"replica-{n}"), batch_size=100)
        for n in range(2)
    ]  # fmt: skip
    stop = asyncio.Event()
    tasks = [asyncio.create_task(replica.run(stop)) for replica in replicas]
    try:
        # Both in the group before the events come, so that both get work from the start.
        for replica in replicas:
            await asyncio.wait_for(replica.joined.wait(), 30)
        deadline = time.monotonic() + 30
        while not all(r.consumer is not None and r.consumer.assignment() for r in replicas):
            assert time.monotonic() < deadline, "the second replica got no partition"
            await asyncio.sleep(0.1)
        for event in events:
            await producer.send(topic, value=event.to_bytes(), key=event.key.encode())
        await producer.flush()
        ids = {e.id for e in events}
        deadline = time.monotonic() + 120
        while True:
            async with sessions() as s:
                seen = await s.scalar(
                    select(func.count()).select_from(inbox).where(inbox.c.event_id.in_(ids))
                )
            if seen == len(ids):
                break
            assert time.monotonic() < deadline, f"{seen} of {len(ids)} events applied"
            await asyncio.sleep(0.2)
        owned = [{tp.partition for tp in r.consumer.assignment()} for r in replicas]
        handled = [sum(1 for _ in r._positions) for r in replicas]
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 30)
        await producer.stop()
        await engine.dispose()

    assert owned[0] and owned[1] and not owned[0] & owned[1], owned  # split, none shared
    assert owned[0] | owned[1] == set(range(PARTITIONS))
    print(f"partitions owned by the two replicas: {sorted(owned[0])} / {sorted(owned[1])}; "
          f"partitions each has handled records of: {handled} (throughput: bench/placement_replicas.py)")
    assert all(handled), handled  # both did some of the work
    # Each event's effect once: the same placements, replica rows, history and published events as
    # one consumer alone (an event handled twice would write a second history row or event).
    assert await snapshot(url) == alone
    assert len(alone["placements"]) == 300 and alone["history"] == 300
