"""Scale-out (issue 9), on a real broker and real PostgreSQL: two placement consumers in one group (two
worker replicas) split the topic's partitions between them, and every event's effect happens once:
the placements, employees and history are exactly those of one consumer alone."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from aiokafka import AIOKafkaProducer
from bakat_common.consumer import EventConsumer
from bakat_common.infrastructure import inbox
from bakat_common.metrics import Metrics
from bakat_common.settings import KafkaSettings
from bakat_devstack.topics import ensure_topics
from placement.consumers import consumer_specs
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from services.placement.tests.test_replay import consume_into, fresh_database, history_of_a_tenant, snapshot

pytestmark = pytest.mark.integration
PARTITIONS = 6


async def test_two_replicas_split_the_partitions_and_apply_each_event_once(embedded_postgres, embedded_broker):
    kafka = KafkaSettings(bootstrap_servers=embedded_broker.bootstrap_servers, fetch_max_wait_ms=10,
                          session_timeout_ms=2000, heartbeat_interval_ms=400)  # fmt: skip
    events = history_of_a_tenant(employees=200)
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
    # Each event's effect once: the same placements, replica rows and history as one consumer. (Not
    # the outbox: how many placement events come out depends on where batches happen to split an
    # employee's events, as for any replay; see services/placement/tests/test_replay.py.)
    two = await snapshot(url)
    assert {k: v for k, v in two.items() if k != "outbox"} == {k: v for k, v in alone.items() if k != "outbox"}
