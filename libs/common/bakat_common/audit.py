"""Who read or changed whose assessment results, placements and calibrations (personal data under
UU 27/2022): one row per request, in the service's own database, queryable by the tenant's admins.

A service that keeps such data makes its table in its models (`audit_log = audit_table(Base.metadata)`,
so Alembic creates it), records from its routes with `AuditTrail.record(...)` and mounts
`AuditTrail.router(...)`. A read is recorded in the read's own session: a read that fails (and so
showed nothing) leaves no row when its transaction rolls back.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    MetaData,
    String,
    Table,
    func,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from bakat_common.app import PrincipalDep, ReadSessionDep
from bakat_common.auth import Principal, require_roles
from bakat_common.errors import InvalidInput, problem_responses
from bakat_common.logging import request_id_var
from bakat_common.tenancy import KnownTenantDep

Action = Literal["read", "change"]


def audit_table(metadata: MetaData) -> Table:
    return Table(
        "audit_log",
        metadata,
        Column("id", BigInteger, Identity(), primary_key=True),
        Column("tenant_id", String(100), nullable=False),
        Column("at", DateTime(timezone=True), server_default=func.now(), nullable=False),
        Column("subject", String(200), nullable=False),
        Column("roles", ARRAY(String(20)), nullable=False),
        Column("action", String(10), nullable=False),
        Column("resource", String(40), nullable=False),
        Column("nips", ARRAY(String(18)), nullable=False),  # whose data: the employees shown or changed
        Column("detail", JSONB, nullable=False),
        Column("request_id", String(128)),
        Index("ix_audit_log_tenant_id", "tenant_id", "id"),
        Index("ix_audit_log_nips", "nips", postgresql_using="gin"),
    )


class AuditEntry(BaseModel):
    id: int
    at: datetime
    subject: str = Field(description="who: the token's subject")
    roles: list[str]
    action: Action
    resource: str = Field(examples=["assessment_result"])
    nips: list[str] = Field(description="whose data")
    detail: dict[str, Any] = Field(description="what: the route and what it was asked")
    request_id: str | None


class AuditPage(BaseModel):
    items: list[AuditEntry]
    next_cursor: str | None = Field(description="pass as `cursor` for older entries; null on the last page")


class AuditTrail:
    def __init__(self, table: Table, resources: Sequence[str]) -> None:
        self.table = table
        self.resources = tuple(resources)

    async def record(
        self,
        session: AsyncSession,
        principal: Principal,
        tenant_id: str,
        action: Action,
        resource: str,
        nips: Sequence[str],
        **detail: Any,
    ) -> None:
        assert resource in self.resources, resource  # a typo would make entries no one can filter
        await session.execute(
            insert(self.table).values(
                tenant_id=tenant_id,
                subject=principal.subject,
                roles=sorted(principal.roles),
                action=action,
                resource=resource,
                nips=list(dict.fromkeys(nips)),
                detail=detail,
                request_id=request_id_var.get(),
            )
        )

    def router(self, path: str, tag: str) -> APIRouter:
        """`GET {path}`: the tenant's audit entries, newest first, for its admins."""
        router = APIRouter(tags=[tag])
        table = self.table
        resources = self.resources

        @router.get(
            path,
            response_model=AuditPage,
            responses=problem_responses(401, 403, 404, 422),
            summary="Who read or changed whose data, newest first (tenant admins)",
        )
        async def audit_entries(
            tenant_id: KnownTenantDep,
            session: ReadSessionDep,
            principal: PrincipalDep,
            nip: Annotated[
                str | None, Query(pattern=r"^\d{18}$", description="entries about this employee")
            ] = None,
            subject: Annotated[str | None, Query(max_length=200, description="entries by this user")] = None,
            resource: str | None = Query(None, description=f"one of: {', '.join(resources)}"),
            action: Action | None = None,
            since: datetime | None = None,
            until: datetime | None = None,
            cursor: Annotated[str | None, Query(max_length=40)] = None,
            limit: Annotated[int, Query(ge=1, le=500)] = 100,
        ) -> AuditPage:
            require_roles(principal, "admin")
            if resource is not None and resource not in resources:
                raise InvalidInput(
                    "query.resource", "enum", f"resource must be one of: {', '.join(resources)}"
                )
            query = select(table).where(table.c.tenant_id == tenant_id)
            if nip is not None:
                query = query.where(table.c.nips.contains([nip]))
            if subject is not None:
                query = query.where(table.c.subject == subject)
            if resource is not None:
                query = query.where(table.c.resource == resource)
            if action is not None:
                query = query.where(table.c.action == action)
            if since is not None:
                query = query.where(table.c.at >= since)
            if until is not None:
                query = query.where(table.c.at < until)
            if cursor is not None:
                query = query.where(table.c.id < _decode(cursor))
            rows = (
                (await session.execute(query.order_by(table.c.id.desc()).limit(limit + 1))).mappings().all()
            )
            items = [AuditEntry.model_validate(dict(r)) for r in rows[:limit]]
            more = len(rows) > limit
            return AuditPage(items=items, next_cursor=_encode(items[-1].id) if more else None)

        return router


def _encode(entry_id: int) -> str:
    return base64.urlsafe_b64encode(f"a{entry_id}".encode()).decode().rstrip("=")


def _decode(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode() + b"==").decode()
    except (binascii.Error, UnicodeDecodeError):
        text = ""
    if not (text.startswith("a") and text[1:].isdigit()):
        raise InvalidInput("query.cursor", "cursor", "cursor is not one this API gave out")
    return int(text[1:])
