"""The event machinery against a real PostgreSQL and a real Kafka-protocol broker."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import date

import pytest
from aiokafka import AIOKafkaConsumer
from bakat_common import outbox as outbox_module
from bakat_common.consumer import EventConsumer, batched
from bakat_common.contracts.roster import EmployeeRegisteredV1
from bakat_common.events import CloudEvent, bulk_envelope, new_event
from bakat_common.infrastructure import inbox, outbox
from bakat_common.metrics import Metrics
from bakat_common.outbox import OutboxRelay, add_many_to_outbox, add_to_outbox
from bakat_common.topics import dead_letter_topic
from sqlalchemy import column, func, insert, select, table

pytestmark = pytest.mark.integration


def make_event(n: int, tenant: str = "kota-batu") -> CloudEvent:
    return CloudEvent(source="/bakat/test", type="bakat.test.thing.happened.v1", subject=f"s{n}", tenant=tenant, data={"n": n})


async def read_topic(bootstrap: str, topic: str, expect: int, timeout: float = 10.0) -> list:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False, fetch_max_wait_ms=10
    )
    await consumer.start()
    records = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and len(records) < expect:
            batch = await consumer.getmany(timeout_ms=200)
            for msgs in batch.values():
                records.extend(msgs)
        # Give anything unexpected a moment to show up too.
        batch = await consumer.getmany(timeout_ms=300)
        for msgs in batch.values():
            records.extend(msgs)
    finally:
        await consumer.stop()
    return records


EFFECTS = table("effects", column("event_id"), column("note"))  # created by conftest


async def effect_counts(sessions) -> dict[str, int]:
    async with sessions() as s:
        rows = (await s.execute(select(EFFECTS.c.event_id, func.count()).group_by(EFFECTS.c.event_id))).all()
    return {event_id: n for event_id, n in rows}


async def record_effect(session, event: CloudEvent) -> None:
    await session.execute(insert(EFFECTS).values(event_id=event.id, note=str(event.data.get("n"))))


def new_consumer(kafka_settings, sessions, producer, topic, handler, group=None, max_attempts=3) -> EventConsumer:
    return EventConsumer(
        group_id=group or f"g-{uuid.uuid4().hex[:8]}",
        topics=[topic],
        handlers={"bakat.test.thing.happened.v1": handler},
        sessions=sessions,
        producer=producer,
        kafka=kafka_settings,
        metrics=Metrics("test"),
        max_attempts=max_attempts,
        batch_size=20,
    )


async def wait_for(predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached in time")


async def test_event_is_published_only_if_its_transaction_commits(sessions, producer, kafka_settings, topic, common_engine):
    committed, rolled_back = make_event(1), make_event(2)
    async with sessions() as s, s.begin():
        await add_to_outbox(s, committed, topic=topic)
    with pytest.raises(RuntimeError):
        async with sessions() as s, s.begin():
            await add_to_outbox(s, rolled_back, topic=topic)
            raise RuntimeError("use case failed after queueing its event")

    relay = OutboxRelay(common_engine, producer, Metrics("test"))
    assert await relay.publish_pending() == 1

    records = await read_topic(kafka_settings.bootstrap_servers, topic, expect=1)
    ids = [CloudEvent.from_bytes(r.value).id for r in records]
    assert ids == [committed.id]
    assert records[0].key == b"kota-batu:s1"
    async with sessions() as s:
        rows = (await s.execute(select(outbox.c.event_id, outbox.c.sent_at))).all()
    assert [r.event_id for r in rows] == [committed.id]
    assert rows[0].sent_at is not None  # kept for replay, marked sent


@pytest.mark.parametrize("few_events", [0, outbox_module.FEW_EVENTS], ids=["copy", "insert"])
async def test_bulk_events_are_copied_in_the_callers_transaction(
    sessions, producer, kafka_settings, topic, common_engine, monkeypatch, few_events
):
    # Both ways of writing them: COPY (many events) and one INSERT (a request's few).
    monkeypatch.setattr(outbox_module, "FEW_EVENTS", few_events)
    # COPY as the transaction's first statement: it must still roll back with the transaction.
    with pytest.raises(RuntimeError):
        async with sessions() as s, s.begin():
            await add_many_to_outbox(s, [make_event(n) for n in range(3)], topic=topic)
            raise RuntimeError("import failed after queueing its events")
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(outbox)) == 0

    data = {"nip": "198503302010012001", "name": "Siti", "gender": "female", "birth_date": date(1985, 3, 30),
            "employment_type": "PNS", "golongan": "III/a", "unit_code": "DINKES", "unit_name": "Dinas Kesehatan",
            "unit_path": "/DINKES/", "position_code": None, "position_title": None, "tier": "Pelaksana",
            "functional_level": None, "eselon": None, "status": "active", "version": 1}  # fmt: skip
    envelope = bulk_envelope(EmployeeRegisteredV1, data, service="roster", tenant="kota-batu", subject=data["nip"])
    modelled = make_event(7)
    async with sessions() as s, s.begin():
        await add_many_to_outbox(s, [envelope, modelled], topic=topic)

    relay = OutboxRelay(common_engine, producer, Metrics("test"))
    assert await relay.publish_pending() == 2
    records = await read_topic(kafka_settings.bootstrap_servers, topic, expect=2)
    by_id = {CloudEvent.from_bytes(r.value).id: r for r in records}
    assert set(by_id) == {envelope["id"], modelled.id}
    assert by_id[envelope["id"]].key == b"kota-batu:198503302010012001"
    published = CloudEvent.from_bytes(by_id[envelope["id"]].value)
    # The same event built through the contract model: identical apart from its id and time.
    reference = new_event(EmployeeRegisteredV1(**data), service="roster", tenant="kota-batu", subject=data["nip"])
    assert published.model_dump(exclude={"id", "time"}) == reference.model_dump(exclude={"id", "time"})
    assert EmployeeRegisteredV1.model_validate(published.data).birth_date == date(1985, 3, 30)


async def test_relay_wakes_on_notify_without_waiting_for_the_poll(sessions, producer, kafka_settings, topic, common_engine):
    relay = OutboxRelay(common_engine, producer, Metrics("test"), poll_interval_s=30.0)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        await asyncio.sleep(0.5)  # let it LISTEN and go idle
        event = make_event(3)
        started = time.monotonic()
        async with sessions() as s, s.begin():
            await add_to_outbox(s, event, topic=topic)
        records = await read_topic(kafka_settings.bootstrap_servers, topic, expect=1, timeout=5)
        assert [CloudEvent.from_bytes(r.value).id for r in records] == [event.id]
        assert time.monotonic() - started < 5  # far below the 30 s poll interval
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)


async def test_a_row_the_producer_refuses_does_not_hold_up_the_others(
    sessions, producer, kafka_settings, topic, common_engine
):
    class RefusingOne:
        """The real producer, except that it refuses one event outright (as for a too-large message)."""

        def __init__(self, real, refused_key):
            self.real, self.refused_key = real, refused_key

        async def send(self, topic, value, key):
            if key == self.refused_key:
                raise ValueError("message too large")
            return await self.real.send(topic, value=value, key=key)

    events = [make_event(n) for n in (41, 42, 43)]
    async with sessions() as s, s.begin():
        for e in events:
            await add_to_outbox(s, e, topic=topic)
    relay = OutboxRelay(common_engine, RefusingOne(producer, events[1].key.encode()), Metrics("test"))
    assert await relay.publish_pending() == 3
    records = await read_topic(kafka_settings.bootstrap_servers, topic, expect=2)
    assert sorted(CloudEvent.from_bytes(r.value).id for r in records) == sorted([events[0].id, events[2].id])
    async with sessions() as s:
        refused = (await s.execute(select(outbox).where(outbox.c.event_id == events[1].id))).one()
    assert refused.sent_at is None and refused.attempts == 1 and "too large" in refused.last_error
    assert await relay.publish_pending() == 0  # backing off


async def test_failed_delivery_is_recorded_and_backed_off(sessions, producer, topic, common_engine):
    class RejectingFutures:
        """Delivery reports that fail, as when the broker rejects a batch."""

        async def send(self, *args, **kwargs):
            future = asyncio.get_running_loop().create_future()
            future.set_exception(ConnectionError("delivery failed"))
            return future

    event = make_event(5)
    async with sessions() as s, s.begin():
        await add_to_outbox(s, event, topic=topic)
    relay = OutboxRelay(common_engine, RejectingFutures(), Metrics("test"))
    assert await relay.publish_pending() == 1
    async with sessions() as s:
        row = (await s.execute(select(outbox).where(outbox.c.event_id == event.id))).one()
    assert row.sent_at is None and row.attempts == 1 and "delivery failed" in row.last_error
    assert await relay.publish_pending() == 0  # backing off: not due yet
    relay.producer = producer
    async with sessions() as s, s.begin():
        await s.execute(outbox.update().values(next_attempt_at=func.now()))
    assert await relay.publish_pending() == 1


async def test_redelivered_event_has_its_effect_once(sessions, producer, kafka_settings, topic):
    event = make_event(6)
    for _ in range(3):  # the broker hands the same event over three times
        await producer.send_and_wait(topic, event.to_bytes(), key=event.key.encode())
    consumer = new_consumer(kafka_settings, sessions, producer, topic, record_effect)
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        async def all_read():
            return consumer._positions and sum(consumer._positions.values()) >= 3

        await wait_for(all_read)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
    assert await effect_counts(sessions) == {event.id: 1}
    async with sessions() as s:
        assert (await s.execute(select(func.count()).select_from(inbox))).scalar_one() == 1


async def test_consumer_killed_mid_stream_resumes_from_committed_offset(sessions, producer, kafka_settings, topic):
    events = [make_event(n) for n in range(200)]
    for e in events:
        await producer.send(topic, e.to_bytes(), key=e.key.encode())
    await producer.flush()

    async def slow_effect(session, event):
        await record_effect(session, event)
        await asyncio.sleep(0.002)

    group = f"g-{uuid.uuid4().hex[:8]}"
    first = new_consumer(kafka_settings, sessions, producer, topic, slow_effect, group=group)
    task = asyncio.create_task(first.run(asyncio.Event()))

    async def some_done():
        return 30 <= sum((await effect_counts(sessions)).values()) < 200

    await wait_for(some_done)
    task.cancel()  # killed: no graceful shutdown, the batch in flight is not committed
    with pytest.raises(asyncio.CancelledError):
        await task
    assert sum((await effect_counts(sessions)).values()) < 200

    handled_before_restart = sum((await effect_counts(sessions)).values())
    second = new_consumer(kafka_settings, sessions, producer, topic, record_effect, group=group)
    received: list[int] = []
    original_batch = second.process_batch

    async def counting_batch(records):
        received.extend(r.offset for r in records)
        await original_batch(records)

    second.process_batch = counting_batch
    stop = asyncio.Event()
    task = asyncio.create_task(second.run(stop))
    try:
        async def all_done():
            return len(await effect_counts(sessions)) == 200

        await wait_for(all_done, timeout=30)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
    counts = await effect_counts(sessions)
    assert set(counts) == {e.id for e in events}  # nothing lost
    assert set(counts.values()) == {1}  # nothing applied twice
    # It resumed from the committed offsets: only the batch in flight at the kill (at most one batch
    # of 20 per partition) was read again, not the whole topic.
    assert len(received) < 200
    assert len(received) <= 200 - handled_before_restart + 20 * 6


async def test_event_whose_handler_keeps_failing_goes_to_dead_letter_and_consumer_goes_on(
    sessions, producer, kafka_settings, topic
):
    good1, poison, good2 = make_event(1), make_event(666), make_event(2)

    async def handler(session, event):
        if event.data["n"] == 666:
            raise ValueError("payload rejected by the domain rules")
        await record_effect(session, event)

    for e in (good1, poison, good2):
        await producer.send_and_wait(topic, e.to_bytes(), key=e.key.encode())
    group = f"g-{uuid.uuid4().hex[:8]}"
    consumer = new_consumer(kafka_settings, sessions, producer, topic, handler, group=group, max_attempts=3)
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        async def goods_done():
            return set(await effect_counts(sessions)) == {good1.id, good2.id}

        await wait_for(goods_done)
        dead = await read_topic(kafka_settings.bootstrap_servers, dead_letter_topic(group), expect=1)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)

    assert [CloudEvent.from_bytes(r.value).id for r in dead] == [poison.id]
    headers = dict(dead[0].headers)
    assert b"payload rejected" in headers["error"]
    assert headers["original-topic"] == topic.encode()
    async with sessions() as s:  # the failed attempts left nothing behind
        inbox_ids = set((await s.execute(select(inbox.c.event_id))).scalars())
    assert poison.id not in inbox_ids


async def test_an_event_unhandled_when_the_consumer_stops_is_read_again(sessions, producer, kafka_settings, topic):
    event = make_event(7)
    await producer.send_and_wait(topic, event.to_bytes(), key=event.key.encode())
    attempts = []

    async def database_down(session, e):
        attempts.append(e.id)
        raise ConnectionRefusedError("database restarting")  # transient: retried until stopped

    group = f"g-{uuid.uuid4().hex[:8]}"
    first = new_consumer(kafka_settings, sessions, producer, topic, database_down, group=group)
    stop = asyncio.Event()
    task = asyncio.create_task(first.run(stop))

    async def tried():
        return len(attempts) >= 2

    await wait_for(tried)
    stop.set()
    await asyncio.wait_for(task, 10)
    assert await effect_counts(sessions) == {}

    second = new_consumer(kafka_settings, sessions, producer, topic, record_effect, group=group)
    stop = asyncio.Event()
    task = asyncio.create_task(second.run(stop))
    try:
        async def handled():
            return await effect_counts(sessions) == {event.id: 1}

        await wait_for(handled)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


async def test_a_batch_with_one_bad_event_keeps_the_rest_and_dead_letters_the_bad_one(
    sessions, producer, kafka_settings, topic
):
    # One subject: one partition, so the 40 events arrive as one batch handled in one transaction.
    events = [
        CloudEvent(source="/bakat/test", type="bakat.test.thing.happened.v1", subject="same", tenant="t", data={"n": n})
        for n in range(40)
    ]
    for e in events:
        await producer.send(topic, e.to_bytes(), key=e.key.encode())
    await producer.flush()

    async def handler(session, event):
        if event.data["n"] == 25:
            raise ValueError("rejected")
        await record_effect(session, event)

    group = f"g-{uuid.uuid4().hex[:8]}"
    consumer = new_consumer(kafka_settings, sessions, producer, topic, handler, group=group, max_attempts=2)
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        async def all_good():
            return len(await effect_counts(sessions)) == 39

        await wait_for(all_good)
        dead = await read_topic(kafka_settings.bootstrap_servers, dead_letter_topic(group), expect=1)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
    counts = await effect_counts(sessions)
    assert set(counts.values()) == {1} and events[25].id not in counts
    assert [CloudEvent.from_bytes(r.value).id for r in dead] == [events[25].id]


async def test_a_batch_handler_gets_runs_of_events_in_order_each_once(sessions, producer, kafka_settings, topic):
    # One subject, one partition: "thing" events go to a batch handler, "other" ones one at a time,
    # and an event sent twice has its effect once.
    kinds = ["thing"] * 5 + ["other"] + ["thing"] * 4
    events = [
        CloudEvent(source="/bakat/test", type=f"bakat.test.{k}.happened.v1", subject="same", tenant="t", data={"n": n})
        for n, k in enumerate(kinds)
    ]
    for e in [*events, events[2]]:
        await producer.send(topic, e.to_bytes(), key=e.key.encode())
    await producer.flush()
    calls: list[list[int]] = []

    async def many(session, batch):
        calls.append([e.data["n"] for e in batch])
        for e in batch:
            await record_effect(session, e)

    async def one(session, event):
        calls.append([event.data["n"]])
        await record_effect(session, event)

    consumer = EventConsumer(
        group_id=f"g-{uuid.uuid4().hex[:8]}",
        topics=[topic],
        handlers={"bakat.test.thing.happened.v1": batched(many), "bakat.test.other.happened.v1": one},
        sessions=sessions,
        producer=producer,
        kafka=kafka_settings,
        metrics=Metrics("test"),
        batch_size=50,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        async def all_done():
            return len(await effect_counts(sessions)) == 10

        await wait_for(all_done)
        await asyncio.sleep(0.5)  # the duplicate, if it were to be handled again
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
    assert set((await effect_counts(sessions)).values()) == {1}
    assert [n for call in calls for n in call] == list(range(10))  # in order, each once
    assert any(len(call) > 1 for call in calls)  # and the "thing" events in runs, not one by one


def test_lag_of_a_partition_given_away_in_a_rebalance_is_no_longer_reported() -> None:
    # The gauge bookkeeping alone: which partitions this consumer owns is aiokafka's answer, given here.
    from aiokafka import TopicPartition

    class Assignment:
        def __init__(self, owned: set[TopicPartition]) -> None:
            self.owned = owned

        def assignment(self) -> set[TopicPartition]:
            return self.owned

        def highwater(self, tp: TopicPartition) -> int:
            return 100

    metrics = Metrics("test")
    consumer = EventConsumer(group_id="placement", topics=["t"], handlers={}, sessions=None, producer=None,
                             kafka=None, metrics=metrics)  # fmt: skip
    p0, p1 = TopicPartition("t", 0), TopicPartition("t", 1)
    consumer._positions = {p0: 40, p1: 90}
    consumer.consumer = Assignment({p0, p1})
    consumer._update_lag()
    lag = lambda p: metrics.registry.get_sample_value("bakat_consumer_lag", {"group": "placement", "topic": "t", "partition": p})  # noqa: E731
    assert (lag("0"), lag("1")) == (60, 10)
    consumer.consumer = Assignment({p0})  # partition 1 went to another replica
    consumer._update_lag()
    assert (lag("0"), lag("1")) == (60, None)


async def test_a_poison_event_is_redriven_after_the_fix_and_handled_once(sessions, producer, kafka_settings, topic):
    from bakat_common.redrive import redrive

    poison, good = make_event(666), make_event(1)
    fixed = asyncio.Event()  # the "code fix": the domain rule accepts the payload from now on

    async def handler(session, event):
        if event.data["n"] == 666 and not fixed.is_set():
            raise ValueError("payload rejected by the domain rules")
        await record_effect(session, event)

    for e in (poison, good):
        await producer.send_and_wait(topic, e.to_bytes(), key=e.key.encode())
    group = f"g-{uuid.uuid4().hex[:8]}"
    consumer = new_consumer(kafka_settings, sessions, producer, topic, handler, group=group, max_attempts=2)
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        async def good_done():
            return set(await effect_counts(sessions)) == {good.id}

        await wait_for(good_done)
        await read_topic(kafka_settings.bootstrap_servers, dead_letter_topic(group), expect=1)
        [listed] = await redrive(kafka_settings, group, listing=True)
        assert (listed["event_id"], listed["redriven"], listed["original_topic"]) == (poison.id, False, topic)
        assert "payload rejected" in listed["error"]

        fixed.set()
        [sent] = await redrive(kafka_settings, group)
        assert sent["redriven"] is True

        async def both_done():
            return await effect_counts(sessions) == {good.id: 1, poison.id: 1}

        await wait_for(both_done)
        assert await redrive(kafka_settings, group) == []  # re-driven once; nothing new since
        again = await redrive(kafka_settings, group, again=True)  # on purpose: the inbox has it now
        assert [e["event_id"] for e in again] == [poison.id]
        await asyncio.sleep(1.0)
        assert await effect_counts(sessions) == {good.id: 1, poison.id: 1}
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


async def test_a_selective_redrive_leaves_the_other_dead_letters_waiting(sessions, producer, kafka_settings, topic):
    from bakat_common.redrive import redrive

    group = f"g-{uuid.uuid4().hex[:8]}"
    first, second = make_event(1), make_event(2)
    headers = [("error", b"ValueError('x')"), ("original-topic", topic.encode())]
    for e in (first, second):  # as the consumer writes them
        await producer.send_and_wait(dead_letter_topic(group), e.to_bytes(), key=e.key.encode(), headers=headers)
    chosen = await redrive(kafka_settings, group, only={first.id})  # (partitions come in the broker's order)
    assert {e["event_id"]: e["redriven"] for e in chosen} == {first.id: True, second.id: False}
    rest = await redrive(kafka_settings, group)  # the second still waits; the first goes again (harmless)
    assert sorted(e["event_id"] for e in rest if e["redriven"]) == sorted([first.id, second.id])
    assert await redrive(kafka_settings, group) == []  # now every one was re-driven
