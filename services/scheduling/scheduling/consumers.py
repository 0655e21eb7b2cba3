from __future__ import annotations

from bakat_common.app import ConsumerSpec
from bakat_common.contracts.roster import EMPLOYEE_EVENTS
from bakat_common.tenancy import TENANT_HANDLERS
from bakat_common.topics import service_topic

from scheduling import service


def consumer_specs() -> list[ConsumerSpec]:
    return [
        ConsumerSpec(
            topics=[service_topic("roster")],
            handlers={
                **TENANT_HANDLERS,
                # Who may be a participant, and where they sit in the unit tree (conflicts of interest).
                **{e.event_type: service.on_employee_changed for e in EMPLOYEE_EVENTS},
            },
        )
    ]
