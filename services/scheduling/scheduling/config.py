from __future__ import annotations

from bakat_common.settings import ServiceSettings


class SchedulingSettings(ServiceSettings):
    service_name: str = "scheduling"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5433/bakat_scheduling"
