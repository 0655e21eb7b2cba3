"""The known-tenants replica every service but roster keeps from roster's tenant events."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bakat_common.app import PrincipalDep, RuntimeDep
from bakat_common.auth import authorize_path_tenant
from bakat_common.contracts.roster import TenantRegisteredV1
from bakat_common.db import use_tenant_scope
from bakat_common.events import CloudEvent
from bakat_common.infrastructure import known_tenants
from bakat_common.replicas import await_replica


async def record_tenant(session: AsyncSession, event: CloudEvent) -> None:
    """Consumer handler for bakat.roster.tenant.registered.v1 (idempotent upsert)."""
    payload = TenantRegisteredV1.model_validate(event.data)
    # A tenant's parent never changes (services cache it), so a repeated event may update the name only.
    await session.execute(
        pg_insert(known_tenants)
        .values(
            tenant_id=payload.tenant_id, name=payload.name, kind=payload.kind, parent_id=payload.parent_id
        )
        .on_conflict_do_update(index_elements=[known_tenants.c.tenant_id], set_={"name": payload.name})
    )


TENANT_HANDLERS = {TenantRegisteredV1.event_type: record_tenant}


async def known_parent(session: AsyncSession, tenant_id: str) -> tuple[bool, str | None]:
    """(found, parent id) of a tenant in the replica."""
    query = select(known_tenants.c.parent_id).where(known_tenants.c.tenant_id == tenant_id)
    row = (await session.execute(query)).first()
    return (False, None) if row is None else (True, row.parent_id)


async def known_tenant(
    tenant_id: Annotated[str, Path(max_length=100, description="tenant slug, e.g. kota-batu")],
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> str:
    """Route dependency: the path's tenant, known here (else 404) and covered by the token (else 403)."""

    async def find_parent(tenant: str) -> tuple[bool, str | None]:
        # Not through the route's session: that would keep a connection for the whole request while
        # the route reads through another (its read session), two per request, and a pool without
        # overflow could then wait on itself. One short autocommit session per try: a connection is
        # held only while a lookup runs, and each try sees rows committed since the last.
        async def lookup():
            async with runtime.read_sessions() as session:
                found = await known_parent(session, tenant)
            return found if found[0] else None

        # A tenant created a moment ago may still be on its way from roster: wait a little for it.
        return await await_replica(lookup, runtime.settings.replica_wait_s) or (False, None)

    await authorize_path_tenant(principal, tenant_id, runtime.tenant_parents, find_parent)
    # Row-level security: the transactions of this request see and write this tenant's rows only.
    # No transaction of the request's has begun yet (sessions connect at their first statement).
    use_tenant_scope([tenant_id])
    return tenant_id


KnownTenantDep = Annotated[str, Depends(known_tenant)]
