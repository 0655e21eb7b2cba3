"""The broker loses everything (kill -9 of the embedded Tansu, which keeps nothing on disk): after its
restart and `python -m bakat_devstack replay --all`, new changes flow again, and placement, its state
wiped as if its database had been restored empty, rebuilds exactly the placements it had, from the
replayed events alone; every service's consumers skip what they already have (their inbox)."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
from argparse import Namespace

import asyncpg
import pytest
from bakat_common.testing import eventually
from bakat_common.topics import DEFAULT_PARTITIONS, all_topics
from bakat_devstack.cli import replay_services
from bakat_devstack.postgres import libpq_url
from bakat_devstack.topics import ensure_topics

from tests.e2e.test_slice import new_kota
from tests.resilience.placements import COMPARED, placements

pytestmark = pytest.mark.e2e
PREDIKAT = ("Sangat Baik", "Baik", "Butuh Perbaikan")
# What placement knows only from other services' events (its own rules, calibrations and plans stay).
DERIVED = ("inbox", "known_tenants", "employees", "performance_inputs", "potential_inputs", "placements",
           "placement_history", "positions")  # fmt: skip
# The same tenant before and after: its assessment ids must be the same too.
PLACEMENT_COLUMNS = f"{COMPARED}, assessment_id"


def nip(i: int) -> str:
    return f"198{i % 10}0101201001{1 + i % 2}{i:03d}"


async def test_after_the_broker_lost_everything_replay_rebuilds_placement(stack) -> None:
    settings, platform, endpoints, gateway = stack.settings, stack.platform, stack.endpoints, stack.gateway
    _, kota = await new_kota(gateway, stack.token_for)
    officer = await stack.token_for(kota, "officer")
    people = [nip(i) for i in range(12)]
    for i, n in enumerate(people):
        r = await gateway.post(f"/tenants/{kota}/employees", headers=officer, json={"nip": n, "name": f"Pegawai {i}"})
        assert r.status_code == 201, r.text
        r = await gateway.post(f"/tenants/{kota}/performance-ratings", headers=officer,
                               json={"nip": n, "year": 2024, "predikat": PREDIKAT[i % 3]})  # fmt: skip
        assert r.status_code == 201, r.text
        r = await gateway.post(f"/tenants/{kota}/assessments", headers=officer, json={"nip": n, "potential_score": 50 + 4 * i})
        assert r.status_code == 201, r.text
    placement_db = endpoints.database_urls["placement"]
    before = await eventually(lambda: placements(placement_db, kota, PLACEMENT_COLUMNS), lambda rows: len(rows) == len(people), timeout=30)
    assert len({row[1] for row in before}) >= 4  # several boxes: a real distribution to rebuild

    # The broker dies with everything it held; it comes back empty on the same address.
    broker = platform.broker
    os.kill(broker.pid, signal.SIGKILL)
    await eventually(lambda: asyncio.sleep(0, not broker.is_running()), bool, timeout=10)
    await asyncio.to_thread(broker.start)
    await ensure_topics(endpoints.kafka_bootstrap_servers, all_topics(), DEFAULT_PARTITIONS)

    # Placement's state is lost too (its database restored empty of what came from events).
    conn = await asyncpg.connect(libpq_url(placement_db))
    try:
        await conn.execute(f"TRUNCATE {', '.join(DERIVED)}")
    finally:
        await conn.close()
    assert await placements(placement_db, kota, PLACEMENT_COLUMNS) == []

    out = io.StringIO()
    assert await replay_services(settings, Namespace(since=None, tenant=None, dry_run=False), out) == 0
    replayed = {line["service"]: line["events"] for line in map(json.loads, out.getvalue().splitlines())}
    # Two tenants and 12 registrations; 12 SKP ratings and 12 results; placement's own events too.
    assert (replayed["roster"], replayed["assessment"]) == (2 + len(people), 2 * len(people)), replayed

    # The same placements, rebuilt from the replayed events alone.
    # (Roster's and assessment's topics replay side by side: an employee may be placed from its results
    # before its roster event fills in its name and unit, so wait for the whole rows, not the count.)
    last: list = []

    async def rebuilt() -> list:
        last[:] = await placements(placement_db, kota, PLACEMENT_COLUMNS)
        return last

    try:
        await eventually(rebuilt, lambda rows: rows == before, timeout=60)
    except AssertionError:
        assert last == before  # the difference, shown

    # And new changes flow through the new broker: a late SKP moves one employee.
    r = await gateway.post(f"/tenants/{kota}/performance-ratings", headers=officer,
                           json={"nip": people[0], "year": 2025, "predikat": "Kurang"})  # fmt: skip
    assert r.status_code == 201, r.text
    moved = await eventually(
        lambda: gateway.get(f"/tenants/{kota}/employees/{people[0]}/placement", headers=officer),
        lambda r: r.status_code == 200 and r.json()["performance"]["skp_year"] == 2025,
        timeout=30,
    )
    assert moved.json()["performance"]["level"] == "below"
    # Replayed twice more, nothing changes: every consumer's inbox has these events.
    assert await replay_services(settings, Namespace(since=None, tenant=None, dry_run=False), io.StringIO()) == 0
    await asyncio.sleep(3)
    again = await placements(placement_db, kota, PLACEMENT_COLUMNS)
    assert [r for r in again if r[0] != people[0]] == [r for r in before if r[0] != people[0]]
