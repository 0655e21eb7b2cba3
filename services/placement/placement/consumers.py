"""Which events placement consumes, and the handler for each."""

from __future__ import annotations

from bakat_common.app import ConsumerSpec
from bakat_common.contracts.assessment import (
    AssessmentCompletedV1,
    AssessmentCorrectedV1,
    PerformanceRecordedV1,
)
from bakat_common.contracts.roster import EMPLOYEE_EVENTS
from bakat_common.tenancy import TENANT_HANDLERS
from bakat_common.topics import service_topic

from placement import service
from placement.succession import service as succession


def consumer_specs() -> list[ConsumerSpec]:
    return [
        ConsumerSpec(
            topics=[service_topic("roster"), service_topic("assessment")],
            handlers={
                **TENANT_HANDLERS,
                **{e.event_type: service.on_employee_changed for e in EMPLOYEE_EVENTS},
                # One batch handler for both axes: a run of them is applied and placed together. A
                # correction carries the whole new version; the highest version wins.
                PerformanceRecordedV1.event_type: service.on_inputs,
                AssessmentCompletedV1.event_type: service.on_inputs,
                AssessmentCorrectedV1.event_type: service.on_inputs,
                # Positions and their holders, for succession: one batch handler for the three types.
                **{e.event_type: succession.on_position_events for e in succession.POSITION_EVENTS},
            },
        )
    ]
