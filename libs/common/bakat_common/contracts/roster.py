"""Events produced by the roster service (topic bakat.roster)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from bakat_common.contracts import EventPayload, register

TenantKind = Literal["provinsi", "kabupaten", "kota"]


@register
class TenantRegisteredV1(EventPayload):
    event_type: ClassVar[str] = "bakat.roster.tenant.registered.v1"
    tenant_id: str
    name: str
    kind: TenantKind
    parent_id: str | None


@register
class EmployeeRegisteredV1(EventPayload):
    """Snapshot of an employee's fields that other services keep (event-carried state)."""

    event_type: ClassVar[str] = "bakat.roster.employee.registered.v1"
    nip: str
    name: str
    gender: Literal["male", "female"]
    birth_date: date
    employment_type: Literal["PNS", "PPPK"]
    unit: str | None = None
    position_title: str | None = None
    tier: str | None = None
