"""A roster request holds at most one database connection at a time (the pool has no overflow): with a
pool of one connection, a tenant's first reads (the route's tenant check, then the read) and a write
are answered, several at once."""

from __future__ import annotations

import asyncio
import time

import pytest
from bakat_devstack.in_process import in_process_service
from roster.config import RosterSettings
from roster.main import create_app

pytestmark = pytest.mark.integration
PROVINCE = "prov-pool"
KOTAS = [f"kota-pool-{n}" for n in range(4)]


def bearer(issuer, tenant: str, role: str) -> dict[str, str]:
    return {"authorization": f"Bearer {issuer.mint('tester', tenant, [role])}"}


async def test_first_requests_of_new_tenants_need_one_connection_each(embedded_postgres):
    async with in_process_service(
        embedded_postgres, "roster", RosterSettings, create_app, "pool",
        db_pool_size=1, db_max_overflow=0, db_pool_timeout_s=1.0,
    ) as (client, runtime, issuer):  # fmt: skip
        ops = bearer(issuer, "*", "admin")
        tenants = [{"id": PROVINCE, "name": "P", "kind": "provinsi"}] + [
            {"id": k, "name": k, "kind": "kota", "parent_id": PROVINCE} for k in KOTAS
        ]
        for body in tenants:
            assert (await client.post("/tenants", headers=ops, json=body)).status_code == 201
        runtime.tenant_parents.clear()  # each request below looks its tenant up

        async def first_requests(kota: str) -> list[int]:
            officer = bearer(issuer, kota, "officer")
            listed = await client.get(f"/tenants/{kota}/employees", headers=officer)
            one = await client.get(f"/tenants/{kota}/employees/198001012005011001", headers=officer)
            unit = {"code": "DISDIK", "name": "Dinas Pendidikan", "kind": "dinas"}
            written = await client.post(f"/tenants/{kota}/units", headers=officer, json=unit)
            return [listed.status_code, one.status_code, written.status_code]

        started = time.monotonic()
        answers = await asyncio.gather(*(first_requests(k) for k in KOTAS))
        assert answers == [[200, 404, 201]] * len(KOTAS)
        assert time.monotonic() - started < 1.0  # nobody waited out the pool timeout
        assert set(KOTAS) <= set(runtime.tenant_parents)
