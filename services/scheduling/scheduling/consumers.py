from __future__ import annotations

from bakat_common.app import ConsumerSpec
from bakat_common.tenancy import TENANT_HANDLERS
from bakat_common.topics import service_topic


def consumer_specs() -> list[ConsumerSpec]:
    return [ConsumerSpec(topics=[service_topic("roster")], handlers=dict(TENANT_HANDLERS))]
