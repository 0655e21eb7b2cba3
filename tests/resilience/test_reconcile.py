"""Reconciliation (issue 9): placement's copy of the roster, the results and the SKP ratings is
damaged behind its back; `placement.reconcile` reports exactly what differs, `--repair` has the
owners publish it again, and afterwards only what no owner's event can fix (a row placement alone
has) is still reported; the placements follow the repaired inputs."""

from __future__ import annotations

import asyncpg
import pytest
from bakat_common.testing import eventually
from bakat_devstack.postgres import libpq_url
from placement.reconcile import ReconcileSettings, reconcile

from tests.e2e.test_slice import new_kota, record_skp, register

pytestmark = pytest.mark.e2e
NIPS = [f"1985031520100110{i:02d}" for i in range(1, 7)]
GHOST = "199912312020121099"


async def execute(url: str, *statements: tuple) -> None:
    conn = await asyncpg.connect(libpq_url(url))
    try:
        for sql, *args in statements:
            await conn.execute(sql, *args)
    finally:
        await conn.close()


def counts(report: dict) -> dict:
    return {kind: {k: v["count"] for k, v in report[kind].items() if v["count"]} for kind in ("employees", "results", "ratings")}


async def test_a_damaged_copy_is_reported_and_repaired_through_events(stack) -> None:
    gateway, placement_db = stack.gateway, stack.endpoints.database_urls["placement"]
    _, kota = await new_kota(gateway, stack.token_for)
    officer = await stack.token_for(kota, "officer")
    for i, nip in enumerate(NIPS):
        await register(gateway, officer, kota, nip)
        assert (await record_skp(gateway, officer, kota, nip, ("Baik", "Sangat Baik")[i % 2])).status_code == 201
        r = await gateway.post(f"/tenants/{kota}/assessments", headers=officer, json={"nip": nip, "potential_score": 85})
        assert r.status_code == 201, r.text
    for nip in NIPS:
        await eventually(lambda: gateway.get(f"/tenants/{kota}/employees/{nip}/placement", headers=officer),  # noqa: B023
                         lambda r: r.status_code == 200, timeout=30)  # fmt: skip
    settings = ReconcileSettings(database_url=placement_db, reconcile_gateway_url=stack.endpoints.gateway_url,
                                 reconcile_token=(await stack.token_for(kota, "admin"))["authorization"][7:])  # fmt: skip
    clean = await reconcile(settings, kota, repair=False)
    assert clean["differs"] is False and counts(clean) == {"employees": {}, "results": {}, "ratings": {}}

    await execute(
        placement_db,
        ("DELETE FROM employees WHERE tenant_id = $1 AND nip = $2", kota, NIPS[0]),
        ("UPDATE employees SET version = version - 1 WHERE tenant_id = $1 AND nip = $2", kota, NIPS[1]),
        ("INSERT INTO employees (tenant_id, nip, name, status, version) VALUES ($1, $2, 'Hantu', 'active', 1)", kota, GHOST),
        ("DELETE FROM potential_inputs WHERE tenant_id = $1 AND nip = $2", kota, NIPS[2]),
        ("UPDATE performance_inputs SET predikat = 'Kurang' WHERE tenant_id = $1 AND nip = $2", kota, NIPS[3]),
        # A copy newer than its owner (the owner restored from an older backup): no event can fix it.
        ("UPDATE employees SET version = version + 5 WHERE tenant_id = $1 AND nip = $2", kota, NIPS[4]),
    )
    damaged = await reconcile(settings, kota, repair=False)
    assert damaged["differs"] is True
    assert counts(damaged) == {"employees": {"missing": 1, "stale": 1, "ahead": 1, "extra": 1},
                               "results": {"missing": 1}, "ratings": {"stale": 1}}  # fmt: skip
    assert damaged["employees"]["stale"]["nips"] == [NIPS[1]] and damaged["employees"]["ahead"]["nips"] == [NIPS[4]]
    assert damaged["employees"]["missing"]["nips"] == [NIPS[0]] and damaged["employees"]["extra"]["nips"] == [GHOST]
    assert damaged["results"]["missing"]["nips"] == [NIPS[2]] and damaged["ratings"]["stale"]["nips"] == [NIPS[3]]

    repaired = await reconcile(settings, kota, repair=True)
    assert repaired["repair"]["roster_events"] == 2  # the missing and the stale employee, published again
    assert repaired["repair"]["assessment_events"] == 4  # a result and a rating for each of two employees
    # It waited for placement to take them: what is left is what no owner's event can fix, so the
    # command still reports a difference (exit status 1) for an operator.
    assert counts(repaired["after_repair"]) == {"employees": {"ahead": 1, "extra": 1}, "results": {}, "ratings": {}}
    assert repaired["differs"] is True
    after = await reconcile(settings, kota, repair=False)
    assert after["employees"]["extra"]["nips"] == [GHOST] and after["employees"]["ahead"]["nips"] == [NIPS[4]]
    # The placement of the employee whose SKP copy was damaged follows the real one again.
    r = await gateway.get(f"/tenants/{kota}/employees/{NIPS[3]}/placement", headers=officer)
    assert r.json()["performance"]["predikat"] == "Sangat Baik"

    # Only a tenant's admin or the machine client may compare and resync, and only its own tenant.
    other = await stack.token_for("kota-lain", "admin")
    for method, path in (("GET", "employees/versions"), ("POST", "employees/resync"),
                         ("GET", "assessments/versions"), ("POST", "assessments/resync")):  # fmt: skip
        body = {"nips": NIPS} if method == "POST" else None
        for who in (officer, other):
            r = await gateway.request(method, f"/tenants/{kota}/{path}", headers=who, json=body)
            assert r.status_code == 403, (path, r.text)
