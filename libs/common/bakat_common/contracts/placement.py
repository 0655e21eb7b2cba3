"""Events produced by the placement service (topic bakat.placement)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

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


class CalibratedMove(BaseModel):
    model_config = ConfigDict(frozen=True)
    nip: str
    from_box: int
    to_box: int
    reason: str


@register
class CalibrationApprovedV1(EventPayload):
    """A calibration session was approved: every move in it now sets the employee's box in force
    (each move also publishes employee.placed and, where membership changes, talent_pool.changed)."""

    event_type: ClassVar[str] = "bakat.placement.calibration.approved.v1"
    session_id: str
    moves: list[CalibratedMove]
    approved_by: str
