"""Placement figures (issue 5), on the embedded PostgreSQL and Tansu, in process.

    .venv/bin/python bench/placement_figures.py [--employees 100000] [--events 20000]

1. Recompute after a rule change: 100,000 employees with both inputs are placed under the default
   rules, then the thresholds change (rule version 2) and `recompute_many` places the whole tenant
   again (Python rules, COPY + one upsert, an event per changed box). Baseline in the same run: one
   set-based SQL statement doing the same mapping (thresholds and SKP mapping in CASE expressions).
2. Consumer throughput: N assessment-completed events (every employee already has an SKP predikat)
   on the assessment topic, consumed by placement's real consumer (batch handlers, inbox, one transaction per
   partition batch) until every employee is placed. Baseline: a raw aiokafka consumer reading the
   same events from the same topic.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from bakat_common.consumer import EventConsumer
from bakat_common.contracts.assessment import AssessmentCompletedV1
from bakat_common.db import copy_records
from bakat_common.events import new_event
from bakat_common.metrics import Metrics
from bakat_common.settings import KafkaSettings, ServiceSettings
from bakat_devstack import EmbeddedBroker, EmbeddedPostgres, ensure_database, free_port, migrate
from placement.consumers import consumer_specs
from placement.domain import DEFAULT_RULES, RuleSet
from placement.service import recompute_many
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

TENANT = "kab-bench"
PREDIKAT = ("Sangat Baik", "Baik", "Baik", "Butuh Perbaikan", "Kurang")
T0 = datetime(2026, 1, 15, tzinfo=timezone.utc)



async def analyze(sessions) -> None:
    """Table statistics, as autovacuum keeps them on a running database: a table loaded a moment ago
    has none, and PostgreSQL's guesses then (a tenant of "2 rows") make it walk a whole tenant per row."""
    async with sessions() as s, s.begin():
        for table in ("performance_inputs", "potential_inputs", "placements", "employees"):
            await s.execute(text(f"ANALYZE {table}"))


async def recompute_figure(sessions, n: int) -> None:
    async with sessions() as s, s.begin():
        perf = [(TENANT, f"N{i:017d}", 2025, PREDIKAT[i % 5], T0) for i in range(n)]
        pot = [(TENANT, f"N{i:017d}", f"a{i}", 1, float(40 + (i * 7) % 61), None, T0, date(2029, 1, 15)) for i in range(n)]
        await copy_records(s, "performance_inputs", ("tenant_id", "nip", "year", "predikat", "recorded_at"), perf)
        await copy_records(
            s, "potential_inputs",
            ("tenant_id", "nip", "assessment_id", "version", "potential_score", "jpm", "completed_at", "valid_until"), pot,
        )  # fmt: skip
    await analyze(sessions)
    async with sessions() as s, s.begin():
        started = time.perf_counter()
        placed = await recompute_many(s, TENANT, None, DEFAULT_RULES)
    first = time.perf_counter() - started
    stricter = RuleSet(version=2, potential_high=90, potential_middle=70)
    async with sessions() as s, s.begin():
        started = time.perf_counter()
        changed = await recompute_many(s, TENANT, None, stricter)
    rule_change = time.perf_counter() - started
    levels = " ".join(f"WHEN '{p}' THEN '{lvl}'" for p, lvl in stricter.predikat_levels.items())
    sql = f"""
        UPDATE placements p SET
          potential_level = CASE WHEN i.potential_score >= 90 THEN 'high' WHEN i.potential_score >= 70 THEN 'middle' ELSE 'low' END,
          performance_level = CASE f.predikat {levels} END,
          rule_version = 3, computed_at = now()
        FROM potential_inputs i JOIN performance_inputs f USING (tenant_id, nip)
        WHERE p.tenant_id = i.tenant_id AND p.nip = i.nip AND p.tenant_id = '{TENANT}'"""
    async with sessions() as s, s.begin():
        started = time.perf_counter()
        await s.execute(text(sql))
        await s.execute(
            text(
                "UPDATE placements SET box = CASE performance_level || '/' || potential_level"
                " WHEN 'above/low' THEN 4 WHEN 'above/middle' THEN 7 WHEN 'above/high' THEN 9"
                " WHEN 'meets/low' THEN 2 WHEN 'meets/middle' THEN 5 WHEN 'meets/high' THEN 8"
                " WHEN 'below/low' THEN 1 WHEN 'below/middle' THEN 3 ELSE 6 END"
                f" WHERE tenant_id = '{TENANT}'"
            )
        )
        baseline = time.perf_counter() - started
        await s.rollback()
    print(f"first placement of {placed:,} employees: {first:.2f} s")
    print(f"rule change: {changed:,} placements recomputed in {rule_change:.2f} s (goal <= 10 s: {'met' if rule_change <= 10 else 'NOT met'})")
    print(f"baseline set-based SQL doing the same mapping: {baseline:.2f} s; ratio {rule_change / baseline:.1f}x")


async def consumer_figure(sessions, bootstrap: str, n: int) -> None:
    topic = "bakat.assessment"
    # Everyone already has an SKP predikat (set up directly, not timed): the events are the results.
    async with sessions() as s, s.begin():
        perf = [(TENANT, f"E{i:017d}", 2025, PREDIKAT[i % 5], T0) for i in range(n)]
        await copy_records(s, "performance_inputs", ("tenant_id", "nip", "year", "predikat", "recorded_at"), perf)
    await analyze(sessions)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        for i in range(n):
            who = f"E{i:017d}"
            payload = AssessmentCompletedV1(assessment_id=f"c{i}", nip=who, version=1, potential_score=float(40 + i % 61),
                                            completed_at=T0, valid_until=date(2029, 1, 15))  # fmt: skip
            event = new_event(payload, service="assessment", tenant=TENANT, subject=who)
            await producer.send(topic, event.to_bytes(), key=event.key.encode())  # queued; flushed below
        await producer.flush()
    finally:
        await producer.stop()

    raw = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=f"raw-{uuid.uuid4().hex[:6]}",
                           auto_offset_reset="earliest", fetch_max_wait_ms=10, enable_auto_commit=False)  # fmt: skip
    await raw.start()
    got, started = 0, time.perf_counter()
    try:
        deadline = time.monotonic() + 120
        while got < n and time.monotonic() < deadline:
            for records in (await raw.getmany(timeout_ms=200, max_records=2000)).values():
                got += len(records)
    finally:
        raw_s = time.perf_counter() - started
        await raw.stop()

    settings_batch = ServiceSettings().consumer_batch_size  # what a deployed placement process uses
    kafka = KafkaSettings(bootstrap_servers=bootstrap, fetch_max_wait_ms=10, session_timeout_ms=2000, heartbeat_interval_ms=400)
    spec = consumer_specs()[0]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    consumer = EventConsumer(group_id=f"placement-{uuid.uuid4().hex[:6]}", topics=[topic], handlers=spec.handlers,
                             sessions=sessions, producer=producer, kafka=kafka, metrics=Metrics("bench"), batch_size=settings_batch)  # fmt: skip
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    await consumer.joined.wait()
    started = time.perf_counter()
    try:
        while True:
            async with sessions() as s:
                placed = (await s.execute(text("SELECT count(*) FROM placements WHERE nip LIKE 'E%'"))).scalar_one()
            if placed >= n or time.perf_counter() - started > 600:
                break
            await asyncio.sleep(0.05)
        consumed_s = time.perf_counter() - started
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
        await producer.stop()
    rate = n / consumed_s
    print(f"placement consumer: {n:,} assessment-completed events -> {n:,} placements in {consumed_s:.2f} s: "
          f"{rate:,.0f} events/s (goal >= 3,000/s: {'met' if rate >= 3000 else 'NOT met'})")
    print(f"baseline raw aiokafka consume of the same {n:,} events: {raw_s:.2f} s ({n / raw_s:,.0f} events/s); "
          f"ratio {consumed_s / raw_s:.1f}x")


async def main(employees: int, events: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="bakat-bench-"))
    pg = EmbeddedPostgres(root / "pgdata", free_port())
    broker = EmbeddedBroker(free_port())
    pg.start()
    broker.start()
    try:
        await ensure_database(pg.server_url, "placement_bench")
        url = pg.database_url("placement_bench")
        await asyncio.to_thread(migrate, "placement", url)
        engine = create_async_engine(url)
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        await recompute_figure(sessions, employees)
        await consumer_figure(sessions, broker.bootstrap_servers, events)
        await engine.dispose()
    finally:
        broker.stop()
        pg.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=20_000)
    args = parser.parse_args()
    asyncio.run(main(args.employees, args.events))
