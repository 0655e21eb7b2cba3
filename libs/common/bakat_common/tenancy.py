"""The known-tenants replica every service but roster keeps from roster's tenant events."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bakat_common.app import PrincipalDep, RuntimeDep, SessionDep
from bakat_common.auth import authorize_path_tenant
from bakat_common.contracts.roster import TenantRegisteredV1
from bakat_common.db import set_tenant_scope
from bakat_common.events import CloudEvent
from bakat_common.infrastructure import known_tenants
from bakat_common.replicas import await_replica


async def record_tenant(session: AsyncSession, event: CloudEvent) -> None:
    """Consumer handler for bakat.roster.tenant.registered.v1 (idempotent upsert)."""
    payload = TenantRegisteredV1.model_validate(event.data)
    # A tenant's parent never changes (services cache it), so a repeated event may update the name only.
    await session.execute(
        pg_insert(known_tenants)
        .values(tenant_id=payload.tenant_id, name=payload.name, kind=payload.kind, parent_id=payload.parent_id)
        .on_conflict_do_update(index_elements=[known_tenants.c.tenant_id], set_={"name": payload.name})
    )


TENANT_HANDLERS = {TenantRegisteredV1.event_type: record_tenant}


async def known_parent(session: AsyncSession, tenant_id: str, wait_s: float = 0.0) -> tuple[bool, str | None]:
    """(found, parent id) of a tenant in the replica, waiting up to `wait_s` for roster's event."""

    async def lookup():
        query = select(known_tenants.c.parent_id).where(known_tenants.c.tenant_id == tenant_id)
        return (await session.execute(query)).first()

    row = await await_replica(lookup, wait_s)
    return (False, None) if row is None else (True, row.parent_id)


async def known_tenant(
    tenant_id: Annotated[str, Path(max_length=100, description="tenant slug, e.g. kota-batu")],
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> str:
    """Route dependency: the path's tenant, known here (else 404) and covered by the token (else 403)."""

    async def find_parent(tenant: str) -> tuple[bool, str | None]:
        # A tenant created a moment ago may still be on its way from roster: wait a little for it.
        return await known_parent(session, tenant, runtime.settings.replica_wait_s)

    await authorize_path_tenant(principal, tenant_id, runtime.tenant_parents, find_parent)
    await set_tenant_scope(session, [tenant_id])  # row-level security: this tenant's rows only
    return tenant_id


KnownTenantDep = Annotated[str, Depends(known_tenant)]
