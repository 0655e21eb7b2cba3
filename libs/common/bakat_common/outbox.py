"""Transactional outbox: events are rows written in the same transaction as the change they describe.

The relay publishes them to Kafka and marks them sent. It wakes on LISTEN/NOTIFY (a trigger on the
outbox sends the NOTIFY, delivered only if the writing transaction commits), polls as a fallback,
retries failures with exponential backoff, and keeps sent rows for replay.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError
from pydantic_core import to_json, to_jsonable_python
from sqlalchemy import func, insert, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bakat_common.db import copy_records
from bakat_common.events import CloudEvent
from bakat_common.infrastructure import OUTBOX_NOTIFY_CHANNEL, outbox
from bakat_common.metrics import Metrics

log = logging.getLogger("bakat.outbox")
OUTBOX_COPY_COLUMNS = ("event_id", "topic", "key", "event_type", "tenant", "envelope")
FEW_EVENTS = 50  # up to this many, add_many_to_outbox INSERTs (fewer round trips); beyond, it COPYs


async def add_to_outbox(session: AsyncSession, event: CloudEvent, *, topic: str) -> None:
    """Queue `event` for publication; it is published only if the surrounding transaction commits."""
    await session.execute(
        insert(outbox).values(
            event_id=event.id,
            topic=topic,
            key=event.key,
            event_type=event.type,
            tenant=event.tenant,
            envelope=event.model_dump(mode="json"),
        )
    )


async def add_many_to_outbox(
    session: AsyncSession, events: Sequence[CloudEvent | dict[str, Any]], *, topic: str
) -> None:
    """`add_to_outbox` for a bulk change (an import), in the caller's transaction: with COPY, or for
    a few events (one request's) with one INSERT, which costs one round trip where COPY costs three.

    An event is a CloudEvent or its JSON envelope as a dict (see `events.bulk_envelope`).
    """
    envelopes = [
        event.model_dump(mode="json") if isinstance(event, CloudEvent) else event for event in events
    ]
    if not envelopes:
        return
    keys = [f"{e['tenant']}:{e['subject'] or ''}" for e in envelopes]
    if len(envelopes) <= FEW_EVENTS:
        rows = [
            {
                "event_id": e["id"],
                "topic": topic,
                "key": k,
                "event_type": e["type"],
                "tenant": e["tenant"],
                "envelope": to_jsonable_python(e),
            }  # dates as pydantic writes them
            for e, k in zip(envelopes, keys, strict=True)
        ]
        await session.execute(insert(outbox).values(rows))
        return
    records = [
        (e["id"], topic, k, e["type"], e["tenant"], to_json(e).decode())
        for e, k in zip(envelopes, keys, strict=True)
    ]
    await copy_records(session, outbox.name, OUTBOX_COPY_COLUMNS, records)


def _failed(exc: BaseException) -> asyncio.Future:
    future = asyncio.get_running_loop().create_future()
    future.set_exception(exc)
    return future


def backoff_seconds(attempts: int, cap: float) -> float:
    return min(cap, 0.5 * 2 ** max(0, attempts - 1))


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        producer: AIOKafkaProducer,
        metrics: Metrics,
        *,
        batch_size: int = 500,
        poll_interval_s: float = 1.0,
        max_backoff_s: float = 60.0,
    ) -> None:
        self.engine = engine
        self.producer = producer
        self.metrics = metrics
        self.batch_size = batch_size
        self.poll_interval_s = poll_interval_s
        self.max_backoff_s = max_backoff_s
        self._wake = asyncio.Event()
        self._metrics_updated_at = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        listener = None
        while not stop.is_set():
            try:
                if listener is None:
                    listener = await self._listen()
                # Clear before reading, so a NOTIFY arriving while we publish wakes the next wait.
                self._wake.clear()
                published = await self.publish_pending()
                if time.monotonic() - self._metrics_updated_at >= 1.0:  # a count query; not on every cycle
                    await self.update_backlog_metrics()
                if published >= self.batch_size:
                    continue  # more is waiting: don't sleep
                await self._wait(stop)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay cycle failed; retrying")
                if listener is not None:
                    await self._close_listener(listener)
                    listener = None
                await asyncio.sleep(1.0)
        if listener is not None:
            await self._close_listener(listener)

    async def _listen(self):
        conn = await self.engine.connect()
        raw = await conn.get_raw_connection()
        await raw.driver_connection.add_listener(OUTBOX_NOTIFY_CHANNEL, lambda *_: self._wake.set())
        return conn

    async def _close_listener(self, conn) -> None:
        try:
            await conn.invalidate()  # a LISTENing connection must not go back to the pool
            await conn.close()
        except Exception:
            log.debug("closing outbox listener failed", exc_info=True)

    async def _wait(self, stop: asyncio.Event) -> None:
        stopper = asyncio.ensure_future(stop.wait())
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait(
                {stopper, waker}, timeout=self.poll_interval_s, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            stopper.cancel()
            waker.cancel()

    async def publish_pending(self) -> int:
        """Publish one batch of due events; returns how many rows were handled."""
        async with AsyncSession(self.engine) as session, session.begin():
            rows = (
                await session.execute(
                    select(outbox.c.id, outbox.c.topic, outbox.c.key, outbox.c.envelope, outbox.c.attempts)
                    .where(outbox.c.sent_at.is_(None), outbox.c.next_attempt_at <= func.now())
                    .order_by(outbox.c.id)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)  # several relays (replicas) share the table safely
                )
            ).all()
            if not rows:
                return 0
            futures: list[asyncio.Future] = []
            for row in rows:
                try:
                    value = CloudEvent.model_validate(row.envelope).to_bytes()
                    futures.append(await self.producer.send(row.topic, value=value, key=row.key.encode()))
                except (KafkaTimeoutError, KafkaConnectionError) as exc:
                    # The broker is away: every further send would wait as long. Fail this row, leave the rest.
                    futures.append(_failed(exc))
                    rows = rows[: len(futures)]
                    break
                except Exception as exc:
                    # Refused before sending (too large, unserialisable): only this row fails, the rest go on.
                    futures.append(_failed(exc))
            results = await asyncio.gather(*futures, return_exceptions=True)
            sent = [
                row.id
                for row, result in zip(rows, results, strict=True)
                if not isinstance(result, BaseException)
            ]
            if sent:
                await session.execute(update(outbox).where(outbox.c.id.in_(sent)).values(sent_at=func.now()))
                self.metrics.outbox_published.inc(len(sent))
            now = datetime.now(timezone.utc)
            for row, result in zip(rows, results, strict=True):
                if isinstance(result, BaseException):
                    attempts = row.attempts + 1
                    delay = backoff_seconds(attempts, self.max_backoff_s)
                    await session.execute(
                        update(outbox)
                        .where(outbox.c.id == row.id)
                        .values(
                            attempts=attempts,
                            next_attempt_at=now + timedelta(seconds=delay),
                            last_error=repr(result)[:2000],
                        )
                    )
                    self.metrics.outbox_publish_failures.inc()
                    log.warning(
                        "publishing outbox row failed", extra={"outbox_id": row.id, "attempts": attempts}
                    )
            return len(rows)

    async def update_backlog_metrics(self) -> None:
        async with self.engine.connect() as conn:
            count, oldest = (
                await conn.execute(
                    select(func.count(), func.min(outbox.c.created_at)).where(outbox.c.sent_at.is_(None))
                )
            ).one()
        self.metrics.outbox_backlog.set(count)
        age = 0.0 if oldest is None else max(0.0, time.time() - oldest.timestamp())
        self.metrics.outbox_oldest_age.set(age)
        self._metrics_updated_at = time.monotonic()


async def replay(session: AsyncSession, *, since: datetime | None = None, tenant: str | None = None) -> int:
    """Mark already-sent events for publication again (e.g. after the broker lost its data). `since`:
    events recorded or sent at or after it (an event recorded before and sent after the loss was
    lost too: a backlog, a retry, a long import's transaction)."""
    stmt = update(outbox).where(outbox.c.sent_at.is_not(None))
    if since is not None:
        stmt = stmt.where(or_(outbox.c.created_at >= since, outbox.c.sent_at >= since))
    if tenant is not None:
        stmt = stmt.where(outbox.c.tenant == tenant)
    result = await session.execute(stmt.values(sent_at=None, attempts=0, next_attempt_at=func.now()))
    await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": OUTBOX_NOTIFY_CHANNEL})
    return result.rowcount or 0
