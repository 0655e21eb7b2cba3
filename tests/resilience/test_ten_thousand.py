"""Issue 9's proof: while 10,000 assessments are being completed through the gateway, placement is
killed (SIGKILL) and started again, the broker is killed and started again empty and every outbox
replayed, and PostgreSQL is restarted. Afterwards every one of the 10,000 placements exists exactly
once and equals that of a tenant given the same data with no fault at all.

(The local stack runs one PostgreSQL server for every service's database, so "PostgreSQL of one
service" restarts here for all of them: a harder case.)"""

from __future__ import annotations

import asyncio
import io
import os
import signal
from argparse import Namespace

import httpx
import pytest
from bakat_common.contracts.competencies import STANDARD_COMPETENCIES
from bakat_common.testing import eventually
from bakat_common.topics import DEFAULT_PARTITIONS, all_topics
from bakat_devstack.cli import replay_services
from bakat_devstack.topics import ensure_topics

from tests.e2e.test_roster import setup_kota
from tests.e2e.test_roster_import import wait_for_job
from tests.resilience.placements import assert_same_placements, placed, query

pytestmark = pytest.mark.e2e
EMPLOYEES = 10_000
BATCH = 1_000
PREDIKAT = ("Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang")


def staff() -> list[dict]:
    """10,000 valid NIPs: born 1985-01-01..10, TMT CPNS 2010-01, gender and sequence from the number."""
    people = []
    for i in range(EMPLOYEES):
        day, seq, gender = 1 + i // 1000, i % 1000, 1 + i % 2
        people.append({
            "nip": f"198501{day:02d}201001{gender}{seq:03d}", "name": f"Pegawai {i}", "gender": ("male", "female")[gender - 1],
            "birth_date": f"1985-01-{day:02d}", "employment_type": "PNS", "golongan": "III/a", "unit_code": "DINKES",
            "tier": "Pelaksana",
        })  # fmt: skip
    return people


def results(people: list[dict]) -> list[dict]:
    """A spread of levels, the same for an employee in every tenant."""
    out = []
    for i, p in enumerate(people):
        level = 2 + i % 4
        out.append({"nip": p["nip"], "scores": {**{c: level for c in STANDARD_COMPETENCIES}, "Kecerdasan Emosional": 1 + i % 5}})
    return out


async def send(stack, path: str, headers: dict, body) -> None:
    """A BKN client's request, tried again only when it cannot have taken effect: the connection was
    refused (never sent) or a 503 (the service or its database away: the transaction rolled back).
    A timeout or a 504 may have committed: then the test fails rather than send a batch twice."""
    async def attempt():
        try:
            return await stack.gateway.post(path, headers=headers, json=body)
        except httpx.ConnectError:
            return None

    r = await eventually(attempt, lambda r: r is not None and r.status_code != 503, timeout=120)
    assert r.status_code in (200, 201, 202), r.text


async def load(stack, kota: str, people: list[dict]) -> dict:
    bkn = await stack.token_for(kota, "integration")
    r = await stack.gateway.post(f"/tenants/{kota}/imports/employees", headers=bkn, json={"employees": people})
    assert r.status_code == 202, r.text
    assert (await wait_for_job(stack.gateway, bkn, kota, r.json(), timeout=180))["status"] == "done"
    ratings = [{"nip": p["nip"], "year": 2024, "predikat": PREDIKAT[i % 4]} for i, p in enumerate(people)]

    r = await stack.post_when_known(f"/tenants/{kota}/performance-ratings/batch", bkn, ratings)
    assert r.status_code == 200, r.text
    return bkn


async def test_ten_thousand_placements_survive_the_faults(stack) -> None:
    placement_db = stack.endpoints.database_urls["placement"]
    people = staff()
    batches = [results(people)[i : i + BATCH] for i in range(0, EMPLOYEES, BATCH)]
    reference, _ = await setup_kota(stack.gateway, stack.token_for)
    faulty, _ = await setup_kota(stack.gateway, stack.token_for)

    bkn = await load(stack, reference, people)
    for batch in batches:
        await send(stack, f"/tenants/{reference}/assessments/batch", bkn, {"results": batch})
    await eventually(lambda: placed(placement_db, reference), lambda n: n == EMPLOYEES, timeout=180)

    bkn = await load(stack, faulty, people)
    path = f"/tenants/{faulty}/assessments/batch"
    for batch in batches[:3]:
        await send(stack, path, bkn, {"results": batch})

    # 1. Placement killed mid-stream (the last batch's 1,000 events are still being placed: the relay
    # sends them after the commit); results keep coming; it starts again.
    stack.platform.children["placement"].kill()
    assert await placed(placement_db, faulty) < 3 * BATCH  # it did die with work in hand
    for batch in batches[3:5]:
        await send(stack, path, bkn, {"results": batch})
    await stack.platform.restart_service("placement")

    # 2. The broker killed: it comes back empty; topics again; every outbox replayed.
    for batch in batches[5:7]:
        await send(stack, path, bkn, {"results": batch})
    broker = stack.platform.broker
    os.kill(broker.pid, signal.SIGKILL)
    while broker.is_running():
        await asyncio.sleep(0.05)
    await send(stack, path, bkn, {"results": batches[7]})  # recorded while the broker is away
    await asyncio.to_thread(broker.start)
    await ensure_topics(stack.endpoints.kafka_bootstrap_servers, all_topics(), DEFAULT_PARTITIONS)
    assert await replay_services(stack.settings, Namespace(since=None, tenant=None, dry_run=False), io.StringIO()) == 0

    # 3. PostgreSQL restarted under the services' feet.
    await send(stack, path, bkn, {"results": batches[8]})
    postgres = stack.platform.postgres
    await asyncio.to_thread(postgres.stop)
    await asyncio.to_thread(postgres.start)
    await send(stack, path, bkn, {"results": batches[9]})

    await eventually(lambda: placed(placement_db, faulty), lambda n: n == EMPLOYEES, timeout=300)
    await assert_same_placements(placement_db, faulty, reference)
    history = "SELECT count(*), count(DISTINCT nip) FROM placement_history WHERE tenant_id = $1"
    assert await query(placement_db, history, faulty) == await query(placement_db, history, reference)
    # And no batch was recorded twice by a retry: 10,000 results, one per employee.
    completed = "SELECT count(*), count(DISTINCT nip) FROM assessments WHERE tenant_id = $1 AND status = 'completed'"
    assert await query(stack.endpoints.database_urls["assessment"], completed, faulty) == [(EMPLOYEES, EMPLOYEES)]
