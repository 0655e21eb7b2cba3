"""Assessment figure: 10,000 completed assessments recorded through the gateway (batch endpoint) and
their events published, against inserting the same rows with asyncpg in the same run.

    .venv/bin/python bench/assessment_batch.py [--assessments 10000] [--batch 2000]

Set-up (not timed): a kabupaten of N employees imported into the roster through the gateway, and
the assessment service's replica caught up. Timed: POST /tenants/{t}/assessments/batch in batches
(integrated levels for the 9 standard competencies and 4 potential aspects each) until every
result is stored and every `assessment.completed` event is marked sent by the relay. Baseline:
asyncpg `executemany` INSERT of the same rows (id, nip, scores JSON, potential score, JPM) into a
plain table of the same database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
from bakat_common.contracts.competencies import STANDARD_COMPETENCIES
from bakat_devstack.platform import Platform
from bakat_devstack.settings import DevstackSettings, with_free_ports
from roster.importing import employees_to_xlsx

sys.path.insert(0, str(Path(__file__).parent))
from generate_roster import generate_roster  # noqa: E402

ASPECTS = ("Kecerdasan Emosional", "Motivasi dan Komitmen", "Kesadaran Diri", "Kemampuan Interpersonal")


async def token(gateway: httpx.AsyncClient, tenant: str, role: str) -> dict[str, str]:
    r = await gateway.post("/auth/dev/token", json={"sub": "bench", "tenant": tenant, "roles": [role]})
    r.raise_for_status()
    return {"authorization": f"Bearer {r.json()['access_token']}"}


def results_for(nips: list[str], rnd: random.Random) -> list[dict]:
    return [{"nip": nip, "scores": {c: rnd.randint(2, 5) for c in (*STANDARD_COMPETENCIES, *ASPECTS)}} for nip in nips]


async def insert_baseline(dsn: str, results: list[dict]) -> float:
    rows = [(uuid.uuid4(), r["nip"], json.dumps(r["scores"]), 75.0, 88.9) for r in results]
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "CREATE TEMP TABLE bench_results (id uuid, nip text, scores jsonb, potential_score float8, jpm float8)"
        )
        started = time.perf_counter()
        await conn.executemany("INSERT INTO bench_results VALUES ($1, $2, $3, $4, $5)", rows)
        return time.perf_counter() - started
    finally:
        await conn.close()


async def wait_for(conn: asyncpg.Connection, query: str, expect: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while (found := await conn.fetchval(query)) < expect and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return found


async def main(n: int, batch: int) -> None:
    roster = generate_roster(n, seed=11, with_positions=False)
    content = employees_to_xlsx(roster.employees)
    nips = [e["nip"] for e in roster.employees]
    state = Path(tempfile.mkdtemp(prefix="bakat-bench-"))
    stack = Platform(
        with_free_ports(DevstackSettings(state_dir=state)), base_env={**os.environ, "BAKAT_LOG_LEVEL": "WARNING"}
    )
    try:
        endpoints = await stack.start()
        db = endpoints.database_urls["assessment"].replace("postgresql+asyncpg", "postgresql")
        async with httpx.AsyncClient(base_url=endpoints.gateway_url, timeout=300) as gateway:
            ops = await token(gateway, "*", "admin")
            kab = f"kab-{uuid.uuid4().hex[:6]}"
            province = {"id": f"prov-{kab}", "name": "P", "kind": "provinsi"}
            (await gateway.post("/tenants", headers=ops, json=province)).raise_for_status()
            kabupaten = {"id": kab, "name": "K", "kind": "kabupaten", "parent_id": province["id"]}
            (await gateway.post("/tenants", headers=ops, json=kabupaten)).raise_for_status()
            officer = await token(gateway, kab, "officer")
            for unit in roster.units:
                (await gateway.post(f"/tenants/{kab}/units", headers=officer, json=unit)).raise_for_status()
            r = await gateway.post(f"/tenants/{kab}/imports", headers=officer, files={"file": ("r.xlsx", content)})
            r.raise_for_status()
            job = r.json()
            while job["status"] not in ("done", "rejected", "failed"):
                await asyncio.sleep(0.2)
                job = (await gateway.get(f"/tenants/{kab}/imports/{job['id']}", headers=officer)).json()
            assert job["status"] == "done", job
            conn = await asyncpg.connect(db)
            known = await wait_for(conn, f"SELECT count(*) FROM employees WHERE tenant_id = '{kab}'", n, 600)
            print(f"set-up: {n:,} employees imported; assessment's replica has {known:,}")

            results = results_for(nips, random.Random(5))
            integration = await token(gateway, kab, "integration")
            started = time.perf_counter()
            for start in range(0, n, batch):
                r = await gateway.post(
                    f"/tenants/{kab}/assessments/batch",
                    headers=integration,
                    json={"results": results[start : start + batch]},
                )
                r.raise_for_status()
            stored_s = time.perf_counter() - started
            sent = await wait_for(
                conn,
                "SELECT count(*) FROM outbox WHERE event_type = 'bakat.assessment.completed.v1' AND sent_at IS NOT NULL",
                n,
                600,
            )
            published_s = time.perf_counter() - started
            await conn.close()
            baseline_s = await insert_baseline(db, results)
            print(
                f"{n:,} results stored in {stored_s:.2f} s ({n / stored_s:,.0f}/s); {sent:,} events published after {published_s:.2f} s ({n / published_s:,.0f}/s)"
            )
            print(f"baseline asyncpg executemany INSERT of the same rows: {baseline_s:.2f} s ({n / baseline_s:,.0f}/s)")
            print(f"ratio recorded+published / baseline: {published_s / baseline_s:.1f}x")
    finally:
        stack.stop()
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assessments", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=2_000)
    args = parser.parse_args()
    asyncio.run(main(args.assessments, args.batch))
