"""A request holds at most one database connection at a time, so the pool needs no overflow: with a
pool of one connection, a tenant's first requests (the tenant looked up, then the route's read) are
answered, even several at once; and when no connection comes free in time the answer is a 503 that
says to come back, not a 500 or a hang."""

from __future__ import annotations

import asyncio
import time

import pytest
from bakat_common.infrastructure import known_tenants
from sqlalchemy import text

pytestmark = pytest.mark.integration
TENANTS = [f"kota-{n}" for n in range(5)]
NIP = "198001012005011001"


@pytest.fixture(scope="module")
async def one_connection(placement_app):
    async with placement_app("pool", db_pool_size=1, db_max_overflow=0, db_pool_timeout_s=1.0) as parts:
        _, runtime, _ = parts
        async with runtime.sessions() as s, s.begin():
            await s.execute(
                known_tenants.insert(), [{"tenant_id": t, "name": t, "kind": "kota"} for t in TENANTS]
            )
        yield parts


def bearer(issuer, tenant: str) -> dict[str, str]:
    return {"authorization": f"Bearer {issuer.mint('officer-1', tenant, ['officer'])}"}


async def test_first_requests_of_new_tenants_need_one_connection_each(one_connection):
    client, runtime, issuer = one_connection
    assert not set(TENANTS) & set(runtime.tenant_parents)  # each request below looks its tenant up

    async def first_requests(tenant: str) -> list[int]:
        headers = bearer(issuer, tenant)
        nine_box = await client.get(f"/tenants/{tenant}/nine-box", headers=headers)  # read session
        placement = await client.get(f"/tenants/{tenant}/employees/{NIP}/placement", headers=headers)
        return [nine_box.status_code, placement.status_code]

    started = time.monotonic()
    answers = await asyncio.gather(*(first_requests(t) for t in TENANTS))
    assert answers == [[200, 404]] * len(TENANTS)
    assert time.monotonic() - started < 1.0  # nobody waited out the pool timeout
    assert set(TENANTS) <= set(runtime.tenant_parents)


async def test_no_connection_free_in_time_is_a_503_with_retry_after(one_connection):
    client, runtime, issuer = one_connection
    tenant = TENANTS[0]
    async with runtime.engine.connect() as held:  # the pool's only connection, busy elsewhere
        await held.execute(text("SELECT 1"))
        answer = await client.get(f"/tenants/{tenant}/nine-box", headers=bearer(issuer, tenant))
    assert answer.status_code == 503
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.headers["retry-after"] == "2"
    assert "busy" in answer.json()["detail"]
    # Once the connection is back, the same request is answered.
    again = await client.get(f"/tenants/{tenant}/nine-box", headers=bearer(issuer, tenant))
    assert again.status_code == 200


async def test_a_recompute_job_saves_its_progress_without_a_second_connection_of_the_pool(one_connection):
    """The job's transaction holds the pool's only connection while it saves its progress: the
    progress writes have an engine of their own, so the job finishes instead of waiting on itself."""
    client, _, issuer = one_connection
    tenant = TENANTS[1]
    rules = {"potential_high": 90, "potential_middle": 70, "reason": "Perwali 12/2026: ambang 90/70"}
    changed = await client.post(f"/tenants/{tenant}/rule-sets", headers=bearer(issuer, tenant), json=rules)
    assert changed.status_code == 202, changed.text
    job_url = f"/tenants/{tenant}/rule-sets/recomputations/{changed.json()['job']['id']}"
    for _ in range(50):
        job = (await client.get(job_url, headers=bearer(issuer, tenant))).json()
        if job["status"] != "running":
            break
        await asyncio.sleep(0.1)
    assert (job["status"], job["error"]) == ("done", None)
    assert (job["total"], job["done"]) == (0, 0)
