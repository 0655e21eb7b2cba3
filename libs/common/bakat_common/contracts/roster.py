"""Events produced by the roster service (topic bakat.roster).

Employee events carry a full snapshot with a `version` that grows with every change, so a consumer
keeps the highest version it has seen whatever order events arrive in, and never calls roster.
"""

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
class UnitRegisteredV1(EventPayload):
    event_type: ClassVar[str] = "bakat.roster.unit.registered.v1"
    code: str
    name: str
    kind: str
    parent_code: str | None
    path: str  # codes from the root: "/SETDA/BAG-ORG/"


class EmployeeSnapshot(EventPayload):
    """What other services keep about an employee (event-carried state)."""

    nip: str
    name: str  # with academic titles
    gender: Literal["male", "female"]
    birth_date: date
    employment_type: Literal["PNS", "PPPK"]
    golongan: str | None = None
    unit_code: str | None = None
    unit_name: str | None = None
    unit_path: str | None = None
    position_code: str | None = None
    position_title: str | None = None
    tier: str | None = None
    functional_level: str | None = None
    eselon: str | None = None
    status: Literal["active", "retired"] = "active"
    version: int = 1


@register
class EmployeeRegisteredV1(EmployeeSnapshot):
    event_type: ClassVar[str] = "bakat.roster.employee.registered.v1"


@register
class EmployeeUpdatedV1(EmployeeSnapshot):
    event_type: ClassVar[str] = "bakat.roster.employee.updated.v1"


@register
class EmployeeTransferredV1(EmployeeSnapshot):
    event_type: ClassVar[str] = "bakat.roster.employee.transferred.v1"
    from_unit_code: str | None
    from_position_code: str | None
    reason: str | None = None


@register
class EmployeeRetiredV1(EmployeeSnapshot):
    event_type: ClassVar[str] = "bakat.roster.employee.retired.v1"
    retirement_date: date
    reason: str | None = None


EMPLOYEE_EVENTS: tuple[type[EmployeeSnapshot], ...] = (
    EmployeeRegisteredV1,
    EmployeeUpdatedV1,
    EmployeeTransferredV1,
    EmployeeRetiredV1,
)


@register
class PositionRegisteredV1(EventPayload):
    """A position and its competency standard (placement ranks successors against it)."""

    event_type: ClassVar[str] = "bakat.roster.position.registered.v1"
    code: str
    title: str
    tier: str
    functional_level: str | None
    eselon: str | None
    job_family: str | None
    unit_code: str
    unit_path: str
    requirements: dict[str, int]
    technical_requirements: dict[str, int]
    holder_nip: str | None


@register
class PositionVacatedV1(EventPayload):
    event_type: ClassVar[str] = "bakat.roster.position.vacated.v1"
    code: str
    tier: str
    unit_code: str
    previous_holder_nip: str


@register
class PositionFilledV1(EventPayload):
    event_type: ClassVar[str] = "bakat.roster.position.filled.v1"
    code: str
    tier: str
    unit_code: str
    holder_nip: str
