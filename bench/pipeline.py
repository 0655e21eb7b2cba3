"""Latency of the first slice: assessment completed -> placement visible at the gateway.

Starts the platform the way `make run` does (on free ports, in a temp dir), registers N employees with
an SKP predikat, then completes one assessment at a time through the gateway and polls the gateway
until that employee's placement shows. In the same run, on the same broker, it measures the raw
round trip of one message produced and consumed with aiokafka, and prints both and their ratio.

    .venv/bin/python bench/pipeline.py [--assessments 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from bakat_devstack.platform import Platform
from bakat_devstack.settings import DevstackSettings, with_free_ports

FAST_ENV = {"BAKAT_KAFKA_SESSION_TIMEOUT_MS": "2000", "BAKAT_KAFKA_HEARTBEAT_INTERVAL_MS": "400", "BAKAT_LOG_LEVEL": "WARNING"}


POLL_INTERVAL_S = 0.002


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def nip_for(i: int) -> str:
    """A valid NIP: born 1970-1989, TMT CPNS at 25, male/female, sequence from i."""
    rng = random.Random(i)
    year, month, day = rng.randint(1970, 1989), rng.randint(1, 12), rng.randint(1, 28)
    return f"{year}{month:02d}{day:02d}{year + 25}{month:02d}{rng.choice('12')}{i % 1000:03d}"


async def raw_round_trip(bootstrap: str, n: int) -> list[float]:
    topic = f"bench.raw.{uuid.uuid4().hex[:8]}"
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=False, linger_ms=0)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False, fetch_max_wait_ms=10
    )
    await producer.start()
    await producer.send_and_wait(topic, b"warm-up")
    await consumer.start()
    consumer.subscribe([topic])
    await consumer.getone()
    samples = []
    try:
        for i in range(n):
            started = time.perf_counter()
            await producer.send_and_wait(topic, str(i).encode())
            await consumer.getone()
            samples.append(time.perf_counter() - started)
    finally:
        await consumer.stop()
        await producer.stop()
    return samples


async def slice_latency(gateway: httpx.AsyncClient, n: int) -> tuple[list[float], list[float]]:
    """Per assessment: (completed -> visible, request sent -> visible).

    "Completed" is the moment the completing request has returned: the result is committed and its
    event is in the outbox. The client then polls the gateway every POLL_INTERVAL_S, as a BKN
    integrator or a page would, until the placement shows.
    """
    async def token(tenant: str, *roles: str) -> dict[str, str]:
        r = await gateway.post("/auth/dev/token", json={"sub": "bench", "tenant": tenant, "roles": list(roles)})
        r.raise_for_status()
        return {"authorization": f"Bearer {r.json()['access_token']}"}

    ops = await token("*", "admin")
    suffix = uuid.uuid4().hex[:6]
    province, kota = f"prov-{suffix}", f"kota-{suffix}"
    (await gateway.post("/tenants", headers=ops, json={"id": province, "name": "Pemprov", "kind": "provinsi"})).raise_for_status()
    (
        await gateway.post("/tenants", headers=ops, json={"id": kota, "name": "Pemkot", "kind": "kota", "parent_id": province})
    ).raise_for_status()
    officer = await token(kota, "officer")
    nips = [nip_for(i) for i in range(n)]
    for i, nip in enumerate(nips):
        (await gateway.post(f"/tenants/{kota}/employees", headers=officer, json={"nip": nip, "name": f"Pegawai {i}"})).raise_for_status()
    for nip in nips:
        r = await gateway.post(
            f"/tenants/{kota}/performance-ratings", headers=officer, json={"nip": nip, "year": 2024, "predikat": "Baik"}
        )
        r.raise_for_status()

    after_completion, end_to_end = [], []
    rng = random.Random(7)
    for nip in nips:
        started = time.perf_counter()
        r = await gateway.post(
            f"/tenants/{kota}/assessments", headers=officer, json={"nip": nip, "potential_score": rng.uniform(40, 100)}
        )
        r.raise_for_status()
        completed = time.perf_counter()
        while (await gateway.get(f"/tenants/{kota}/employees/{nip}/placement", headers=officer)).status_code != 200:
            await asyncio.sleep(POLL_INTERVAL_S)
        visible = time.perf_counter()
        after_completion.append(visible - completed)
        end_to_end.append(visible - started)
    return after_completion, end_to_end


async def main(n: int, raw_n: int) -> None:
    state = Path(tempfile.mkdtemp(prefix="bakat-bench-"))
    stack = Platform(with_free_ports(DevstackSettings(state_dir=state)), base_env={**os.environ, **FAST_ENV})
    try:
        endpoints = await stack.start()
        raw = await raw_round_trip(endpoints.kafka_bootstrap_servers, raw_n)
        async with httpx.AsyncClient(base_url=endpoints.gateway_url, timeout=10) as gateway:
            slice_, with_request = await slice_latency(gateway, n)
    finally:
        stack.stop()
        shutil.rmtree(state, ignore_errors=True)

    def ms(x: float) -> str:
        return f"{x * 1000:.1f} ms"

    raw_p50, raw_p99 = percentile(raw, 50), percentile(raw, 99)
    sl_p50, sl_p99 = percentile(slice_, 50), percentile(slice_, 99)
    print(f"raw aiokafka produce->consume ({len(raw)} msgs):   p50 {ms(raw_p50)}  p99 {ms(raw_p99)}")
    print(
        f"slice: assessment completed -> placement visible at the gateway ({len(slice_)}): "
        f"p50 {ms(sl_p50)}  p99 {ms(sl_p99)}  mean {ms(statistics.mean(slice_))}"
    )
    print(
        f"       completing request sent -> placement visible: "
        f"p50 {ms(percentile(with_request, 50))}  p99 {ms(percentile(with_request, 99))}"
    )
    print(f"ratio slice/raw: p50 {sl_p50 / raw_p50:.2f}x  p99 {sl_p99 / raw_p99:.2f}x")
    print(f"goal p99 < 100 ms: {'met' if sl_p99 < 0.1 else 'NOT met'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assessments", type=int, default=1000)
    parser.add_argument("--raw-messages", type=int, default=1000)
    args = parser.parse_args()
    asyncio.run(main(args.assessments, args.raw_messages))
