"""Faults while assessments are being completed (issue 9, first part): placement is killed with
SIGKILL mid-stream and started again, then stopped with SIGTERM mid-stream (it must finish its batch,
commit and exit in time) and started again. Afterwards every employee's placement exists exactly
once and equals that of a tenant given the same data with no fault at all.

The broker's loss and replay: test_broker_replay.py."""

from __future__ import annotations

import asyncio
import time

import pytest
from bakat_common.testing import eventually

from tests.e2e.test_roster import setup_kota
from tests.e2e.test_roster_import import people, wait_for_job
from tests.resilience.placements import assert_same_placements, placed, query

pytestmark = pytest.mark.e2e
EMPLOYEES = 600
PREDIKAT = ("Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang")
GRACE_S = 20  # what the chart leaves the app's shutdown after requests (terminationGracePeriodSeconds 30)


async def load_tenant(stack, kota: str) -> dict[str, str]:
    """Employees by a BKN push, their SKP by a batch: no placement yet (no assessment)."""
    bkn = await stack.token_for(kota, "integration")
    staff = people(EMPLOYEES)
    r = await stack.gateway.post(f"/tenants/{kota}/imports/employees", headers=bkn, json={"employees": staff})
    assert r.status_code == 202, r.text
    assert (await wait_for_job(stack.gateway, bkn, kota, r.json(), timeout=120))["status"] == "done"
    ratings = [{"nip": p["nip"], "year": 2024, "predikat": PREDIKAT[i % 4]} for i, p in enumerate(staff)]
    r = await stack.post_when_known(f"/tenants/{kota}/performance-ratings/batch", bkn, ratings)
    assert r.status_code == 200, r.text
    return bkn


async def assess(stack, kota: str, bkn: dict[str, str], nips: list[str]) -> None:
    """Results recorded one by one, as the assessors' office sends them."""
    for nip in nips:
        score = 40 + (int(nip[-3:]) * 7) % 60  # the same for an employee whichever batch it comes in
        r = await stack.gateway.post(
            f"/tenants/{kota}/assessments", headers=bkn, json={"nip": nip, "potential_score": score}
        )
        assert r.status_code == 201, r.text


async def test_placement_killed_and_stopped_mid_stream_loses_and_doubles_nothing(stack) -> None:
    placement_db = stack.endpoints.database_urls["placement"]
    reference, _ = await setup_kota(stack.gateway, stack.token_for)
    faulty, _ = await setup_kota(stack.gateway, stack.token_for)
    nips = [p["nip"] for p in people(EMPLOYEES)]  # the same NIPs in both tenants

    bkn = await load_tenant(stack, reference)
    await assess(stack, reference, bkn, nips)
    await eventually(lambda: placed(placement_db, reference), lambda n: n == EMPLOYEES, timeout=120)

    bkn = await load_tenant(stack, faulty)
    placement = stack.platform.children["placement"]
    third = EMPLOYEES // 3

    # SIGKILL while the first third of the results is being placed: whatever it had not committed
    # is read again after the restart (offsets are committed only after the database commit).
    await assess(stack, faulty, bkn, nips[:third])
    placement.kill()
    await assess(stack, faulty, bkn, nips[third : 2 * third])  # recorded meanwhile: events wait in the broker
    await stack.platform.restart_service("placement")

    # SIGTERM while results keep arriving (the last third is still being sent): it finishes the batch
    # in hand, commits, leaves the group and exits cleanly; what it had not taken waits in the broker.
    sending = asyncio.create_task(assess(stack, faulty, bkn, nips[2 * third :]))
    await eventually(lambda: placed(placement_db, faulty), lambda n: n > 2 * third + 10, timeout=60)
    assert not sending.done()  # mid-stream
    started = time.monotonic()
    placement.send_stop()
    while placement.poll() is None:
        assert time.monotonic() - started < GRACE_S, "placement did not stop within the grace period"
        await asyncio.sleep(0.05)
    # uvicorn re-raises the SIGTERM it handled once it is done, hence -15; a clean shutdown says so.
    assert placement.poll() == -15 and "Application shutdown complete" in placement.tail(80), placement.tail()
    await sending
    assert await placed(placement_db, faulty) < EMPLOYEES  # some results came after it stopped
    await stack.platform.restart_service("placement")

    await eventually(lambda: placed(placement_db, faulty), lambda n: n == EMPLOYEES, timeout=120)
    await assert_same_placements(placement_db, faulty, reference)
    # Each effect once: one history row per employee (placed once, never moved), as in the reference.
    history = "SELECT nip, count(*) FROM placement_history WHERE tenant_id = $1 GROUP BY nip ORDER BY nip"
    assert await query(placement_db, history, faulty) == await query(placement_db, history, reference)
