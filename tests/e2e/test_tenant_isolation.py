"""Tenant isolation, both walls, on the platform as `make run` starts it.

The first wall: every tenant route of the aggregated OpenAPI document, asked through the gateway with
a token of kota A for kota B's data, answers 403 or 404 and shows nothing of B; a write aimed at B
changes nothing in any service's database.

The second wall: PostgreSQL row-level security. Every table holding a tenant's rows has a forced
policy, and a query without any tenant filter, run as the role the services run as, sees only the
tenant in scope (nothing with no scope) and cannot write another tenant's rows.
"""

from __future__ import annotations

import re

import asyncpg
import pytest
from bakat_common.testing import eventually
from bakat_devstack.postgres import libpq_url
from bakat_devstack.settings import DevstackSettings

from .test_slice import new_kota, record_skp, register

pytestmark = pytest.mark.e2e

APP_ROLE = DevstackSettings.model_fields["app_role"].default
SERVICES = ("roster", "assessment", "placement", "scheduling")
# Tables with a tenant_id that are not a tenant's data, each with the reason.
NOT_TENANT_DATA = {
    "known_tenants",  # the tenant registry's copy: names and parents only, needed to check any token
    "tenants",  # roster's tenant registry itself
    # scheduling: one assessor (or room) serves one schedule a day across the province; every solve
    # reads the bookings of every tenant of it (ids and days only).
    "assessor_bookings",
    "room_bookings",
}
PROBLEM = "application/problem+json"


async def seed_tenant(gateway, token_for, kota: str, nip: str) -> dict[str, str]:
    officer = await token_for(kota, "officer", "admin")
    await register(gateway, officer, kota, nip)
    assert (await record_skp(gateway, officer, kota, nip, "Baik")).status_code == 201
    r = await gateway.post(f"/tenants/{kota}/assessments", headers=officer, json={"nip": nip, "potential_score": 85})
    assert r.status_code == 201, r.text
    r = await gateway.post(f"/tenants/{kota}/venues", headers=officer, json={"name": "SMKN 1", "rooms": []})
    assert r.status_code == 201, r.text
    return officer


async def service_connections(platform) -> dict[str, asyncpg.Connection]:
    return {name: await asyncpg.connect(libpq_url(platform.database_urls[name])) for name in SERVICES}


async def tenant_tables(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch(
        "SELECT table_name FROM information_schema.columns"
        " WHERE table_schema = 'public' AND column_name = 'tenant_id' ORDER BY table_name"
    )
    return [r["table_name"] for r in rows if r["table_name"] not in NOT_TENANT_DATA]


async def rows_by_tenant(conn: asyncpg.Connection, scope: str | None) -> dict[str, set[str]]:
    """Every tenant table read without a filter, as the services' role, with `scope` (None: unset)."""
    seen: dict[str, set[str]] = {}
    async with conn.transaction():
        await conn.execute(f"SET LOCAL ROLE {APP_ROLE}")
        if scope is not None:
            await conn.execute("SELECT set_config('bakat.tenants', $1, true)", scope)
        for table in await tenant_tables(conn):
            seen[table] = {r[0] for r in await conn.fetch(f"SELECT DISTINCT tenant_id FROM {table}")}
    return seen


async def test_every_tenant_table_has_a_forced_policy(platform) -> None:
    connections = await service_connections(platform)
    try:
        for name, conn in connections.items():
            tables = await tenant_tables(conn)
            assert tables, name
            flags = await conn.fetch(
                "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,"
                " (SELECT count(*) FROM pg_policies p WHERE p.tablename = c.relname) AS policies"
                " FROM pg_class c WHERE c.relname = ANY($1::text[]) AND c.relkind = 'r'",
                tables,
            )
            unwalled = [f["relname"] for f in flags if not (f["relrowsecurity"] and f["relforcerowsecurity"] and f["policies"])]
            assert not unwalled, f"{name}: tenant tables without a forced row-level security policy: {unwalled}"
            # The services do not run as a role that skips the policies.
            bypass = await conn.fetchval(
                "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = $1", APP_ROLE
            )
            assert bypass is False, name
    finally:
        for conn in connections.values():
            await conn.close()


async def test_a_query_without_its_tenant_filter_sees_only_the_tenant_in_scope(platform, gateway, token_for):
    _, kota_a = await new_kota(gateway, token_for)
    _, kota_b = await new_kota(gateway, token_for)
    await seed_tenant(gateway, token_for, kota_a, "198503152010011003")
    officer_b = await seed_tenant(gateway, token_for, kota_b, "199001012015011001")
    # B's placement exists (so the placement tables hold B's rows before we look).
    await eventually(
        lambda: gateway.get(f"/tenants/{kota_b}/employees/199001012015011001/placement", headers=officer_b),
        lambda r: r.status_code == 200,
    )
    connections = await service_connections(platform)
    try:
        for name, conn in connections.items():
            in_a = await rows_by_tenant(conn, kota_a)
            in_b = await rows_by_tenant(conn, kota_b)
            unscoped = await rows_by_tenant(conn, None)
            for table in in_a:
                assert in_a[table] <= {kota_a}, f"{name}.{table} shows {in_a[table]} in {kota_a}'s scope"
                assert in_b[table] <= {kota_b}, f"{name}.{table} shows {in_b[table]} in {kota_b}'s scope"
                assert unscoped[table] == set(), f"{name}.{table} shows rows with no tenant in scope"
            # Not vacuous: B's own rows are there to be hidden, in every service.
            assert any(in_b.values()), f"{name}: no rows of {kota_b} at all"
            assert any(in_a.values()), f"{name}: no rows of {kota_a} at all"

            # Writing another tenant's rows: an update finds nothing, an insert is refused.
            async with conn.transaction():
                await conn.execute(f"SET LOCAL ROLE {APP_ROLE}")
                await conn.execute("SELECT set_config('bakat.tenants', $1, true)", kota_a)
                assert await conn.execute(f"UPDATE employees SET name = 'x' WHERE tenant_id = '{kota_b}'") == "UPDATE 0"
                assert await conn.execute(f"DELETE FROM employees WHERE tenant_id = '{kota_b}'") == "DELETE 0"
                with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
                    async with conn.transaction():  # a savepoint: the error ends only it
                        await conn.execute(
                            f"UPDATE employees SET tenant_id = '{kota_b}' WHERE tenant_id = '{kota_a}'"
                        )
    finally:
        for conn in connections.values():
            await conn.close()


def _fill(path: str, kota: str, nip: str) -> str:
    path = path.replace("{tenant_id}", kota).replace("{nip}", nip)
    return re.sub(r"\{[^}]+\}", "00000000-0000-4000-8000-000000000000", path)


async def _table_counts(connections, tenant: str) -> dict[str, int]:
    counts = {}
    for name, conn in connections.items():
        for table in await tenant_tables(conn):
            counts[f"{name}.{table}"] = await conn.fetchval(f"SELECT count(*) FROM {table} WHERE tenant_id = $1", tenant)
        counts[f"{name}.outbox"] = await conn.fetchval("SELECT count(*) FROM outbox")
    return counts


async def test_every_tenant_route_refuses_another_tenants_token(platform, gateway, token_for):
    """Kota A's officer-and-admin token against every operation on kota B's paths (a province of its
    own: A's token covers neither B nor its province): 403 or 404, nothing of B in the answer, nothing
    of B changed."""
    _, kota_a = await new_kota(gateway, token_for)
    _, kota_b = await new_kota(gateway, token_for)
    nip_b = "199001012015011001"
    await seed_tenant(gateway, token_for, kota_b, nip_b)
    token_a = await token_for(kota_a, "admin", "officer", "assessor", "viewer", "integration")
    document = (await gateway.get("/openapi.json")).json()
    connections = await service_connections(platform)
    try:
        before = await _table_counts(connections, kota_b)
        asked = 0
        for path, operations in document["paths"].items():
            if not path.startswith("/tenants/{tenant_id}"):
                continue
            url = _fill(path, kota_b, nip_b)
            for method in operations:
                if method not in ("get", "post", "put", "patch", "delete"):
                    continue
                kwargs = {"json": {}} if method in ("post", "put", "patch") else {}
                r = await gateway.request(method.upper(), url, headers=token_a, **kwargs)
                asked += 1
                assert r.status_code in (403, 404), f"{method.upper()} {path}: {r.status_code} {r.text[:300]}"
                assert r.headers["content-type"].startswith(PROBLEM), f"{method.upper()} {path}"
                shown = {k: v for k, v in r.json().items() if k != "instance"}  # instance: the asked path
                assert nip_b not in str(shown), f"{method.upper()} {path} shows B's employee: {shown}"
        assert asked >= 50, asked  # every service's routes were in the document
        after = await _table_counts(connections, kota_b)
        assert after == before
    finally:
        for conn in connections.values():
            await conn.close()
