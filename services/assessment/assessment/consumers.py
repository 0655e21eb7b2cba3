"""Which events assessment consumes, and the handler for each."""

from __future__ import annotations

from bakat_common.app import ConsumerSpec
from bakat_common.contracts.roster import EMPLOYEE_EVENTS, PositionRegisteredV1, UnitRegisteredV1
from bakat_common.contracts.scheduling import SessionScheduledV1
from bakat_common.tenancy import TENANT_HANDLERS
from bakat_common.topics import service_topic

from assessment import service


def consumer_specs() -> list[ConsumerSpec]:
    return [
        ConsumerSpec(
            topics=[service_topic("roster"), service_topic("scheduling")],
            handlers={
                **TENANT_HANDLERS,
                **{e.event_type: service.on_employee_changed for e in EMPLOYEE_EVENTS},
                UnitRegisteredV1.event_type: service.on_unit_registered,
                PositionRegisteredV1.event_type: service.on_position_registered,
                SessionScheduledV1.event_type: service.on_session_scheduled,
            },
        )
    ]
