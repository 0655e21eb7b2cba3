"""Idempotent event consumer.

Per message: the event id goes into the inbox in the same transaction as the handler's effect (a
re-delivered event finds its id there and does nothing); Kafka offsets are committed only after the
database commit; an event whose handler keeps failing goes to the dead-letter topic with its error
and the consumer moves on. Database outages are not the event's fault: those are retried, not
dead-lettered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from aiokafka import (
    AIOKafkaConsumer,
    AIOKafkaProducer,
    ConsumerRebalanceListener,
    ConsumerRecord,
    TopicPartition,
)
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bakat_common.db import set_tenant_scope, unit_of_work
from bakat_common.errors import sqlstate
from bakat_common.events import CloudEvent
from bakat_common.logging import tenant_var
from bakat_common.metrics import Metrics
from bakat_common.settings import KafkaSettings
from bakat_common.topics import dead_letter_topic

Handler = Callable[[AsyncSession, CloudEvent], Awaitable[None]]
log = logging.getLogger("bakat.consumer")


CATCH_UP_MIN = 20  # a fetch with at least this many records means the consumer is behind
CATCH_UP_LINGER_S = 0.05
CLAIM = text(
    "INSERT INTO inbox (event_id, consumer, event_type)"
    " SELECT u.event_id, :consumer, u.event_type"
    " FROM unnest(CAST(:ids AS varchar[]), CAST(:types AS varchar[])) AS u(event_id, event_type)"
    " ON CONFLICT DO NOTHING RETURNING event_id"
)


@dataclass(frozen=True)
class BatchHandler:
    """A handler that takes a run of consecutive events of its types at once, so one statement can
    apply many (a 100,000-employee import arrives as 100,000 snapshots). It must give the same result
    as handling the events one by one in their order. Called with one event, it is an ordinary
    handler (the one-by-one fallback uses it so)."""

    handle: Callable[[AsyncSession, list[CloudEvent]], Awaitable[None]]

    async def __call__(self, session: AsyncSession, event: CloudEvent) -> None:
        await self.handle(session, [event])


def batched(handle: Callable[[AsyncSession, list[CloudEvent]], Awaitable[None]]) -> BatchHandler:
    return BatchHandler(handle)


def is_transient(exc: BaseException) -> bool:
    """Infrastructure trouble (connection lost, server restarting) rather than a bad event.

    Only these are retried without limit; anything else counts towards the dead-letter limit.
    """
    if isinstance(exc, (OSError, ConnectionError, asyncio.TimeoutError)):
        return True
    if isinstance(exc, DBAPIError):
        code = sqlstate(exc) or ""
        # 08: connection exception; 57P0x: server shutting down or starting; 40001/40P01: serialization
        # failure or deadlock, which succeed when retried.
        return exc.connection_invalidated or code.startswith(("08", "57P")) or code in ("40001", "40P01")
    return False


class _Stopping(Exception):
    """Raised out of a batch when the consumer stops before an event was handled."""


class _JoinListener(ConsumerRebalanceListener):
    """Marks the consumer as having joined its group (with or without partitions)."""

    def __init__(self, joined: asyncio.Event) -> None:
        self.joined = joined

    def on_partitions_revoked(self, revoked) -> None:
        pass

    def on_partitions_assigned(self, assigned) -> None:
        self.joined.set()


class EventConsumer:
    def __init__(
        self,
        *,
        group_id: str,
        topics: list[str],
        handlers: Mapping[str, Handler],
        sessions: async_sessionmaker[AsyncSession],
        producer: AIOKafkaProducer,
        kafka: KafkaSettings,
        metrics: Metrics,
        max_attempts: int = 5,
        batch_size: int = 200,
    ) -> None:
        self.group_id = group_id
        self.topics = topics
        self.handlers = dict(handlers)
        self.sessions = sessions
        self.producer = producer
        self.kafka = kafka
        self.metrics = metrics
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        self.consumer: AIOKafkaConsumer | None = None
        self._positions: dict[TopicPartition, int] = {}  # next offset to handle, for the lag gauge
        self._lag_reported: set[TopicPartition] = set()  # partitions this consumer has a lag series for
        # At 0 from the start, so the first dead letter of a type is an increase the alert sees (a
        # labelled counter born at 1 is not).
        for event_type in (*self.handlers, "unparseable"):
            metrics.consumer_dead_letters.labels(group_id, event_type)
        self._stop = asyncio.Event()
        # Set once the first group join completed: until then events sent now would wait (readiness).
        self.joined = asyncio.Event()

    def _new_consumer(self) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            bootstrap_servers=self.kafka.bootstrap_servers,
            group_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",  # a new group reads the topic from the start
            fetch_max_wait_ms=self.kafka.fetch_max_wait_ms,
            session_timeout_ms=self.kafka.session_timeout_ms,
            heartbeat_interval_ms=self.kafka.heartbeat_interval_ms,
        )

    async def run(self, stop: asyncio.Event) -> None:
        self._stop = stop
        while not stop.is_set():
            self.consumer = self._new_consumer()
            try:
                await self.consumer.start()
                self.consumer.subscribe(self.topics, listener=_JoinListener(self.joined))
                await self._loop(stop)
            except _Stopping:
                break
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("consumer failed; restarting", extra={"group": self.group_id})
                await asyncio.sleep(1.0)
            finally:
                try:
                    await self.consumer.stop()
                except Exception:
                    log.debug("stopping consumer failed", exc_info=True)
                self.consumer = None

    async def _loop(self, stop: asyncio.Event) -> None:
        assert self.consumer is not None
        while not stop.is_set():
            batch = await self.consumer.getmany(timeout_ms=200, max_records=self.batch_size)
            await self._fill_up(batch)
            for tp, records in batch.items():
                await self.process_batch(records)
                # Commit only what is durably handled in the database.
                await self.consumer.commit({tp: records[-1].offset + 1})
            self._update_lag()

    async def _fill_up(self, batch: dict[TopicPartition, list[ConsumerRecord]]) -> None:
        """When catching up (a fetch brought many records), take what the next fetches bring too, for a
        few milliseconds, up to the batch size: a broker that answers a fetch with one producer batch
        (Tansu: ~50 records) would otherwise cost a transaction per 50 events. A lone event is handled
        at once."""
        assert self.consumer is not None
        got = sum(len(records) for records in batch.values())
        deadline = time.monotonic() + CATCH_UP_LINGER_S
        while CATCH_UP_MIN <= got < self.batch_size and time.monotonic() < deadline:
            more = await self.consumer.getmany(timeout_ms=5, max_records=self.batch_size - got)
            if not more:
                return
            for tp, records in more.items():
                batch.setdefault(tp, []).extend(records)
                got += len(records)

    def _update_lag(self) -> None:
        assert self.consumer is not None
        assigned = self.consumer.assignment()
        for tp in assigned:
            highwater = self.consumer.highwater(tp)
            position = self._positions.get(tp)
            if highwater is not None and position is not None:
                self.metrics.consumer_lag.labels(self.group_id, tp.topic, str(tp.partition)).set(
                    max(0, highwater - position)
                )
                self._lag_reported.add(tp)
        # A partition a rebalance gave to another replica is that replica's to report: left here, its
        # last lag would be summed with the new owner's for ever.
        for tp in self._lag_reported - assigned:
            with contextlib.suppress(KeyError):
                self.metrics.consumer_lag.remove(self.group_id, tp.topic, str(tp.partition))
        self._lag_reported &= assigned
        for tp in set(self._positions) - assigned:  # if it comes back, its position is read afresh
            del self._positions[tp]

    async def process_batch(self, records: list[ConsumerRecord]) -> None:
        """One partition's records. Their effects go into one transaction (much faster than one each);
        if anything in it fails, nothing of it is kept and the records are handled one by one, so a
        bad event still gets its retries and its dead letter without holding up the others."""
        if len(records) == 1:
            await self.process(records[0])
            return
        wanted: list[CloudEvent] = []
        for record in records:
            try:
                event = CloudEvent.from_bytes(record.value)
            except Exception:
                await self.process_one_by_one(records)  # the one-by-one path dead-letters it
                return
            if event.type in self.handlers:
                wanted.append(event)
        started = time.perf_counter()
        try:
            async with unit_of_work(self.sessions) as session:
                await self._apply_batch(session, wanted)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.info("a batch failed; handling its events one by one", extra={"group": self.group_id})
            await self.process_one_by_one(records)
            return
        for record in records:
            self._positions[TopicPartition(record.topic, record.partition)] = record.offset + 1
        if wanted:
            share = (time.perf_counter() - started) / len(wanted)
            for event in wanted:
                self.metrics.consumer_handler_seconds.labels(self.group_id, event.type, "ok").observe(share)

    async def process_one_by_one(self, records: list[ConsumerRecord]) -> None:
        for record in records:
            await self.process(record)

    async def process(self, record: ConsumerRecord) -> None:
        self._positions[TopicPartition(record.topic, record.partition)] = record.offset + 1
        try:
            event = CloudEvent.from_bytes(record.value)
        except Exception as exc:
            await self._dead_letter(record, "unparseable", exc)
            return
        if event.type not in self.handlers:
            return  # not an event this service cares about
        tenant_token = tenant_var.set(event.tenant)
        try:
            await self._process_event(record, event)
        finally:
            tenant_var.reset(tenant_token)

    async def _process_event(self, record: ConsumerRecord, event: CloudEvent) -> None:
        attempt = 0
        outage_delay = 0.1
        while not self._stop.is_set():
            started = time.perf_counter()
            try:
                await self._handle_once(event)
                self._observe(event.type, "ok", started)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._observe(event.type, "error", started)
                if is_transient(exc):
                    # Not the event's fault: wait for the database or broker to come back, however long.
                    log.warning("transient failure handling event; retrying", extra={"event_id": event.id})
                    await asyncio.sleep(outage_delay)
                    outage_delay = min(outage_delay * 2, 5.0)
                    continue
                attempt += 1
                if attempt >= self.max_attempts:
                    await self._dead_letter(record, event.type, exc)
                    return
                log.warning(
                    "handler failed",
                    extra={"event_id": event.id, "event_type": event.type, "attempt": attempt},
                )
                await asyncio.sleep(min(2.0, 0.05 * 2**attempt))
        # Stopping with this event unhandled: leave its offset uncommitted so it is read again.
        raise _Stopping()

    async def _handle_once(self, event: CloudEvent) -> None:
        async with unit_of_work(self.sessions) as session:
            await self._apply_batch(session, [event])  # the inbox check and the effect, as for a batch

    async def _apply_batch(self, session: AsyncSession, events: list[CloudEvent]) -> None:
        """A partition's events in order, in the caller's transaction: their ids go into the inbox in
        one statement (those already there are skipped), then consecutive events of one BatchHandler
        are handed over together and the others one at a time."""
        if not events:
            return
        await set_tenant_scope(session, {e.tenant for e in events})  # row-level security: the batch's tenants
        # One array per column (unnest), not a VALUES row per event: the same statement for any batch,
        # compiled and prepared once (1,000 VALUES rows cost SQLAlchemy ~0.1 s to compile).
        claimed = await session.execute(
            CLAIM,
            {"ids": [e.id for e in events], "types": [e.type for e in events], "consumer": self.group_id},
        )
        fresh = set(claimed.scalars())
        run: list[CloudEvent] = []
        run_handler: BatchHandler | None = None

        async def flush() -> None:
            if run_handler is not None and run:
                await run_handler.handle(session, list(run))
                # Handlers may mix ORM reads with Core upserts: what follows must see fresh rows.
                session.expire_all()
            run.clear()

        for event in events:
            if event.id not in fresh:
                continue  # handled before (or twice in this batch): its effect is committed
            fresh.discard(event.id)
            handler = self.handlers[event.type]
            if isinstance(handler, BatchHandler):
                if handler is not run_handler:
                    await flush()
                    run_handler = handler
                run.append(event)
                continue
            await flush()
            run_handler = None
            tenant_token = tenant_var.set(event.tenant)
            try:
                await handler(session, event)
            finally:
                tenant_var.reset(tenant_token)
            session.expire_all()
        await flush()

    def _observe(self, event_type: str, outcome: str, started: float) -> None:
        self.metrics.consumer_handler_seconds.labels(self.group_id, event_type, outcome).observe(
            time.perf_counter() - started
        )

    async def _dead_letter(self, record: ConsumerRecord, event_type: str, exc: BaseException) -> None:
        log.error(
            "event sent to dead-letter topic",
            extra={
                "group": self.group_id,
                "topic": record.topic,
                "offset": record.offset,
                "error": repr(exc),
            },
        )
        headers = [
            ("error", repr(exc)[:2000].encode()),
            ("original-topic", record.topic.encode()),
            ("original-partition", str(record.partition).encode()),
            ("original-offset", str(record.offset).encode()),
            ("consumer-group", self.group_id.encode()),
        ]
        await self.producer.send_and_wait(
            dead_letter_topic(self.group_id), value=record.value, key=record.key, headers=headers
        )
        self.metrics.consumer_dead_letters.labels(self.group_id, event_type).inc()
