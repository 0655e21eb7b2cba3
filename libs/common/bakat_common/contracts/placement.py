"""Events produced by the placement service (topic bakat.placement)."""

from __future__ import annotations

from typing import ClassVar, Literal

from bakat_common.contracts import EventPayload, register

AxisLevel = Literal["low", "middle", "high"]
PerformanceLevel = Literal["below", "meets", "above"]


@register
class EmployeePlacedV1(EventPayload):
    event_type: ClassVar[str] = "bakat.placement.employee.placed.v1"
    nip: str
    box: int
    potential_level: AxisLevel
    performance_level: PerformanceLevel
    rule_version: int


@register
class TalentPoolChangedV1(EventPayload):
    """An employee joined (box 7-9) or left the tenant's talent pool (the succession group)."""

    event_type: ClassVar[str] = "bakat.placement.talent_pool.changed.v1"
    nip: str
    member: bool
    box: int
    previous_box: int | None
    rule_version: int
