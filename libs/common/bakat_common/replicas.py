"""Reading rows that other services' events create here (event-carried state).

Right after a client creates something in one service (a tenant, an employee), the event that tells
another service about it may still be in flight for a few milliseconds. Rather than answer 404 to a
client that did everything right, a lookup that misses waits a little for the replica to catch up.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Integer, String, Table, Text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bakat_common.contracts.roster import EmployeeSnapshot
from bakat_common.db import upsert_rows
from bakat_common.events import CloudEvent

T = TypeVar("T")


async def await_replica(
    lookup: Callable[[], Awaitable[T | None]], wait_s: float, interval_s: float = 0.02
) -> T | None:
    """`lookup()`, retried every `interval_s` for up to `wait_s` while it finds nothing.

    Call it inside a READ COMMITTED transaction (the default), so each retry sees newly committed rows.
    """
    deadline = time.monotonic() + wait_s
    while True:
        found = await lookup()
        if found is not None or time.monotonic() >= deadline:
            return found
        await asyncio.sleep(interval_s)


async def upsert_newest(
    session: AsyncSession,
    table: Table,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    version: str = "version",
) -> None:
    """Keep, per key, the row with the highest version (a tie goes to the later row), whatever order
    the snapshots arrive in: one statement for a whole batch of events."""
    newest: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        key = tuple(row[k] for k in keys)
        kept = newest.get(key)
        if kept is None or row[version] >= kept[version]:
            newest[key] = row
    await upsert_rows(  # in key order, the order other writers lock these rows in
        session,
        table,
        [newest[k] for k in sorted(newest)],
        keys,
        newer=f"excluded.{version} >= {table.name}.{version}",
    )


class EmployeeReplicaColumns:
    """The columns of the employees replica that assessment, placement and scheduling keep from
    roster's employee snapshots (`employee_rows` fills them): mix into a service's model,
    `class EmployeeRecord(EmployeeReplicaColumns, Base): __tablename__ = "employees"`."""

    tenant_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    unit_code: Mapped[str | None] = mapped_column(String(50))
    unit_path: Mapped[str | None] = mapped_column(Text)
    position_code: Mapped[str | None] = mapped_column(String(50))
    position_title: Mapped[str | None] = mapped_column(Text)
    tier: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer)


def employee_rows(events: Sequence[CloudEvent]) -> list[dict[str, Any]]:
    """Roster's employee snapshots as rows of the employees replica that assessment and placement
    keep (the same columns in both)."""
    rows = []
    for event in events:
        p = EmployeeSnapshot.model_validate(event.data)
        rows.append(
            {
                "tenant_id": event.tenant,
                "nip": p.nip,
                "name": p.name,
                "unit_code": p.unit_code,
                "unit_path": p.unit_path,
                "position_code": p.position_code,
                "position_title": p.position_title,
                "tier": p.tier,
                "status": p.status,
                "version": p.version,
            }
        )
    return rows
