"""Scale-out and replay figures (issue 9), on the embedded PostgreSQL and Tansu:

    .venv/bin/python bench/placement_replicas.py [--events 10000]

1. Throughput with 1 and with 2 placement replicas: each replica is its own process (as a worker
   pod), running placement's real consumer in one consumer group over a 6-partition topic, all
   writing to one placement database. Every employee already has an SKP predikat; the events are
   assessment-completed results, published by a real outbox relay once the group has settled.
   Timed from the first publish to the last employee placed. The 2-replica figure is printed as a
   ratio against the 1-replica one, measured in the same run.
2. Replay after the broker lost everything: the broker is killed (SIGKILL) and started again empty;
   a placement replica with an empty database waits in its group; `bakat_common.outbox.replay`
   marks the assessment outbox's events for publication again and the relay sends them. Timed from
   the broker's restart to the last employee placed, and printed as a ratio against figure 1's
   single-replica time for the same events (the part of the wait that is the broker and the group).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

from aiokafka import AIOKafkaProducer
from bakat_common.consumer import EventConsumer
from bakat_common.contracts.assessment import AssessmentCompletedV1
from bakat_common.db import copy_records
from bakat_common.events import bulk_envelope
from bakat_common.infrastructure import metadata as infrastructure_metadata
from bakat_common.metrics import Metrics
from bakat_common.outbox import OutboxRelay, add_many_to_outbox, replay
from bakat_common.settings import KafkaSettings
from bakat_devstack import EmbeddedBroker, EmbeddedPostgres, ensure_database, free_port, migrate
from bakat_devstack.topics import ensure_topics
from placement.consumers import consumer_specs
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

TENANT = "kab-bench"
TOPIC = "bakat.assessment"
PARTITIONS = 6
PREDIKAT = ("Sangat Baik", "Baik", "Baik", "Butuh Perbaikan", "Kurang")
T0 = datetime(2026, 1, 15, tzinfo=timezone.utc)


def kafka_settings(bootstrap: str) -> KafkaSettings:
    return KafkaSettings(bootstrap_servers=bootstrap, fetch_max_wait_ms=10, session_timeout_ms=2000,
                         heartbeat_interval_ms=400)  # fmt: skip


# ---- one replica (a child process) ----------------------------------------------------------------


async def replica(url: str, bootstrap: str, group: str) -> None:
    """Placement's consumer in `group` until SIGTERM; prints its partition count when it changes."""
    engine = create_async_engine(url, pool_size=5)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    consumer = EventConsumer(group_id=group, topics=[TOPIC], handlers=consumer_specs()[0].handlers, sessions=sessions,
                             producer=producer, kafka=kafka_settings(bootstrap), metrics=Metrics("bench"))  # fmt: skip
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    task = asyncio.create_task(consumer.run(stop))
    shown = -1
    while not stop.is_set():
        owned = len(consumer.consumer.assignment()) if consumer.consumer is not None and consumer.joined.is_set() else 0
        if owned != shown:
            print(f"assigned {owned}", flush=True)
            shown = owned
        await asyncio.sleep(0.1)
    await asyncio.wait_for(task, 30)
    await producer.stop()
    await engine.dispose()


class Replicas:
    def __init__(self, count: int, url: str, bootstrap: str, group: str) -> None:
        self.args = [(url, bootstrap, group)] * count
        self.processes: list[asyncio.subprocess.Process] = []
        self.assigned: list[int] = [0] * count

    async def start(self) -> None:
        for n, (url, bootstrap, group) in enumerate(self.args):
            process = await asyncio.create_subprocess_exec(
                sys.executable, __file__, "--replica", url, bootstrap, group, stdout=asyncio.subprocess.PIPE
            )
            self.processes.append(process)
            asyncio.create_task(self._read(n, process))

    async def _read(self, n: int, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        async for line in process.stdout:
            if line.startswith(b"assigned "):
                self.assigned[n] = int(line.split()[1])

    async def settled(self, timeout: float = 60) -> None:
        """Every replica joined and the partitions split among them."""
        deadline = time.monotonic() + timeout
        while not (sum(self.assigned) == PARTITIONS and all(self.assigned)):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the group did not settle: {self.assigned}")
            await asyncio.sleep(0.1)

    async def stop(self) -> None:
        for process in self.processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        await asyncio.gather(*(p.wait() for p in self.processes))


# ---- the figures ----------------------------------------------------------------------------------


async def placement_database(pg: EmbeddedPostgres, label: str, n: int) -> str:
    name = f"placement_{label}_{uuid.uuid4().hex[:6]}"
    await ensure_database(pg.server_url, name)
    url = pg.database_url(name)
    await asyncio.to_thread(migrate, "placement", url)
    engine = create_async_engine(url)
    async with engine.begin() as conn:  # everyone already has an SKP predikat (not timed)
        sessions = async_sessionmaker(bind=conn, expire_on_commit=False)
        async with sessions() as s:
            perf = [(TENANT, f"E{i:017d}", 2025, PREDIKAT[i % 5], T0) for i in range(n)]
            await copy_records(s, "performance_inputs", ("tenant_id", "nip", "year", "predikat", "recorded_at"), perf)
        for table in ("performance_inputs", "potential_inputs", "placements", "employees"):
            await conn.execute(text(f"ANALYZE {table}"))
    await engine.dispose()
    return url


async def placed(url: str) -> int:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(text("SELECT count(*) FROM placements"))).scalar_one()
    finally:
        await engine.dispose()


async def wait_placed(url: str, n: int, started: float, timeout: float = 600) -> float:
    engine = create_async_engine(url)
    try:
        while True:
            async with engine.connect() as conn:
                count = (await conn.execute(text("SELECT count(*) FROM placements"))).scalar_one()
            if count >= n:
                return time.perf_counter() - started
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"{count} of {n} placed after {timeout} s")
            await asyncio.sleep(0.05)
    finally:
        await engine.dispose()


async def publish_all(outbox_engine, bootstrap: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        relay = OutboxRelay(outbox_engine, producer, Metrics("bench-relay"), batch_size=1000)
        while await relay.publish_pending():
            pass
    finally:
        await producer.stop()


async def throughput(pg, bootstrap: str, outbox_engine, n: int, count: int) -> float:
    url = await placement_database(pg, f"r{count}", n)
    replicas = Replicas(count, url, bootstrap, f"placement-{count}-{uuid.uuid4().hex[:6]}")
    await replicas.start()
    try:
        await replicas.settled()
        async with outbox_engine.begin() as conn:  # the same events again for this group's run
            await conn.execute(text("UPDATE outbox SET sent_at = NULL, next_attempt_at = now()"))
        started = time.perf_counter()
        await publish_all(outbox_engine, bootstrap)
        return await wait_placed(url, n, started)
    finally:
        await replicas.stop()


async def main(n: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="bakat-bench-"))
    pg = EmbeddedPostgres(root / "pgdata", free_port())
    broker = EmbeddedBroker(free_port())
    pg.start()
    broker.start()
    try:
        await ensure_topics(broker.bootstrap_servers, [TOPIC], PARTITIONS)
        # The assessment service's outbox: n results, as it holds them (sent events are kept).
        await ensure_database(pg.server_url, "assessment_bench")
        outbox_engine = create_async_engine(pg.database_url("assessment_bench"))
        async with outbox_engine.begin() as conn:
            await conn.run_sync(infrastructure_metadata.create_all)
        sessions = async_sessionmaker(outbox_engine, expire_on_commit=False)
        async with sessions() as s, s.begin():
            envelopes = [
                bulk_envelope(AssessmentCompletedV1, {"assessment_id": f"c{i}", "nip": f"E{i:017d}", "version": 1,
                              "potential_score": float(40 + i % 61), "completed_at": T0, "valid_until": date(2029, 1, 15)},
                              service="assessment", tenant=TENANT, subject=f"E{i:017d}")  # fmt: skip
                for i in range(n)
            ]
            await add_many_to_outbox(s, envelopes, topic=TOPIC)

        one = await throughput(pg, broker.bootstrap_servers, outbox_engine, n, 1)
        two = await throughput(pg, broker.bootstrap_servers, outbox_engine, n, 2)
        print(f"1 placement replica:  {n:,} events placed in {one:.2f} s ({n / one:,.0f} events/s)")
        print(f"2 placement replicas: {n:,} events placed in {two:.2f} s ({n / two:,.0f} events/s); "
              f"throughput ratio 2/1 = {one / two:.2f}x (on {os.cpu_count()} cores, PostgreSQL and the broker included)")

        # The broker loses everything; a rebuilt placement (empty database) waits in its group.
        url = await placement_database(pg, "replay", n)
        os.kill(broker.pid, signal.SIGKILL)
        while broker.is_running():
            await asyncio.sleep(0.01)
        started = time.perf_counter()
        await asyncio.to_thread(broker.start)
        await ensure_topics(broker.bootstrap_servers, [TOPIC], PARTITIONS)
        replicas = Replicas(1, url, broker.bootstrap_servers, "placement")
        await replicas.start()
        try:
            await replicas.settled()
            async with sessions() as s, s.begin():
                marked = await replay(s, since=None)
            await publish_all(outbox_engine, broker.bootstrap_servers)
            replayed = await wait_placed(url, n, started)
        finally:
            await replicas.stop()
        assert marked == n and await placed(url) == n
        print(f"broker restart -> {n:,} events replayed and placed: {replayed:.2f} s "
              f"(ratio {replayed / one:.2f}x the first-time consumption of the same events by 1 replica)")
        await outbox_engine.dispose()
    finally:
        broker.stop()
        pg.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--replica":
        asyncio.run(replica(*sys.argv[2:5]))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000)
    args = parser.parse_args()
    asyncio.run(main(args.events))
