"""Nine-box view of a unit with 10,000 employees through the gateway (issue 5).

    .venv/bin/python bench/placement_nine_box.py [--unit-employees 10000] [--others 30000] [--clients 20] [--seconds 20]

The whole platform runs as `make run` starts it. A tenant is created through the API; placement's
copy of the roster and the placements (a unit DINKES of 10,000 employees spread over 12 sub-units,
and 30,000 more in other units) are written straight into placement's database with COPY, since this
figure is about the read, not the pipeline (bench/placement_figures.py measures the consumer).

Measured with bench/loadgen.py's keep-alive clients, each asking once a second:
`GET /tenants/{t}/nine-box?unit=DINKES` (counts of the nine boxes and the first 20 members of each)
and `GET /tenants/{t}/nine-box/distribution?unit=DINKES` (the sub-units compared, outliers flagged),
against the gateway's own /healthz with the same clients in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

import asyncpg
import httpx
from bakat_devstack.platform import Platform
from bakat_devstack.settings import DevstackSettings, with_free_ports

sys.path.insert(0, str(Path(__file__).parent))
from loadgen import load as load_clients  # noqa: E402
from roster_import import describe, pct, token  # noqa: E402

FAST_ENV = {"BAKAT_LOG_LEVEL": "WARNING"}
PREDIKAT = ("Sangat Baik", "Baik", "Baik", "Butuh Perbaikan", "Kurang")
LEVELS = {"Sangat Baik": "above", "Baik": "meets", "Butuh Perbaikan": "below", "Kurang": "below"}
BOX = {("above", "low"): 4, ("above", "middle"): 7, ("above", "high"): 9, ("meets", "low"): 2,
       ("meets", "middle"): 5, ("meets", "high"): 8, ("below", "low"): 1, ("below", "middle"): 3,
       ("below", "high"): 6}  # fmt: skip


def rows(tenant: str, unit_employees: int, others: int) -> tuple[list[tuple], list[tuple]]:
    now = datetime.now(timezone.utc)
    employees, placements = [], []
    for i in range(unit_employees + others):
        nip = f"{1970 + i % 30}{1 + i % 12:02d}{1 + i % 28:02d}{2000 + i % 20}{1 + i % 12:02d}1{i:05d}"[:18]
        if i < unit_employees:
            sub = f"DINKES-PKM-{i % 12:02d}"
            unit, path = (sub, f"/DINKES/{sub}/") if i % 5 else ("DINKES", "/DINKES/")
        else:
            unit = f"DINAS-{i % 20:02d}"
            path = f"/{unit}/"
        employees.append((tenant, nip, f"Pegawai {i:06d}", unit, path, None, None, "Pengawas", "active", 1))
        score = float(40 + (i * 7) % 61)
        predikat = PREDIKAT[i % 5]
        potential = "high" if score >= 80 else "middle" if score >= 60 else "low"
        box = BOX[(LEVELS[predikat], potential)]
        reasons = json.dumps([f"potential {score:g} -> {potential}", f"SKP 2025 {predikat} -> {LEVELS[predikat]}"])
        placements.append((tenant, nip, box, potential, LEVELS[predikat], score, predikat, 2025, f"a{i}",
                           1, reasons, now, box, 1, None, date(2028, 1, 1), f"Pegawai {i:06d}", unit, path, "Pengawas",
                           "active", box in (7, 8, 9)))  # fmt: skip
    return employees, placements


async def load_placement_db(dsn: str, tenant: str, unit_employees: int, others: int) -> None:
    employees, placements = rows(tenant, unit_employees, others)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table(
            "employees", records=employees,
            columns=["tenant_id", "nip", "name", "unit_code", "unit_path", "position_code", "position_title", "tier",
                     "status", "version"],
        )  # fmt: skip
        await conn.copy_records_to_table(
            "placements", records=placements,
            columns=["tenant_id", "nip", "box", "potential_level", "performance_level", "potential_score",
                     "predikat", "skp_year", "assessment_id", "rule_version", "reasons", "computed_at", "computed_box",
                     "assessment_version", "jpm", "valid_until", "name", "unit_code", "unit_path", "tier",
                     "employee_status", "in_talent_pool"],
        )  # fmt: skip
        for table in ("employees", "placements"):  # steady state, as autovacuum leaves it
            await conn.execute(f"VACUUM ANALYZE {table}")
    finally:
        await conn.close()


async def main(unit_employees: int, others: int, clients: int, seconds: float) -> None:
    state = Path(tempfile.mkdtemp(prefix="bakat-bench-"))
    stack = Platform(with_free_ports(DevstackSettings(state_dir=state)), base_env={**os.environ, **FAST_ENV})
    try:
        endpoints = await stack.start()
        async with httpx.AsyncClient(base_url=endpoints.gateway_url, timeout=120) as gateway:
            ops = await token(gateway, "*", "admin")
            kota = f"kab-{uuid.uuid4().hex[:6]}"
            await gateway.post("/tenants", headers=ops, json={"id": "prov-bench", "name": "P", "kind": "provinsi"})
            r = await gateway.post(
                "/tenants", headers=ops, json={"id": kota, "name": "K", "kind": "kabupaten", "parent_id": "prov-bench"}
            )
            r.raise_for_status()
            officer = await token(gateway, kota, "officer")
            placement_db = endpoints.database_urls["placement"].replace("postgresql+asyncpg", "postgresql")
            started = time.perf_counter()
            await load_placement_db(placement_db, kota, unit_employees, others)
            print(f"placement's tables: {unit_employees + others:,} employees placed, {unit_employees:,} in DINKES"
                  f" ({time.perf_counter() - started:.1f} s to load)")  # fmt: skip
            nine_box = f"/tenants/{kota}/nine-box?unit=DINKES"
            distribution = f"/tenants/{kota}/nine-box/distribution?unit=DINKES"
            for path in (nine_box, distribution):  # the tenant reaches placement by event: wait for it
                deadline = time.monotonic() + 60
                while (r := await gateway.get(path, headers=officer)).status_code != 200:
                    assert time.monotonic() < deadline, r.text
                    await asyncio.sleep(0.5)
            view = (await gateway.get(nine_box, headers=officer)).json()
            assert view["total"] == unit_employees, view["total"]
            print(f"nine-box of DINKES: {view['total']:,} employees, counts "
                  f"{ {b['box']: b['count'] for b in view['boxes']} }, {sum(len(b['members']) for b in view['boxes'])} listed")  # fmt: skip

            one = await load_clients(endpoints.gateway_url, nine_box, officer, 1, seconds / 2)
            health = await load_clients(endpoints.gateway_url, "/healthz", {}, clients, seconds, interval=1.0)
            paced = await load_clients(endpoints.gateway_url, nine_box, officer, clients, seconds, interval=1.0)
            dist = await load_clients(endpoints.gateway_url, distribution, officer, clients, seconds, interval=1.0)
            print(f"nine-box, one client in a loop: {describe(one, seconds / 2)}")
            print(f"nine-box, {clients} clients once a second: {describe(paced, seconds)}")
            print(f"distribution, {clients} clients once a second: {describe(dist, seconds)}")
            print(f"baseline gateway /healthz, {clients} clients once a second: {describe(health, seconds)}")
            print(
                f"ratio p99 nine-box/healthz: {pct(paced, 99) / pct(health, 99):.1f}x; "
                f"goal p99 < 100 ms: {'met' if pct(paced, 99) < 0.1 else 'NOT met'}"
            )
    finally:
        stack.stop()
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--unit-employees", type=int, default=10_000)
    parser.add_argument("--others", type=int, default=30_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    asyncio.run(main(args.unit_employees, args.others, args.clients, args.seconds))
