"""The known-tenants replica every service but roster keeps from roster's tenant events."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bakat_common.auth import Principal, check_tenant_access
from bakat_common.contracts.roster import TenantRegisteredV1
from bakat_common.errors import NotFound
from bakat_common.events import CloudEvent
from bakat_common.infrastructure import known_tenants


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


async def authorize_known_tenant(session: AsyncSession, principal: Principal, tenant_id: str) -> None:
    """404 when the tenant is unknown here, 403 when the token does not cover it."""
    row = (
        await session.execute(select(known_tenants.c.parent_id).where(known_tenants.c.tenant_id == tenant_id))
    ).first()
    if row is None:
        raise NotFound(f"tenant {tenant_id!r} not found")
    check_tenant_access(principal, tenant_id, row.parent_id)
