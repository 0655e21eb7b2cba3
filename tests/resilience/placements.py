"""Reading placement's database directly, to compare a tenant that went through faults with one that
did not (the assessment id differs between tenants, so it is not compared)."""

from __future__ import annotations

import asyncpg
from bakat_devstack.postgres import libpq_url

COMPARED = ("nip, box, computed_box, assessment_version, jpm, valid_until, name, unit_code, unit_path, tier, "
            "employee_status, in_talent_pool, potential_level, performance_level, potential_score, predikat, "
            "skp_year, rule_version, reasons")  # fmt: skip


async def query(url: str, sql: str, *args) -> list[tuple]:
    conn = await asyncpg.connect(libpq_url(url))
    try:
        return [tuple(r) for r in await conn.fetch(sql, *args)]
    finally:
        await conn.close()


async def placed(url: str, tenant: str) -> int:
    return (await query(url, "SELECT count(*) FROM placements WHERE tenant_id = $1", tenant))[0][0]


async def placements(url: str, tenant: str, columns: str = COMPARED) -> list[tuple]:
    return await query(url, f"SELECT {columns} FROM placements WHERE tenant_id = $1 ORDER BY nip", tenant)


async def assert_same_placements(url: str, tenant: str, reference: str) -> None:
    got, want = await placements(url, tenant), await placements(url, reference)
    differing = [(g, w) for g, w in zip(got, want, strict=True) if g != w]
    assert not differing, f"{len(differing)} of {len(want)} differ, e.g. {differing[:2]}"
