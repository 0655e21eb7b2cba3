"""The known-tenants replica every service but roster keeps from roster's tenant events."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bakat_common.app import PrincipalDep, RuntimeDep, SessionDep
from bakat_common.auth import Principal, check_tenant_access
from bakat_common.contracts.roster import TenantRegisteredV1
from bakat_common.errors import NotFound
from bakat_common.events import CloudEvent
from bakat_common.infrastructure import known_tenants
from bakat_common.replicas import await_replica


async def record_tenant(session: AsyncSession, event: CloudEvent) -> None:
    """Consumer handler for bakat.roster.tenant.registered.v1 (idempotent upsert)."""
    payload = TenantRegisteredV1.model_validate(event.data)
    values = {"name": payload.name, "kind": payload.kind, "parent_id": payload.parent_id}
    await session.execute(
        pg_insert(known_tenants)
        .values(tenant_id=payload.tenant_id, **values)
        .on_conflict_do_update(index_elements=[known_tenants.c.tenant_id], set_=values)
    )


TENANT_HANDLERS = {TenantRegisteredV1.event_type: record_tenant}


async def authorize_known_tenant(
    session: AsyncSession, principal: Principal, tenant_id: str, wait_s: float = 0.0
) -> None:
    """404 when the tenant is unknown here (after waiting up to `wait_s` for roster's event), 403 when
    the token does not cover it."""

    async def lookup():
        query = select(known_tenants.c.parent_id).where(known_tenants.c.tenant_id == tenant_id)
        return (await session.execute(query)).first()

    row = await await_replica(lookup, wait_s)
    if row is None:
        raise NotFound(f"tenant {tenant_id!r} not found")
    check_tenant_access(principal, tenant_id, row.parent_id)


async def known_tenant(
    tenant_id: Annotated[str, Path(max_length=100, description="tenant slug, e.g. kota-batu")],
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> str:
    """Route dependency: the path's tenant, known here and covered by the caller's token."""
    await authorize_known_tenant(session, principal, tenant_id, runtime.settings.replica_wait_s)
    return tenant_id


KnownTenantDep = Annotated[str, Depends(known_tenant)]
