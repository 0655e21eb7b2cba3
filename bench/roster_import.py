"""Roster figures: 100,000-employee XLSX import end to end, and the employee list under load.

    .venv/bin/python bench/roster_import.py [--employees 100000] [--clients 50] [--seconds 20]

Import: upload through the gateway -> job done (rows validated, employees, history and events in the
outbox, one transaction), against asyncpg `copy_records_to_table` of the same rows into a plain table
in the same database, in the same run. List: 50 concurrent clients, each paging one unit's employees
(50 rows) through the gateway once a second, against the same clients on the gateway's own /healthz;
then the same clients without think time (saturation). The clients are bench/loadgen.py's minimal
keep-alive HTTP/1.1 GETs: httpx would spend ~5 ms of CPU per request on the measuring side.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import httpx

from bakat_devstack.platform import Platform
from bakat_devstack.settings import DevstackSettings, with_free_ports
from roster.importing import employees_to_xlsx

sys.path.insert(0, str(Path(__file__).parent))
from generate_roster import generate_roster  # noqa: E402
from loadgen import load as load_clients  # noqa: E402

FAST_ENV = {"BAKAT_LOG_LEVEL": "WARNING"}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


async def token(gateway: httpx.AsyncClient, tenant: str, role: str) -> dict[str, str]:
    r = await gateway.post("/auth/dev/token", json={"sub": "bench", "tenant": tenant, "roles": [role]})
    r.raise_for_status()
    return {"authorization": f"Bearer {r.json()['access_token']}"}


async def copy_baseline(dsn: str, employees: list[dict]) -> float:
    columns = ["nip", "name", "gender", "birth_date", "employment_type", "golongan", "unit_code", "position_title", "tier"]
    records = [tuple(e.get(c) for c in columns) for e in employees]
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "CREATE TEMP TABLE bench_copy (nip text, name text, gender text, birth_date date, employment_type text,"
            " golongan text, unit_code text, position_title text, tier text)"
        )
        started = time.perf_counter()
        await conn.copy_records_to_table("bench_copy", records=records, columns=columns)
        return time.perf_counter() - started
    finally:
        await conn.close()


def describe(samples: list[float], seconds: float) -> str:
    return (
        f"{len(samples) / seconds:.0f} req/s, p50 {pct(samples, 50) * 1000:.1f} ms, "
        f"p99 {pct(samples, 99) * 1000:.1f} ms"
    )


async def main(n: int, clients: int, seconds: float, import_only: bool = False) -> None:
    roster = generate_roster(n, seed=7, with_positions=False)
    content = employees_to_xlsx(roster.employees)
    print(f"generated {n:,} employees in {len(roster.units)} units; XLSX {len(content) / 1e6:.1f} MB")
    state = Path(tempfile.mkdtemp(prefix="bakat-bench-"))
    stack = Platform(with_free_ports(DevstackSettings(state_dir=state)), base_env={**os.environ, **FAST_ENV})
    try:
        endpoints = await stack.start()
        async with httpx.AsyncClient(base_url=endpoints.gateway_url, timeout=120) as gateway:
            ops = await token(gateway, "*", "admin")
            kota = f"kab-{uuid.uuid4().hex[:6]}"
            (await gateway.post("/tenants", headers=ops, json={"id": "prov-bench", "name": "P", "kind": "provinsi"}))
            r = await gateway.post("/tenants", headers=ops, json={"id": kota, "name": "K", "kind": "kabupaten", "parent_id": "prov-bench"})
            r.raise_for_status()
            officer = await token(gateway, kota, "officer")
            for unit in roster.units:
                (await gateway.post(f"/tenants/{kota}/units", headers=officer, json=unit)).raise_for_status()

            started = time.perf_counter()
            r = await gateway.post(
                f"/tenants/{kota}/imports", headers=officer, files={"file": ("roster.xlsx", content)}, data={"mode": "all_or_nothing"}
            )
            r.raise_for_status()
            job = r.json()
            while job["status"] not in ("done", "rejected", "failed"):
                await asyncio.sleep(0.2)
                job = (await gateway.get(f"/tenants/{kota}/imports/{job['id']}", headers=officer)).json()
            import_s = time.perf_counter() - started
            assert job["status"] == "done", job
            db = endpoints.database_urls["roster"].replace("postgresql+asyncpg", "postgresql")
            conn = await asyncpg.connect(db)
            events = await conn.fetchval("SELECT count(*) FROM outbox WHERE event_type LIKE '%employee.registered%'")
            await conn.close()
            copy_s = await copy_baseline(db, roster.employees)
            print(f"import {n:,} rows end to end: {import_s:.1f} s ({job['imported']:,} imported, {events:,} events in the outbox)")
            print(f"baseline asyncpg copy_records_to_table of the same rows: {copy_s:.2f} s")
            print(f"ratio import/copy: {import_s / copy_s:.1f}x   goal <= 20 s: {'met' if import_s <= 20 else 'NOT met'}")
            if import_only:
                return

            # Measure the list on a quiet platform: let the other services finish consuming the import's events.
            placement_db = endpoints.database_urls["placement"].replace("postgresql+asyncpg", "postgresql")
            conn = await asyncpg.connect(placement_db)
            waited = time.perf_counter()
            while await conn.fetchval("SELECT count(*) FROM employees") < n and time.perf_counter() - waited < 600:
                await asyncio.sleep(1)
            await conn.close()
            print(f"events consumed by placement {time.perf_counter() - waited:.0f} s after the import finished")

            unit = max(roster.units, key=lambda u: sum(1 for e in roster.employees if e["unit_code"] == u["code"]))["code"]
            path = f"/tenants/{kota}/employees?unit={unit}&limit=50"
            # Officers: each client pages once a second (think time), 50 of them at once.
            paced = await load_clients(endpoints.gateway_url, path, officer, clients, seconds, interval=1.0)
            paced_health = await load_clients(endpoints.gateway_url, "/healthz", {}, clients, seconds, interval=1.0)
            print(f"list page (unit {unit}, 50 rows), {clients} clients paging once a second: {describe(paced, seconds)}")
            print(f"baseline gateway /healthz, same clients: {describe(paced_health, seconds)}")
            print(
                f"ratio p99 list/healthz: {pct(paced, 99) / pct(paced_health, 99):.1f}x; "
                f"goal p99 < 50 ms: {'met' if pct(paced, 99) < 0.05 else 'NOT met'}"
            )
            # Saturation: the same clients with no think time (closed loop): throughput, and the latency
            # that the queue in front of two Python hops on 2 cores then costs.
            closed = await load_clients(endpoints.gateway_url, path, officer, clients, seconds)
            closed_health = await load_clients(endpoints.gateway_url, "/healthz", {}, clients, min(seconds, 10))
            print(f"saturation, {clients} clients without think time: list {describe(closed, seconds)}")
            print(f"baseline gateway /healthz without think time: {describe(closed_health, min(seconds, 10))}")
    finally:
        stack.stop()
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--import-only", action="store_true", help="stop after the import figure")
    args = parser.parse_args()
    asyncio.run(main(args.employees, args.clients, args.seconds, args.import_only))
